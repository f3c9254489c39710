#!/usr/bin/env bash
# Builds the lab's test disks: what a provisioned machine boots once the appliance sends it to
# its local disk. Each holds only a boot loader (GRUB) whose embedded config prints a marker on
# the serial port and halts, so that a test can tell "booted from its disk" from anything else:
#
#   vagrant/target/testdisk/bios.img  MBR disk: GRUB i386-pc boot.img + core.img in the MBR gap
#                                     -> "METALBOOT-LOCAL-DISK bios"
#   vagrant/target/testdisk/uefi.img  GPT disk with an EFI system partition holding
#                                     \EFI\BOOT\BOOTX64.EFI (GRUB x86_64-efi)
#                                     -> "METALBOOT-LOCAL-DISK uefi"
#
# Scenarios copy these files before booting a VM from them: they are templates, never written.
# No loop devices or mounts: the partition table is written by sfdisk into the file, the FAT by
# mtools at an offset, and GRUB's boot sectors by dd.
#
# Needs: grub-pc-bin, grub-efi-amd64-bin (grub-mkimage and the module trees), fdisk (sfdisk),
# mtools. Idempotent: does nothing when both disks exist and this script has not changed since.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/../target/testdisk}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

stamp="$out/.built-by"
fingerprint="$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)"
if [ -s "$out/bios.img" ] && [ -s "$out/uefi.img" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$fingerprint" ]; then
    exit 0
fi

PATH="$PATH:/usr/sbin:/sbin"
for program in grub-mkimage sfdisk mformat mmd mcopy dd; do
    command -v "$program" >/dev/null || { echo "testdisk: $program is missing" >&2; exit 2; }
done
for dir in /usr/lib/grub/i386-pc /usr/lib/grub/x86_64-efi; do
    [ -d "$dir" ] || { echo "testdisk: $dir is missing (Debian packages grub-pc-bin, grub-efi-amd64-bin)" >&2; exit 2; }
done

work="$out/work"
rm -rf "$work"
mkdir -p "$work"

# The config is embedded in the image and run by GRUB's rescue parser before any module is looked
# up on disk: no prefix, filesystem or normal.mod is needed. Output goes to the serial terminal
# only. GRUB writes each character to every active terminal in turn, and on both firmwares the
# "console" terminal ends up on the same UART (SeaBIOS's sercon, OVMF's ConOut), so with both the
# marker would come out with every letter doubled.
early_config() {
    cat <<CFG
serial --unit=0 --speed=115200
terminal_output serial
echo
echo METALBOOT-LOCAL-DISK $1
halt
CFG
}
modules="serial terminal echo halt"

# BIOS: SeaBIOS loads the MBR (GRUB's boot.img), which loads core.img from sector 1 onward. The
# image from grub-mkimage already carries its own length in its first sector's block list, and
# boot.img's defaults (core.img at LBA 1, the BIOS's boot drive) fit this layout, so no
# grub-bios-setup is needed: boot.img's code goes into the MBR before the partition table.
early_config bios >"$work/bios.cfg"
grub-mkimage -O i386-pc -c "$work/bios.cfg" -p "(hd0)" -o "$work/core.img" $modules
core_sectors=$(( ($(stat -c %s "$work/core.img") + 511) / 512 ))
if [ "$core_sectors" -ge 2047 ]; then
    echo "testdisk: core.img ($core_sectors sectors) does not fit before the first partition" >&2
    exit 1
fi
truncate -s 4M "$work/bios.img"
# One partition from 1 MiB: the gap before it is where core.img goes, as on an installed system.
echo 'start=2048, type=83, bootable' | sfdisk --quiet --label dos "$work/bios.img"
dd if=/usr/lib/grub/i386-pc/boot.img of="$work/bios.img" bs=440 count=1 conv=notrunc status=none
dd if="$work/core.img" of="$work/bios.img" bs=512 seek=1 conv=notrunc status=none

# UEFI: OVMF boots the removable-media path \EFI\BOOT\BOOTX64.EFI of an EFI system partition.
early_config uefi >"$work/uefi.cfg"
grub-mkimage -O x86_64-efi -c "$work/uefi.cfg" -p "" -o "$work/BOOTX64.EFI" $modules
truncate -s 34M "$work/uefi.img"
echo 'start=2048, size=65536, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="ESP"' \
    | sfdisk --quiet --label gpt "$work/uefi.img"
esp="$work/uefi.img@@1M"
# 65536 sectors of 512 bytes: FAT16 (mtools picks it for this size).
mformat -i "$esp" -T 65536 -h 64 -s 32 -v ESP ::
mmd -i "$esp" ::/EFI ::/EFI/BOOT
mcopy -i "$esp" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI

mv "$work/bios.img" "$out/bios.img"
mv "$work/uefi.img" "$out/uefi.img"
rm -rf "$work"
echo "$fingerprint" >"$stamp"
echo "testdisk: built $out/bios.img and $out/uefi.img" >&2
