#!/usr/bin/env bash
# ProxyDHCP benchmark: perfdhcp (Kea) as the load, over a veth pair between two private network
# namespaces, against (1) a trivial C responder = perfdhcp's own ceiling, (2) metalboot,
# (3) dnsmasq in ProxyDHCP mode. See bench/dhcp/README.md.
#
#   bench/dhcp/run.sh [--appliance-dir DIR] [--duration S] [--warmup S] [--rates "5000 10000 ..."]
#                     [--clients N] [--no-pin] [--no-build] [--servers "trivial metalboot dnsmasq"]
#
# Needs root, perfdhcp (kea-admin), dnsmasq (dnsmasq-base), iproute2, gcc, tcpdump.
# All traffic stays inside two namespaces named mbb-<random>-{srv,cli}; they are deleted on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

APPLIANCE_DIR="$REPO/pxe-server/target/appliance"
APPLIANCE_DIR_GIVEN=0
DURATION=10
WARMUP=10
RATES="5000 10000 15000 20000 30000 40000 50000"
FIXED_RATE=5000
CLIENTS=10000
PIN=1
BUILD=1
SERVERS="trivial metalboot dnsmasq"
DROP_LIMIT_PCT="0.1"

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --appliance-dir) APPLIANCE_DIR="$(cd "$2" 2>/dev/null && pwd || echo "$2")"; APPLIANCE_DIR_GIVEN=1; shift 2;;
    --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    --rates) RATES="$2"; shift 2;;
    --fixed-rate) FIXED_RATE="$2"; shift 2;;
    --clients) CLIENTS="$2"; shift 2;;
    --servers) SERVERS="$2"; shift 2;;
    --no-pin) PIN=0; shift;;
    --no-build) BUILD=0; shift;;
    -h|--help) usage; exit 0;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2;;
  esac
done
case "$DURATION$WARMUP$CLIENTS$FIXED_RATE" in *[!0-9]*) echo "--duration/--warmup/--clients/--fixed-rate must be integers" >&2; exit 2;; esac

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces)"
for t in perfdhcp dnsmasq ip gcc taskset tcpdump getconf awk; do
  command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || die "missing tool: $t"
done
PERFDHCP="$(command -v perfdhcp || echo /usr/sbin/perfdhcp)"
DNSMASQ="$(command -v dnsmasq || echo /usr/sbin/dnsmasq)"
NCPU="$(getconf _NPROCESSORS_ONLN)"
CLK_TCK="$(getconf CLK_TCK)"
if [ "$PIN" -eq 1 ] && [ "$NCPU" -lt 2 ]; then log "only $NCPU CPU: no pinned runs"; PIN=0; fi

# ---------------------------------------------------------------- private lab + cleanup
SUF="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
NS_S="mbb-$SUF-srv"; NS_C="mbb-$SUF-cli"
IF_S="mbb${SUF}s"; IF_C="mbb${SUF}c"            # <= 15 chars
NET="10.213.77.0"; SRV_IP="10.213.77.1"; CLI_IP="10.213.77.2"
WORK="$(mktemp -d /tmp/mbb-bench.XXXXXX)"
SERVER_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  ip netns del "$NS_S" 2>/dev/null || true
  ip netns del "$NS_C" 2>/dev/null || true
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "lab: namespaces $NS_S ($IF_S $SRV_IP) <-veth-> $NS_C ($IF_C $CLI_IP), work dir $WORK"
ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add "$IF_S" type veth peer name "$IF_C"
ip link set "$IF_S" netns "$NS_S"
ip link set "$IF_C" netns "$NS_C"
ip -n "$NS_S" addr add "$SRV_IP/24" dev "$IF_S"
ip -n "$NS_C" addr add "$CLI_IP/24" dev "$IF_C"
for ns in "$NS_S" "$NS_C"; do ip -n "$ns" link set lo up; done
ip -n "$NS_S" link set "$IF_S" up
ip -n "$NS_C" link set "$IF_C" up
# Same (generous) socket buffer ceiling for every server; perfdhcp asks for what it wants.
for ns in "$NS_S" "$NS_C"; do ip netns exec "$ns" sysctl -qw net.core.rmem_max=8388608 net.core.wmem_max=8388608 >/dev/null 2>&1 || true; done

