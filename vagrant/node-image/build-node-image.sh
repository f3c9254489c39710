#!/usr/bin/env bash
# Builds the lab's node image: the deployable OS image of the end-to-end scenario, a real Debian 12
# system made from Debian's packages, as the agent writes it to a machine's disk.
#
#   vagrant/node-image/build-node-image.sh [--no-cache] [OUT]
#
#   OUT/debian-12-node.qcow2         2.5 GiB virtual, compressed qcow2 (qemu-img convert -O qcow2 -c)
#   OUT/debian-12-node.qcow2.sha256  sha256sum's line for it
#   OUT/manifest                     every installed package and version (dpkg-query -W, sorted)
#
#   OUT defaults to vagrant/target/node-image. --no-cache builds from scratch and does not store
#   the result (downloaded .debs are still taken from and kept in the cache).
#
# The disk: ONE GPT disk that boots with BIOS and with UEFI.
#   p1  1 MiB -   4 MiB  BIOS boot partition: GRUB i386-pc core.img (boot.img in the MBR)
#   p2  4 MiB - 128 MiB  EFI system partition, FAT32: \EFI\BOOT\BOOTX64.EFI (GRUB x86_64-efi)
#   p3  128 MiB - end    ext4 root (last, so the agent can add a partition after it on a larger
#                        disk: the config drive)
# Both GRUBs find the root filesystem by its UUID and read its /boot/grub/grub.cfg (written here,
# timeout 0, the kernel with console=ttyS0,115200). What is in the system: vagrant/README.md,
# "The node image"; the files put over the root: vagrant/node-image/rootfs/.
#
# No loop devices and no mounts of the disk's filesystems (this host's kernel has no partition
# tables for loop devices, no vfat): the root is built in a directory, mke2fs -d makes the ext4
# filesystem from it straight into the disk file at its offset, mtools fills the FAT, and GRUB's
# boot sectors are placed by dd. Only the chroot gets /proc, /sys and a /dev of its own.
#
# Cache: METALBOOT_CACHE (default ~/.cache/metalboot)/node-image/<key>/, key = sha256 of this
# recipe (this script and rootfs/), the host tools that shape the bytes, the mirrors, and the
# sha256 of each suite's Packages index as the mirror publishes it now (its InRelease). Why this is
# enough: vagrant/README.md, "The node image".
#
# Needs root (debootstrap, chroot) and the Debian packages debootstrap, fdisk (sfdisk),
# e2fsprogs (mke2fs >= 1.43 for -d), dosfstools (mkfs.vfat), mtools, qemu-utils (qemu-img), curl.
set -euo pipefail
export LC_ALL=C
umask 022

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$here/$(basename "${BASH_SOURCE[0]}")"
started=$SECONDS

log() { echo "node-image: $*" >&2; }
die() { echo "node-image: $*" >&2; exit 2; }

use_cache=true
out=
while [ $# -gt 0 ]; do
    case "$1" in
        --no-cache) use_cache=false; shift ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$script"; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [ -z "$out" ] || die "one OUT directory only"; out="$1"; shift ;;
    esac
done
out="${out:-$here/../target/node-image}"

[ "$(id -u)" = 0 ] || die "needs root: debootstrap and chroot (the packages' maintainer scripts run in the new root)"
PATH="$PATH:/usr/sbin:/sbin"
needs="debootstrap fdisk e2fsprogs dosfstools mtools qemu-utils curl"
for program in debootstrap sfdisk mke2fs mkfs.vfat mcopy mmd qemu-img curl chroot sha256sum dd; do
    command -v "$program" >/dev/null || die "$program is missing (apt-get install $needs)"
done

mkdir -p "$out"
out="$(cd "$out" && pwd)"

suite=bookworm
image=debian-12-node.qcow2
disk_mib=2560
# What debootstrap installs (its minbase plus these, with their dependencies). The kernel is not
# among them: it is installed afterwards with apt, from the newest suite (security) at once, so
# the image holds one kernel and one initramfs. python3-cffi-backend must be named: debootstrap
# does not resolve the virtual package python3-cryptography depends on.
include=systemd-sysv,udev,dbus,systemd-resolved,iproute2,cloud-init,python3-cffi-backend,grub-pc-bin,grub-efi-amd64-bin,grub2-common,initramfs-tools,e2fsprogs,kmod,zstd,curl,ca-certificates
late_packages="linux-image-amd64"

