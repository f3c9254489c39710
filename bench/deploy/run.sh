#!/usr/bin/env bash
# Deploy benchmark: the agent's writer (WriteImageCommand, JVM start included) next to the shell
# pipelines an operator or IPA would run, from HTTP on 127.0.0.1 (nginx, sendfile on) onto a loop
# device, each side hashing the download (sha256), on a raw image of 25% random data (4 random
# 1 MiB blocks in every 16 MiB, each block its own bytes), the rest zeros:
#   raw   : curl | tee >(sha256sum) | dd bs=4M iflag=fullblock conv=sparse,fsync
#   qcow2 : curl -o FILE; sha256sum FILE; qemu-img convert -f qcow2 -O raw FILE DEV; sync DEV (IPA)
#   zstd  : curl | tee >(sha256sum) | zstd -dc | dd bs=4M iflag=fullblock conv=sparse,fsync
#   sparse: the same data in a 20 GiB qcow2 onto a 20 GiB loop device, beside the 2 GiB qcow2.
# Runs alternate reference, metalboot, reference, ... (the host is shared); each run starts on a
# discarded (zeroed) loop device; medians of --runs. Every run is checked (exit status, checksum,
# metalboot's last line), and the device's bytes are compared with the image after the last run.
#
#   bench/deploy/run.sh [--runs N] [--size-mib N] [--sparse-gib N] [--cases "raw qcow2 zstd sparse"]
#                       [--disk-dir DIR] [--java-opts "OPTS"] [--no-build]
#
# --disk-dir: where the loop devices' backing files go (default /var/tmp, a real disk's filesystem;
# not tmpfs: a loop device on tmpfs has no write-zeroes, so BLKZEROOUT writes every zero).
# --java-opts: extra JVM options for metalboot's side (e.g. -Djdk.httpclient.bufsize=1048576).
# The images are served from /dev/shm when it has room (page cache), else /tmp.
# Needs root (losetup), curl, nginx (nginx-light), qemu-utils, zstd, util-linux, python3, bc, a
# JDK >= 21. Nothing listens beyond 127.0.0.1; nginx (by its PID) and the loop devices are
# stopped and detached on every exit path. Not part of CI. Prints a Markdown summary and writes
# it to bench/deploy/results/<UTC date-time>.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RUNS=5
SIZE_MIB=2048
SPARSE_GIB=20
CASES="raw qcow2 zstd sparse"
DISK_DIR=/var/tmp
JAVA_OPTS=""
BUILD=1
usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2;;
    --size-mib) SIZE_MIB="$2"; shift 2;;
    --sparse-gib) SPARSE_GIB="$2"; shift 2;;
    --cases) CASES="$2"; shift 2;;
    --disk-dir) DISK_DIR="$2"; shift 2;;
    --java-opts) JAVA_OPTS="$2"; shift 2;;
    --no-build) BUILD=0; shift;;
    -h|--help) usage; exit 0;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2;;
  esac
