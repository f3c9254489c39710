#!/usr/bin/env bash
# ProxyDHCP benchmark: Kea's perfdhcp as the load, over veth pairs between private network
# namespaces, against (1) a trivial C responder = perfdhcp's own ceiling, (2) metalboot,
# (3) dnsmasq in ProxyDHCP mode. All three run side by side (one namespace each) and every load
# step is run against each of them in turn, so they see the same traffic under the same host load.
#
#   bench/dhcp/run.sh [--appliance-dir DIR] [--duration S] [--warmup S] [--rates "5000 10000 ..."]
#                     [--fixed-rate R] [--clients N] [--servers "trivial metalboot dnsmasq"]
#                     [--retries N] [--other-max PCT] [--no-pin] [--no-build]
#
# Needs root, perfdhcp (kea-admin), dnsmasq (dnsmasq-base), iproute2, gcc, tcpdump, util-linux.
# Traffic stays inside namespaces named mbb-<random>-*; they are deleted on every exit path.
# Writes bench/dhcp/results/<UTC date-time>.md. See bench/dhcp/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

APPLIANCE_DIR="$REPO/pxe-server/target/appliance"
APPLIANCE_DIR_GIVEN=0
DURATION=10
WARMUP=10
RATES="5000 10000 15000 20000 25000 30000 40000 50000"
FIXED_RATE=5000
CLIENTS=10000
PIN=1
BUILD=1
SERVERS="trivial metalboot dnsmasq"
DROP_LIMIT_PCT="0.1"      # "sustained" = drops below this percentage
STOP_AFTER_FAILS=2        # a server's ramp stops after this many consecutive failing rates
RETRIES=2                 # re-run a step when other processes loaded the host during it ...
OTHER_MAX=20              # ... by more than this % of one core

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --appliance-dir) APPLIANCE_DIR="$2"; APPLIANCE_DIR_GIVEN=1; shift 2;;
    --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    --rates) RATES="$2"; shift 2;;
    --fixed-rate) FIXED_RATE="$2"; shift 2;;
    --clients) CLIENTS="$2"; shift 2;;
    --servers) SERVERS="$2"; shift 2;;
    --retries) RETRIES="$2"; shift 2;;
    --other-max) OTHER_MAX="$2"; shift 2;;
    --no-pin) PIN=0; shift;;
    --no-build) BUILD=0; shift;;
    -h|--help) usage; exit 0;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2;;
  esac
done
case "$DURATION$WARMUP$CLIENTS$FIXED_RATE$RETRIES$OTHER_MAX$(echo "$RATES" | tr -d ' ')" in
  *[!0-9]*|"") echo "--duration/--warmup/--clients/--fixed-rate/--rates take integers" >&2; exit 2;;
esac
[ "$DURATION" -ge 1 ] || { echo "--duration must be >= 1" >&2; exit 2; }
for s in $SERVERS; do case "$s" in trivial|metalboot|dnsmasq) ;; *) echo "unknown server: $s" >&2; exit 2;; esac; done
# ascending, unique, fixed rate included
STEPS="$(printf '%s\n' $RATES "$FIXED_RATE" | sort -n -u | tr '\n' ' ')"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces)"
PATH="$PATH:/usr/sbin:/sbin"
for t in perfdhcp dnsmasq ip gcc taskset tcpdump getconf awk od timeout; do
  command -v "$t" >/dev/null 2>&1 || die "missing tool: $t (perfdhcp: apt-get install kea-admin; dnsmasq: dnsmasq-base)"
done
PERFDHCP="$(command -v perfdhcp)"
DNSMASQ="$(command -v dnsmasq)"
NCPU="$(getconf _NPROCESSORS_ONLN)"
CLK_TCK="$(getconf CLK_TCK)"
if [ "$PIN" -eq 1 ] && [ "$NCPU" -lt 2 ]; then log "only $NCPU CPU: no pinned runs"; PIN=0; fi
MODES="unpinned"; [ "$PIN" -eq 1 ] && MODES="unpinned pinned"

