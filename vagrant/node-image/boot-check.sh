#!/usr/bin/env bash
# Boots the node image under QEMU (TCG) the ways the lab's machines will, and checks each boot:
#
#   vagrant/node-image/boot-check.sh [--only seabios|ovmf|no-cloud-init] IMAGE [WORKDIR]
#
#   seabios        q35 + SeaBIOS, a config drive (VFAT, label config-2, made here): cloud-init's
#                  runcmd runs the kubeadm stand-in, prints a marker on COM1 and writes a file;
#                  power_state powers the VM off.
#   ovmf           the same with UEFI firmware (OVMF_CODE_4M.fd + a copy of OVMF_VARS_4M.fd).
#   no-cloud-init  SeaBIOS, no config drive, /etc/cloud/cloud-init.disabled in a copy of the image
#                  (the lab's BIOS machine): systemd reaches multi-user.target and networkd leases
#                  an address with the image's own 90-metalboot-dhcp.network. A unit that this
#                  script adds to the copy (with debugfs) reports that on COM1 and powers off.
#
# Each boot: a copy-on-write overlay of IMAGE (qemu-img create -b), `-m 2048 -smp 1`, virtio
# disks, one virtio NIC on QEMU's user network with restrict=on (DHCP from QEMU itself, nothing
# leaves the VM). Waits up to 180 s for the marker, then for the VM to power itself off (the
# kernel's "reboot: Power down"), and prints the time from QEMU's start to the marker. After the
# cloud-init boots the overlay's root filesystem is read back (debugfs on a raw copy) for the
# file runcmd wrote and what the kubeadm stand-in recorded.
#
# Needs no root. Debian packages: qemu-system-x86, ovmf, qemu-utils, dosfstools (mkfs.vfat),
# mtools, e2fsprogs (debugfs), fdisk (sfdisk). WORKDIR (default: a new directory under
# vagrant/target/node-image-check/) keeps every serial log.
# Exit status: 0 all boots passed, 1 a boot failed its check, 2 a prerequisite is missing.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "boot-check: $*" >&2; }
die() { echo "boot-check: $*" >&2; exit 2; }
fail() { echo "boot-check: FAIL: $*" >&2; failures=$((failures + 1)); }

only=
if [ "${1:-}" = --only ]; then only="${2:?--only seabios|ovmf|no-cloud-init}"; shift 2; fi
image="${1:?usage: boot-check.sh [--only seabios|ovmf|no-cloud-init] IMAGE [WORKDIR]}"
[ -s "$image" ] || die "$image: no such image"
image="$(cd "$(dirname "$image")" && pwd)/$(basename "$image")"
work="${2:-$here/../target/node-image-check/run-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

PATH="$PATH:/usr/sbin:/sbin"
for program in qemu-system-x86_64 qemu-img mkfs.vfat mmd mcopy debugfs sfdisk; do
    command -v "$program" >/dev/null || die "$program is missing (apt-get install qemu-system-x86 qemu-utils dosfstools mtools e2fsprogs fdisk)"
done
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
[ -f "$ovmf_code" ] && [ -f "$ovmf_vars" ] || die "$ovmf_code or $ovmf_vars is missing (apt-get install ovmf)"
timeout_s=180
failures=0

# The root filesystem's byte offset in a raw copy of the image: partition 3 (build-node-image.sh).
root_offset() { sfdisk --dump "$1" | sed -n "s|^$1""3 : start= *\([0-9]*\).*|\1|p" | awk '{ print $1 * 512 }'; }

# --- what the guest runs to report, on COM1 --------------------------------------------------------
# The same script in both paths: cloud-init writes it (write_files), the no-cloud-init copy gets it
# by debugfs. One line per fact; the host checks them.
cat >"$work/metalboot-report" <<'REPORT'
#!/bin/sh
# Put here by vagrant/node-image/boot-check.sh: what this boot looks like, on COM1.
say() { echo "METALBOOT-CHECK $*" >/dev/ttyS0; }
say "hostname=$(hostname) machine-id=$(cut -c1-8 /etc/machine-id)"
say "networkd=$(systemctl is-active systemd-networkd.service) online=$(systemctl is-active network-online.target) cloud-final=$(systemctl is-active cloud-final.service)"
for dir in /sys/class/net/*; do
    link="${dir##*/}"
    [ "$link" = lo ] && continue
    file="$(networkctl status --no-pager "$link" 2>/dev/null | sed -n 's/^ *Network File: //p')"
    addr="$(ip -4 -o addr show dev "$link" | awk '{ print $4 }' | paste -sd, -)"
    say "link=$link file=$file addr=$addr"
done
say "root=$(findmnt -no SOURCE /) esp=$(findmnt -no FSTYPE /boot/efi)"
REPORT

