#!/usr/bin/env bash
# The .deb's life on a machine, in a throw-away Debian 12 root booted with systemd as PID 1 under
# systemd-nspawn (its own network namespace, only a veth pair in it as the provisioning network):
#
#   packaging/deb/deb-lifecycle-test.sh DEB WORKDIR
#
# install N -> the unit verifies and scores -> edit the conffile -> start (READY=1 through systemd)
# -> /healthz, ports, user, capabilities -> a machine's script -> reload a new profile (same PID)
# -> stop, enable, start -> upgrade to N+1 (DEB repacked with a higher version: the same files and
# maintainer scripts) -> the edit, the state, the enablement kept, the service restarted -> purge
# -> the root's files, users and groups are as before the install.
# Each check prints "ok: WHAT"; the first failure prints "FAILED: WHAT" with evidence and exits 1.
# Needs root, systemd-nspawn (systemd-container), nsenter (util-linux), dpkg-deb, and what
# test-root.sh needs. Everything it starts runs inside the container, which it powers off.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -eq 2 ] || { echo "usage: deb-lifecycle-test.sh DEB WORKDIR" >&2; exit 2; }
deb="$(readlink -f "$1")"
work="$2"
[ -s "$deb" ] || { echo "no $deb" >&2; exit 2; }
started=$SECONDS
log() { echo "deb-test: $* (at $((SECONDS - started)) s)" >&2; }
ok() { echo "ok: $*"; }
# Evidence is printed with boot tokens masked: a test's log is a log too.
fail() {
    echo "FAILED: $1"
    shift
    for evidence in "$@"; do echo "$evidence" | sed -e 's/^/  | /' -e 's/metalboot\.token=[^ ]*/metalboot.token=******/g'; done
    exit 1
}

rm -rf "$work"
mkdir -p "$work/debs"
work="$(cd "$work" && pwd)"
root="$work/root"
cgroups=()
nspawn_pid=
leader=
cleanup() {
    set +e
    if [ -n "$leader" ] && kill -0 "$leader" 2>/dev/null; then
        kill -s RTMIN+4 "$leader" # systemd: power off
        for _ in $(seq 40); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.5; done
    fi
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then kill -9 "$nspawn_pid"; sleep 1; fi
    for ((i = ${#cgroups[@]} - 1; i >= 0; i--)); do
        find "${cgroups[i]}" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
}
trap cleanup EXIT

# --- the root, and N+1 -----------------------------------------------------------------------------
"$here/test-root.sh" "$root"
version="$(dpkg-deb -f "$deb" Version)"
next="$version+next"
cp "$deb" "$work/debs/metalboot_N.deb"
dpkg-deb -R "$deb" "$work/next"
sed -i "s/^Version: .*/Version: $next/" "$work/next/DEBIAN/control"
dpkg-deb -Zgzip -z1 -b "$work/next" "$work/debs/metalboot_N+1.deb" >/dev/null
rm -rf "$work/next"
log "N = $version, N+1 = $next"
mkdir -p "$root/debs"

# --- boot ------------------------------------------------------------------------------------------
# nspawn makes cgroups of its own (payload, supervisor) under the one it runs in: give it its own,
# in each hierarchy it uses (this host: cgroup v1 name=systemd and the unified v2 one).
self_cgroups=()
for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
    if [ -f "$hierarchy/cgroup.procs" ]; then
        dir="$hierarchy/metalboot-deb-test-$$"
        mkdir "$dir"
        cgroups+=("$dir")
        self_cgroups+=("$dir/cgroup.procs")
    fi
done
(
    for procs in "${self_cgroups[@]}"; do echo "$BASHPID" >"$procs"; done
    exec systemd-nspawn --boot -D "$root" --register=no --keep-unit --private-network --console=pipe \
        --bind-ro="$work/debs:/debs" </dev/null >"$work/console.log" 2>&1
) &
nspawn_pid=$!
for _ in $(seq 100); do
    leader="$(pgrep -P "$nspawn_pid" | head -n1 || true)"
    [ -n "$leader" ] && break
    sleep 0.1
done
[ -n "$leader" ] || fail "the container started" "$(cat "$work/console.log")"
c() { nsenter -t "$leader" -m -u -i -n -p -r -w "$@"; }
for _ in $(seq 100); do
    state="$(c systemctl is-system-running 2>/dev/null || true)"
    case "$state" in running|degraded) break ;; esac
    sleep 0.2
done
case "$state" in running|degraded) ;; *) fail "systemd booted in the container (state: $state)" "$(cat "$work/console.log")" ;; esac
ok "systemd booted in the throw-away root ($state)"
# The provisioning interface: one end of a veth pair, both ends in the container's own network
# namespace (this host's kernel has no dummy interfaces).
nsenter -t "$leader" -n ip link set lo up
nsenter -t "$leader" -n ip link add prov0 type veth peer name prov1
nsenter -t "$leader" -n ip addr add 10.99.0.2/24 dev prov0
nsenter -t "$leader" -n ip link set prov0 up
nsenter -t "$leader" -n ip link set prov1 up