# ---------------------------------------------------------------- private lab + cleanup
SUF="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
NS_C="mbb-$SUF-cli"
WORK="$(mktemp -d /tmp/mbb-bench.XXXXXX)"
declare -A NS IFS_ IFC SIP CIP NET PID
k=0
for s in $SERVERS; do
  NS[$s]="mbb-$SUF-$s"; IFS_[$s]="mbb${SUF}s$k"; IFC[$s]="mbb${SUF}c$k"   # <= 15 chars
  NET[$s]="10.213.$((77 + k)).0"; SIP[$s]="10.213.$((77 + k)).1"; CIP[$s]="10.213.$((77 + k)).2"
  PID[$s]=""
  k=$((k + 1))
done

kill_server() { # name: SIGTERM, then SIGKILL after 10 s
  local p="${PID[$1]:-}"
  [ -n "$p" ] || return 0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  PID[$1]=""
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for s in $SERVERS; do kill_server "$s"; done
  for s in $SERVERS; do ip netns del "${NS[$s]}" 2>/dev/null || true; done
  ip netns del "$NS_C" 2>/dev/null || true
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$NS_C"
ip -n "$NS_C" link set lo up
for s in $SERVERS; do
  ip netns add "${NS[$s]}"
  ip -n "${NS[$s]}" link set lo up
  ip link add "${IFS_[$s]}" type veth peer name "${IFC[$s]}"
  ip link set "${IFS_[$s]}" netns "${NS[$s]}"
  ip link set "${IFC[$s]}" netns "$NS_C"
  ip -n "${NS[$s]}" addr add "${SIP[$s]}/24" dev "${IFS_[$s]}"
  ip -n "$NS_C" addr add "${CIP[$s]}/24" dev "${IFC[$s]}"
  ip -n "${NS[$s]}" link set "${IFS_[$s]}" up
  ip -n "$NS_C" link set "${IFC[$s]}" up
  log "lab: $s in ${NS[$s]} (${IFS_[$s]} ${SIP[$s]}) <-veth-> $NS_C (${IFC[$s]} ${CIP[$s]})"
done

# ---------------------------------------------------------------- builds
log "building trivial responder (gcc -O2)"
gcc -O2 -Wall -o "$WORK/trivial_responder" "$HERE/trivial_responder.c"

JAVA=""; JAVA_HOME_FOUND=""
for d in /usr/lib/jvm/*/; do
  d="${d%/}"
  [ -x "$d/bin/java" ] && [ ! -L "$d" ] || continue
  v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release" 2>/dev/null || true)"
  [ -n "$v" ] || v="$("$d/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')"
  if [ -n "$v" ] && [ "$v" -ge 21 ]; then JAVA="$d/bin/java"; JAVA_HOME_FOUND="$d"; break; fi
done
METALBOOT_SKIP=""
if [[ " $SERVERS " == *" metalboot "* ]]; then
  JAR="$APPLIANCE_DIR/metalboot-pxe-server.jar"
  if [ -z "$JAVA" ]; then
    METALBOOT_SKIP="no JDK >= 21 under /usr/lib/jvm"
  else
    if [ ! -f "$JAR" ] && [ "$BUILD" -eq 1 ] && [ "$APPLIANCE_DIR_GIVEN" -eq 0 ]; then
      log "appliance jar missing: building it (./mvnw -q -B -DskipTests package)"
      if ! (cd "$REPO" && JAVA_HOME="$JAVA_HOME_FOUND" ./mvnw -q -B -DskipTests package) >"$WORK/mvn.log" 2>&1; then
        log "build failed (tail of log):"; grep -v '^WARNING' "$WORK/mvn.log" | tail -15 >&2 || true
      fi
    fi
    if [ -f "$JAR" ]; then
      # run a private copy: a rebuild in the work tree during the benchmark must not affect it
      mkdir -p "$WORK/appliance"; cp -a "$APPLIANCE_DIR/." "$WORK/appliance/"
      JAR_RUN="$WORK/appliance/metalboot-pxe-server.jar"
    else
      METALBOOT_SKIP="appliance jar not found: $JAR (build: JAVA_HOME=$JAVA_HOME_FOUND ./mvnw -q -B -DskipTests package)"
    fi
  fi
  [ -z "$METALBOOT_SKIP" ] || log "SKIPPING metalboot: $METALBOOT_SKIP"
fi

# ---------------------------------------------------------------- instruments
# utime+stime (ticks) of a server process, all threads included
cpu_ticks() { local p="${PID[$1]:-}"; [ -n "$p" ] && awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0; }
# UDP counters of a namespace: InDatagrams OutDatagrams RcvbufErrors SndbufErrors
udp_counters() {
  ip netns exec "$1" awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 } else
    print $c["InDatagrams"], $c["OutDatagrams"], $c["RcvbufErrors"], $c["SndbufErrors"] }' /proc/net/snmp
}
# host-wide process CPU (user+nice+system) and total ticks, all CPUs
host_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print $2 + $3 + $4, t }' /proc/stat; }
# CPU ticks of this shell's waited-for children (perfdhcp and its wrappers). `times` must run in
# this shell, not in a $(...) subshell (a fresh fork has no children yet): write to a file.
child_ticks() {
  times >"$WORK/times.txt"   # line 2: children's "XmY.YYYs XmZ.ZZZs"
  awk -v hz="$CLK_TCK" 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%d\n", t * hz + 0.5 }' "$WORK/times.txt"
}

# ---------------------------------------------------------------- load generator
# option 60 = "PXEClient:Arch:00007:UNDI:003000", option 93 = 0x0007 (x64 UEFI)
OPT60="$(printf 'PXEClient:Arch:00007:UNDI:003000' | od -An -tx1 | tr -d ' \n')"
CMDLINES="$WORK/cmdlines.txt"; : >"$CMDLINES"

# perfdhcp_run SERVER OUT_PREFIX RATE|max PINNED(0/1) SECONDS -> OUT_PREFIX.out, OUT_PREFIX.kv
perfdhcp_run() {
  local s="$1" out="$2" rate="$3" pinned="$4" secs="$5"
  local -a cmd=("$PERFDHCP" -4 -l "${IFC[$s]}" -i -R "$CLIENTS" -o "60,$OPT60" -o "93,0007" -W 200000)
  [ "$rate" = "max" ] || cmd+=(-r "$rate")
  cmd+=(-p "$secs")
  local -a pre=()
  [ "$pinned" -eq 1 ] && pre=(taskset -c 1)
  echo "ip netns exec $NS_C ${pre[*]} ${cmd[*]}" | sed 's/  */ /g' >>"$CMDLINES"
  local t0 t1 h0 h1 c0 c1 s0 s1 k0 k1
  child_ticks >"$WORK/c0"; t0="$(cpu_ticks "$s")"; h0="$(host_ticks)"; c0="$(cat "$WORK/c0")"
  s0="$(udp_counters "${NS[$s]}")"; k0="$(udp_counters "$NS_C")"
  # perfdhcp stops by itself after -p; timeout is only a safety net
  timeout --kill-after=5 $((secs + 30)) ip netns exec "$NS_C" "${pre[@]}" "${cmd[@]}" >"$out.out" 2>&1 || true
  child_ticks >"$WORK/c1"; t1="$(cpu_ticks "$s")"; h1="$(host_ticks)"; c1="$(cat "$WORK/c1")"
  s1="$(udp_counters "${NS[$s]}")"; k1="$(udp_counters "$NS_C")"
  awk -v secs="$secs" -v ticks=$((t1 - t0)) -v hz="$CLK_TCK" -v pt=$((c1 - c0)) -v ncpu="$NCPU" \
      -v h0="$h0" -v h1="$h1" -v s0="$s0" -v s1="$s1" -v k0="$k0" -v k1="$k1" -v la="$(cut -d' ' -f1 /proc/loadavg)" '
    function num(x) { sub(/ ms$/, "", x); return x }
    /^sent packets:/ && s == "" { s = $3 }
    /^received packets:/ && r == "" { r = $3 }
    /^orphans:/ && o == "" { o = $2 }
    /^min delay:/ && mn == "" { mn = num($3) }
    /^avg delay:/ && av == "" { av = num($3) }
    /^max delay:/ && mx == "" { mx = num($3) }
    /^std deviation:/ && sdv == "" { sdv = num($3) }
    END {
      s += 0; r += 0
      split(h0, a); split(h1, b); split(s0, x); split(s1, y); split(k0, p); split(k1, q)
      printf "sent=%d\nrecv=%d\ndrops=%d\n", s, r, s - r
      printf "droppct=%.3f\n", (s > 0 ? 100 * (s - r) / s : 100)
      printf "aps=%.0f\n", r / secs
      printf "orphans=%s\nmin=%s\navg=%s\nmax=%s\nstd=%s\n", (o == "" ? 0 : o), mn, av, mx, sdv
      printf "cpus=%.2f\n", ticks / hz
      printf "cpu10k=%s\n", (r > 0 ? sprintf("%.3f", ticks / hz / r * 10000) : "n/a")
      printf "perfcpu=%.2f\n", pt / hz
      printf "hostbusy=%.0f\n", (b[2] > a[2] ? 100 * (b[1] - a[1]) / (b[2] - a[2]) : 0)
      # CPU used by everything except this server and perfdhcp, in % of one core
      o = (b[2] > a[2] ? 100 * ((b[1] - a[1]) - ticks - pt) / ((b[2] - a[2]) / ncpu) : 0)
      printf "other=%.0f\n", (o < 0 ? 0 : o)
      printf "load=%s\n", la
      printf "srvin=%d\nsrvout=%d\nsrvrcvbuf=%d\nsrvsndbuf=%d\n", y[1] - x[1], y[2] - x[2], y[3] - x[3], y[4] - x[4]
      printf "cliin=%d\nclircvbuf=%d\n", q[1] - p[1], q[3] - p[3]
    }' "$out.out" >"$out.kv"
}
kv() { sed -n "s/^$2=//p" "$1.kv" 2>/dev/null; }

