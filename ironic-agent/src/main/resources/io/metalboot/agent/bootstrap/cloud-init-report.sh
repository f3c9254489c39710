#!/bin/sh
# metalboot node report for an OS whose cloud-init ran the bootstrap (config-drive mode), placed by
# the agent: once cloud-init is done, joined when the Cluster API sentinel exists, else failed
# with the tail of cloud-init's output. The user's bootstrap data is not touched. Runs once.
set -u
state=${METALBOOT_STATE:-/var/lib/metalboot}
cloud-init status --wait >/dev/null 2>&1 || true
if [ -e /run/cluster-api/bootstrap-success.complete ]; then
    result=joined
else
    result=failed
fi
/usr/lib/metalboot/node-report "$result" /var/log/cloud-init-output.log || exit $?
mkdir -p "$state"
touch "$state/report.done"
