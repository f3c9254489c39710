#!/usr/bin/env bash
# 1,000 concurrent per-machine script requests for distinct machines against the built appliance
# (DHCP and TFTP off, state in a temp dir), on 127.0.0.1 only. Reports wrk's latency
# distribution and errors, and checks that the registry recorded every machine it answered.
# Usage: bench/http/boot-scripts.sh [--connections N] [--duration S]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
. scripts/select-jdk.sh
connections=1000 duration=10
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    *) echo "usage: $0 [--connections N] [--duration S]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
jar="$repo/pxe-server/target/appliance/metalboot-pxe-server.jar"
[ -f "$jar" ] || ./mvnw -q -B -DskipTests package
work="$(mktemp -d)"
port=18280
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cat >"$work/metalboot.yaml" <<YAML
server-address: 127.0.0.1
state-dir: $work/state
dhcp: {enabled: false}
tftp: {enabled: false}
http: {port: $port, assets: $work/assets}
# wrk names made-up MACs from loopback: no PXE boot to show, so loopback is trusted, and uncapped.
machines: {max-unregistered: 10000000}
boot: {evidence: {networks: [{cidr: 127.0.0.0/8, require: []}]}}
YAML
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true # 1,000 connections need more than the default 1,024 descriptors
"$JAVA_HOME/bin/java" -Xms256m -jar "$jar" --config "$work/metalboot.yaml" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q 'metalboot started' "$work/log" && break; sleep 0.2; done
grep -q 'metalboot started' "$work/log" || { cat "$work/log"; exit 1; }
# warm-up: the JIT and the journal file
wrk -t2 -c50 -d5s -s bench/http/distinct-machines.lua "http://127.0.0.1:$port" >/dev/null
before=$(curl -s "http://127.0.0.1:$port/api/v1/machines" | grep -o '"mac"' | wc -l)
cpu0=$(awk '{print $14+$15}' "/proc/$pid/stat")
wrk -t2 -c"$connections" -d"${duration}s" --timeout 30s --latency -s bench/http/distinct-machines.lua \
    "http://127.0.0.1:$port" | tee "$work/wrk.txt"
cpu1=$(awk '{print $14+$15}' "/proc/$pid/stat")
after=$(curl -s "http://127.0.0.1:$port/api/v1/machines" | grep -o '"mac"' | wc -l)
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
echo "machines recorded during the run: $((after - before)) (requests answered: $requests)"
echo "server CPU-s: $(awk -v a="$cpu0" -v b="$cpu1" -v t="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (b-a)/t}')"