# What the root holds before the install: paths, modes, owners (the container's own mounts and the
# logs aside), and the account databases.
snapshot() {
    (cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \
        -o -path ./debs -o -path ./var/log -o -path ./var/lib/dpkg -o -path ./var/cache/debconf \) -prune -o \
        \( -path './etc/*-' -o -path ./etc/.pwd.lock -o -path ./var/lib/systemd/random-seed \
        -o -path ./var/cache/ldconfig/aux-cache \) -prune -o -printf '%p %M %u %g\n') | sort
    cat "$root/etc/passwd" "$root/etc/group" "$root/etc/shadow" "$root/etc/gshadow"
}
snapshot >"$work/before.txt"

# --- install N -------------------------------------------------------------------------------------
out="$(c dpkg -i /debs/metalboot_N.deb 2>&1)" || fail "dpkg -i N" "$out"
grep -q 'then: systemctl enable --now metalboot' <<<"$out" || fail "the install says how to start it" "$out"
[ "$(c systemctl is-enabled metalboot 2>&1)" = disabled ] && [ "$(c systemctl is-active metalboot 2>&1)" = inactive ] ||
    fail "a first install leaves the service disabled and stopped" "$(c systemctl status metalboot 2>&1)"
ok "installed $version: disabled and stopped until configured"
passwd_line="$(c getent passwd metalboot)" || fail "the system user exists"
[[ "$passwd_line" == metalboot:x:*:*:metalboot\ appliance*:/var/lib/metalboot:/usr/sbin/nologin ]] ||
    fail "the system user: home /var/lib/metalboot, no login shell" "$passwd_line"
uid="$(cut -d: -f3 <<<"$passwd_line")"
[ "$uid" -lt 1000 ] || fail "the user is a system user (uid $uid)"
[ "$(c stat -c '%U:%G %a' /var/lib/metalboot)" = "metalboot:metalboot 750" ] || fail "/var/lib/metalboot is metalboot's, 0750" "$(c stat -c '%U:%G %a' /var/lib/metalboot)"
ok "system user metalboot (uid $uid, nologin), /var/lib/metalboot 0750"
[ "$(c dpkg-query -W -f '${Conffiles}' metalboot | awk '{ print $1 }' | paste -sd' ')" = /etc/metalboot/metalboot.yaml ] ||
    fail "/etc/metalboot/metalboot.yaml is the conffile" "$(c dpkg-query -W -f '${Conffiles}' metalboot)"
ok "/etc/metalboot/metalboot.yaml is a conffile"

