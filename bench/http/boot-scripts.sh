#!/usr/bin/env bash
# Per-machine script requests for machines never seen before against the built appliance (DHCP
# and TFTP off, state in a temp dir on the host's disk, not tmpfs), on 127.0.0.1 only. Each run
# starts a fresh appliance and measures
#   - a burst: exactly --burst new machines (10,000) asked for by 1,000 connections: machines/s;
#   - --connections (1,000) concurrent requests for distinct machines for --duration s: wrk's
#     latency distribution, req/s, errors;
# and checks that the registry's journal holds every machine answered (the operator API is off). With --base DIR (an
# appliance directory of another build, e.g. the base commit's pxe-server/target/appliance) the
# two builds alternate run by run (base, this, base, this, ...) and the medians are reported side
# by side; a Markdown summary goes to bench/http/results/<UTC date-time>-boot-scripts.md.
# Usage: bench/http/boot-scripts.sh [--connections N] [--duration S] [--burst N] [--runs N] [--base DIR]
#                                   [--build DIR (this build: pxe-server/target/appliance)]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
. scripts/select-jdk.sh
connections=1000 duration=10 burst=10000 runs=3 base= build="$repo/pxe-server/target/appliance"
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --burst) burst="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --base) base="$(cd "$2" && pwd)"; shift 2 ;;
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "usage: $0 [--connections N] [--duration S] [--burst N] [--runs N] [--base DIR] [--build DIR]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
[ -f "$build/metalboot-pxe-server.jar" ] || ./mvnw -q -B -o -ntp -pl pxe-server -am -DskipTests package
# BENCH_JAVA_OPTIONS (environment): more flags for the appliance's JVM, e.g. to profile it:
#   BENCH_JAVA_OPTIONS=-XX:StartFlightRecording=filename=/var/tmp/boot-scripts.jfr,settings=profile
# /var/tmp, not /tmp: the journal must fsync to a disk, as on an appliance (tmpfs makes fsync free)
work="$(mktemp -d /var/tmp/metalboot-boot-scripts.XXXXXX)"
port=18280
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
# the builds copied aside, so that a rebuild cannot change one mid-run
cp -r "$build" "$work/this"
builds="this"
if [ -n "$base" ]; then
  cp -r "$base" "$work/base"
  builds="base this"
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true # 1,000 connections need more than the default 1,024 descriptors

start_appliance() { # build -> $pid, listening on $port, fresh state
  local build="$1"
  rm -rf "$work/state" "$work/assets"
  cat >"$work/metalboot.yaml" <<YAML
server-address: 127.0.0.1
state-dir: $work/state
dhcp: {enabled: false}
tftp: {enabled: false}
http: {port: $port, assets: $work/assets}
api: {enabled: false, listen: 127.0.0.1:0}
# wrk names made-up MACs from loopback: no PXE boot to show, so loopback is trusted; the cap on
# machines discovered and never registered (default 1,000) is raised to its maximum, or the
# burst and the latency run would be refused past it.
machines: {max-unregistered: 10000000}
boot: {evidence: {networks: [{cidr: 127.0.0.0/8, require: []}]}}
YAML
  : >"$work/log"
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTIONS is a list of flags, e.g. a JFR recording
  "$JAVA_HOME/bin/java" -Xms256m ${BENCH_JAVA_OPTIONS:-} -jar "$work/$build/metalboot-pxe-server.jar" --config "$work/metalboot.yaml" \
      >"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 150); do grep -q 'metalboot started' "$work/log" && break; sleep 0.2; done
  grep -q 'metalboot started' "$work/log" || { cat "$work/log"; exit 1; }
}

stop_appliance() {
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}

machines_recorded() { # machines' first records on disk: what a restart would find
  grep -ao '"type":"state","mac":"[^"]*","from":null' "$work/state/machines.journal" | wc -l
}

cpu_s() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/t}' "/proc/$pid/stat"; }

