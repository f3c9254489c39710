#!/usr/bin/env bash
# The test command: every unit, fuzz, loopback and lab (namespace + QEMU) test.
# Lab tests need root and the Debian packages that .ci/run installs; without them they skip with
# the reason, except under CI=true, where a missing prerequisite fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/select-jdk.sh
exec ./mvnw -B -ntp verify "$@"
