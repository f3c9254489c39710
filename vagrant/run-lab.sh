#!/usr/bin/env bash
# The README's first command. Installs the Debian packages it needs (scripts/install-prerequisites.sh:
# only what is missing, quietly), builds metalboot and its .deb, and runs the lab
# (io.metalboot.lab.LabMain) with the appliance as the .deb packages it: a private provisioning
# network in network namespaces, dnsmasq as the site DHCP server, the appliance as ProxyDHCP and
# Metal³'s provisioner, a mock management cluster, and one UEFI and one BIOS QEMU VM that go from
# power-on to a joined node; then a table of each phase's duration. Needs root.
#
#   vagrant/run-lab.sh [--machines bios,uefi] [--keep]   the lab; --keep leaves it running
#   vagrant/run-lab.sh --teardown                        tears a kept lab down
#
# Everything is torn down on success, on failure and on Ctrl-C (unless --keep).
# Exit status: LabMain's (0: every VM reached its last phase; 1: not; 2: could not set up).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

. scripts/select-jdk.sh || exit 2
lab() {
    exec "$JAVA_HOME/bin/java" \
      -Dmetalboot.deb.file="$repo/packaging/target/metalboot_amd64.deb" \
      -Dmetalboot.lab.workdir="$repo/.lab" \
      -Dmetalboot.lab.home="$repo/vagrant" \
      -cp "$repo/vagrant/target/metalboot-lab.jar:$repo/vagrant/target/lab-lib/*" \
      io.metalboot.lab.LabMain "$@"
}
if [ "${1:-}" = --teardown ]; then
    lab "$@"
fi
scripts/install-prerequisites.sh
echo "run-lab: using $JAVA_HOME; building (./mvnw -q -B -DskipTests package)"
./mvnw -q -B -DskipTests package
lab "$@"