one_run() { # build run -> appends a line to $work/runs.tsv
  local build="$1" run="$2" before after cpu0 cpu1 wrk_out
  start_appliance "$build"
  # warm-up: the JIT and the journal files
  wrk -t2 -c50 -d5s -s bench/http/distinct-machines.lua "http://127.0.0.1:$port" >/dev/null
  before=$(machines_recorded)
  wrk_out="$work/burst-$build-$run.txt"
  rm -rf "$work/burst-done" && mkdir "$work/burst-done"
  wrk -t2 -c"$connections" -d120s --timeout 60s -s bench/http/distinct-machines.lua \
      "http://127.0.0.1:$port" -- burst "$burst" 2 "$work/burst-done" >"$wrk_out" &
  local wrk_pid=$!
  # both threads answered their share: stop wrk (SIGINT: it reports, and runs done())
  while [ "$(find "$work/burst-done" -type f | wc -l)" -lt 2 ] && kill -0 "$wrk_pid" 2>/dev/null; do sleep 0.1; done
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" || true
  after=$(machines_recorded)
  local burst_rate burst_answered
  burst_rate=$(sed -n 's/.*: \([0-9]*\) machines\/s$/\1/p' "$wrk_out")
  burst_answered=$(sed -n 's/^burst: \([0-9]*\) machines answered.*/\1/p' "$wrk_out")
  echo "[$build run $run] $(grep '^burst:' "$wrk_out"); recorded $((after - before))" >&2
  [ "$((after - before))" -eq "$burst" ] || echo "[$build run $run] WARNING: $((after - before)) recorded of $burst" >&2

  before=$after
  wrk_out="$work/wrk-$build-$run.txt"
  cpu0=$(cpu_s)
  wrk -t2 -c"$connections" -d"${duration}s" --timeout 30s --latency -s bench/http/distinct-machines.lua \
      "http://127.0.0.1:$port" >"$wrk_out"
  cpu1=$(cpu_s)
  after=$(machines_recorded)
  local rps p50 p99 requests errors non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$wrk_out")
  p50=$(awk '$1 == "50%" {print $2}' "$wrk_out")
  p99=$(awk '$1 == "99%" {print $2}' "$wrk_out")
  requests=$(awk '/requests in/ {print $1}' "$wrk_out")
  errors=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$wrk_out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$wrk_out")
  echo "[$build run $run] $rps req/s, p50 $p50, p99 $p99, ${requests} answers, $((after - before)) recorded," \
       "socket errors: ${errors:-none}, non-2xx: ${non2xx:-0}, server CPU-s $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.2f", b-a}')" >&2
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$build" "$run" "$burst_rate" "$burst_answered" "$rps" "$p50" "$p99" \
      "$requests" "$((after - before))" "${errors:-none}/${non2xx:-0}" >>"$work/runs.tsv"
  stop_appliance
}

load_before=$(uptime)
: >"$work/runs.tsv"
for run in $(seq 1 "$runs"); do
  for build in $builds; do
    one_run "$build" "$run"
  done
done
load_after=$(uptime)

to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
                 else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.1f\n", v }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
column_of() { awk -F'\t' -v b="$1" -v c="$2" '$1 == b {print $c}' "$work/runs.tsv"; }

stamp="$(date -u +%Y-%m-%d-%H%M)"
results="$repo/bench/http/results/$stamp-boot-scripts.md"
{
  echo "# Per-machine boot scripts for new machines ($stamp UTC)"
  echo
  echo "\`bench/http/boot-scripts.sh --runs $runs --connections $connections --duration $duration --burst $burst${base:+ --base <base build>}\`;"
  echo "state dir on $(df -T "$work" | awk 'NR == 2 {print $2 " (" $1 ")"}'), $(nproc) CPUs, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2);"
  echo "builds alternating run by run; medians of $runs runs. Load before: \`${load_before##*average: }\`, after: \`${load_after##*average: }\`."
  echo
  echo "| build | burst of $burst new machines, machines/s | $connections conn. req/s | p50 ms | p99 ms |"
  echo "|---|---|---|---|---|"
  for build in $builds; do
    echo "| $build | $(column_of "$build" 3 | median) | $(column_of "$build" 5 | median) | $(column_of "$build" 6 | to_ms | median) | $(column_of "$build" 7 | to_ms | median) |"
  done
  echo
  echo "Every run (burst machines/s, agent scripts in the burst, req/s, p50, p99, answers, machines recorded, socket errors/non-2xx):"
  echo
  echo '```'
  cat "$work/runs.tsv"
  echo '```'
} | tee "$results"
echo "written: $results" >&2
