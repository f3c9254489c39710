#!/usr/bin/env bash
# Image-read benchmark: metalboot's ImageReader next to the reference tools, on the same images,
# in one run, from files in page cache (tmpfs). The image is an ext4 filesystem populated from a
# directory tree by mke2fs -d (a real filesystem's layout, mostly zeros), then converted:
#   qcow2, qcow2 -c (zlib), qcow2 -c zstd: qemu-img convert -O raw to a file with sha256sum of the
#       source in the same pipeline, against ImageReader with sha256;
#   .zst: zstd -dc > /dev/null; .gz: gzip -dc | dd; .xz: xz -dc | dd;
#   sparse: the same data in a 1 GiB and a 20 GiB qcow2 (time must follow the data, not the size).
# metalboot's side reads into a sink that consumes the extents (zeros not materialised).
#
#   bench/image-read/run.sh [--runs N] [--tree DIR] [--fs-mib N] [--no-build]
#
# Needs qemu-utils, zstd, xz-utils, gzip, e2fsprogs, a JDK >= 21. Runs as any user; writes only
# under its own temporary directory (removed on exit). Not part of CI. Prints a Markdown summary
# and writes it to bench/image-read/results/<UTC date-time>.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RUNS=5
TREE=/usr/share
FS_MIB=3072
BUILD=1
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2;;
    --tree) TREE="$2"; shift 2;;
    --fs-mib) FS_MIB="$2"; shift 2;;
    --no-build) BUILD=0; shift;;
    -h|--help) usage; exit 0;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2;;
  esac
done
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
export PATH="$PATH:/usr/sbin:/sbin"
for tool in qemu-img qemu-io zstd xz gzip mke2fs sha256sum; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install -y qemu-utils zstd xz-utils e2fsprogs)" >&2; exit 2; }
done

base=/dev/shm
[ -d "$base" ] && [ "$(df -Pm "$base" | awk 'NR==2 {print $4}')" -gt $((FS_MIB * 4)) ] || base=/tmp
TMP="$(mktemp -d "$base/metalboot-imagebench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

cd "$REPO"
. scripts/select-jdk.sh
if [ "$BUILD" = 1 ]; then
  log "building the test classes and their classpath"
  ./mvnw -B -q -o -pl image-format test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null 2>"$TMP/build.err" \
    || ./mvnw -B -q -pl image-format test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null \
    || { cat "$TMP/build.err" >&2; exit 3; }
fi
mkdir -p "$TMP/classes"
cp -r image-format/target/classes "$TMP/classes/main"
cp -r image-format/target/test-classes "$TMP/classes/test"
CP="$TMP/classes/test:$TMP/classes/main:$(cat image-format/target/bench-classpath.txt)"
JAVA="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED"

log "making the images (ext4 of ${FS_MIB} MiB from $TREE)"
cd "$TMP"
mke2fs -q -t ext4 -d "$TREE" -F disk.raw "${FS_MIB}M" 2>/dev/null || mke2fs -q -t ext4 -d "$TREE" -F disk.raw "${FS_MIB}M"
qemu-img convert -f raw -O qcow2 disk.raw disk.qcow2
qemu-img convert -f raw -O qcow2 -c disk.raw disk-zlib.qcow2
qemu-img convert -f raw -O qcow2 -c -o compression_type=zstd disk.raw disk-zstd.qcow2
zstd -q -T0 -c disk.raw > disk.raw.zst
gzip -c disk.raw > disk.raw.gz
xz -T0 -c disk.raw > disk.raw.xz
# the same 512 MiB of data in a small and a large virtual disk
head -c $((512 << 20)) disk.raw > data.bin
for gib in 1 20; do
  cp data.bin "sparse-${gib}g.raw" && truncate -s "${gib}G" "sparse-${gib}g.raw"
  qemu-img convert -f raw -O qcow2 "sparse-${gib}g.raw" "sparse-${gib}g.qcow2" && rm "sparse-${gib}g.raw"
done
rm -f data.bin
virtual() { qemu-img info --output=json "$1" 2>/dev/null | sed -n 's/.*"virtual-size": \([0-9]*\).*/\1/p' | head -1; }
VIRTUAL_RAW=$(stat -c %s disk.raw)

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
timed() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
reference() { # name command...: median seconds of RUNS
  local name="$1"; shift
  for _ in $(seq "$RUNS"); do timed "$@"; done | median
}
ours() { # file: "first median" seconds from one JVM
  local file="$1" sum
  sum=$(sha256sum "$file" | cut -c1-64)
  $JAVA -cp "$CP" io.metalboot.image.bench.ImageReadBench "$RUNS" "$file" "$sum" 2>/dev/null \
    | awk '/^first/ {print $2, $4}'
}
qemu_with_sha() { sha256sum "$1" >/dev/null & qemu-img convert -f qcow2 -O raw "$1" out.raw; wait; rm -f out.raw; }
export -f qemu_with_sha