# ---------------------------------------------------------------- servers
wait_for_line() { # SERVER FILE REGEX TIMEOUT_S
  local i
  for i in $(seq 1 $(($4 * 10))); do
    grep -q "$3" "$2" 2>/dev/null && return 0
    kill -0 "${PID[$1]}" 2>/dev/null || { log "$1 exited before '$3'"; return 1; }
    sleep 0.1
  done
  log "$1: timeout waiting for '$3'"; return 1
}

start_server() {
  local s="$1" logf="$WORK/$1.log"
  case "$s" in
    trivial)
      ip netns exec "${NS[$s]}" "$WORK/trivial_responder" "${IFS_[$s]}" "${SIP[$s]}" 2>"$logf" &
      PID[$s]=$!
      wait_for_line "$s" "$logf" '^ready' 10 ;;
    dnsmasq)
      # ProxyDHCP on the subnet, one PXE service per architecture, no prompt.
      # --quiet-dhcp: no per-packet log line (metalboot runs at log-level info: none either).
      ip netns exec "${NS[$s]}" "$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --pid-file= \
        --port=0 --interface="${IFS_[$s]}" --bind-interfaces \
        --dhcp-range="${NET[$s]},proxy" \
        --pxe-service=x86PC,"metalboot",undionly.kpxe \
        --pxe-service=x86-64_EFI,"metalboot",snponly.efi \
        --pxe-service=BC_EFI,"metalboot",snponly.efi \
        --dhcp-leasefile="$WORK/dnsmasq.leases" --log-facility="$logf" --quiet-dhcp &
      PID[$s]=$!
      wait_for_line "$s" "$logf" 'DHCP, proxy on subnet' 10 ;;
    metalboot)
      cat >"$WORK/metalboot.yaml" <<EOF