# ---------------------------------------------------------------- builds
log "building trivial responder (gcc -O2)"
gcc -O2 -Wall -o "$WORK/trivial_responder" "$HERE/trivial_responder.c"

JAR="$APPLIANCE_DIR/metalboot-pxe-server.jar"
JAVA=""
for d in /usr/lib/jvm/*/; do
  [ -x "$d/bin/java" ] || continue
  v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release" 2>/dev/null || true)"
  [ -n "$v" ] || v="$("$d/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')"
  if [ -n "$v" ] && [ "$v" -ge 21 ]; then JAVA="${d%/}/bin/java"; JAVA_HOME_FOUND="${d%/}"; break; fi
done
METALBOOT_SKIP=""
if [[ " $SERVERS " == *" metalboot "* ]]; then
  if [ -z "$JAVA" ]; then
    METALBOOT_SKIP="no JDK >= 21 under /usr/lib/jvm"
  else
    if [ ! -f "$JAR" ] && [ "$BUILD" -eq 1 ] && [ "$APPLIANCE_DIR_GIVEN" -eq 0 ]; then
      log "appliance jar missing: building it (mvnw -q -B -DskipTests package)"
      if ! (cd "$REPO" && JAVA_HOME="$JAVA_HOME_FOUND" ./mvnw -q -B -DskipTests package) >"$WORK/mvn.log" 2>&1; then
        log "build failed (tail of log):"; grep -v '^WARNING' "$WORK/mvn.log" | tail -15 >&2 || true
      fi
    fi
    [ -f "$JAR" ] || METALBOOT_SKIP="appliance jar not found: $JAR (build it: JAVA_HOME=... ./mvnw -q -B -DskipTests package)"
  fi
  [ -z "$METALBOOT_SKIP" ] || log "SKIPPING metalboot: $METALBOOT_SKIP"
fi

# ---------------------------------------------------------------- load generator
# option 60 = "PXEClient:Arch:00007:UNDI:003000", option 93 = 0x0007 (x64 UEFI)
OPT60="$(printf 'PXEClient:Arch:00007:UNDI:003000' | od -An -tx1 | tr -d ' \n')"
PERF_BASE=(-4 -l "$IF_C" -i -R "$CLIENTS" -o "60,$OPT60" -o "93,0007" -W 200000)
CMDLINES="$WORK/cmdlines.txt"; : >"$CMDLINES"

# perfdhcp_run OUT_PREFIX RATE(or "max") PINNED(0/1) SECONDS
# writes OUT_PREFIX.out (perfdhcp output) and OUT_PREFIX.kv (parsed figures)
perfdhcp_run() {
  local out="$1" rate="$2" pinned="$3" secs="$4"
  local -a cmd=("$PERFDHCP" "${PERF_BASE[@]}")
  [ "$rate" = "max" ] || cmd+=(-r "$rate")
  cmd+=(-p "$secs")
  local -a pre=()
  [ "$pinned" -eq 1 ] && pre=(taskset -c 1)
  echo "ip netns exec $NS_C ${pre[*]} ${cmd[*]}" | sed 's/  */ /g' >>"$CMDLINES"
  local t0 t1 srv0 srv1 cli0 cli1
  t0="$(cpu_ticks)"; srv0="$(sock_drops "$NS_S")"; cli0="$(sock_drops "$NS_C")"
  # hard bound on top of -p: perfdhcp stops by itself; timeout is only a safety net
  timeout --kill-after=5 $((secs + 30)) ip netns exec "$NS_C" "${pre[@]}" "${cmd[@]}" >"$out.out" 2>&1 || true
  t1="$(cpu_ticks)"; srv1="$(sock_drops "$NS_S")"; cli1="$(sock_drops "$NS_C")"
  awk -v secs="$secs" -v ticks=$((t1 - t0)) -v hz="$CLK_TCK" -v sd=$((srv1 - srv0)) -v cd=$((cli1 - cli0)) '
    function num(s) { sub(/ ms$/, "", s); return s }
    /^sent packets:/ && !s { s = $3 }
    /^received packets:/ && !r { r = $3 }
    /^orphans:/ && o == "" { o = $2 }
    /^min delay:/ && mn == "" { mn = num($3) }
    /^avg delay:/ && av == "" { av = num($3) }
    /^max delay:/ && mx == "" { mx = num($3) }
    /^std deviation:/ && sdv == "" { sdv = num($3) }
    END {
      if (s == "") { s = 0 } if (r == "") { r = 0 }
      printf "sent=%d\nrecv=%d\ndrops=%d\n", s, r, s - r
      printf "droppct=%.4f\n", (s > 0 ? 100 * (s - r) / s : 100)
      printf "aps=%.0f\n", r / secs
      printf "orphans=%s\nmin=%s\navg=%s\nmax=%s\nstd=%s\n", (o == "" ? 0 : o), mn, av, mx, sdv
      printf "cpus=%.3f\n", ticks / hz
      printf "cpu10k=%s\n", (r > 0 ? sprintf("%.3f", ticks / hz / r * 10000) : "n/a")
      printf "srvsockdrops=%d\nclisockdrops=%d\n", sd, cd
    }' "$out.out" >"$out.kv"
}
kv() { sed -n "s/^$2=//p" "$1.kv"; }

