#!/bin/sh
# Puts a small base image, busybox:local, into lade's store (--root from $LADE_ROOT, else
# /var/lib/lade): Debian's static busybox with a link per applet, root and one user. There is
# no registry to pull from yet, so a base image is imported from a root filesystem tarball.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! [ -x /bin/busybox ] || ! file -b /bin/busybox 2>/dev/null | grep -q static; then
  if ! dpkg -s busybox-static >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
  fi
fi
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" "$rootfs/usr/local/bin" "$rootfs/home/app"
chmod 1777 "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1000:\n' >"$rootfs/etc/group"
chown 1000:1000 "$rootfs/home/app"
tar --numeric-owner -C "$rootfs" -cf "$rootfs.tar" .
"$here/../../bin/lade" import -c 'CMD ["sh"]' "$rootfs.tar" busybox:local >/dev/null
rm -f "$rootfs.tar"
echo "busybox:local is in lade's store"