done
[ $((SIZE_MIB % 16)) = 0 ] || { echo "--size-mib must be a multiple of 16" >&2; exit 2; }
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
export PATH="$PATH:/usr/sbin:/sbin"
for tool in curl nginx qemu-img zstd losetup blkdiscard sha256sum python3 bc cmp; do
  command -v "$tool" >/dev/null \
    || { echo "needs $tool (apt-get install -y curl nginx-light qemu-utils zstd util-linux python3 bc)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "needs root (losetup)" >&2; exit 2; }
NGINX="$(command -v nginx)"

base=/dev/shm
need_mib=$((SIZE_MIB * 3 + 1024))
[ -d "$base" ] && [ "$(df -Pm "$base" | awk 'NR==2 {print $4}')" -gt "$need_mib" ] || base=/tmp
TMP="$(mktemp -d "$base/metalboot-deploybench.XXXXXX")"
chmod 755 "$TMP"   # nginx's workers run as another user and must reach the images
BACKING="$(mktemp -d "$DISK_DIR/metalboot-deploybench-loop.XXXXXX")"
PIDS=()
LOOPS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for dev in "${LOOPS[@]}"; do losetup -d "$dev" 2>/dev/null || true; done
  rm -rf "$BACKING" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- metalboot's side: target/agent-lib (what the ramdisk ships), copied so a rebuild cannot disturb it
cd "$REPO"
. scripts/select-jdk.sh
if [ "$BUILD" = 1 ]; then
  log "building ironic-agent (package, agent-lib)"
  ./mvnw -B -ntp -q -o -pl ironic-agent -am package -DskipTests >/dev/null 2>"$TMP/build.err" \
    || ./mvnw -B -ntp -q -pl ironic-agent -am package -DskipTests >/dev/null \
    || { cat "$TMP/build.err" >&2; exit 3; }
fi
[ -f ironic-agent/target/agent-lib/metalboot-ironic-agent.jar ] || { echo "no ironic-agent/target/agent-lib: build first" >&2; exit 3; }
cp -r ironic-agent/target/agent-lib "$TMP/agent-lib"
JAVA="$JAVA_HOME/bin/java"
JAVA_FLAGS=(--enable-native-access=ALL-UNNAMED)
# shellcheck disable=SC2206 # word-split on purpose: several options
[ -z "$JAVA_OPTS" ] || JAVA_FLAGS+=($JAVA_OPTS)
AGENT=("$JAVA" "${JAVA_FLAGS[@]}" -cp "$TMP/agent-lib/*" io.metalboot.agent.deploy.WriteImageCommand)

# --- the images: 25% random data in 1 MiB blocks (4 of every 16 MiB, the first MiB zero), the rest zeros
mkdir -p "$TMP/images"
cd "$TMP/images"
log "making a ${SIZE_MIB} MiB raw image (25% random), its qcow2, .zst and a ${SPARSE_GIB} GiB qcow2"
python3 - "$SIZE_MIB" disk.raw <<'PY'
import os, random, sys
mib, rng = int(sys.argv[1]), random.Random(20261201)
with open(sys.argv[2], "wb") as f:
    f.truncate(mib << 20)
    for group in range(0, mib, 16):
        for block in sorted(rng.sample(range(max(group, 1), group + 16), 4)):
            f.seek(block << 20)
            f.write(os.urandom(1 << 20))
PY
qemu-img convert -f raw -O qcow2 disk.raw disk.qcow2
zstd -q disk.raw -o disk.raw.zst
cp disk.qcow2 "disk-${SPARSE_GIB}g.qcow2"
qemu-img resize -q -f qcow2 "disk-${SPARSE_GIB}g.qcow2" "${SPARSE_GIB}G"
chmod 644 ./*
cat ./* >/dev/null   # in page cache
SIZE_BYTES=$(stat -c %s disk.raw)
SPARSE_BYTES=$((SPARSE_GIB << 30))
RAW_SUM=$(sha256sum disk.raw | cut -c1-64)
declare -A SUM
for f in disk.raw disk.qcow2 disk.raw.zst "disk-${SPARSE_GIB}g.qcow2"; do SUM[$f]=$(sha256sum "$f" | cut -c1-64); done
cd "$TMP"

# --- nginx, our own config, 127.0.0.1 only
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    default_type application/octet-stream;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    server {
        listen 127.0.0.1:$PORT;
        location /images/ { alias $TMP/images/; }
    }
}
CONF
"$NGINX" -e "$TMP/nginx/error.log" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
PIDS+=($!)
for _ in $(seq 1 200); do curl -s --noproxy '*' -o /dev/null -r 0-0 "http://127.0.0.1:$PORT/images/disk.raw" && break; sleep 0.1; done
curl -s --noproxy '*' -f -o /dev/null -r 0-0 "http://127.0.0.1:$PORT/images/disk.raw" || { echo "nginx did not come up" >&2; cat "$TMP/nginx/error.log" >&2; exit 3; }
URL="http://127.0.0.1:$PORT/images"

# --- the loop devices: sparse backing files, direct I/O where the kernel allows it
DIO=on
loop_for() { # bytes -> device
  local file dev
  file="$BACKING/disk-$1.img"
  truncate -s "$1" "$file"
  if ! dev=$(losetup --find --show --direct-io=on "$file" 2>/dev/null); then
    DIO=off
    dev=$(losetup --find --show "$file")
  fi
  LOOP="$dev"
  LOOPS+=("$dev")   # not in a subshell: cleanup must see it
}
loop_for "$SIZE_BYTES"; DEV_SMALL=$LOOP
DEV_LARGE=""
case " $CASES " in *" sparse "*) loop_for "$SPARSE_BYTES"; DEV_LARGE=$LOOP;; esac
[ "$(losetup -n -O DIO "$DEV_SMALL" | tr -d ' ')" = 1 ] || DIO=off
log "nginx on 127.0.0.1:$PORT; loop devices $DEV_SMALL ${DEV_LARGE:+and $DEV_LARGE }(direct I/O $DIO) on $BACKING"
zero() { # device: every byte reads as zero again, nothing of it in page cache
  local dev="$1" file
  file=$(losetup -n -O BACK-FILE "$dev" | sed 's/ *$//')
  blkdiscard -f "$dev" 2>/dev/null || { truncate -s 0 "$file"; truncate -s "$(blockdev --getsize64 "$dev")" "$file"; blockdev --flushbufs "$dev"; }
  rm -f "$TMP/download.qcow2"
}

# --- the two sides; each returns non-zero if anything went wrong
mkfifo "$TMP/hash.fifo"
hash_check() { # pid expected: waits for the sha256sum reading the fifo, compares
  wait "$1"
  [ "$(cut -c1-64 "$TMP/hash.out")" = "$2" ] || { echo "reference: sha256 $(cat "$TMP/hash.out") != $2" >&2; return 1; }
}
ref_raw() { # file device
  local h
  sha256sum <"$TMP/hash.fifo" >"$TMP/hash.out" & h=$!
  curl -sS --noproxy '*' -f "$URL/$1" | tee "$TMP/hash.fifo" | dd of="$2" bs=4M iflag=fullblock conv=sparse,fsync status=none
  hash_check "$h" "${SUM[$1]}"
}
ref_zstd() { # file device
  local h
  sha256sum <"$TMP/hash.fifo" >"$TMP/hash.out" & h=$!
  curl -sS --noproxy '*' -f "$URL/$1" | tee "$TMP/hash.fifo" | zstd -dc | dd of="$2" bs=4M iflag=fullblock conv=sparse,fsync status=none
  hash_check "$h" "${SUM[$1]}"
}
ref_qcow2() { # file device: what IPA does (download to a file, hash it, convert)
  curl -sS --noproxy '*' -f -o "$TMP/download.qcow2" "$URL/$1"
  [ "$(sha256sum "$TMP/download.qcow2" | cut -c1-64)" = "${SUM[$1]}" ] || { echo "reference: sha256 mismatch" >&2; return 1; }
  qemu-img convert -f qcow2 -O raw "$TMP/download.qcow2" "$2"
  sync "$2"
}
ours() { # file device
  local rc=0 last
  "${AGENT[@]}" --image "$URL/$1" --checksum "sha256:${SUM[$1]}" --target "$2" >"$TMP/ours.out" 2>"$TMP/ours.err" || rc=$?
  last=$(tail -n 1 "$TMP/ours.out")
  [ "$rc" = 0 ] && [[ "$last" == "write-image: ok: "* ]] || { echo "metalboot: exit $rc, last line: $last" >&2; cat "$TMP/ours.err" >&2; return 1; }
}
timed() { # command...: seconds, or exit 4 if the command failed
  local s e
  s=$(date +%s.%N)
  "$@" >"$TMP/run.log" 2>&1 || { echo "failed: $*" >&2; cat "$TMP/run.log" >&2; exit 4; }
  e=$(date +%s.%N)
  echo "$e - $s" | bc -l
}
verify() { # device bytes label: the device's first bytes equal the raw image's (the rest was discarded)
  cmp -s -n "$SIZE_BYTES" "$1" "$TMP/images/disk.raw" || { echo "$3: $1 differs from the image" >&2; exit 5; }
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A REF OURS SPREAD
measure() { # case file device ref-function
  local c="$1" file="$2" dev="$3" fn="$4" i r o
  : >"$TMP/ref.$c"; : >"$TMP/ours.$c"
  for i in $(seq 1 "$RUNS"); do
    zero "$dev"; r=$(timed "$fn" "$file" "$dev"); echo "$r" >>"$TMP/ref.$c"
    [ "$i" = "$RUNS" ] && verify "$dev" "$SIZE_BYTES" "$c reference"
    zero "$dev"; o=$(timed ours "$file" "$dev"); echo "$o" >>"$TMP/ours.$c"
    [ "$i" = "$RUNS" ] && verify "$dev" "$SIZE_BYTES" "$c metalboot"
    log "  $c run $i: reference $(printf %.2f "$r") s, metalboot $(printf %.2f "$o") s"
  done
  REF[$c]=$(median <"$TMP/ref.$c"); OURS[$c]=$(median <"$TMP/ours.$c")
  SPREAD[$c]="$(sort -g "$TMP/ref.$c" | awk '{printf "%s%.2f", (NR>1 ? "/" : ""), $1}') · $(sort -g "$TMP/ours.$c" | awk '{printf "%s%.2f", (NR>1 ? "/" : ""), $1}')"
}

log "warm-up (one run each, not counted)"
zero "$DEV_SMALL"; timed ref_raw disk.raw "$DEV_SMALL" >/dev/null
zero "$DEV_SMALL"; timed ours disk.raw "$DEV_SMALL" >/dev/null
for c in $CASES; do
  log "$c"
  case "$c" in
    raw) measure raw disk.raw "$DEV_SMALL" ref_raw;;
    qcow2) measure qcow2 disk.qcow2 "$DEV_SMALL" ref_qcow2;;
    zstd) measure zstd disk.raw.zst "$DEV_SMALL" ref_zstd;;
    sparse) measure sparse "disk-${SPARSE_GIB}g.qcow2" "$DEV_LARGE" ref_qcow2;;
    *) echo "unknown case $c" >&2; exit 2;;
  esac
done
tail -n 1 "$TMP/ours.out" | sed 's/^/[bench] metalboot: /' >&2

mbs() { echo "$1 / $2 / 1000000" | bc -l; }
declare -A PEER TARGET VIRT
PEER[raw]='`curl \| tee >(sha256sum) \| dd bs=4M iflag=fullblock conv=sparse,fsync`'
PEER[qcow2]='`curl -o F; sha256sum F; qemu-img convert -O raw F DEV; sync DEV`'
PEER[zstd]='`curl \| tee >(sha256sum) \| zstd -dc \| dd bs=4M iflag=fullblock conv=sparse,fsync`'
PEER[sparse]="${PEER[qcow2]}"
TARGET=([raw]=1.0 [qcow2]=1.0 [zstd]=1.5 [sparse]=1.0)
VIRT=([raw]=$SIZE_BYTES [qcow2]=$SIZE_BYTES [zstd]=$SIZE_BYTES [sparse]=$SPARSE_BYTES)
SIZE_TEXT=$([ $((SIZE_MIB % 1024)) = 0 ] && echo "$((SIZE_MIB / 1024)) GiB" || echo "$SIZE_MIB MiB")
declare -A LABEL=([raw]="raw, $SIZE_TEXT" [qcow2]="qcow2, $SIZE_TEXT" [zstd]="zstd of raw, $SIZE_TEXT"
  [sparse]="qcow2, ${SPARSE_GIB} GiB (the same data)")
out="$HERE/results/$(date -u +%Y-%m-%dT%H%M%SZ).md"
mkdir -p "$HERE/results"
{
  echo "# deploy benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Host: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg) at the end (shared);" \
       "JDK $("$JAVA" -version 2>&1 | head -1 | cut -d'"' -f2); nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'); $(curl --version | head -1 | cut -d' ' -f1-2);" \
       "qemu-img $(qemu-img --version | head -1 | awk '{print $3}'); zstd $(zstd -V | grep -o 'v[0-9.]*'); $(dd --version | head -1)."
  echo "Image: $SIZE_MIB MiB raw, $(du -m "$TMP/images/disk.raw" | cut -f1) MiB of it random data (4 random 1 MiB blocks in every 16 MiB);" \
       "qcow2 $(du -m --apparent-size "$TMP/images/disk.qcow2" | cut -f1) MiB, .zst $(du -m --apparent-size "$TMP/images/disk.raw.zst" | cut -f1) MiB, ${SPARSE_GIB} GiB qcow2 $(du -m --apparent-size "$TMP/images/disk-${SPARSE_GIB}g.qcow2" | cut -f1) MiB;" \
       "served by nginx (sendfile on) on 127.0.0.1 from $base; written to loop devices (direct I/O $DIO) backed by sparse files in $(df --output=fstype "$BACKING" | tail -1) ($DISK_DIR), discarded before every run."
  echo "metalboot: \`java --enable-native-access=ALL-UNNAMED -cp 'agent-lib/*' io.metalboot.agent.deploy.WriteImageCommand --image URL --checksum sha256:HEX --target DEV\`${JAVA_OPTS:+ with \`$JAVA_OPTS\`}, the JVM's start included."
  echo "MB/s of image (virtual) size, median of $RUNS runs, reference and metalboot alternating; every run checked, the device compared with the image after the last."
  echo
  echo "| image | reference | reference MB/s (s) | metalboot MB/s (s) | metalboot ÷ reference | target | runs, s (reference · metalboot) |"
  echo "|---|---|---|---|---|---|---|"
  for c in $CASES; do
    ratio=$(echo "${REF[$c]} / ${OURS[$c]}" | bc -l)
    met=$(echo "$ratio >= ${TARGET[$c]}" | bc -l)
    printf '| %s | %s | %.0f (%.2f) | %.0f (%.2f) | %.2f× | ≥ %s× %s | %s |\n' "${LABEL[$c]}" "${PEER[$c]}" \
      "$(mbs "${VIRT[$c]}" "${REF[$c]}")" "${REF[$c]}" "$(mbs "${VIRT[$c]}" "${OURS[$c]}")" "${OURS[$c]}" \
      "$ratio" "${TARGET[$c]}" "$([ "$met" = 1 ] && echo met || echo '**missed**')" "${SPREAD[$c]}"
  done
  if [ -n "${OURS[sparse]:-}" ] && [ -n "${OURS[qcow2]:-}" ]; then
    echo
    printf 'Sparse: the same %s MiB of data in a %s and a %s GiB qcow2 (%s× the size): metalboot %.2f s → %.2f s (%.2f×), the reference %.2f s → %.2f s (%.2f×).\n' \
      "$(du -m "$TMP/images/disk.raw" | cut -f1)" "$SIZE_TEXT" "$SPARSE_GIB" "$((SPARSE_GIB * 1024 / SIZE_MIB))" \
      "${OURS[qcow2]}" "${OURS[sparse]}" "$(echo "${OURS[sparse]} / ${OURS[qcow2]}" | bc -l)" \
      "${REF[qcow2]}" "${REF[sparse]}" "$(echo "${REF[sparse]} / ${REF[qcow2]}" | bc -l)"
  fi
} | tee "$out"
