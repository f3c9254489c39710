#!/usr/bin/env bash
# TFTP benchmark: the atftp client against metalboot, tftpd-hpa, atftpd and dnsmasq's TFTP, all on
# loopback. For each server: 1 MiB and 30 MiB files, blksize 512 and 1468, with and without
# windowsize 16, pinned (client and server both on CPU 0) and unpinned; the server's CPU seconds
# per transfer; then N concurrent 1 MiB transfers, which must all arrive byte-identical.
#
#   bench/tftp/run.sh [--appliance-dir DIR] [--servers "metalboot tftpd-hpa atftpd dnsmasq"]
#                     [--repeat-small N] [--repeat-large N] [--warmup N] [--concurrent N]
#                     [--no-pin | --pinned-only] [--no-build]
#
# Needs root, atftp, tftpd-hpa (in.tftpd; its systemd service stopped), dnsmasq, iproute2,
# util-linux (taskset), apt-get (atftpd is unpacked from its .deb, not installed: it conflicts
# with tftpd-hpa). dnsmasq's TFTP always uses port 69: it runs in a network namespace of its own
# (mbt-<random>), deleted on every exit path. Writes bench/tftp/results/<UTC date-time>.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

APPLIANCE_DIR="$REPO/pxe-server/target/appliance"
SERVERS="metalboot tftpd-hpa atftpd dnsmasq"
REPEAT_SMALL=10
REPEAT_LARGE=2
WARMUP=100
CONCURRENT=500
PIN=1
BUILD=1

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --appliance-dir) APPLIANCE_DIR="$2"; BUILD=0; shift 2;;
    --servers) SERVERS="$2"; shift 2;;
    --repeat-small) REPEAT_SMALL="$2"; shift 2;;
    --repeat-large) REPEAT_LARGE="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    --concurrent) CONCURRENT="$2"; shift 2;;
    --no-pin) PIN=0; shift;;
    --pinned-only) PIN=2; shift;;  # the targets' figures alone, when the bench lock is contended
    --no-build) BUILD=0; shift;;
    -h|--help) usage; exit 0;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "needs root (namespaces, port 69 for dnsmasq)" >&2; exit 2; }
for tool in atftp in.tftpd dnsmasq ip taskset; do
  command -v "$tool" >/dev/null || { echo "missing $tool (see the header of $0)" >&2; exit 2; }
done

WORK="$(mktemp -d /tmp/mbt-bench.XXXXXX)"
NS="mbt-$RANDOM$RANDOM"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  for group in "$CGROOT/$NS"-*; do [ -d "$group" ] && rmdir "$group" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ "$BUILD" = 1 ]; then
  (cd "$REPO" && . scripts/select-jdk.sh && ./mvnw -B -q -DskipTests -pl pxe-server -am package)
fi
. "$REPO/scripts/select-jdk.sh"
JAVA="$JAVA_HOME/bin/java"

ROOT="$WORK/root"; mkdir -p "$ROOT" "$WORK/out"
head -c $((1024 * 1024)) /dev/urandom > "$ROOT/1m.bin"
head -c $((30 * 1024 * 1024)) /dev/urandom > "$ROOT/30m.bin"
CPUS="0-$(( $(nproc) - 1 ))"
TICKS="$(getconf CLK_TCK)"

