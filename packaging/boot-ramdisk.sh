#!/usr/bin/env bash
# Boots a built agent ramdisk under QEMU (TCG) and checks, from its serial console, that it came up
# as far as a machine with no appliance gets:
#   - the kernel modules for the NIC and the disk were loaded by modalias (virtio_net, virtio_blk);
#   - the agent started, with its CDS archive mapped (or not, --cds off);
#   - --network dhcp: the boot NIC got a lease from QEMU's user-mode DHCP and the agent tried to
#     register with the appliance (which is not there: the check stops at the first try);
#   - --network none: the NIC gets no lease, the agent's fatal reason is on the console, /init
#     leaves a shell there, and a command typed on the console is answered;
#   - the boot token on the kernel command line is nowhere on the console.
# Prints the times it saw: QEMU start -> agent started (wall clock, this host), and from the
# kernel's uptime: /init starting, Java starting, the agent's main entered (the JVM's start time).
#
#   packaging/boot-ramdisk.sh [--cds on|off] [--network dhcp|none] [--append WORDS] [--memory MIB]
#                             [--log FILE] [--timeout SECONDS] DIR     (DIR holds vmlinuz and initrd.img)
#
# The VM has one virtio NIC, either on QEMU's user-mode network with restrict=on (DHCP from QEMU
# itself, nothing leaves the machine) or on a hub with nothing else on it, and one virtio disk (a
# scratch file). Exits 0 when every check passes. Needs qemu-system-x86 (KVM does not work on
# these machines: always -accel tcg).
set -euo pipefail
export LC_ALL=C

cds=on
network=dhcp
append=
memory=2048
log=
timeout=300
dir=
while [ $# -gt 0 ]; do
    case "$1" in
        --cds) cds="${2:?--cds on|off}"; shift 2 ;;
        --network) network="${2:?--network dhcp|none}"; shift 2 ;;
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
mac=52:54:00:12:34:56
case "$network" in
    dhcp) netdev=(-netdev user,id=n1,restrict=on) ;;
    none) netdev=(-netdev hubport,id=n1,hubid=7) ;; # a cable into a switch with nothing else on it
    *) echo "boot-ramdisk: --network dhcp|none" >&2; exit 2 ;;
esac
command -v qemu-system-x86_64 >/dev/null || { echo "boot-ramdisk: qemu-system-x86_64 is missing (Debian package qemu-system-x86)" >&2; exit 2; }

work="$(mktemp -d)"
qemu_pid=
reader_pid=
cleanup() {
    if [ -n "$qemu_pid" ]; then kill "$qemu_pid" 2>/dev/null || true; wait "$qemu_pid" 2>/dev/null || true; fi
    if [ -n "$reader_pid" ]; then kill "$reader_pid" 2>/dev/null || true; wait "$reader_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
[ -n "$log" ] || log="$work/serial.log"
: >"$log"
truncate -s 64M "$work/disk.img"
# The serial port is a pair of pipes: QEMU writes serial.out (copied into the log), reads serial.in.
mkfifo "$work/serial.in" "$work/serial.out"
cat "$work/serial.out" >>"$log" &
reader_pid=$!
# A token of this boot only: the check below looks for it on the console. quiet on the command
# line, as the appliance's agent script has it: else the kernel prints its command line there.
token="boot-ramdisk-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
# 10.0.2.2 is QEMU's user-mode gateway; with restrict=on nothing answers on its port 9.
append="metalboot.url=http://10.0.2.2:9 metalboot.token=$token BOOTIF=01-${mac//:/-} $append"

start="$(date +%s.%N)"
qemu-system-x86_64 -accel tcg -m "$memory" -smp 1 -nodefaults -no-user-config -display none -no-reboot \
    -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" -append "console=ttyS0 quiet $append" \
    -chardev pipe,id=s0,path="$work/serial" -serial chardev:s0 \
    "${netdev[@]}" -device virtio-net-pci,netdev=n1,mac=$mac \
    -drive file="$work/disk.img",format=raw,if=none,id=d1 -device virtio-blk-pci,drive=d1,serial=MB-RAMDISK-1 \
    </dev/null >"$work/qemu.out" 2>&1 &
qemu_pid=$!

# Waits for a line matching a pattern (grep -E) on the console; false at the timeout or when QEMU ends.
started_at=
await() {
    local pattern="$1" now
    while :; do
        now="$(date +%s.%N)"
        if [ -z "$started_at" ] && grep -q '^metalboot-agent: started at uptime' "$log"; then
            started_at="$now"
        fi
        tr -d '\r' <"$log" | grep -Eq -- "$pattern" && return 0
        if ! kill -0 "$qemu_pid" 2>/dev/null; then
            echo "boot-ramdisk: QEMU ended before the console showed /$pattern/:" >&2
            cat "$work/qemu.out" >&2
            return 1
        fi
        if awk -v a="$start" -v b="$now" -v t="$timeout" 'BEGIN { exit !(b - a > t) }'; then
            echo "boot-ramdisk: no /$pattern/ on the console after ${timeout} s" >&2
            return 1
        fi
        sleep 0.1
    done
}

case "$network" in
    dhcp) await '^metalboot-agent: cannot reach http://10\.0\.2\.2:9 \(try 1 of' || true ;;
    none)
        if await '^METALBOOT-RAMDISK starting a shell'; then
            sleep 1 # the shell's prompt
            # The answer is the shell's arithmetic, not an echo of what was typed.
            printf 'echo METALBOOT-SHELL-$((6 * 7))\n' >"$work/serial.in"
            await '^METALBOOT-SHELL-42' || true
        fi
        ;;
