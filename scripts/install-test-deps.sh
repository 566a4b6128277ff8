#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when missing (run as root):
#   gcc make libc6-dev  native/ is compiled by npm ci
#   skopeo              an independent reader and writer of image archives (test/image/oci-tools)
#   tar                 a layer test compares lade with GNU tar
#   tzdata              the --format tests read the system's time zone files
#   busybox-static      root filesystems for the sandbox and container tests (test/helpers/busybox.ts)
set -euo pipefail
packages=(gcc make libc6-dev skopeo tar tzdata busybox-static)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