# --- the config drive: VFAT labelled config-2, OpenStack layout ------------------------------------
make_config_drive() { # FILE NAME
    local drive="$1" name="$2" dir="$work/config-2-$name"
    rm -rf "$dir" && mkdir -p "$dir/openstack/latest"
    cat >"$dir/openstack/latest/meta_data.json" <<JSON
{"uuid": "$(cat /proc/sys/kernel/random/uuid)", "name": "$name", "hostname": "$name", "local-hostname": "$name", "launch_index": 0, "availability_zone": "lab"}
JSON
    {
        cat <<CLOUD
#cloud-config
write_files:
  - path: /etc/metalboot/kubeadm-join.yaml
    permissions: "0600"
    content: |
      apiVersion: kubeadm.k8s.io/v1beta3
      kind: JoinConfiguration
      nodeRegistration:
        name: $name
  - path: /usr/local/sbin/metalboot-report
    permissions: "0755"
    content: |
CLOUD
        sed 's/^/      /' "$work/metalboot-report"
        cat <<'CLOUD'
runcmd:
  - [kubeadm, join, --config, /etc/metalboot/kubeadm-join.yaml, --v=1]
  - [sh, -c, 'mkdir -p /var/lib/metalboot-check && echo "runcmd ran on $(hostname)" >/var/lib/metalboot-check/runcmd']
  - [/usr/local/sbin/metalboot-report]
  - [sh, -c, 'echo "METALBOOT-NODE-IMAGE runcmd done host=$(hostname)" >/dev/ttyS0']
power_state:
  mode: poweroff
  message: metalboot boot-check done
CLOUD
    } >"$dir/openstack/latest/user_data"
    rm -f "$drive"
    # (mkfs.vfat warns that a lowercase label "might not work": cloud-init looks for exactly config-2.)
    mkfs.vfat -C -n config-2 "$drive" 16384 >/dev/null 2>&1 || die "mkfs.vfat -C -n config-2 $drive failed"
    mcopy -s -i "$drive" "$dir/openstack" ::/
}

# --- one boot --------------------------------------------------------------------------------------
boot() { # NAME FIRMWARE(seabios|ovmf) DISK(qcow2 overlay or raw) MARKER [CONFIG_DRIVE]
    local name="$1" firmware="$2" disk="$3" marker="$4" drive="${5:-}" serial="$work/$1.serial.log"
    local format=qcow2 args=() pid start now marker_s= rc
    case "$disk" in *.raw) format=raw ;; esac
    args=(-accel tcg -machine q35 -m 2048 -smp 1 -nographic -monitor none -no-reboot
          -serial "file:$serial"
          -drive "file=$disk,format=$format,if=virtio"
          -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0)
    [ -z "$drive" ] || args+=(-drive "file=$drive,format=raw,if=virtio")
    if [ "$firmware" = ovmf ]; then
        cp "$ovmf_vars" "$work/$name.OVMF_VARS.fd"
        args+=(-drive "if=pflash,format=raw,readonly=on,file=$ovmf_code"
               -drive "if=pflash,format=raw,file=$work/$name.OVMF_VARS.fd")
    fi
    : >"$serial"
    start=$(date +%s.%N)
    qemu-system-x86_64 "${args[@]}" </dev/null >"$work/$name.qemu.log" 2>&1 &
    pid=$!
    while :; do
        now=$(date +%s.%N)
        if grep -qa "$marker" "$serial"; then marker_s=$(awk -v a="$now" -v b="$start" 'BEGIN { printf "%.1f", a - b }'); break; fi
        kill -0 "$pid" 2>/dev/null || break
        if awk -v a="$now" -v b="$start" -v t="$timeout_s" 'BEGIN { exit !(a - b > t) }'; then break; fi
        sleep 0.5
    done
    if [ -z "$marker_s" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        fail "$name: no marker '$marker' within $timeout_s s (serial log $serial; last lines below)"
        tail -n 15 "$serial" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' >&2
        return 1
    fi
    # Powered off by itself: QEMU ends on its own within 60 s of the marker, after the kernel's
    # "reboot: Power down" (a reboot would print "Restarting system"; -no-reboot would end QEMU too).
    for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"; wait "$pid" 2>/dev/null || true
        fail "$name: the VM did not power off within 60 s of the marker"
        return 1
    fi
    rc=0; wait "$pid" || rc=$?
    [ "$rc" = 0 ] || { fail "$name: QEMU exited with $rc (log $work/$name.qemu.log)"; return 1; }
    grep -qa 'reboot: Power down' "$serial" || { fail "$name: QEMU ended without the kernel's 'reboot: Power down'"; return 1; }
    log "$name: marker after $marker_s s under TCG; powered off by itself at $(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.1f", a - b }') s"
    echo "$name $marker_s" >>"$work/times"
    grep -a 'METALBOOT-CHECK' "$serial" | tr -d '\r' | sed 's/^/    /' >&2
}

check_line() { # NAME PATTERN WHAT: a METALBOOT-CHECK line of the boot's serial log matches
    grep -a 'METALBOOT-CHECK' "$work/$1.serial.log" | tr -d '\r' | grep -qE "$2" || fail "$1: $3 (no report line matches '$2')"
}

