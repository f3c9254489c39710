#!/usr/bin/env bash
# The boot storm (issue 20): N machines booting at once against the packaged appliance, and the
# same storm's DHCP + TFTP steps against dnsmasq (proxy + TFTP) in the same run, taking turns:
# for each N, rounds of [appliance every step, appliance DHCP+TFTP, dnsmasq DHCP+TFTP]; then the
# appliance at N = --heap-machines under each -Xmx of --heaps (the heap it needs). The generator
# (io.metalboot.lab.storm.BootStorm) runs in a lab namespace and reaches only the server's; it
# stops itself at --deadline. Writes bench/storm/results/<date>.md.
#
#   bench/storm/run.sh [--machines 100,500,1000] [--rounds 2] [--heaps 256m,128m,96m,64m]
#                      [--heap-machines 1000] [--deadline 600] [--log-level info] [--no-build]
# As root (namespaces). Builds the project and its .deb first (the agent ramdisk in it: its build
# is cached outside the clone), unless --no-build. Holds /tmp/metalboot-bench.lock while it runs.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
args=()
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --machines|--rounds|--heaps|--heap-machines|--deadline|--log-level) args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
        --no-build) build=0; shift ;;
        *) echo "usage: $0 [--machines LIST] [--rounds N] [--heaps LIST] [--heap-machines N] [--deadline S] [--no-build]" >&2
           exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "$0: needs root (network namespaces)" >&2; exit 2; }
. scripts/select-jdk.sh
if [ "$build" = 1 ]; then
    ./mvnw -B -ntp -q -DskipTests -pl vagrant -am package
fi
cp="vagrant/target/classes:$(ls vagrant/target/lab-lib/*.jar | tr '\n' ':')"
out="bench/storm/results/$(date -u +%Y-%m-%d-%H%M).md"
flock /tmp/metalboot-bench.lock "$JAVA_HOME/bin/java" -cp "$cp" io.metalboot.lab.StormBench \
    --out "$out" --repo "$repo" "${args[@]}"
