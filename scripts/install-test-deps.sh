#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when missing (run as root):
#   gcc make libc6-dev  native/ is compiled by npm ci
#   skopeo              an independent reader and writer of image archives (test/image/oci-tools)
#   tar                 a layer test compares lade with GNU tar
#   tzdata              the --format tests read the system's time zone files
#   python3             flattens built images for the build golden tests (test/fixtures/build/flatten.py)
#   busybox-static      root filesystems for the sandbox, container and build tests (test/helpers/busybox.ts)
#   file                examples/app/make-base.sh checks that /bin/busybox is the static one
#   docker-registry     a real registry (distribution 2.8) for the pull/push tests (test/helpers/registry.ts)
#   apache2-utils       htpasswd, for the registry's Basic auth
#   openssl             certificates for the registry's TLS and token tests
set -euo pipefail
packages=(gcc make libc6-dev skopeo tar tzdata python3 busybox-static file docker-registry apache2-utils openssl)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
