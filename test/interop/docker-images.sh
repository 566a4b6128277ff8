#!/usr/bin/env bash
# Interoperability of lade's image archives with the real Docker, in both directions:
#   1. lade import → lade save → docker load → docker run works, and Docker sees lade's image ID
#   2. docker build → docker save → lade load gives Docker's image ID and layer diffIDs
#   3. OCI tools read lade save output as an OCI layout and as a docker-archive (skopeo, if installed)
# Runs only where Docker is installed (Debian's docker.io: dockerd 20.10); the test suite never
# needs it. Run as root after `npm ci`:  test/interop/docker-images.sh
#   DOCKER_HOST  use this daemon instead of starting a private one
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
lade() { node "$repo/bin/lade" --root "$work/lade-root" "$@"; }
command -v dockerd >/dev/null && [ -x /usr/bin/docker ] || { echo "docker is not installed (apt-get install docker.io); nothing to check"; exit 0; }
command -v busybox >/dev/null || { echo "needs busybox (apt-get install busybox-static)"; exit 1; }

work=$(mktemp -d)
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ -z "${DOCKER_HOST:-}" ]; then
  export DOCKER_HOST="unix://$work/docker.sock"
  dockerd --host "$DOCKER_HOST" --data-root "$work/docker-data" --exec-root "$work/docker-exec" \
    --pidfile "$work/docker.pid" --bridge=none --iptables=false >"$work/dockerd.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 100); do /usr/bin/docker version >/dev/null 2>&1 && break; sleep 0.2; done
fi
docker() { /usr/bin/docker "$@"; }
docker version --format 'docker {{.Server.Version}}'
failures=0
check() { if [ "$2" = "$3" ]; then echo "ok    $1"; else echo "FAIL  $1: expected '$3', got '$2'"; failures=$((failures + 1)); fi; }

# A small runnable root: busybox and a shell.
mkdir -p "$work/rootfs/bin"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/sh"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .

# 1. lade → docker
id=$(lade import -c 'CMD ["/bin/sh", "-c", "echo hello from lade"]' "$work/rootfs.tar" lade-interop/imported:1)
lade save -o "$work/lade.tar" lade-interop/imported:1
docker load -i "$work/lade.tar" >/dev/null
check "docker loads lade save output with lade's image ID" "$(docker image inspect -f '{{.Id}}' lade-interop/imported:1)" "$id"
check "docker runs the image lade built" "$(docker run --rm --network none lade-interop/imported:1)" "hello from lade"
check "docker sees lade's layers" "$(docker image inspect -f '{{json .RootFS.Layers}}' lade-interop/imported:1)" "$(lade image inspect -f '{{json .RootFS.Layers}}' lade-interop/imported:1)"

lade save --compression gzip -o "$work/lade-gzip.tar" lade-interop/imported:1
docker rmi lade-interop/imported:1 >/dev/null
docker load -i "$work/lade-gzip.tar" >/dev/null
check "docker loads gzip layers from lade save --compression gzip, same image ID" "$(docker image inspect -f '{{.Id}}' lade-interop/imported:1)" "$id"
check "docker runs it" "$(docker run --rm --network none lade-interop/imported:1)" "hello from lade"

# 2. docker → lade
mkdir -p "$work/ctx"
cp "$work/rootfs/bin/busybox" "$work/ctx/"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "mkdir", "-p", "/data"]\nENV MODE=interop\nCMD ["/bin/busybox", "true"]\n' >"$work/ctx/Dockerfile"
DOCKER_BUILDKIT=1 docker build -q --network none -t lade-interop/built:1 "$work/ctx" >/dev/null
docker save -o "$work/docker.tar" lade-interop/built:1
lade load -i "$work/docker.tar" >/dev/null
check "lade loads docker save output with Docker's image ID" "$(lade image inspect -f '{{.Id}}' lade-interop/built:1)" "$(docker image inspect -f '{{.Id}}' lade-interop/built:1)"
check "lade sees Docker's layer diffIDs" "$(lade image inspect -f '{{json .RootFS.Layers}}' lade-interop/built:1)" "$(docker image inspect -f '{{json .RootFS.Layers}}' lade-interop/built:1)"
check "lade reports Docker's size" "$(lade image inspect -f '{{.Size}}' lade-interop/built:1)" "$(docker image inspect -f '{{.Size}}' lade-interop/built:1)"
check "lade keeps Docker's config" "$(lade image inspect -f '{{json .Config.Env}} {{json .Config.Cmd}}' lade-interop/built:1)" "$(docker image inspect -f '{{json .Config.Env}} {{json .Config.Cmd}}' lade-interop/built:1)"

# Round trip back: lade's save of Docker's image loads into Docker as the same image.
docker rmi lade-interop/built:1 >/dev/null
lade save -o "$work/back.tar" lade-interop/built:1
docker load -i "$work/back.tar" >/dev/null
check "docker reloads lade's re-save of a Docker image" "$(docker image inspect -f '{{.Id}}' lade-interop/built:1)" "$(lade image inspect -f '{{.Id}}' lade-interop/built:1)"
docker rmi lade-interop/built:1 lade-interop/imported:1 >/dev/null

# 3. OCI tools
if command -v skopeo >/dev/null; then
  check "skopeo reads lade save output as an OCI layout" "$(skopeo inspect --format '{{.Layers}}' oci-archive:"$work/lade.tar" | tr -d '[]')" "$(lade image inspect -f '{{index .RootFS.Layers 0}}' lade-interop/imported:1)"
  check "skopeo reads lade save output as a docker-archive" "$(skopeo inspect --format '{{.Os}}/{{.Architecture}}' docker-archive:"$work/lade.tar")" "linux/amd64"
  skopeo copy -q docker-archive:"$work/docker.tar" oci-archive:"$work/oci.tar":lade-interop/skopeo:1
  lade load -i "$work/oci.tar" >/dev/null
  check "lade loads an OCI layout written by skopeo" "$(lade image inspect -f '{{json .RootFS.Layers}}' lade-interop/skopeo:1)" "$(lade image inspect -f '{{json .RootFS.Layers}}' lade-interop/built:1)"
else
  echo "skip  skopeo checks (apt-get install skopeo)"
fi

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all interoperability checks passed"