rows=()
row() { # label file reference-seconds ours-first ours-median virtual
  local mbs_ref mbs_ours ratio
  mbs_ref=$(echo "$6 / $3 / 1000000" | bc -l); mbs_ours=$(echo "$6 / $5 / 1000000" | bc -l)
  ratio=$(echo "$3 / $5" | bc -l)
  rows+=("$(printf '| %s | %s | %.0f | %.0f (first run %.0f) | %.2f× |' "$1" "$7" "$mbs_ref" "$mbs_ours" \
    "$(echo "$6 / $4 / 1000000" | bc -l)" "$ratio")")
  log "$1: reference $(printf %.0f "$mbs_ref") MB/s, metalboot $(printf %.0f "$mbs_ours") MB/s ($(printf %.2f "$ratio")×)"
}
for f in disk.qcow2 disk-zlib.qcow2 disk-zstd.qcow2; do
  log "$f"
  ref=$(reference "$f" bash -c "qemu_with_sha $f")
  read -r first med <<<"$(ours "$f")"
  row "$f" "$f" "$ref" "$first" "$med" "$VIRTUAL_RAW" "qemu-img convert -O raw + sha256sum"
done
log disk.raw.zst
ref=$(reference zst bash -c "zstd -dc disk.raw.zst > /dev/null")
read -r first med <<<"$(ours disk.raw.zst)"; row disk.raw.zst x "$ref" "$first" "$med" "$VIRTUAL_RAW" "zstd -dc > /dev/null"
log disk.raw.gz
ref=$(reference gz bash -c "gzip -dc disk.raw.gz | dd of=/dev/null bs=1M")
read -r first med <<<"$(ours disk.raw.gz)"; row disk.raw.gz x "$ref" "$first" "$med" "$VIRTUAL_RAW" "gzip -dc \\| dd"
log disk.raw.xz
ref=$(reference xz bash -c "xz -dc disk.raw.xz | dd of=/dev/null bs=1M")
read -r first med <<<"$(ours disk.raw.xz)"; row disk.raw.xz x "$ref" "$first" "$med" "$VIRTUAL_RAW" "xz -dc \\| dd"
sparse=()
for gib in 1 20; do
  f="sparse-${gib}g.qcow2"
  log "$f"
  ref=$(reference "$f" bash -c "qemu_with_sha $f")
  read -r first med <<<"$(ours "$f")"
  row "$f" "$f" "$ref" "$first" "$med" "$(virtual "$f")" "qemu-img convert -O raw + sha256sum"
  sparse+=("$med")
done

out="$HERE/results/$(date -u +%Y-%m-%dT%H%M%SZ).md"
{
  echo "# image-read benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Host: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r);" \
       "JDK $("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | cut -d'"' -f2); qemu-img $(qemu-img --version | head -1 | awk '{print $3}');" \
       "zstd $(zstd -V | grep -o 'v[0-9.]*'); images in $base."
  echo "Image: ext4 of ${FS_MIB} MiB populated from $TREE ($(du -sh --apparent-size "$TREE" 2>/dev/null | cut -f1)), $(du -m disk.raw | cut -f1) MiB allocated;" \
       "qcow2 $(du -m --apparent-size disk.qcow2 | cut -f1) MiB, zlib $(du -m --apparent-size disk-zlib.qcow2 | cut -f1) MiB, zstd qcow2 $(du -m --apparent-size disk-zstd.qcow2 | cut -f1) MiB," \
       ".zst $(du -m --apparent-size disk.raw.zst | cut -f1) MiB, .gz $(du -m --apparent-size disk.raw.gz | cut -f1) MiB, .xz $(du -m --apparent-size disk.raw.xz | cut -f1) MiB."
  echo "MB/s of virtual (image) size, median of $RUNS; metalboot's runs share one JVM (its first run, JIT cold, in brackets)."
  echo
  echo "| image | reference | reference MB/s | metalboot MB/s | metalboot ÷ reference |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  printf 'Sparse: the same 512 MiB of data, 1 GiB → 20 GiB virtual: metalboot %.3f s → %.3f s (%.2f×).\n' \
    "${sparse[0]}" "${sparse[1]}" "$(echo "${sparse[1]} / ${sparse[0]}" | bc -l)"
} | tee "$out"