read_back() { # NAME OVERLAY PATH -> the file's content in the overlay's root filesystem
    local raw="$work/$1.after.raw"
    [ -f "$raw" ] || qemu-img convert -O raw "$2" "$raw"
    debugfs -R "cat $3" "$raw?offset=$(root_offset "$raw")" 2>/dev/null
}

cloud_init_boot() { # NAME FIRMWARE
    local name="$1" firmware="$2" overlay="$work/$1.qcow2" got
    qemu-img create -q -f qcow2 -b "$image" -F qcow2 "$overlay"
    make_config_drive "$work/$name.config-2.img" "$name"
    boot "$name" "$firmware" "$overlay" "METALBOOT-NODE-IMAGE runcmd done host=$name" "$work/$name.config-2.img" || return 0
    check_line "$name" "hostname=$name " "cloud-init did not set the hostname from meta_data.json"
    check_line "$name" "networkd=active online=active cloud-final=activating" "networkd or network-online.target not active, or runcmd not run by cloud-final"
    check_line "$name" "file=/etc/systemd/network/10-cloud-init-[^ ]*\\.network addr=10\\.0\\.2\\.15/24" "the NIC is not configured by cloud-init's networkd file with QEMU's DHCP address"
    check_line "$name" "root=/dev/vda3 esp=vfat" "/ is not /dev/vda3 or the ESP is not mounted"
    got="$(read_back "$name" "$overlay" /var/lib/metalboot-check/runcmd)"
    [ "$got" = "runcmd ran on $name" ] || fail "$name: the file runcmd wrote holds '$got'"
    got="$(read_back "$name" "$overlay" /var/log/kubeadm-standin.log)"
    [ "$got" = "join --config /etc/metalboot/kubeadm-join.yaml --v=1" ] || fail "$name: the kubeadm stand-in recorded '$got'"
    got="$(read_back "$name" "$overlay" /var/log/kubeadm-standin-config.yaml)"
    [[ "$got" == *"name: $name"* ]] || fail "$name: the kubeadm stand-in's copy of --config holds '$got'"
    rm -f "$work/$name.after.raw"
}

no_cloud_init_boot() { # NAME: SeaBIOS, no config drive, cloud-init disabled in a raw copy
    local name="$1" raw="$work/$1.raw" offset
    qemu-img convert -O raw "$image" "$raw"
    offset="$(root_offset "$raw")"
    cat >"$work/metalboot-check.service" <<'UNIT'
# Put here by vagrant/node-image/boot-check.sh: report the boot on COM1, then power off.
[Unit]
Description=metalboot boot-check report
Wants=network-online.target
After=multi-user.target network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/metalboot-report
ExecStart=/bin/sh -c 'echo "METALBOOT-NODE-IMAGE multi-user=$$(systemctl is-active multi-user.target)" >/dev/ttyS0'
ExecStartPost=/bin/systemctl --no-block poweroff

[Install]
WantedBy=multi-user.target
UNIT
    : >"$work/empty"
    chmod 755 "$work/metalboot-report"
    debugfs -w -f - "$raw?offset=$offset" >"$work/$name.debugfs.log" 2>&1 <<CMDS
cd /etc/cloud
write $work/empty cloud-init.disabled
cd /usr/local/sbin
write $work/metalboot-report metalboot-report
sif /usr/local/sbin/metalboot-report mode 0100755
cd /etc/systemd/system
write $work/metalboot-check.service metalboot-check.service
cd /etc/systemd/system/multi-user.target.wants
symlink metalboot-check.service /etc/systemd/system/metalboot-check.service
CMDS
    [ "$(debugfs -R 'stat /etc/cloud/cloud-init.disabled' "$raw?offset=$offset" 2>/dev/null | grep -c 'Type: regular')" = 1 ] ||
        die "debugfs did not write /etc/cloud/cloud-init.disabled (log $work/$name.debugfs.log)"
    boot "$name" seabios "$raw" "METALBOOT-NODE-IMAGE multi-user=" || return 0
    grep -qa 'METALBOOT-NODE-IMAGE multi-user=active' "$work/$name.serial.log" || fail "$name: multi-user.target is not active"
    check_line "$name" "networkd=active online=active cloud-final=inactive" "networkd or network-online.target not active, or cloud-init ran"
    check_line "$name" "file=/etc/systemd/network/90-metalboot-dhcp\\.network addr=10\\.0\\.2\\.15/24" "networkd did not lease QEMU's DHCP address with the image's 90-metalboot-dhcp.network"
    rm -f "$raw"
}

log "image $image; logs in $work"
[ -z "$only" ] || [ "$only" = seabios ] && cloud_init_boot seabios seabios
[ -z "$only" ] || [ "$only" = ovmf ] && cloud_init_boot ovmf ovmf
[ -z "$only" ] || [ "$only" = no-cloud-init ] && no_cloud_init_boot no-cloud-init
if [ "$failures" -gt 0 ]; then
    log "$failures check(s) failed"
    exit 1
fi
log "all boots passed: $(awk '{ printf "%s%s %s s", sep, $1, $2; sep = ", " }' "$work/times")"