# --- servers -------------------------------------------------------------------------------------
declare -A PORT PID_OF PREFIX
start_metalboot() {
  cat > "$WORK/metalboot.yaml" <<EOF
# only TFTP is measured; state stays in the bench's own directory
state-dir: $WORK/state
dhcp:
  enabled: false
http:
  enabled: false
tftp:
  port: 6971
  root: $ROOT
EOF
  "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$APPLIANCE_DIR/metalboot-pxe-server.jar" \
      --config "$WORK/metalboot.yaml" > "$WORK/metalboot.log" 2>&1 &
  PID_OF[metalboot]=$!; PIDS+=($!); PORT[metalboot]=6971; PREFIX[metalboot]=""
  for _ in $(seq 100); do grep -q "metalboot started" "$WORK/metalboot.log" && return; sleep 0.1; done
  echo "metalboot did not start:" >&2; cat "$WORK/metalboot.log" >&2; exit 3
}
start_tftpd_hpa() {
  # -L: stay in the foreground (one child process per transfer, reaped by this one).
  in.tftpd -L -s "$ROOT" -a 127.0.0.1:6969 &
  PID_OF[tftpd-hpa]=$!; PIDS+=($!); PORT[tftpd-hpa]=6969; PREFIX[tftpd-hpa]=""
}
start_atftpd() {
  if [ ! -x "$WORK/atftpd/usr/sbin/atftpd" ]; then
    (cd "$WORK" && apt-get download atftpd >/dev/null && dpkg -x atftpd_*.deb "$WORK/atftpd")
  fi
  "$WORK/atftpd/usr/sbin/atftpd" --daemon --no-fork --port 6970 --bind-address 127.0.0.1 \
      --user root.root --maxthread 1000 --logfile /dev/null "$ROOT" &
  PID_OF[atftpd]=$!; PIDS+=($!); PORT[atftpd]=6970; PREFIX[atftpd]=""
}
start_dnsmasq() {
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --enable-tftp \
      --tftp-root="$ROOT" --tftp-max=1000 --user=root --pid-file="$WORK/dnsmasq.pid" \
      --log-facility=/dev/null &
  PID_OF[dnsmasq]=$!; PIDS+=($!); PORT[dnsmasq]=69; PREFIX[dnsmasq]="ip netns exec $NS"
}

# Server CPU time: a cpuacct cgroup per server when there is one (it also counts tftpd-hpa's
# per-transfer child processes, which its parent never accounts for), else /proc/PID/stat.
CGROOT=/sys/fs/cgroup/cpuacct
declare -A CGROUP
account() { # account SERVER : puts the server's process (and its future children) into a cgroup
  local server="$1"
  if [ -w "$CGROOT" ] && mkdir "$CGROOT/$NS-$server" 2>/dev/null; then
    echo "${PID_OF[$server]}" > "$CGROOT/$NS-$server/cgroup.procs" && CGROUP[$server]="$CGROOT/$NS-$server"
  fi
}
cpu_seconds() { # cpu_seconds SERVER
  local server="$1"
  if [ -n "${CGROUP[$server]:-}" ]; then
    awk '{ printf "%.6f", $1 / 1e9 }' "${CGROUP[$server]}/cpuacct.usage"
  else
    awk -v hz="$TICKS" '{ printf "%.6f", ($14 + $15 + $16 + $17) / hz }' "/proc/${PID_OF[$server]}/stat"
  fi
}

# --- one transfer, and a timed series ------------------------------------------------------------
# fetch SERVER FILE PINNED OPTIONS... : one atftp download, compared with the original.
fetch() {
  local server="$1" file="$2" pinned="$3"; shift 3
  local out="$WORK/out/$server.$BASHPID"
  local pin=""; [ "$pinned" = 1 ] && pin="taskset -c 0"
  if ${PREFIX[$server]} $pin atftp "$@" -g -r "$file" -l "$out" 127.0.0.1 "${PORT[$server]}" \
      >/dev/null 2>&1 && cmp -s "$out" "$ROOT/$file"; then
    rm -f "$out"; return 0
  fi
  rm -f "$out"; return 1
}

RESULTS=()
series() { # series SERVER FILE BLKSIZE WINDOW PINNED REPEAT
  local server="$1" file="$2" blksize="$3" window="$4" pinned="$5" repeat="$6"
  local opts=(--option "blksize $blksize")
  [ "$window" != 1 ] && opts+=(--option "windowsize $window")
  local pid="${PID_OF[$server]}"
  if [ "$pinned" = 1 ]; then taskset -a -p -c 0 "$pid" >/dev/null; else taskset -a -p -c "$CPUS" "$pid" >/dev/null; fi
  fetch "$server" "$file" "$pinned" "${opts[@]}" || true # warm-up
  local bytes; bytes=$(stat -c %s "$ROOT/$file")
  local t0 c0 t1 c1 failures=0
  c0=$(cpu_seconds "$server"); t0=$(date +%s.%N)
  for _ in $(seq "$repeat"); do fetch "$server" "$file" "$pinned" "${opts[@]}" || failures=$((failures + 1)); done
  t1=$(date +%s.%N); c1=$(cpu_seconds "$server")
  local line
  line=$(awk -v b="$bytes" -v n="$repeat" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" \
      -v s="$server" -v f="$file" -v bs="$blksize" -v w="$window" -v p="$pinned" -v fail="$failures" 'BEGIN {
        mbs = b * n / (t1 - t0) / 1e6;
        cpu30 = (c1 - c0) / n * (30 * 1048576 / b);
        printf "| %s | %s | %d | %s | %s | %.1f | %.2f | %d |", s, f, bs, (w == 1 ? "-" : w), (p ? "pinned" : "unpinned"), mbs, cpu30, fail }')
  echo "$line"; RESULTS+=("$line")
}

