#!/usr/bin/env bash
# HTTP benchmark: metalboot's HttpServer against nginx (sendfile on), both on 127.0.0.1.
#   1. one large asset (default 1 GiB, random bytes, in page cache) with curl, 1 and 8 parallel
#      streams: throughput and server CPU-seconds per GiB (utime+stime from /proc/PID/stat);
#   2. wrk with 1,000 connections on a tiny dynamic reply (metalboot: a non-blocking endpoint on
#      the event loop, and an ordinary one on a virtual thread; nginx: `return 200`): requests/s,
#      p50/p99 latency, errors, interleaved runs.
#
#   bench/http/run.sh [--size-mib N] [--runs N] [--streams "1 8"] [--connections N]
#                     [--wrk-seconds S] [--wrk-runs N] [--classpath CP] [--no-build] [--servers "metalboot nginx"]
#
# Needs curl, nginx (apt-get install nginx-light), wrk (apt-get install wrk), a JDK >= 21.
# Root only for apt-get; the benchmark itself runs as any user. Nothing listens beyond 127.0.0.1;
# both servers are stopped (by their own PIDs) on every exit path. Not part of CI.
# Prints a Markdown summary and writes it to bench/http/results/<UTC date-time>.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SIZE_MIB=1024
RUNS=5
STREAMS="1 8"
CONNECTIONS=1000
WRK_SECONDS=10
WRK_RUNS=3
CLASSPATH_GIVEN=""
BUILD=1
SERVERS="metalboot nginx"

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mib) SIZE_MIB="$2"; shift 2;;
    --runs) RUNS="$2"; shift 2;;
    --streams) STREAMS="$2"; shift 2;;
    --connections) CONNECTIONS="$2"; shift 2;;
    --wrk-seconds) WRK_SECONDS="$2"; shift 2;;
    --wrk-runs) WRK_RUNS="$2"; shift 2;;
    --classpath) CLASSPATH_GIVEN="$2"; shift 2;;
    --no-build) BUILD=0; shift;;
    --servers) SERVERS="$2"; shift 2;;
    -h|--help) usage; exit 0;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2;;
  esac
done

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
for tool in curl nginx wrk; do
  command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null \
    || { echo "needs $tool (apt-get install -y curl nginx-light wrk)" >&2; exit 2; }
done
NGINX="$(PATH="$PATH:/usr/sbin" command -v nginx)"

TMP="$(mktemp -d /tmp/metalboot-httpbench.XXXXXX)"
chmod 755 "$TMP"   # nginx's workers run as another user and must reach the assets
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n 100000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- the metalboot side: HttpBenchServer from the test classes, copied so a rebuild cannot disturb it
cd "$REPO"
. scripts/select-jdk.sh
if [ -z "$CLASSPATH_GIVEN" ]; then
  if [ "$BUILD" = 1 ]; then
    log "building test classes and the classpath"
    ./mvnw -B -q -o -pl http-server -am test-compile dependency:build-classpath \
        -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null 2>"$TMP/build.err" \
      || ./mvnw -B -q -pl http-server -am test-compile dependency:build-classpath \
        -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null \
      || { cat "$TMP/build.err" >&2; exit 3; }
  fi
  mkdir -p "$TMP/classes"
  cp -r http-server/target/classes "$TMP/classes/http-server"
  cp -r http-server/target/test-classes "$TMP/classes/http-server-test"
  CP="$TMP/classes/http-server-test:$TMP/classes/http-server:$(cat http-server/target/bench-classpath.txt)"
else
  CP="$CLASSPATH_GIVEN"
fi
JAVA="$JAVA_HOME/bin/java"
JAVA_FLAGS=(--enable-native-access=ALL-UNNAMED)
"$JAVA" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1 && JAVA_FLAGS+=(--sun-misc-unsafe-memory-access=allow)