log-level: info
state-dir: $WORK/state
dhcp:
  interface: ${IFS_[$s]}
# only the ProxyDHCP is measured
tftp:
  enabled: false
http:
  enabled: false
EOF
      ip netns exec "${NS[$s]}" "$JAVA" --enable-native-access=ALL-UNNAMED -Xms256m \
        -jar "$JAR_RUN" --config "$WORK/metalboot.yaml" >"$logf" 2>&1 &
      PID[$s]=$!
      wait_for_line "$s" "$logf" 'metalboot started' 90 ;;
  esac
}

pin_all() { # 1 = servers on CPU 0, 0 = all CPUs
  local s cpus="0-$((NCPU - 1))"
  [ "$1" -eq 1 ] && cpus=0
  for s in $ACTIVE; do taskset -a -p -c "$cpus" "${PID[$s]}" >/dev/null; done
}

# A few DISCOVERs at a low rate; capture the replies and check the OFFER's fields.
check_replies() {
  local s="$1" pcap="$WORK/$1.pcap"
  ip netns exec "$NS_C" timeout 15 tcpdump -U -n -i "${IFC[$s]}" -w "$pcap" -c 20 "udp and src host ${SIP[$s]}" >/dev/null 2>&1 &
  local tdp=$!
  sleep 1
  perfdhcp_run "$s" "$WORK/$s.check" 50 0 1
  sleep 0.3; kill "$tdp" 2>/dev/null || true; wait "$tdp" 2>/dev/null || true
  tcpdump -n -vv -r "$pcap" 2>/dev/null >"$WORK/$s.check.txt" || true
  awk -v srv="${SIP[$s]}" -v cli="${CIP[$s]}" '
    /^[0-9][0-9]:/ { n++ }
    /^    [0-9.]+ > [0-9.]+:/ { if ($1 == srv ".67" && $3 == cli ".67:") dst++ }
    /Your-IP/ { yi++ }
    /Server-IP/ && $2 == srv { si++ }
    /DHCP-Message \(53\).*Offer/ { offer++ }
    /Server-ID \(54\).*: / && $NF == srv { sid++ }
    /Vendor-Class \(60\).*"PXEClient"/ { v60++ }
    /^[ \t]*file "/ { f[$2]++; fil++ }
    /Vendor-Option \(43\)/ { v43++ }
    END {
      files = ""; for (k in f) files = files (files == "" ? "" : ",") k
      printf "replies=%d, to giaddr:67=%d, OFFER=%d, yiaddr 0.0.0.0=%d, siaddr=server %d, opt54=server %d, opt60 PXEClient=%d, opt43=%d, boot file=%d%s\n",
        n, dst, offer, n - yi, si, sid, v60, v43, fil, (files == "" ? "" : " " files)
    }' "$WORK/$s.check.txt" >"$WORK/$s.check.summary"
  log "$s reply check: $(cat "$WORK/$s.check.summary")"
}

