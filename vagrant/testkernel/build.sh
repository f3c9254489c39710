#!/usr/bin/env bash
# Builds the lab's test kernel and initramfs: the agent ramdisk's stand-in until the agent lands.
#
#   vagrant/target/testkernel/vmlinuz     Debian's kernel, unpacked from its .deb (no install)
#   vagrant/target/testkernel/initrd.img  busybox-static + an /init that prints what the lab checks
#
# Booted by the appliance's per-machine iPXE script, /init prints to the serial console
#   METALBOOT-TEST-KERNEL booted mac=<metalboot.mac> token=<present|absent>
#   METALBOOT-TEST-KERNEL cmdline <the kernel command line, the token's value masked>
#   METALBOOT-TEST-KERNEL smbios uuid=<product_uuid> serial=<product_serial>
# and powers the VM off. The token's value is never printed: serial logs are kept after a run.
#
# Needs: apt-get (to download the kernel .deb), dpkg-deb, busybox-static, cpio, gzip.
# Idempotent: when both files exist and this script has not changed since, it does nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/../target/testkernel}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# One exact kernel, from Debian 12's point release (bookworm main): the security archive's
# newer ABIs are replaced there over time, the point release's stays until the next point release.
kernel_package="${METALBOOT_TESTKERNEL_PACKAGE:-linux-image-6.1.0-50-amd64}"
kernel_version="${METALBOOT_TESTKERNEL_VERSION:-6.1.176-1}"

stamp="$out/.built-by"
fingerprint="$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1) $kernel_package=$kernel_version"
if [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$fingerprint" ]; then
    exit 0
fi

for program in apt-get dpkg-deb cpio gzip; do
    command -v "$program" >/dev/null || { echo "testkernel: $program is missing" >&2; exit 2; }
done
busybox=/bin/busybox
# ldd fails on a static binary; Debian's dynamic busybox would not run without its libraries.
if ! [ -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
    echo "testkernel: a static $busybox is needed (Debian package busybox-static)" >&2
    exit 2
fi

work="$out/work"
rm -rf "$work"
mkdir -p "$work/deb" "$work/root"

# The kernel: downloaded (not installed) and unpacked.
deb="$(ls "$out"/"${kernel_package}"_*.deb 2>/dev/null | head -n1 || true)"
if [ -z "$deb" ]; then
    # As root into a directory apt's sandbox user cannot write: say so instead of being warned.
    if ! (cd "$out" && apt-get download -q -o APT::Sandbox::User=root "$kernel_package=$kernel_version") >&2; then
        # The pinned build leaves the archive at the next point release: take the current one.
        kernel_package="$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)"
        echo "testkernel: $kernel_version is gone from the archive; using $kernel_package" >&2
        (cd "$out" && apt-get download -q -o APT::Sandbox::User=root "$kernel_package") >&2
    fi
    deb="$(ls "$out"/"${kernel_package}"_*.deb | head -n1)"
fi
dpkg-deb -x "$deb" "$work/deb"
rm -f "$deb" # 70 MB, and only vmlinuz is kept
cp "$work/deb/boot/vmlinuz-"* "$work/vmlinuz"

# The initramfs: busybox and /init, nothing else (no modules: the test kernel needs no network).
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# The kernel opens /dev/console for init before /init can mount devtmpfs; without the node init
# would start with no stdout at all.
if [ "$(id -u)" = 0 ]; then
    mknod -m 600 "$root/dev/console" c 5 1
fi
cat >"$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# The lab reads COM1. /dev/console is the last console= of the command line, which may be the
# screen (console=ttyS0 console=tty0), so the serial port is written directly when it is there.
if [ -c /dev/ttyS0 ]; then
    exec </dev/console >/dev/ttyS0 2>&1
else
    exec </dev/console >/dev/console 2>&1
fi

cmdline="$(cat /proc/cmdline)"
mac=
token=absent
for word in $cmdline; do
    case "$word" in
        metalboot.mac=*) mac="${word#metalboot.mac=}" ;;
        metalboot.token=?*) token=present ;;
    esac
done
# The token is a credential: only whether it came is printed, and the command line is masked.
masked="$(echo "$cmdline" | sed -e 's/metalboot\.token=[^ ]*/metalboot.token=<masked>/g')"
uuid="$(cat /sys/class/dmi/id/product_uuid 2>/dev/null || echo unknown)"
serial="$(cat /sys/class/dmi/id/product_serial 2>/dev/null || echo unknown)"

echo
echo "METALBOOT-TEST-KERNEL booted mac=$mac token=$token"
echo "METALBOOT-TEST-KERNEL cmdline $masked"
echo "METALBOOT-TEST-KERNEL smbios uuid=$uuid serial=$serial"
echo "METALBOOT-TEST-KERNEL powering off"
sync
poweroff -f
INIT
chmod 755 "$root/init"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null --create --format=newc --quiet --owner=0:0) \
    | gzip -9 -n >"$work/initrd.img"

mv "$work/vmlinuz" "$out/vmlinuz"
mv "$work/initrd.img" "$out/initrd.img"
rm -rf "$work"
echo "$fingerprint" >"$stamp"
echo "testkernel: built $out/vmlinuz ($kernel_package $kernel_version) and $out/initrd.img" >&2
