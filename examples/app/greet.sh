#!/bin/sh
# The example's program: a greeting, or a self-test run while the image is built.
if [ "${1:-}" = --selftest ]; then
  echo "selftest ok as $(id -un)"
  exit 0
fi
echo "${GREETING:-hello} from $(hostname), built $(cat /etc/built-by)"