ROWS="$WORK/rows.tsv"; : >"$ROWS"   # server mode rate prefix
NOTES="$WORK/notes.txt"; : >"$NOTES"

record() { # server mode rate prefix
  local p="$4"
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$p" >>"$ROWS"
  log "$(printf '%-9s %-8s %6s/s -> %6s ans/s, drops %5s (%s%%), lat avg %s max %s ms, CPU %s s/10k, srv in/out %s/%s rcvbuf-err %s, cli rcvbuf-err %s, host busy %s%%, other %s%%' \
    "$1" "$2" "$3" "$(kv "$p" aps)" "$(kv "$p" drops)" "$(kv "$p" droppct)" "$(kv "$p" avg)" "$(kv "$p" max)" \
    "$(kv "$p" cpu10k)" "$(kv "$p" srvin)" "$(kv "$p" srvout)" "$(kv "$p" srvrcvbuf)" "$(kv "$p" clircvbuf)" "$(kv "$p" hostbusy)" "$(kv "$p" other)")"
}
failed() { awk -v a="$(kv "$1" droppct)" -v l="$DROP_LIMIT_PCT" 'BEGIN { exit !(a >= l) }'; }

# ---------------------------------------------------------------- run
ACTIVE=""
for s in $SERVERS; do
  if [ "$s" = metalboot ] && [ -n "$METALBOOT_SKIP" ]; then
    echo "metalboot: SKIPPED: $METALBOOT_SKIP" >>"$NOTES"; continue
  fi
  log "starting $s"
  if start_server "$s"; then
    ACTIVE="$ACTIVE $s"
  else
    log "$s did not start; log tail:"; tail -20 "$WORK/$s.log" >&2 || true
    { echo "$s: FAILED TO START; log tail:"; tail -20 "$WORK/$s.log" | sed 's/^/    /'; } >>"$NOTES"
    kill_server "$s"
  fi
done
[ -n "$ACTIVE" ] || die "no server started"

for s in $ACTIVE; do
  check_replies "$s"
  echo "$s reply check (20 OFFERs at 50/s, tcpdump): $(cat "$WORK/$s.check.summary")" >>"$NOTES"
done
for s in $ACTIVE; do
  log "$s: warm-up ${WARMUP}s at 10000/s (not measured)"
  perfdhcp_run "$s" "$WORK/$s.warmup" 10000 0 "$WARMUP"
  sleep 1
done

