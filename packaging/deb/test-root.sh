#!/usr/bin/env bash
# A throw-away Debian 12 root for the .deb's install, upgrade and purge test, with systemd to boot
# under systemd-nspawn:
#
#   packaging/deb/test-root.sh DIR     DIR (new or empty) gets a fresh copy of the root
#
# debootstrap's minbase plus systemd-sysv (PID 1 in the container), adduser and procps (the package's
# Depends), iproute2 (the provisioning interface the test gives the container) and curl
# (/healthz). Built once, kept as a tar in METALBOOT_CACHE (~/.cache/metalboot)/deb-test-root/<key>/,
# key = sha256 of this recipe, the debootstrap version and the sha256 of the suite's Packages
# indexes as the mirror publishes them now (scripts/debian-archive.sh, as the lab's node image).
# The downloaded .debs are shared with the node image's build (node-image/debs).
# Needs root, debootstrap, curl.
set -euo pipefail
export LC_ALL=C
umask 022

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
started=$SECONDS
log() { echo "deb-test-root: $*" >&2; }
die() { echo "deb-test-root: $*" >&2; exit 2; }

[ $# -eq 1 ] || die "usage: test-root.sh DIR"
out="$1"
[ "$(id -u)" = 0 ] || die "needs root (debootstrap)"
PATH="$PATH:/usr/sbin:/sbin"
for program in debootstrap curl tar; do
    command -v "$program" >/dev/null || die "$program is missing (apt-get install debootstrap curl)"
done
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then die "$out is not empty"; fi

suite=bookworm
include=systemd-sysv,adduser,procps,iproute2,curl
. "$here/../../scripts/debian-archive.sh"
debian_archive "$suite"
key="$({
    echo "recipe deb-test-root 1 $include"
    sha256sum "${BASH_SOURCE[0]}" "$here/../../scripts/debian-archive.sh" | cut -d' ' -f1
    printf '%s\n' "${index_hashes[@]}"
    dpkg-query -W -f '${Version}\n' debootstrap
} | sha256sum | cut -c1-20)"
cache="${METALBOOT_CACHE:-$HOME/.cache/metalboot}"
entry="$cache/deb-test-root/$key"

if [ ! -s "$entry/root.tar" ]; then
    mkdir -p "$cache/deb-test-root" "$cache/node-image/debs"
    work="$(mktemp -d "$cache/deb-test-root/build.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    log "debootstrap --variant=minbase $suite from $mirror, with $include (log: $work/debootstrap.log)"
    debootstrap --variant=minbase --include="$include" --components=main \
        --cache-dir="$cache/node-image/debs" "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
        { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
    # The container's console and login are not needed: no getty, no login prompt to wait for.
    chroot "$work/root" systemctl mask console-getty.service getty.target >/dev/null 2>&1
    rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
    tar -C "$work/root" --numeric-owner -cf "$work/root.tar" .
    mkdir -p "$entry"
    mv "$work/root.tar" "$entry/root.tar"
    log "built $entry/root.tar ($(du -sm "$entry/root.tar" | cut -f1) MiB) in $((SECONDS - started)) s"
fi
mkdir -p "$out"
tar -C "$out" --numeric-owner -xf "$entry/root.tar"
touch "$entry"
log "root in $out (cache $entry) in $((SECONDS - started)) s"
