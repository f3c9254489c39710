#!/usr/bin/env bash
# The agent ramdisk's boot under QEMU TCG beside its peer, the lab's test kernel (Debian's kernel
# and a busybox /init that prints a marker): N rounds, each boots the agent ramdisk with its CDS
# archive, without it (-Xshare:off), and the test kernel, one after another (never two VMs at
# once). Direct kernel boot (-kernel/-initrd), so PXE and the download are not in the figures;
# the lab (HttpBootIT) prints power-on -> registered through the whole boot flow.
#
# Reports per kind the median and range of
#   - QEMU start -> the agent's first line (its main) / the test kernel's marker, wall clock;
#   - the JVM's start: kernel uptime at java's start (printed by /init) to uptime at main;
# and the ratio agent/test kernel. Writes bench/agent-boot/results/<date>.txt.
#
#   bench/agent-boot/run.sh [--rounds N]      (as root: the ramdisk build chroots; default N=5)
# The agent's VM has QEMU's user-mode network with restrict=on: nothing leaves the machine.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
rounds=5
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="${2:?--rounds N}"; shift 2 ;;
        *) echo "usage: $0 [--rounds N]" >&2; exit 2 ;;
    esac
done
. scripts/select-jdk.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
[ -d ironic-agent/target/agent-lib ] || ./mvnw -q -B -DskipTests -pl ironic-agent -am package
packaging/build-agent-ramdisk.sh "$work/agent" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
testkernel="$repo/vagrant/target/testkernel" # where the lab keeps it (and its .deb) between runs
bash vagrant/testkernel/build.sh "$testkernel" >"$work/testkernel.log" 2>&1 || { cat "$work/testkernel.log"; exit 1; }

# The test kernel: QEMU start -> its marker, and the kernel's uptime then (it prints none; the
# console's timestamps are off under quiet), so only the wall clock.
boot_test_kernel() {
    local log="$work/tk.log" start now
    : >"$log"
    start="$(date +%s.%N)"
    qemu-system-x86_64 -accel tcg -m 2048 -smp 1 -nodefaults -no-user-config -display none -no-reboot \
        -kernel "$testkernel/vmlinuz" -initrd "$testkernel/initrd.img" \
        -append "console=ttyS0 quiet metalboot.mac=52:54:00:12:34:56" -serial "file:$log" \
        -netdev user,id=n1,restrict=on -device virtio-net-pci,netdev=n1 </dev/null >/dev/null 2>&1 &
    local pid=$!
    until grep -q 'METALBOOT-TEST-KERNEL booted' "$log"; do
        kill -0 "$pid" 2>/dev/null || { echo "the test kernel's VM ended without its marker" >&2; return 1; }
        sleep 0.05
    done
    now="$(date +%s.%N)"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    awk -v a="$start" -v b="$now" 'BEGIN { printf "%.2f\n", b - a }'
}

: >"$work/agent-on" ; : >"$work/agent-off"; : >"$work/jvm-on"; : >"$work/jvm-off"; : >"$work/tk"
for round in $(seq "$rounds"); do
    for cds in on off; do
        line="$(packaging/boot-ramdisk.sh --cds "$cds" --network dhcp "$work/agent" | grep '^boot-ramdisk: times:')"
        echo "round $round cds=$cds: ${line#boot-ramdisk: times: }"
        sed -n 's/.*QEMU start -> agent started \([0-9.]*\) s.*/\1/p' <<<"$line" >>"$work/agent-$cds"
        sed -n 's/.*JVM start (cds=[a-z]*) \([0-9.]*\) s.*/\1/p' <<<"$line" >>"$work/jvm-$cds"
    done
    tk="$(boot_test_kernel)"
    echo "round $round test kernel: QEMU start -> marker $tk s"
    echo "$tk" >>"$work/tk"
done

stats() { sort -n "$1" | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f (%.2f-%.2f, n=%d)", m, v[1], v[NR], NR }'; }
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.4f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mkdir -p bench/agent-boot/results
result="bench/agent-boot/results/$(date -u +%Y-%m-%d).txt"
{
    echo "agent ramdisk vs test kernel, QEMU TCG, -m 2048, 1 vCPU, $(nproc) host cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
    echo "ramdisk: $(sed -n 's/^total *//p' "$work/build.log" | head -n1)"
    echo "QEMU start -> agent main, CDS on:  $(stats "$work/agent-on") s"
    echo "QEMU start -> agent main, CDS off: $(stats "$work/agent-off") s"
    echo "QEMU start -> test kernel marker:  $(stats "$work/tk") s"
    echo "JVM start, CDS on:  $(stats "$work/jvm-on") s"
    echo "JVM start, CDS off: $(stats "$work/jvm-off") s"
    awk -v on="$(median "$work/agent-on")" -v off="$(median "$work/agent-off")" -v tk="$(median "$work/tk")" \
        -v jon="$(median "$work/jvm-on")" -v joff="$(median "$work/jvm-off")" 'BEGIN {
        printf "ratio agent (CDS on) / test kernel: %.2f; agent (CDS off) / test kernel: %.2f; JVM start off/on: %.2f\n", on / tk, off / tk, joff / jon }'
} | tee "$result"