# --- the asset: random bytes (a sparse or zero file would flatter both), read once into page cache
mkdir -p "$TMP/assets"
log "writing a ${SIZE_MIB} MiB asset"
dd if=/dev/urandom of="$TMP/assets/disk.img" bs=1M count="$SIZE_MIB" status=none
cat "$TMP/assets/disk.img" >/dev/null
SIZE_BYTES=$(stat -c %s "$TMP/assets/disk.img")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$1/assets/disk.img" -r 0-0 && return 0; sleep 0.1; done
  echo "server on port $1 did not come up" >&2; return 1
}
# utime+stime in clock ticks, summed over the given PIDs and their child processes (nginx workers).
cpu_ticks() {
  local total=0 pid
  for pid in "$@" $(for p in "$@"; do pgrep -P "$p" || true; done); do
    [ -r "/proc/$pid/stat" ] || continue
    # fields after the ")" that ends the command name: utime is the 12th, stime the 13th
    total=$(( total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}') ))
  done
  echo "$total"
}
CLK_TCK=$(getconf CLK_TCK)
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

start_metalboot() {
  PORT=$(free_port)
  "$JAVA" "${JAVA_FLAGS[@]}" -cp "$CP" io.metalboot.http.HttpBenchServer "$PORT" "$TMP/assets" \
      >"$TMP/metalboot.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_port "$PORT"
}
start_nginx() {
  PORT=$(free_port)
  mkdir -p "$TMP/nginx"
  cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes $(nproc);
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    server {
        listen 127.0.0.1:$PORT;
        location /assets/ { alias $TMP/assets/; }
        location = /bench/hello { default_type "text/plain; charset=utf-8"; return 200 "#!ipxe\necho hello\n"; }
    }
}
CONF
  "$NGINX" -e "$TMP/nginx/error.log" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_port "$PORT"
}
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

# One run of N parallel full downloads: prints "MiB/s cpu-s-per-GiB curl-sum-MiB/s".
stream_run() {
  local n=$1 i t0 t1 c0 c1 curls=()
  c0=$(cpu_ticks "$SERVER_PID")
  t0=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    curl -s --noproxy '*' -o /dev/null -w '%{http_code} %{size_download} %{speed_download}\n' \
      "http://127.0.0.1:$PORT/assets/disk.img" >"$TMP/speed.$i" &
    curls+=($!)
  done
  wait "${curls[@]}"
  # A short or failed transfer would make any figure meaningless.
  if awk -v size="$SIZE_BYTES" '$1 != 200 || $2 != size {bad=1} END {exit !bad}' "$TMP"/speed.*; then
    echo "a download failed or came short: $(cat "$TMP"/speed.* | tr '\n' ';')" >&2
    exit 4
  fi
  t1=$(date +%s.%N)
  c1=$(cpu_ticks "$SERVER_PID")
  awk -v n="$n" -v size="$SIZE_BYTES" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v hz="$CLK_TCK" \
      -v curlsum="$(cat "$TMP"/speed.* | awk '{s+=$3} END {print s}')" \
      'BEGIN { gib = n*size/1073741824; printf "%.1f %.3f %.1f\n", n*size/1048576/(t1-t0), (c1-c0)/hz/gib, curlsum/1048576 }'
  rm -f "$TMP"/speed.*
}

declare -A TPUT CPU WRK RPS P99 WRKALL SPID SPORT
LOAD_BEFORE="$(uptime | sed 's/.*load average/load average/')"
# Both servers run side by side and every run alternates between them, so that whatever else
# loads the host is spread over both alike.
for server in $SERVERS; do
  log "starting $server"
  "start_$server"
  SPID[$server]=$SERVER_PID
  SPORT[$server]=$PORT
done
use() { SERVER_PID=${SPID[$1]}; PORT=${SPORT[$1]}; }
for n in $STREAMS; do
  for server in $SERVERS; do use "$server"; stream_run "$n" >/dev/null; done   # warm-up: JIT, TCP buffers
  for server in $SERVERS; do : >"$TMP/runs.$server"; done
  for _ in $(seq 1 "$RUNS"); do
    for server in $SERVERS; do
      use "$server"
      stream_run "$n" | tee -a "$TMP/runs.$server" \
        | sed "s/^/[bench]   $server $n stream(s): MiB\/s cpu-s\/GiB curl-MiB\/s = /" >&2
    done
  done
  for server in $SERVERS; do
    TPUT[$server,$n]=$(awk '{print $1}' "$TMP/runs.$server" | median)
    CPU[$server,$n]=$(awk '{print $2}' "$TMP/runs.$server" | median)
  done
done
# wrk targets: nginx's `return 200`; metalboot's non-blocking endpoint (on the event loop, like
# /boot.ipxe) and its ordinary endpoint (a virtual thread per request, like an API call).
WRK_TARGETS=""
for server in $SERVERS; do
  case "$server" in
    metalboot) WRK_TARGETS="$WRK_TARGETS metalboot:/bench/hello metalboot:/bench/hello-vt";;
    *) WRK_TARGETS="$WRK_TARGETS $server:/bench/hello";;
  esac
done
for target in $WRK_TARGETS; do
  use "${target%%:*}"
  # Warm-up: 10 s, since C2 was still compiling the request path after 3 s (the first runs of the
  # 2026-12-02 04:31 run had a multi-second p99 tail that the third no longer had).
  wrk -t"$(nproc)" -c"$CONNECTIONS" -d10s "http://127.0.0.1:$PORT${target#*:}" >/dev/null 2>&1 || true
  : >"$TMP/wrkruns.${target//[:\/]/_}"