# utime+stime (ticks) of the server process, all threads included
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0; }
# kernel receive-queue drops of UDP sockets on port 67 inside a namespace
sock_drops() { ip netns exec "$1" awk 'NR > 1 && $2 ~ /:0043$/ { d += $NF } END { print d + 0 }' /proc/net/udp; }

# ---------------------------------------------------------------- servers
start_server() {
  local name="$1" logf="$WORK/$1.log"
  SERVER_PID=""
  case "$name" in
    trivial)
      ip netns exec "$NS_S" "$WORK/trivial_responder" "$IF_S" "$SRV_IP" 2>"$logf" &
      SERVER_PID=$!
      wait_for_line "$logf" '^ready' 10 ;;
    dnsmasq)
      # ProxyDHCP on the subnet; one PXE service per arch, no prompt => boots the file directly.
      # --quiet-dhcp: no per-packet log line (metalboot runs at log-level info, no per-packet lines).
      ip netns exec "$NS_S" "$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --pid-file= \
        --port=0 --interface="$IF_S" --bind-interfaces \
        --dhcp-range="$NET,proxy" \
        --pxe-service=x86PC,"metalboot",undionly.kpxe \
        --pxe-service=x86-64_EFI,"metalboot",snponly.efi \
        --pxe-service=BC_EFI,"metalboot",snponly.efi \
        --dhcp-leasefile="$WORK/dnsmasq.leases" --log-facility="$logf" --quiet-dhcp &
      SERVER_PID=$!
      wait_for_line "$logf" 'DHCP, proxy on subnet' 10 ;;
    metalboot)
      cat >"$WORK/metalboot.yaml" <<EOF
log-level: info
dhcp:
  interface: $IF_S
EOF
      ip netns exec "$NS_S" "$JAVA" --enable-native-access=ALL-UNNAMED -Xms256m \
        -jar "$JAR" --config "$WORK/metalboot.yaml" >"$logf" 2>&1 &
      SERVER_PID=$!
      wait_for_line "$logf" 'metalboot started' 90 ;;
  esac
}