# --- the mirrors: the host's own apt sources, and the cache key ------------------------------------
# scripts/debian-archive.sh: the mirror of each suite (SUITE, SUITE-updates, SUITE-security) from the
# host's apt sources, and the sha256 of each suite's Packages index as the mirror publishes it now.
# The same recipe over the same indexes builds the same set of packages.
. "$here/../../scripts/debian-archive.sh"
debian_archive "$suite"
tool_versions="$(dpkg-query -W -f '${Package}=${Version}\n' debootstrap e2fsprogs dosfstools mtools fdisk qemu-utils 2>/dev/null | sort | paste -sd' ')"
key_text="$(
    echo "recipe node-image 1"
    # The recipe: this script, the archive script it sources, and every file of rootfs/.
    sha256sum "$here/../../scripts/debian-archive.sh" | cut -d' ' -f1
    (cd "$here" && find build-node-image.sh rootfs -type f -print0 | sort -z | xargs -0 sha256sum)
    # Modes matter too (the kubeadm stand-in must stay executable).
    (cd "$here" && find rootfs -print0 | sort -z | xargs -0 stat -c '%a %n')
    printf '%s\n' "${index_hashes[@]}"
    echo "tools $tool_versions"
)"
key="$(printf '%s\n' "$key_text" | sha256sum | cut -c1-20)"
cache="${METALBOOT_CACHE:-$HOME/.cache/metalboot}/node-image"
entry="$cache/$key"
debs="$cache/debs"
log "cache: $entry"

deliver() { # directory with the three files -> OUT
    local from="$1" name
    if [ -f "$out/$image.sha256" ] && cmp -s "$from/$image.sha256" "$out/$image.sha256" && [ -s "$out/$image" ]; then
        : # the same image is there already
    else
        cp --reflink=auto "$from/$image" "$out/$image.tmp"
        mv "$out/$image.tmp" "$out/$image"
    fi
    cp "$from/$image.sha256" "$from/manifest" "$out/"
}

if $use_cache && [ -s "$entry/$image" ] && [ -s "$entry/$image.sha256" ] && [ -s "$entry/manifest" ]; then
    deliver "$entry"
    touch "$entry"
    log "cache hit: $entry -> $out/$image ($(wc -l <"$entry/manifest") packages) in $((SECONDS - started)) s"
    exit 0
fi

