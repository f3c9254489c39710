#!/usr/bin/env bash
# The same Ironic deploy with two agents, side by side in one run: metalboot's Java agent in Ironic
# mode and ironic-python-agent 9.4.3 from source (run-ipa-from-source.sh), driven by Debian's
# Ironic 21.4.4 in the lab's network namespaces (io.metalboot.lab.IronicDeployBench). Needs root.
#
#   bench/ironic-deploy/run.sh [--rounds N] [--formats raw,qcow2] [--agents metalboot,ipa] [--no-build]
#
# Installs the two Debian packages IPA needs that Ironic does not pull in (only when missing),
# builds the lab module and what it needs (./mvnw package -pl vagrant -am: the agent, the .deb),
# prints `uptime`, runs the bench, and prints IPA's import footprint (ipa_footprint.py).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

build=1
args=()
for arg in "$@"; do
    if [ "$arg" = --no-build ]; then build=0; else args+=("$arg"); fi
done

missing=()
for pkg in python3-pint python3-pyudev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}"
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

. scripts/select-jdk.sh
if [ "$build" = 1 ]; then
    echo "bench: building (./mvnw -B -ntp -o -q package -DskipTests -pl vagrant -am)"
    ./mvnw -B -ntp -o -q package -DskipTests -pl vagrant -am
fi
"$here/run-ipa-from-source.sh" --prepare-only >/dev/null

echo "bench: host load at start: $(uptime)"
status=0
"$JAVA_HOME/bin/java" \
  -Dmetalboot.deb.file="$repo/packaging/target/metalboot_amd64.deb" \
  -Dmetalboot.lab.workdir="$repo/.lab" \
  -Dmetalboot.lab.home="$repo/vagrant" \
  -Dmetalboot.bench.ipa-script="$here/run-ipa-from-source.sh" \
  -cp "$repo/vagrant/target/metalboot-lab.jar:$repo/vagrant/target/lab-lib/*" \
  io.metalboot.lab.IronicDeployBench "${args[@]}" || status=$?
echo "bench: host load at the end: $(uptime)"

echo
echo "bench: sizes"
agent="$repo/pxe-server/target/appliance/assets/agent"
if [ -f "$agent/vmlinuz" ]; then
    du -b "$agent/vmlinuz" "$agent/initrd.img" | awk '{printf "  metalboot ramdisk: %-60s %6.1f MiB\n", $2, $1/1048576; t+=$1} END {printf "  metalboot ramdisk: vmlinuz + initrd.img %6.1f MiB\n", t/1048576}'
fi
PYTHONPATH="$HOME/.cache/metalboot/ipa-src/${IPA_TAG:-9.4.3}:$here" /usr/bin/python3 "$here/ipa_footprint.py" || true
exit $status