done
# Interleaved, run by run, so that background load hits every target alike; medians of WRK_RUNS.
for i in $(seq 1 "$WRK_RUNS"); do
  for target in $WRK_TARGETS; do
    use "${target%%:*}"
    log "wrk run $i: $target, $CONNECTIONS connections, ${WRK_SECONDS}s"
    wrk -t"$(nproc)" -c"$CONNECTIONS" -d"${WRK_SECONDS}s" --timeout 10s --latency "http://127.0.0.1:$PORT${target#*:}" \
        >"$TMP/wrk.out" 2>&1 || true
    sed 's/^/[bench]   /' "$TMP/wrk.out" >&2
    awk '
      function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
      /Requests\/sec/ {rps=$2}
      /Transfer\/sec/ {tr=$2; if (tr ~ /MB$/) tr*=1048576; else if (tr ~ /KB$/) tr*=1024; else if (tr ~ /GB$/) tr*=1073741824}
      $1=="50%" {p50=ms($2)} $1=="99%" {p99=ms($2)}
      /Socket errors/ {gsub(",","",$0); err=$4+$6+$8+$10}
      /Non-2xx/ {non2xx=$NF}
      END {printf "%.0f %.2f %.2f %d %d %.0f\n", rps, p50, p99, err+0, non2xx+0, (rps>0?tr/rps:0)}' "$TMP/wrk.out" \
      >>"$TMP/wrkruns.${target//[:\/]/_}"
  done
done
for target in $WRK_TARGETS; do
  f="$TMP/wrkruns.${target//[:\/]/_}"
  WRK[$target]="$(awk '{print $1}' "$f" | median) | $(awk '{print $2}' "$f" | median) ms | $(awk '{print $3}' "$f" | median) ms | $(awk '{s+=$4} END {print s}' "$f") socket, $(awk '{s+=$5} END {print s}' "$f") non-2xx | $(awk '{print $6}' "$f" | median)"
  RPS[$target]=$(awk '{print $1}' "$f" | median)
  P99[$target]=$(awk '{print $3}' "$f" | median)
  WRKALL[$target]=$(awk '{printf "%s%s (%s ms)", (NR>1?", ":""), $1, $3}' "$f")
done
LOAD_AFTER="$(uptime | sed 's/.*load average/load average/')"

RESULT="$(
  echo "Asset: ${SIZE_MIB} MiB of random bytes in page cache, over 127.0.0.1; median of $RUNS runs after one warm-up, the servers alternating run by run;"
  echo "host: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(uname -r);"
  echo "$("$JAVA" -version 2>&1 | head -n1), nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), $(curl --version | head -n1 | cut -d' ' -f1-2), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)."
  echo
  echo "| streams | metalboot MiB/s | nginx MiB/s | ratio | metalboot CPU-s/GiB | nginx CPU-s/GiB | ratio |"
  echo "|---|---|---|---|---|---|---|"
  for n in $STREAMS; do
    awk -v n="$n" -v mt="${TPUT[metalboot,$n]:-0}" -v nt="${TPUT[nginx,$n]:-0}" -v mc="${CPU[metalboot,$n]:-0}" -v nc="${CPU[nginx,$n]:-0}" \
      'BEGIN { printf "| %d | %.0f | %.0f | %.2f× | %.3f | %.3f | %.2f× |\n", n, mt, nt, (nt>0?mt/nt:0), mc, nc, (nc>0?mc/nc:0) }'
  done
  echo
  echo "wrk, $CONNECTIONS connections, ${WRK_SECONDS} s × $WRK_RUNS runs (median; targets interleaved run by run), $(nproc) wrk threads, keep-alive, the same 18-byte body:"
  echo
  echo "| target | requests/s | p50 | p99 | errors | bytes/reply | ratio to nginx (req/s, p99) | every run's req/s (p99) |"
  echo "|---|---|---|---|---|---|---|---|"
  for target in $WRK_TARGETS; do
    echo "| $target | ${WRK[$target]} | $(awk -v r="${RPS[$target]}" -v nr="${RPS[nginx:/bench/hello]:-0}" -v p="${P99[$target]}" -v np="${P99[nginx:/bench/hello]:-0}" 'BEGIN { if (nr > 0 && np > 0) printf "%.2f×, %.2f×", r/nr, p/np; else printf "-" }') | ${WRKALL[$target]} |"
  done
  echo
  echo "Host load: before $LOAD_BEFORE; after $LOAD_AFTER."
)"
echo "$RESULT"
mkdir -p "$HERE/results"
echo "$RESULT" >"$HERE/results/$(date -u +%Y-%m-%d-%H%M).md"