concurrent() { # concurrent SERVER N : N simultaneous 1 MiB downloads
  local server="$1" n="$2" pids=() failures=0 t0 t1
  taskset -a -p -c "$CPUS" "${PID_OF[$server]}" >/dev/null
  t0=$(date +%s.%N)
  for _ in $(seq "$n"); do fetch "$server" 1m.bin 0 --option "blksize 1468" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || failures=$((failures + 1)); done
  t1=$(date +%s.%N)
  local line
  line=$(awk -v s="$server" -v n="$n" -v f="$failures" -v t0="$t0" -v t1="$t1" \
      'BEGIN { printf "| %s | %d | %d | %.1f |", s, n, f, t1 - t0 }')
  echo "$line"; CONCURRENT_RESULTS+=("$line")
}

LOAD_BEFORE="$(cut -d" " -f1-3 /proc/loadavg)"
CONCURRENT_RESULTS=()
for server in $SERVERS; do
  case "$server" in
    metalboot) start_metalboot;; tftpd-hpa) start_tftpd_hpa;; atftpd) start_atftpd;; dnsmasq) start_dnsmasq;;
    *) echo "unknown server $server" >&2; exit 2;;
  esac
done
sleep 1
for server in $SERVERS; do account "$server"; done
for server in $SERVERS; do  # warm-up: the JVM compiles its hot paths (it takes ~100 transfers of 1 MiB)
  for _ in $(seq "$WARMUP"); do fetch "$server" 1m.bin 0 --option "blksize 1468" || true; done
done

pin_modes="0"; [ "$PIN" = 1 ] && pin_modes="1 0"; [ "$PIN" = 2 ] && pin_modes="1"
for pinned in $pin_modes; do
  for file in 1m.bin 30m.bin; do
    repeat=$REPEAT_SMALL; [ "$file" = 30m.bin ] && repeat=$REPEAT_LARGE
    for blksize in 512 1468; do
      for window in 1 16; do
        for server in $SERVERS; do series "$server" "$file" "$blksize" "$window" "$pinned" "$repeat"; done
      done
    done
  done
done
for server in $SERVERS; do concurrent "$server" "$CONCURRENT"; done

mkdir -p "$HERE/results"
LOAD_AFTER="$(cut -d" " -f1-3 /proc/loadavg)"
REPORT="$HERE/results/$(date -u +%Y-%m-%dT%H-%M-%SZ).md"
{
  echo "# TFTP benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Host: $(nproc) CPUs, $(uname -r); client atftp $(dpkg-query -W -f '${Version}' atftp 2>/dev/null);"
  echo "tftpd-hpa $(dpkg-query -W -f '${Version}' tftpd-hpa 2>/dev/null), dnsmasq $(dnsmasq --version | head -1 | awk '{print $3}'),"
  echo "atftpd from its .deb; Java $("$JAVA" -version 2>&1 | head -1). Loopback only."
  echo "MB/s = 10^6 bytes/s over $REPEAT_SMALL (1 MiB) or $REPEAT_LARGE (30 MiB) sequential downloads after a warm-up,"
  echo "each a new atftp process. CPU s/30MiB: the server's user+system CPU per 30 MiB transferred."
  echo "Host load (1, 5, 15 min averages) before: $LOAD_BEFORE; after: $LOAD_AFTER."
  echo
  echo "| server | file | blksize | windowsize | CPUs | MB/s | server CPU s/30MiB | failures |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${RESULTS[@]}"
  echo
  echo "| server | concurrent 1 MiB transfers | failures | wall s |"
  echo "|---|---|---|---|"
  printf '%s\n' "${CONCURRENT_RESULTS[@]}"
} > "$REPORT"
echo "wrote $REPORT"