# --- the unit, as installed ------------------------------------------------------------------------
out="$(c systemd-analyze verify metalboot.service 2>&1)" || fail "systemd-analyze verify" "$out"
[ -z "$out" ] || fail "systemd-analyze verify says nothing" "$out"
ok "systemd-analyze verify metalboot.service: clean"
out="$(c systemd-analyze security metalboot.service 2>&1)" || true
score="$(sed -n 's/.*Overall exposure level for metalboot.service: \([0-9.]*\).*/\1/p' <<<"$out")"
[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' || fail "exposure at most 2.5 (is ${score:-none})" "$out"
ok "systemd-analyze security metalboot.service: exposure $score"

# --- configure, start ------------------------------------------------------------------------------
edit='# edited by the operator: kept by every upgrade
server-address: 10.99.0.2
dhcp:
  interface: prov0
boot:
  evidence:
    require: []'
printf '\n%s\n' "$edit" >>"$root/etc/metalboot/metalboot.yaml"
cp "$root/etc/metalboot/metalboot.yaml" "$work/edited.yaml"
out="$(c systemctl start metalboot 2>&1)" || fail "systemctl start (Type=notify: it returns on READY=1)" "$out" "$(c journalctl -u metalboot --no-pager 2>&1 | tail -n 30)"
pid="$(c systemctl show -p MainPID --value metalboot)"
[ "$(c systemctl is-active metalboot)" = active ] && [ "$pid" -gt 0 ] || fail "the service is active" "$(c systemctl status metalboot 2>&1)"
ok "systemctl start: active once the appliance said READY=1 (main PID $pid)"
health="$(c curl -fsS --max-time 5 http://127.0.0.1:8080/healthz)" || fail "/healthz answers"
ok "/healthz: $health"
status="$(c cat "/proc/$pid/status")"
[ "$(awk '/^Uid:/ { print $2 }' <<<"$status")" = "$uid" ] || fail "it runs as metalboot" "$status"
for line in "CapEff:	0000000000000400" "CapPrm:	0000000000000400" "CapBnd:	0000000000000400" "NoNewPrivs:	1" "Seccomp:	2"; do
    grep -qx "$line" <<<"$status" || fail "process status has '$line'" "$(grep -E '^(Cap|NoNew|Seccomp)' <<<"$status")"
done
ok "runs as metalboot with CAP_NET_BIND_SERVICE only (effective, permitted, bounding), no_new_privs, seccomp"
sockets="$(c ss -Hlunpt)"
for port in 67 69 4011 8080; do
    grep -Eq "[:*]$port\b.*pid=$pid," <<<"$sockets" || fail "it listens on port $port" "$sockets"
done
journal="$(c journalctl -u metalboot --no-pager -o cat)"
grep -q 'ProxyDHCP listening on 0.0.0.0:67 (interface prov0)' <<<"$journal" || fail "the ProxyDHCP is bound to prov0" "$journal"
ok "listens on 67 and 4011 (SO_BINDTODEVICE prov0), 69 and 8080, as the unprivileged user"

mac=52:54:00:de:b0:01
script="$(c curl -fsS --max-time 5 "http://10.99.0.2:8080/boot/machine.ipxe?mac=$mac")" || fail "a machine's script"
grep -q '^kernel ' <<<"$script" || fail "the machine gets the agent script" "$script"
ok "a machine's iPXE script is served (the machine is recorded)"

# The packaged CLI on the PATH, as root (it reads the token from /var/lib/metalboot/api.token).
listed="$(c metalboot machines list -o json 2>&1)" || fail "metalboot machines list -o json" "$listed"
grep -q "\"$mac\"" <<<"$listed" || fail "the CLI lists the machine" "$listed"
status_table="$(c metalboot status 2>&1)" || fail "metalboot status" "$status_table"
set +e
missing="$(c metalboot machines show 52:54:00:de:b0:99 2>&1)"
code=$?
set -e
[ "$code" = 3 ] || fail "metalboot machines show of an unknown machine exits 3 (not found), not $code" "$missing"
! grep -qF -e "$(cat "$root/var/lib/metalboot/api.token")" <<<"$listed$status_table$missing" || fail "the CLI never prints the token"
ok "the packaged CLI (/usr/bin/metalboot, the same runtime): machines list -o json has the machine, status answers, an unknown machine exits 3"

# --- reload ----------------------------------------------------------------------------------------
printf '  profiles:\n    - {name: reloaded, mac: "%s", args: "console=ttyS0 metalboot.test=reloaded"}\n' "$mac" >>"$root/etc/metalboot/metalboot.yaml"
out="$(c systemctl reload metalboot 2>&1)" || fail "systemctl reload" "$out" "$(c journalctl -u metalboot --no-pager -o cat | tail -n 20)"
# systemd 252 (Debian 12) ends the reload job when kill has sent SIGHUP; the appliance's STATUS says
# when the reload is done (Type=notify-reload, systemd 253, would wait for it).
for _ in $(seq 150); do
    status_text="$(c systemctl show -p StatusText --value metalboot)"
    [[ "$status_text" == "serving; reloaded"* ]] && break
    sleep 0.2
done
[[ "$status_text" == "serving; reloaded"* ]] || fail "the appliance's status says it reloaded" "$status_text"
script="$(c curl -fsS --max-time 5 "http://10.99.0.2:8080/boot/machine.ipxe?mac=$mac")" || fail "a machine's script after reload"
grep -q 'metalboot.test=reloaded' <<<"$script" || fail "the profile added before the reload is served" "$script" \
    "$(c journalctl -u metalboot --no-pager -o cat | tail -n 20)"
[ "$(c systemctl show -p MainPID --value metalboot)" = "$pid" ] || fail "the reload kept the process"
ok "systemctl reload: the profile added to the file is served, same PID $pid (status: $status_text)"
cp "$work/edited.yaml" "$root/etc/metalboot/metalboot.yaml" # the edit N+1 must keep, as it was

out="$(c systemctl stop metalboot 2>&1)" || fail "systemctl stop" "$out"
journal="$(c journalctl -u metalboot --no-pager -o cat)"
grep -q 'metalboot stopping' <<<"$journal" || fail "the appliance stopped on SIGTERM" "$journal"
token="$(cat "$root/var/lib/metalboot/api.token")"
! grep -qF -e "$token" <<<"$journal" || fail "the API token never reaches the journal"
ok "stopped cleanly; the API token is in no log line"
state_before="$(cd "$root/var/lib/metalboot" && sha256sum api.token image-url.key)"
c systemctl enable metalboot >/dev/null 2>&1
c systemctl start metalboot || fail "start before the upgrade"
pid="$(c systemctl show -p MainPID --value metalboot)"

# --- upgrade to N+1 while it runs --------------------------------------------------------------------
out="$(c dpkg -i /debs/metalboot_N+1.deb 2>&1)" || fail "dpkg -i N+1" "$out"
[ "$(c dpkg-query -W -f '${Version}' metalboot)" = "$next" ] || fail "N+1 is installed"
cmp -s "$work/edited.yaml" "$root/etc/metalboot/metalboot.yaml" || fail "the operator's edit of the conffile is kept" "$(diff "$work/edited.yaml" "$root/etc/metalboot/metalboot.yaml")"
[ "$(cd "$root/var/lib/metalboot" && sha256sum api.token image-url.key)" = "$state_before" ] || fail "the state (API token, signing key) is kept"
[ "$(c systemctl is-enabled metalboot)" = enabled ] || fail "an enabled service stays enabled"
new_pid="$(c systemctl show -p MainPID --value metalboot)"
[ "$(c systemctl is-active metalboot)" = active ] && [ "$new_pid" != "$pid" ] || fail "the running service was restarted" "$(c systemctl status metalboot 2>&1)"
machine="$(c curl -fsS --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:8081/api/v1/machines/$mac")" ||
    fail "the machine recorded before the upgrade is still in the registry"
grep -q "\"$mac\"" <<<"$machine" || fail "the registry's record is the machine's" "$machine"
ok "upgraded $version -> $next while running: edit, state, registry, enablement kept; restarted (PID $pid -> $new_pid)"

# --- purge -------------------------------------------------------------------------------------------
out="$(c dpkg --purge metalboot 2>&1)" || fail "dpkg --purge" "$out"
[ "$(c systemctl show -p ActiveState --value metalboot)" != active ] || fail "purge stops the service"
! c pgrep -u "$uid" >/dev/null || fail "no process of the user is left" "$(c ps -u "$uid" 2>&1)"
snapshot >"$work/after.txt"
diff -u "$work/before.txt" "$work/after.txt" >"$work/purge.diff" || fail "purge leaves the root as before the install" "$(cat "$work/purge.diff")"
ok "purged: every path, mode, owner and account as before the install"
log "done"