wait_for_line() { # FILE REGEX TIMEOUT_S
  local i
  for i in $(seq 1 $(($3 * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { log "server exited before '$2'"; return 1; }
    sleep 0.1
  done
  log "timeout waiting for '$2'"; return 1
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

pin_server() { # 1 = pinned to CPU 0, 0 = all CPUs
  if [ "$1" -eq 1 ]; then taskset -a -p -c 0 "$SERVER_PID" >/dev/null
  else taskset -a -p -c "0-$((NCPU - 1))" "$SERVER_PID" >/dev/null; fi
}

# Send a few DISCOVERs at a low rate, capture the replies and check the OFFER's fields.
check_replies() {
  local name="$1" pcap="$WORK/$1.pcap"
  ip netns exec "$NS_C" timeout 15 tcpdump -U -n -i "$IF_C" -w "$pcap" -c 20 'udp and src host '"$SRV_IP" >/dev/null 2>&1 &
  local tdp=$!
  sleep 1
  perfdhcp_run "$WORK/$name.check" 50 0 1
  sleep 0.3; kill "$tdp" 2>/dev/null || true; wait "$tdp" 2>/dev/null || true
  tcpdump -n -vv -r "$pcap" 2>/dev/null >"$WORK/$name.check.txt" || true
  awk -v srv="$SRV_IP" -v cli="$CLI_IP" '
    /^[0-9][0-9]:/ { n++ }
    /^    [0-9.]+ > [0-9.]+:/ { if ($1 == srv ".67" && $3 == cli ".67:") dst++ }
    /Your-IP/ { yi++ }
    /Server-IP/ && $2 == srv { si++ }
    /DHCP-Message \(53\).*Offer/ { offer++ }
    /Server-ID \(54\).*: / && $NF == srv { sid++ }
    /Vendor-Class \(60\).*"PXEClient"/ { v60++ }
    /File "/ { f[$2]++; fil++ }
    END {
      files = ""; for (k in f) files = files (files == "" ? "" : ",") k
      printf "replies=%d to-giaddr:67=%d offer=%d yiaddr-0=%d siaddr=%d opt54=%d opt60=%d file=%d%s\n",
        n, dst, offer, n - yi, si, sid, v60, fil, (files == "" ? "" : " (" files ")")
    }' "$WORK/$name.check.txt" >"$WORK/$name.check.summary"
  log "$name reply check: $(cat "$WORK/$name.check.summary")"
}

ROWS="$WORK/rows.tsv"; : >"$ROWS"   # server mode rate file-prefix
SUMMARY_NOTES="$WORK/notes.txt"; : >"$SUMMARY_NOTES"

record() { # server mode rate prefix
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$ROWS"
  log "$(printf '%-9s %-8s offered %-6s -> %s answers/s, drops %s (%s%%), avg %s ms, max %s ms, CPU %s s/10k, sock drops srv %s cli %s' \
    "$1" "$2" "$3" "$(kv "$4" aps)" "$(kv "$4" drops)" "$(kv "$4" droppct)" "$(kv "$4" avg)" "$(kv "$4" max)" "$(kv "$4" cpu10k)" "$(kv "$4" srvsockdrops)" "$(kv "$4" clisockdrops)")"
}

bench_mode() { # server mode(unpinned|pinned)
  local name="$1" mode="$2" p=0 r pct
  [ "$mode" = pinned ] && p=1
  pin_server "$p"
  sleep 0.5
  perfdhcp_run "$WORK/$name.$mode.fixed" "$FIXED_RATE" "$p" "$DURATION"
  record "$name" "$mode" "$FIXED_RATE" "$WORK/$name.$mode.fixed"
  for r in $RATES; do
    [ "$r" = "$FIXED_RATE" ] && continue
    sleep 1
    perfdhcp_run "$WORK/$name.$mode.r$r" "$r" "$p" "$DURATION"
    record "$name" "$mode" "$r" "$WORK/$name.$mode.r$r"
    pct="$(kv "$WORK/$name.$mode.r$r" droppct)"
    awk -v a="$pct" -v b="$DROP_LIMIT_PCT" 'BEGIN { exit !(a >= b) }' && break
  done
  sleep 1
  perfdhcp_run "$WORK/$name.$mode.max" max "$p" "$DURATION"
  record "$name" "$mode" max "$WORK/$name.$mode.max"
}

for name in $SERVERS; do
  if [ "$name" = metalboot ] && [ -n "$METALBOOT_SKIP" ]; then
    echo "metalboot: SKIPPED: $METALBOOT_SKIP" >>"$SUMMARY_NOTES"; continue
  fi
  log "=== $name: starting"
  if ! start_server "$name"; then
    log "$name did not start; log tail:"; tail -20 "$WORK/$name.log" >&2 || true
    { echo "$name: FAILED TO START; log tail:"; tail -20 "$WORK/$name.log" | sed 's/^/    /'; } >>"$SUMMARY_NOTES"
    stop_server; continue
  fi
  check_replies "$name"
  echo "$name reply check (20 OFFERs at 50/s, tcpdump): $(cat "$WORK/$name.check.summary")" >>"$SUMMARY_NOTES"
  log "$name: warm-up ${WARMUP}s at 10000/s (not measured)"
  perfdhcp_run "$WORK/$name.warmup" 10000 0 "$WARMUP"
  bench_mode "$name" unpinned
  [ "$PIN" -eq 1 ] && bench_mode "$name" pinned
  stop_server
  case "$name" in
    metalboot) grep -h 'counters' "$WORK/metalboot.log" | tail -1 | sed 's/^/metalboot exit counters: /' >>"$SUMMARY_NOTES" || true
               grep -hiE 'exception|error|warn' "$WORK/metalboot.log" | head -10 | sed 's/^/metalboot log: /' >>"$SUMMARY_NOTES" || true ;;
    trivial)   tail -1 "$WORK/trivial.log" | sed 's/^/trivial responder exit counters: /' >>"$SUMMARY_NOTES" ;;
  esac
done

# ---------------------------------------------------------------- report
STAMP="$(date -u +%Y-%m-%d-%H%M)"
mkdir -p "$HERE/results"
RESULT="$HERE/results/$STAMP.md"

table() {
  printf '| server | pin | offered/s | answers/s | sent | drops (sent-recv) | drop %% | lat min/avg/max/std ms | CPU-s /10k ans | srv/cli sock drops | vs dnsmasq | vs ceiling |\n'
  printf '|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n'
  while IFS=$'\t' read -r srv mode rate pre; do
    local aps ref_d ref_t vd vt
    aps="$(kv "$pre" aps)"
    ref_d="$(awk -F'\t' -v m="$mode" -v r="$rate" '$1=="dnsmasq" && $2==m && $3==r { print $4 }' "$ROWS")"
    ref_t="$(awk -F'\t' -v m="$mode" -v r="$rate" '$1=="trivial" && $2==m && $3==r { print $4 }' "$ROWS")"
    vd="-"; vt="-"
    [ -n "$ref_d" ] && vd="$(awk -v a="$aps" -v b="$(kv "$ref_d" aps)" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / (b > 0 ? b : 1) }')"
    [ -n "$ref_t" ] && vt="$(awk -v a="$aps" -v b="$(kv "$ref_t" aps)" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / (b > 0 ? b : 1) }')"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s/%s/%s/%s | %s | %s/%s | %s | %s |\n' \
      "$srv" "$mode" "$rate" "$aps" "$(kv "$pre" sent)" "$(kv "$pre" drops)" "$(kv "$pre" droppct)" \
      "$(kv "$pre" min)" "$(kv "$pre" avg)" "$(kv "$pre" max)" "$(kv "$pre" std)" "$(kv "$pre" cpu10k)" \
      "$(kv "$pre" srvsockdrops)" "$(kv "$pre" clisockdrops)" "$vd" "$vt"
  done <"$ROWS"
}

# best_of SERVER MODE -> "RATE<TAB>PREFIX" of the highest offered rate with drops < limit (or nothing)
best_of() {
  local b="" bp="" s m r p
  while IFS=$'\t' read -r s m r p; do
    [ "$s" = "$1" ] && [ "$m" = "$2" ] && [ "$r" != max ] || continue
    awk -v a="$(kv "$p" droppct)" -v l="$DROP_LIMIT_PCT" 'BEGIN { exit !(a < l) }' || continue
    if [ -z "$b" ] || [ "$r" -gt "$b" ]; then b="$r"; bp="$p"; fi
  done <"$ROWS"
  [ -z "$b" ] || printf '%s\t%s\n' "$b" "$bp"
}

summary() {
  printf '| server | pin | max sustained offered/s (drops < %s%%) | answers/s there | saturated answers/s (no -r) | CPU-s/10k at %s/s | drops at %s/s | max sustained vs dnsmasq | vs ceiling |\n' "$DROP_LIMIT_PCT" "$FIXED_RATE" "$FIXED_RATE"
  printf '|---|---|---:|---:|---:|---:|---:|---:|---:|\n'
  local srv mode best bestpre bd bt vd vt
  for srv in $SERVERS; do for mode in unpinned pinned; do
    grep -q "^$srv	$mode	" "$ROWS" || continue
    IFS=$'\t' read -r best bestpre <<<"$(best_of "$srv" "$mode")" || true
    bd="$(best_of dnsmasq "$mode" | cut -f1)"; bt="$(best_of trivial "$mode" | cut -f1)"
    vd="-"; vt="-"
    [ -n "$best" ] && [ -n "$bd" ] && vd="$(awk -v a="$best" -v b="$bd" 'BEGIN { printf "%.2f", a / b }')"
    [ -n "$best" ] && [ -n "$bt" ] && vt="$(awk -v a="$best" -v b="$bt" 'BEGIN { printf "%.2f", a / b }')"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$srv" "$mode" "${best:-none}" \
      "$(if [ -n "$bestpre" ]; then kv "$bestpre" aps; else echo -; fi)" \
      "$(kv "$WORK/$srv.$mode.max" aps)" "$(kv "$WORK/$srv.$mode.fixed" cpu10k)" "$(kv "$WORK/$srv.$mode.fixed" drops)" "$vd" "$vt"
  done; done
}

{
  echo "# ProxyDHCP benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- repo: $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$REPO" && [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (dirty work tree)')"
  echo "- host: $(uname -r), $NCPU CPU ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1))"
  echo "- perfdhcp $("$PERFDHCP" -v 2>&1 | sed -n 's/^VERSION: //p' | head -1), $("$DNSMASQ" --version | head -1 | cut -d' ' -f1-3), java: ${JAVA:-none} ($( [ -n "$JAVA" ] && "$JAVA" -version 2>&1 | head -1))"
  echo "- per run: ${DURATION}s (perfdhcp -p), $CLIENTS client MACs (-R), DISCOVER/OFFER only (-i), warm-up ${WARMUP}s at 10000/s per server"
  echo "- mode: perfdhcp acts as a relay agent: DISCOVER from $CLI_IP:67 to 255.255.255.255:67 on the veth, giaddr=$CLI_IP, hops=1; servers answer to giaddr:67"
  echo "- pinned: server on CPU 0 (taskset -a -p -c 0 PID), perfdhcp on CPU 1 (taskset -c 1); unpinned: both free on all $NCPU CPUs"
  echo "- answers/s = received / test period; drops = sent - received; CPU-s/10k = server (utime+stime)/CLK_TCK over the run / received x 10000"
  echo
  echo "## Summary"
  echo
  summary
  echo
  echo "## All runs"
  echo
  table
  echo
  echo "## Notes"
  echo
  sed 's/^/- /' "$SUMMARY_NOTES"
  echo
  echo "## perfdhcp command lines (exactly as run)"
  echo
  echo '```'
  awk '!seen[$0]++' "$CMDLINES"
  echo '```'
} >"$RESULT"

echo
sed -n '/^## Summary/,/^## Notes/p' "$RESULT" | sed '$d'
sed -n '/^## Notes/,/^## perfdhcp/p' "$RESULT" | sed '$d'
log "written: $RESULT"