for mode in $MODES; do
  p=0; [ "$mode" = pinned ] && p=1
  pin_all "$p"
  declare -A FAILS=()
  for s in $ACTIVE; do FAILS[$s]=0; done
  for r in $STEPS max; do
    for s in $ACTIVE; do
      [ "$r" = max ] || [ "${FAILS[$s]}" -lt "$STOP_AFTER_FAILS" ] || continue
      for attempt in $(seq 0 "$RETRIES"); do
        sleep 1
        perfdhcp_run "$s" "$WORK/$s.$mode.$r" "$r" "$p" "$DURATION"
        [ "$(kv "$WORK/$s.$mode.$r" other)" -gt "$OTHER_MAX" ] || break
        [ "$attempt" -lt "$RETRIES" ] || { echo "$s $mode $r/s: other processes used $(kv "$WORK/$s.$mode.$r" other)% of a core during the run (kept after $RETRIES retries)" >>"$NOTES"; break; }
        log "$s $mode $r/s: other processes used $(kv "$WORK/$s.$mode.$r" other)% of a core during the run: again"
        sleep 5
      done
      record "$s" "$mode" "$r" "$WORK/$s.$mode.$r"
      [ "$r" = max ] && continue
      if failed "$WORK/$s.$mode.$r"; then FAILS[$s]=$((FAILS[$s] + 1)); else FAILS[$s]=0; fi
    done
  done
done

for s in $ACTIVE; do kill_server "$s"; done
for s in $ACTIVE; do
  case "$s" in
    metalboot) { grep -h 'counters' "$WORK/metalboot.log" | tail -1 | sed 's/^/metalboot exit counters: /'
                 grep -hiE 'exception|error|warn|severe' "$WORK/metalboot.log" | sort | uniq -c | sort -rn | head -10 | sed 's/^ */metalboot log (count) /'; } >>"$NOTES" || true ;;
    trivial)   tail -1 "$WORK/trivial.log" | sed 's/^/trivial responder exit counters: /' >>"$NOTES" ;;
    dnsmasq)   grep -hiE 'error|fail|warn' "$WORK/dnsmasq.log" | head -5 | sed 's/^/dnsmasq log: /' >>"$NOTES" || true ;;
  esac
done

# ---------------------------------------------------------------- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'; }
prefix_of() { awk -F'\t' -v s="$1" -v m="$2" -v r="$3" '$1 == s && $2 == m && $3 == r { print $4 }' "$ROWS"; }
best_of() { # server mode -> "rate prefix" of the highest offered rate with drops < limit
  local b="" bp="" s m r p
  while IFS=$'\t' read -r s m r p; do
    [ "$s" = "$1" ] && [ "$m" = "$2" ] && [ "$r" != max ] || continue
    failed "$p" && continue
    if [ -z "$b" ] || [ "$r" -gt "$b" ]; then b="$r"; bp="$p"; fi
  done <"$ROWS"
  [ -z "$b" ] || echo "$b $bp"
}

table() {
  echo '| server | pin | offered/s | answers/s | sent | drops (sent-recv) | drop % | latency min/avg/max/std ms | CPU-s per 10k answers | server UDP in/out | rcvbuf errors srv/perfdhcp | perfdhcp CPU-s | host busy % / other load % | vs dnsmasq | vs ceiling |'
  echo '|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|'
  local s m r p d t
  while IFS=$'\t' read -r s m r p; do
    d="$(prefix_of dnsmasq "$m" "$r")"; t="$(prefix_of trivial "$m" "$r")"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s/%s/%s/%s | %s | %s/%s | %s/%s | %s | %s/%s | %s | %s |\n' \
      "$s" "$m" "$r" "$(kv "$p" aps)" "$(kv "$p" sent)" "$(kv "$p" drops)" "$(kv "$p" droppct)" \
      "$(kv "$p" min)" "$(kv "$p" avg)" "$(kv "$p" max)" "$(kv "$p" std)" "$(kv "$p" cpu10k)" \
      "$(kv "$p" srvin)" "$(kv "$p" srvout)" "$(kv "$p" srvrcvbuf)" "$(kv "$p" clircvbuf)" "$(kv "$p" perfcpu)" "$(kv "$p" hostbusy)" "$(kv "$p" other)" \
      "$( [ -n "$d" ] && ratio "$(kv "$p" aps)" "$(kv "$d" aps)" || echo -)" \
      "$( [ -n "$t" ] && ratio "$(kv "$p" aps)" "$(kv "$t" aps)" || echo -)"
  done < <(for m in $MODES; do for s in $ACTIVE; do awk -F'\t' -v s="$s" -v m="$m" '$1 == s && $2 == m' "$ROWS"; done; done)
}