esac
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
has() { grep -Eq -e "$1" <<<"$console"; }
lacks() { ! grep -Fq -e "$1" <<<"$console"; }
check "the agent started, cds=$cds" has "^metalboot-agent: started at uptime [0-9.]+ s, cds=$cds$"
for module in virtio_pci virtio_net virtio_blk; do
    check "$module loaded by modalias" has "^metalboot-agent: modalias pass [0-9]+ loaded:( .*)? $module( |$)"
done
check "eth0 and vda are there" has '^metalboot-agent: [0-9]+ kernel modules loaded; network interfaces: .*eth0.*; block devices: .*vda'
check "no module failed to load" lacks 'failed to load'
case "$network" in
    dhcp)
        check "DHCP on the boot NIC first" has '^metalboot-agent: DHCP on eth0$'
        check "a lease from QEMU's DHCP" has '^udhcpc: lease of 10\.0\.2\.[0-9]+ obtained'
        check "the agent tried to register" has '^metalboot-agent: cannot reach http://10\.0\.2\.2:9 \(try 1 of'
        ;;
    none)
        check "no lease on eth0" has '^metalboot-agent: no lease on eth0$'
        check "the fatal reason on the console" has '^metalboot-agent: fatal: no NIC got a DHCP lease'
        check "init says the agent exited with status 1" has '^METALBOOT-RAMDISK the agent exited with status 1 '
        check "init leaves a shell" has '^METALBOOT-RAMDISK starting a shell on /dev/ttyS0'
        check "the shell answers a command typed on the console" has '^METALBOOT-SHELL-42'
        ;;
esac
check "the boot token is not on the console" lacks "$token"

init_at="$(sed -n 's/^METALBOOT-RAMDISK init at uptime \([0-9.]*\) .*/\1/p' <<<"$console" | head -n1)"
java_at="$(sed -n 's/^METALBOOT-RAMDISK starting the agent .* at uptime \([0-9.]*\) .*/\1/p' <<<"$console" | head -n1)"
main_at="$(sed -n 's/^metalboot-agent: started at uptime \([0-9.]*\) s.*/\1/p' <<<"$console" | head -n1)"
if [ -n "$started_at" ] && [ -n "$init_at" ] && [ -n "$java_at" ] && [ -n "$main_at" ]; then
    awk -v s="$start" -v m="$started_at" -v i="$init_at" -v j="$java_at" -v e="$main_at" -v cds="$cds" 'BEGIN {
        printf "boot-ramdisk: times: QEMU start -> agent started %.1f s; uptime at /init %.2f s, at java %.2f s, at main %.2f s; JVM start (cds=%s) %.2f s\n",
            m - s, i, j, e, cds, e - j }'
fi
if [ "$failures" -gt 0 ]; then
    echo "boot-ramdisk: $failures check(s) failed; the serial console:" >&2
    tail -n 80 <<<"$console" >&2
    exit 1
fi
