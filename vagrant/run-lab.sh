#!/usr/bin/env bash
# Builds metalboot and runs the lab (io.metalboot.lab.LabMain): a private provisioning network in
# network namespaces, dnsmasq as the site DHCP server, the built appliance as ProxyDHCP, and one UEFI
# and one BIOS QEMU VM that PXE boot from it. Needs root and the Debian packages in vagrant/README.md.
# Exit status: LabMain's (0: both VMs reached their last phase).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# The major version of a java binary (17, 21, 25 ...), 0 if it cannot tell.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 \
    | awk -F' = ' '/java.specification.version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); found=1 }
                   END { if (!found) print 0 }'
}

# A JDK >= 21 (the build needs javac): JAVA_HOME, then the java on PATH, then the newest under /usr/lib/jvm.
pick_jdk() {
  local candidates=() home best="" best_major=0 major
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for home in "${candidates[@]}"; do
    if [[ -x "$home/bin/javac" ]] && (( $(java_major "$home/bin/java") >= 21 )); then
      echo "$home"; return 0
    fi
  done
  for home in /usr/lib/jvm/*/; do
    home="${home%/}"
    [[ -x "$home/bin/javac" && ! -L "$home" ]] || continue
    major="$(java_major "$home/bin/java")"
    if (( major >= 21 && major > best_major )); then best="$home"; best_major="$major"; fi
  done
  [[ -n "$best" ]] && { echo "$best"; return 0; }
  return 1
}

if ! JAVA_HOME="$(pick_jdk)"; then
  echo "run-lab: no JDK >= 21 found (JAVA_HOME, PATH, /usr/lib/jvm)" >&2
  exit 2
fi
export JAVA_HOME
echo "run-lab: using $JAVA_HOME; building (./mvnw -q -B -DskipTests package)"
./mvnw -q -B -DskipTests package

exec "$JAVA_HOME/bin/java" \
  -Dmetalboot.appliance.dir="$repo/pxe-server/target/appliance" \
  -Dmetalboot.lab.workdir="$repo/.lab" \
  -cp "$repo/vagrant/target/metalboot-lab.jar" \
  io.metalboot.lab.LabMain "$@"
