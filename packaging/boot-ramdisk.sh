#!/usr/bin/env bash
# Boots a built agent ramdisk under QEMU (TCG) and checks, from its serial console, that it came up:
#   - /init loaded virtio_net and virtio_blk by modalias (a "modalias pass" line names each) and
#     lsmod lists them;
#   - the stand-in agent printed its marker, with the CDS archive mapped (or not, --cds off);
#   - when the agent returned, /init said so and left a shell on the console.
# Prints the times it saw: QEMU start -> marker (wall clock, this host), and from the kernel's
# uptime: /init starting, Java starting, the agent's main entered (the JVM's start time).
#
#   packaging/boot-ramdisk.sh [--cds on|off] [--append WORDS] [--memory MIB] [--log FILE]
#                             [--timeout SECONDS] DIR        (DIR holds vmlinuz and initrd.img)
#
# The VM has one virtio NIC on QEMU's user-mode network with restrict=on (nothing leaves the
# machine; no other network) and one virtio disk (a scratch file). Exits 0 when every check passes.
# Needs qemu-system-x86 (KVM does not work on these machines: always -accel tcg).
set -euo pipefail
export LC_ALL=C

cds=on
append=
memory=2048
log=
timeout=300
dir=
while [ $# -gt 0 ]; do
    case "$1" in
        --cds) cds="${2:?--cds on|off}"; shift 2 ;;
        --append) append="${2?--append WORDS}"; shift 2 ;;
        --memory) memory="${2:?--memory MIB}"; shift 2 ;;
        --log) log="${2:?--log FILE}"; shift 2 ;;
        --timeout) timeout="${2:?--timeout SECONDS}"; shift 2 ;;
        -*) echo "boot-ramdisk: unknown option $1" >&2; exit 2 ;;
        *) dir="$1"; shift ;;
    esac
done
[ -n "$dir" ] && [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ] || { echo "usage: $0 [OPTIONS] DIR (with vmlinuz and initrd.img)" >&2; exit 2; }
case "$cds" in on) ;; off) append="metalboot.cds=off $append" ;; *) echo "boot-ramdisk: --cds on|off" >&2; exit 2 ;; esac
command -v qemu-system-x86_64 >/dev/null || { echo "boot-ramdisk: qemu-system-x86_64 is missing (Debian package qemu-system-x86)" >&2; exit 2; }

work="$(mktemp -d)"
qemu_pid=
cleanup() {
    if [ -n "$qemu_pid" ]; then kill "$qemu_pid" 2>/dev/null || true; wait "$qemu_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
[ -n "$log" ] || log="$work/serial.log"
: >"$log"
truncate -s 64M "$work/disk.img"

marker=METALBOOT-STANDIN-AGENT
start="$(date +%s.%N)"
qemu-system-x86_64 -accel tcg -m "$memory" -smp 1 -nodefaults -no-user-config -display none -no-reboot \
    -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" -append "console=ttyS0 $append" \
    -serial "file:$log" \
    -netdev user,id=n1,restrict=on -device virtio-net-pci,netdev=n1 \
    -drive file="$work/disk.img",format=raw,if=none,id=d1 -device virtio-blk-pci,drive=d1,serial=MB-RAMDISK-1 \
    </dev/null >"$work/qemu.out" 2>&1 &
qemu_pid=$!

# Wait for the marker, then for init's word that the agent returned and a shell is up.
seen_marker=
while :; do
    now="$(date +%s.%N)"
    if [ -z "$seen_marker" ] && grep -q "^$marker " "$log"; then
        seen_marker="$now"
    fi
    if [ -n "$seen_marker" ] && grep -q 'METALBOOT-RAMDISK starting a shell' "$log"; then
        break
    fi
    if ! kill -0 "$qemu_pid" 2>/dev/null; then
        echo "boot-ramdisk: QEMU ended before the checks were seen:" >&2
        cat "$work/qemu.out" >&2
        break
    fi
    if awk -v a="$start" -v b="$now" -v t="$timeout" 'BEGIN { exit !(b - a > t) }'; then
        echo "boot-ramdisk: nothing more after ${timeout} s" >&2
        break
    fi
    sleep 0.1
done
kill "$qemu_pid" 2>/dev/null || true
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=

console="$(tr -d '\r' <"$log")"
failures=0
check() { # description, then a command that succeeds when it holds
    local what="$1"
    shift
    if "$@"; then echo "boot-ramdisk: ok    $what"; else echo "boot-ramdisk: FAIL  $what"; failures=$((failures + 1)); fi
}
has() { grep -q -e "$1" <<<"$console"; }
for module in virtio_pci virtio_net virtio_blk; do
    check "$module loaded by modalias" has "^METALBOOT-RAMDISK modalias pass [0-9]* loaded:.* $module "
    check "$module in lsmod" has "^$module "
done
check "eth0 and vda are there" has '^METALBOOT-RAMDISK network interfaces: .*eth0'
check "vda is there" has '^METALBOOT-RAMDISK block devices: .*vda'
check "the stand-in agent's marker, cds=$cds" has "^$marker main uptime=[0-9.]* cds=$cds "
check "init says the agent exited with status 0" has '^METALBOOT-RAMDISK the agent exited with status 0 '
check "init leaves a shell" has '^METALBOOT-RAMDISK starting a shell on /dev/ttyS0'

init_at="$(sed -n 's/^METALBOOT-RAMDISK init at uptime \([0-9.]*\) .*/\1/p' <<<"$console" | head -n1)"
java_at="$(sed -n 's/^METALBOOT-RAMDISK starting the agent .* at uptime \([0-9.]*\) .*/\1/p' <<<"$console" | head -n1)"
main_at="$(sed -n "s/^$marker main uptime=\([0-9.]*\) .*/\1/p" <<<"$console" | head -n1)"
if [ -n "$seen_marker" ] && [ -n "$init_at" ] && [ -n "$java_at" ] && [ -n "$main_at" ]; then
    awk -v s="$start" -v m="$seen_marker" -v i="$init_at" -v j="$java_at" -v e="$main_at" -v cds="$cds" 'BEGIN {
        printf "boot-ramdisk: times: QEMU start -> marker %.1f s; uptime at /init %.2f s, at java %.2f s, at main %.2f s; JVM start (cds=%s) %.2f s\n",
            m - s, i, j, e, cds, e - j }'
fi
if [ "$failures" -gt 0 ]; then
    echo "boot-ramdisk: $failures check(s) failed; the serial console:" >&2
    tail -n 80 <<<"$console" >&2
    exit 1
fi
