#!/usr/bin/env bash
# Interoperability with the real Docker through a registry, in both directions:
#   1. lade push → docker pull → docker run, with lade's image ID and digest
#   2. docker push → lade pull → lade run, with Docker's image ID, layers and digest
# Runs only where Docker and docker-registry are installed; the test suite never needs Docker.
# Run as root after `npm ci`:  test/interop/registry.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
command -v dockerd >/dev/null && [ -x /usr/bin/docker ] || { echo "docker is not installed (apt-get install docker.io); nothing to check"; exit 0; }
command -v docker-registry >/dev/null || { echo "needs docker-registry (apt-get install docker-registry)"; exit 1; }
command -v busybox >/dev/null || { echo "needs busybox (apt-get install busybox-static)"; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
lade() { "$repo/bin/lade" --root "$work/lade-root" "$@"; }

# A registry on a free loopback port (insecure by Docker's rule, so neither needs TLS here).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "127.0.0.1:%s", secret: interop}\n' "$work/registry" "$port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
reg="127.0.0.1:$port"

export DOCKER_HOST="unix://$work/docker.sock"
dockerd --host "$DOCKER_HOST" --data-root "$work/docker-data" --exec-root "$work/docker-exec" \
  --pidfile "$work/docker.pid" --bridge=none --iptables=false >"$work/dockerd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do /usr/bin/docker version >/dev/null 2>&1 && curl -sf "http://$reg/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
docker() { /usr/bin/docker "$@"; }
failures=0
check() { if [ "$2" = "$3" ]; then echo "ok    $1"; else echo "FAIL  $1: expected '$3', got '$2'"; failures=$((failures + 1)); fi; }

mkdir -p "$work/rootfs/bin"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/sh"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .

# 1. lade → registry → docker
lade import -c 'CMD ["/bin/sh", "-c", "echo hello from lade"]' "$work/rootfs.tar" base:1 >/dev/null
mkdir -p "$work/app"
printf 'FROM base:1\nRUN echo built > /built\nCMD ["/bin/busybox", "cat", "/built"]\n' >"$work/app/Dockerfile"
lade build -q -t "$reg/interop/lade:1" "$work/app" >/dev/null
lade push -q "$reg/interop/lade:1" >/dev/null
docker pull -q "$reg/interop/lade:1" >/dev/null
check "docker pulls lade's push with lade's image ID" "$(docker image inspect -f '{{.Id}}' "$reg/interop/lade:1")" "$(lade image inspect -f '{{.Id}}' "$reg/interop/lade:1")"
check "with lade's manifest digest" "$(docker image inspect -f '{{index .RepoDigests 0}}' "$reg/interop/lade:1")" "$(lade image inspect -f '{{index .RepoDigests 0}}' "$reg/interop/lade:1")"
check "docker runs it" "$(docker run --rm --network none "$reg/interop/lade:1")" "built"

# 2. docker → registry → lade
mkdir -p "$work/ctx"
cp "$work/rootfs/bin/busybox" "$work/ctx/"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo from docker > /msg"]\nCMD ["/bin/busybox", "cat", "/msg"]\n' >"$work/ctx/Dockerfile"
DOCKER_BUILDKIT=1 docker build -q --network none -t "$reg/interop/docker:1" "$work/ctx" >/dev/null
docker push -q "$reg/interop/docker:1" >/dev/null 2>&1 || docker push "$reg/interop/docker:1" >/dev/null
lade pull -q "$reg/interop/docker:1" >/dev/null
check "lade pulls Docker's push with Docker's image ID" "$(lade image inspect -f '{{.Id}}' "$reg/interop/docker:1")" "$(docker image inspect -f '{{.Id}}' "$reg/interop/docker:1")"
check "with Docker's layer diffIDs" "$(lade image inspect -f '{{json .RootFS.Layers}}' "$reg/interop/docker:1")" "$(docker image inspect -f '{{json .RootFS.Layers}}' "$reg/interop/docker:1")"
check "with Docker's manifest digest" "$(lade image inspect -f '{{index .RepoDigests 0}}' "$reg/interop/docker:1")" "$(docker image inspect -f '{{index .RepoDigests 0}}' "$reg/interop/docker:1")"
check "lade runs it" "$(lade run --rm "$reg/interop/docker:1")" "from docker"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all registry interoperability checks passed"
