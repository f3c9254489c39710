#!/usr/bin/env bash
# Builds metalboot and runs the lab (io.metalboot.lab.LabMain): a private provisioning network in
# network namespaces, dnsmasq as the site DHCP server, the built appliance as ProxyDHCP and Metal³'s
# provisioner, a mock management cluster, and one UEFI and one BIOS QEMU VM that go from power-on to
# a joined node. Needs root and the Debian packages in vagrant/README.md.
# Exit status: LabMain's (0: both VMs reached their last phase).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

. scripts/select-jdk.sh || exit 2
echo "run-lab: using $JAVA_HOME; building (./mvnw -q -B -DskipTests package)"
./mvnw -q -B -DskipTests package

exec "$JAVA_HOME/bin/java" \
  -Dmetalboot.appliance.dir="$repo/pxe-server/target/appliance" \
  -Dmetalboot.lab.workdir="$repo/.lab" \
  -Dmetalboot.lab.home="$repo/vagrant" \
  -cp "$repo/vagrant/target/metalboot-lab.jar:$repo/vagrant/target/lab-lib/*" \
  io.metalboot.lab.LabMain "$@"
