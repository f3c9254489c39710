#!/usr/bin/env bash
# Builds the stand-in agent (src/test/java/io/metalboot/packaging/standin/StandInAgent.java) into
# DIR/metalboot-standin-agent.jar: a directory of jars for build-ramdisk.sh --agent-lib until the
# ironic-agent module's build provides the real one. The jar is byte-reproducible (fixed entry
# times), so the ramdisk built from it is too.
#
#   packaging/build-standin-agent.sh DIR
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
out="$1"
# shellcheck source=../scripts/select-jdk.sh
. "$here/../scripts/select-jdk.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/javac" --release 21 -Xlint:all -Werror -d "$work/classes" \
    "$here/src/test/java/io/metalboot/packaging/standin/StandInAgent.java"
mkdir -p "$out"
# The earliest time a jar entry can carry: the jar's bytes do not depend on when it was built.
"$JAVA_HOME/bin/jar" --create --date=1980-01-01T00:00:02Z --file "$work/metalboot-standin-agent.jar" \
    -C "$work/classes" .
mv "$work/metalboot-standin-agent.jar" "$out/metalboot-standin-agent.jar"
echo "io.metalboot.packaging.standin.StandInAgent"
