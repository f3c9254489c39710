#!/bin/sh
# Runs the lab's BMC: openipmi's ipmi_sim with lan.conf and lab-bmc.emu, in the foreground, its
# state in STATEDIR (default: a new temporary directory). Loopback only: the LAN channel on
# 127.0.0.1:9623 (UDP), QEMU's ipmi-bmc-extern socket on 127.0.0.1:9002 (TCP). See README.md.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
state="${1:-$(mktemp -d)}"
cd "$here" # lan.conf names ./lan-parameters.sh
# -n: no console on stdin (ipmi_sim aborts on a stdin it cannot poll, as /dev/null)
exec ipmi_sim -c lan.conf -f lab-bmc.emu -s "$state" -n