# --- build -----------------------------------------------------------------------------------------
mkdir -p "$cache" "$debs"
work="$(mktemp -d "$cache/build.XXXXXX")"
root="$work/root"
mounts=()
cleanup() {
    local i
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# The build's logs stay after it (the work directory does not): the last build's, in the cache.
logs="$cache/logs"
rm -rf "$logs"
mkdir -p "$logs"
log "debootstrap --variant=minbase $suite from $mirror (log: $logs/debootstrap.log)"
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
# dpkg without fsync while the root is built: the root is copied into the image afterwards, a
# crash only loses the build. This halves the time of the packages' unpacking here. Removed below.
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/90-metalboot-build-unsafe-io"
debootstrap --variant=minbase --include="$include" --components=main --cache-dir="$debs" \
    "$suite" "$root" "$mirror" >"$logs/debootstrap.log" 2>&1 ||
    { tail -n 30 "$logs/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
log "debootstrap done at $((SECONDS - started)) s"

# The chroot gets /proc, /sys and a /dev of its own: a tmpfs with the few nodes maintainer scripts
# use, never the host's /dev (a script that probes disks must not see the host's).
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount -t sysfs sysfs "$root/sys" && mounts+=("$root/sys")
mount -t tmpfs -o mode=755,size=16m devtmp "$root/dev" && mounts+=("$root/dev")
for node in "null c 1 3" "zero c 1 5" "full c 1 7" "random c 1 8" "urandom c 1 9" "tty c 5 0" "console c 5 1" "ptmx c 5 2"; do
    set -- $node
    mknod -m 666 "$root/dev/$1" "$2" "$3" "$4"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

# apt in the new root: the same suites as the host's sources (also what the node itself will use).
{
    for pair in "${suite_mirrors[@]}"; do
        m="${pair% *}" s="${pair#* }"
        printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' "$m" "$s"
    done
} >"$root/etc/apt/sources.list.d/debian.sources"
: >"$root/etc/apt/sources.list"
# Name resolution for apt while building (systemd-resolved's stub is not running in a chroot); no
# service may start in the chroot (Debian's policy-rc.d convention: 101 = action forbidden).
rm -f "$root/etc/resolv.conf"
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

log "apt: update, upgrade from ${#suite_mirrors[@]} suites, install $late_packages"
{
    in_root apt-get update -q -o Acquire::Languages=none &&
    in_root apt-get -y -q -o Dpkg::Options::=--force-confold full-upgrade &&
    in_root apt-get -y -q -o Dpkg::Options::=--force-confold install --no-install-recommends $late_packages
} >"$logs/apt.log" 2>&1 || { tail -n 30 "$logs/apt.log" >&2; die "apt in the new root failed (log above)"; }
in_root apt-get clean
rm -rf "$root/var/lib/apt/lists/"*
mkdir -p "$root/var/lib/apt/lists/partial"
log "packages installed at $((SECONDS - started)) s"

# --- the system's configuration --------------------------------------------------------------------
cp -a "$here/rootfs/." "$root/"
# systemd-networkd for the nodes without cloud-init (and as cloud-init's renderer); its unit's
# Also= enables systemd-networkd-wait-online, whose --any drop-in is in rootfs/.
in_root systemctl enable systemd-networkd.service systemd-resolved.service >/dev/null
# No root password (locked); no ssh server is installed.
in_root passwd -l root >/dev/null
# debootstrap copied the host's hostname, resolv.conf and machine-id. An empty /etc/hostname is
# "unset": cloud-init sets the node's name, or networkd takes the DHCP server's. An empty
# /etc/machine-id makes systemd create one at first boot (and run its first-boot units).
: >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n' >"$root/etc/hosts"
rm -f "$root/etc/resolv.conf"
ln -s ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
ln -s /etc/machine-id "$root/var/lib/dbus/machine-id"
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/dpkg/dpkg.cfg.d/90-metalboot-build-unsafe-io"
rm -rf "$root/tmp/"* "$root/var/tmp/"* "$root/var/cache/apt/"*.bin "$root/var/log/"*.log "$root/var/log/apt/"*
find "$root/var/cache/debconf" -name '*-old' -delete

# --- the disk layout, the filesystems' ids, the boot configuration ----------------------------------
raw="$work/disk.raw"
truncate -s "${disk_mib}M" "$raw"
sfdisk --quiet --label gpt "$raw" <<'TABLE'
start=1MiB, size=3MiB, type=21686148-6449-6E6F-744E-656564454649, name="bios-boot"
start=4MiB, size=124MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="esp"
start=128MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root"
TABLE
part() { sfdisk --dump "$raw" | sed -n "s|^$raw$1 : .*$2= *\([0-9]*\).*|\1|p"; } # N start|size -> sectors
bios_start=$(part 1 start)
esp_start=$(part 2 start) esp_size=$(part 2 size)
root_start=$(part 3 start) root_size=$(part 3 size)
[ "$bios_start" = 2048 ] && [ -n "$esp_size" ] && [ -n "$root_size" ] || die "unexpected partition table: $(sfdisk --dump "$raw")"
root_uuid="$(cat /proc/sys/kernel/random/uuid)"
esp_id="$(od -An -N4 -tx4 /dev/urandom | tr -d ' ' | tr a-f A-F)"
esp_uuid="${esp_id:0:4}-${esp_id:4:4}"

cat >"$root/etc/fstab" <<FSTAB
# <file system>  <mount point>  <type>  <options>  <dump>  <pass>
UUID=$root_uuid  /  ext4  errors=remount-ro  0  1
UUID=$esp_uuid  /boot/efi  vfat  umask=0077,nofail  0  2
FSTAB
mkdir -p "$root/boot/efi"

# grub.cfg by hand: update-grub writes an empty menu when / is not a block device it can map.
# /vmlinuz and /initrd.img are the kernel package's links to the current kernel.
[ -e "$root/vmlinuz" ] && [ -e "$root/initrd.img" ] || die "the kernel's /vmlinuz or /initrd.img link is missing"
mkdir -p "$root/boot/grub"
cat >"$root/boot/grub/grub.cfg" <<GRUBCFG
# metalboot node image: written by build-node-image.sh (not by update-grub).
set default=0
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
insmod part_gpt
insmod ext2
search --no-floppy --fs-uuid --set=root $root_uuid
menuentry 'Debian GNU/Linux 12 (metalboot node)' {
    linux /vmlinuz root=UUID=$root_uuid ro console=tty0 console=ttyS0,115200
    initrd /initrd.img
}
GRUBCFG
# GRUB's first stage, embedded in both core images: find the root filesystem by UUID, read
# modules and grub.cfg from its /boot/grub (what grub-install's load.cfg does).
cat >"$work/early.cfg" <<EARLY
search.fs_uuid $root_uuid root
set prefix=(\$root)/boot/grub
EARLY
cp "$work/early.cfg" "$root/tmp/early.cfg"
for target in i386-pc x86_64-efi; do
    mkdir -p "$root/boot/grub/$target"
    cp "$root/usr/lib/grub/$target/"*.mod "$root/usr/lib/grub/$target/"*.lst "$root/boot/grub/$target/"
done
# The target's own GRUB (its grub-mkimage and module trees), as grub-install would use.
in_root grub-mkimage -O i386-pc -d /usr/lib/grub/i386-pc -c /tmp/early.cfg -p /boot/grub \
    -o /tmp/core.img biosdisk part_gpt ext2 search_fs_uuid
in_root grub-mkimage -O x86_64-efi -d /usr/lib/grub/x86_64-efi -c /tmp/early.cfg -p /boot/grub \
    -o /tmp/BOOTX64.EFI part_gpt ext2 search_fs_uuid
mv "$root/tmp/core.img" "$root/tmp/BOOTX64.EFI" "$work/"
cp "$root/usr/lib/grub/i386-pc/boot.img" "$work/boot.img"
rm -f "$root/tmp/early.cfg"
grub_version="$(in_root dpkg-query -W -f '${Version}' grub-pc-bin)"

# The manifest, then the chroot's mounts go before the root becomes a filesystem.
in_root dpkg-query -W | sort >"$work/manifest"
for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}"; done
mounts=()
rmdir "$root/dev/pts" "$root/dev/shm" 2>/dev/null || true

# --- the filesystems, straight into the disk file ---------------------------------------------------
log "ext4 root ($((root_size / 2048)) MiB) from the tree, FAT ESP, GRUB $grub_version for BIOS and UEFI"
# mke2fs -d copies the tree (owners, modes, links, device nodes, xattrs) into the new filesystem;
# offset= writes it at the partition's place in the disk file.
mke2fs -q -F -t ext4 -L node-root -U "$root_uuid" -E "offset=$((root_start * 512))" -d "$root" \
    "$raw" "$((root_size / 2))k" 2>"$logs/mke2fs.log" || { cat "$logs/mke2fs.log" >&2; die "mke2fs failed"; }
esp="$work/esp.img"
truncate -s "$((esp_size * 512))" "$esp"
mkfs.vfat -F 32 -s 1 -n ESP -i "$esp_id" "$esp" >/dev/null
mmd -i "$esp" ::/EFI ::/EFI/BOOT
mcopy -i "$esp" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
dd if="$esp" of="$raw" bs=512 seek="$esp_start" conv=notrunc,sparse status=none

# BIOS: what grub-bios-setup does, by hand (no block device to give it). boot.img's code goes into
# the MBR before the (protective) partition table, core.img into the BIOS boot partition; boot.img
# learns core.img's first sector (GRUB_BOOT_MACHINE_KERNEL_SECTOR, 8 bytes at 0x5c) and
# core.img's first sector (diskboot) where the rest follows (its block list's start, 8 bytes at
# 0x1f4: sector 512 - 12). core.img's length is in that block list already (grub-mkimage).
core_sectors=$(( ($(stat -c %s "$work/core.img") + 511) / 512 ))
[ "$core_sectors" -le $((3 * 2048)) ] || die "core.img ($core_sectors sectors) does not fit the BIOS boot partition"
le64() { local v=$1 i; for i in 0 1 2 3 4 5 6 7; do printf "\\$(printf '%03o' $(( (v >> (8 * i)) & 255 )))"; done; }
le64 "$bios_start" | dd of="$work/boot.img" bs=1 seek=$((0x5c)) conv=notrunc status=none
le64 "$((bios_start + 1))" | dd of="$work/core.img" bs=1 seek=$((0x1f4)) conv=notrunc status=none
dd if="$work/boot.img" of="$raw" bs=440 count=1 conv=notrunc status=none
dd if="$work/core.img" of="$raw" bs=512 seek="$bios_start" conv=notrunc status=none

# --- the image -------------------------------------------------------------------------------------
log "filesystems done at $((SECONDS - started)) s; qemu-img convert -O qcow2 -c ($(du -m "$raw" | cut -f1) MiB allocated of $disk_mib MiB)"
mkdir -p "$work/out"
qemu-img convert -O qcow2 -c "$raw" "$work/out/$image"
(cd "$work/out" && sha256sum "$image" >"$image.sha256")
mv "$work/manifest" "$work/out/manifest"
{ printf '%s\n' "$key_text"; echo "root-uuid $root_uuid"; echo "esp-id $esp_uuid"; } >"$work/out/key.txt"
rm -f "$raw"
log "built: $(wc -l <"$work/out/manifest") packages, kernel $(grep -E '^linux-image-[0-9]' "$work/out/manifest" | tr '\t' ' '), $(du -m "$work/out/$image" | cut -f1) MiB qcow2"

if $use_cache; then
    if mv -T "$work/out" "$entry" 2>/dev/null; then
        # Keep the two most recently used images.
        find "$cache" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended -regex '.*/[0-9a-f]{20}' -printf '%T@ %p\n' |
            sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -rf
    else
        rm -rf "$work/out" # another build stored the same key meanwhile
    fi
    deliver "$entry"
else
    deliver "$work/out"
fi
log "$out/$image ($(cut -c1-16 "$out/$image.sha256")...) in $((SECONDS - started)) s"
