#!/usr/bin/env bash
# Builds metalboot's agent ramdisk: build-ramdisk.sh with the agent's recipe, the one place it is
# written down (the Maven build, the ramdisk ITs and the lab all come through here).
#
#   packaging/build-agent-ramdisk.sh [--agent-lib DIR] [BUILD-RAMDISK OPTIONS] OUTDIR
#   packaging/build-agent-ramdisk.sh [--agent-lib DIR] --write-class-list
#
#   --agent-lib DIR      the agent's jars (default: ironic-agent/target/agent-lib, which
#                        `./mvnw package -pl ironic-agent -am` makes)
#   --write-class-list   records packaging/cds/agent.classlist anew from a run of the agent's CDS
#                        training run (io.metalboot.agent.CdsTrainingRun, loopback only); commit it
#                        when the agent's code paths change. A stale list costs start time, not
#                        correctness: a class it misses loads from the jar.
#   --skip-without-root  say why and do nothing when not root (the Maven build for a developer
#                        without root), except under CI=true, where that is an error
# Other options go to build-ramdisk.sh (see its --help): --no-cache, --size-report, --compression.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
agent_lib="$here/../ironic-agent/target/agent-lib"
class_list="$here/cds/agent.classlist"
# java.base and the HTTP client; java.logging and jdk.unsupported for jnr-ffi and jffi (the LLDP
# capture's AF_PACKET sockets: jffi uses sun.misc.Unsafe). jdeps would add java.desktop and
# java.sql, which Jackson only uses when they are there (java.beans annotations, java.sql dates):
# 18 MiB the agent never needs. jdk.httpserver serves ironic-python-agent's API in Ironic mode;
# jdk.crypto.ec has the EC keys of its auto-TLS certificate on JDK 21 (empty since JDK 22, where
# SunEC moved into java.base), a provider jdeps cannot see.
modules=(--java-modules java.base,java.net.http,java.logging,jdk.unsupported,jdk.httpserver,jdk.crypto.ec
    # jffi's native calls and Unsafe, allowed without the warnings JDK 24+ would print on the console.
    --java-options "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow")
# ipmitool: the inventory asks the BMC for its addresses (ironic-agent/README.md).
binaries=(--debian-binary ipmitool:/usr/bin/ipmitool)
write_class_list=false
options=()
while [ $# -gt 0 ]; do
    case "$1" in
        --agent-lib) agent_lib="${2:?--agent-lib DIR}"; shift 2 ;;
        --write-class-list) write_class_list=true; shift ;;
        --skip-without-root)
            if [ "$(id -u)" != 0 ] && [ "${CI:-}" != true ]; then
                echo "build-agent-ramdisk: skipped: the ramdisk build needs root (chroot, mknod); no agent ramdisk in assets/agent" >&2
                exit 0
            fi
            shift ;;
        *) options+=("$1"); shift ;;
    esac
done
[ -d "$agent_lib" ] && ls "$agent_lib"/metalboot-ironic-agent*.jar >/dev/null 2>&1 ||
    { echo "build-agent-ramdisk: no agent jars in $agent_lib (./mvnw package -pl ironic-agent -am)" >&2; exit 2; }
if $write_class_list; then
    exec "$here/build-ramdisk.sh" --agent-lib "$agent_lib" --main io.metalboot.agent.CdsTrainingRun "${modules[@]}" "${binaries[@]}" \
        --write-class-list "$class_list" "${options[@]}"
fi
[ -s "$class_list" ] || { echo "build-agent-ramdisk: $class_list is missing (--write-class-list makes it)" >&2; exit 2; }
exec "$here/build-ramdisk.sh" --agent-lib "$agent_lib" --main io.metalboot.agent.AgentMain "${modules[@]}" "${binaries[@]}" \
    --class-list "$class_list" "${options[@]}"