summary() {
  echo "| server | pin | max sustained offered/s (drops < $DROP_LIMIT_PCT %) | answers/s there | latency avg/max ms there | saturated answers/s (no -r) | drops at $FIXED_RATE/s | latency avg/max ms at $FIXED_RATE/s | CPU-s per 10k at $FIXED_RATE/s | max sustained vs dnsmasq | vs ceiling | CPU vs dnsmasq |"
  echo '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
  local s m best bp bd bt f fd
  for m in $MODES; do for s in $ACTIVE; do
    read -r best bp <<<"$(best_of "$s" "$m")" || true
    read -r bd _ <<<"$(best_of dnsmasq "$m")" || true
    read -r bt _ <<<"$(best_of trivial "$m")" || true
    f="$(prefix_of "$s" "$m" "$FIXED_RATE")"; fd="$(prefix_of dnsmasq "$m" "$FIXED_RATE")"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$s" "$m" "${best:-none}" \
      "$( [ -n "$bp" ] && kv "$bp" aps || echo -)" "$( [ -n "$bp" ] && echo "$(kv "$bp" avg)/$(kv "$bp" max)" || echo -)" \
      "$(kv "$WORK/$s.$m.max" aps)" "$(kv "$f" drops)" "$(kv "$f" avg)/$(kv "$f" max)" "$(kv "$f" cpu10k)" \
      "$(ratio "$best" "$bd")" "$(ratio "$best" "$bt")" \
      "$( [ -n "$fd" ] && ratio "$(kv "$f" cpu10k)" "$(kv "$fd" cpu10k)" || echo -)"
  done; done
}

STAMP="$(date -u +%Y-%m-%d-%H%M)"
mkdir -p "$HERE/results"
RESULT="$HERE/results/$STAMP.md"
{
  echo "# ProxyDHCP benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- repo: $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$REPO" && [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (work tree has uncommitted changes)')"
  echo "- host: Linux $(uname -r), $NCPU CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1))"
  echo "- perfdhcp $("$PERFDHCP" -v 2>&1 | sed -n 's/^VERSION: //p' | head -1); $("$DNSMASQ" --version | head -1 | cut -d' ' -f1-3); java: $( [ -n "$JAVA" ] && "$JAVA" -version 2>&1 | head -1 || echo none)"
  echo "- each run: ${DURATION} s (perfdhcp -p), $CLIENTS client MACs (-R), DISCOVER/OFFER only (-i); warm-up ${WARMUP} s at 10000/s per server before measuring"
  echo "- traffic: perfdhcp acts as a relay agent: DISCOVER from <client veth IP>:67 to 255.255.255.255:67, giaddr = client veth IP, hops = 1; every server answers to giaddr:67"
  echo "- every rate step is run against each server in turn (servers side by side, one namespace and veth pair each)"
  echo "- pinned: servers on CPU 0 (taskset -a -p -c 0), perfdhcp on CPU 1 (taskset -c 1); unpinned: no affinity"
  echo "- answers/s = received / run time; drops = sent - received; CPU-s per 10k = server process (utime+stime)/CLK_TCK over the run / received x 10000"
  echo "- host busy % = process CPU of the whole host (all CPUs) during the run; other load % = what processes other than this server and perfdhcp used, in % of one core (a step is re-run up to $RETRIES times when it is above $OTHER_MAX %)"
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
  sed 's/^/- /' "$NOTES"
  echo
  for s in $ACTIVE; do
    echo "### First reply of $s (tcpdump -vv)"
    echo
    echo '```'
    awk '/^[0-9][0-9]:/ { n++ } n == 1' "$WORK/$s.check.txt"
    echo '```'
    echo
  done
  echo "## perfdhcp command lines (as run)"
  echo
  echo '```'
  awk '!seen[$0]++' "$CMDLINES"
  echo '```'
} >"$RESULT"

echo
sed -n '/^## Summary/,/^## Notes/p' "$RESULT" | sed '$d'
sed -n '/^## Notes/,/^### /p' "$RESULT" | sed '$d'
log "written: $RESULT"
