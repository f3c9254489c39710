#!/bin/sh
# metalboot first boot, placed by the agent in an OS without cloud-init: runs the cloud-config the
# agent compiled (bootcmd, write_files, users, ntp, runcmd, in cloud-init's order), then reports
# joined when the Cluster API sentinel exists, else failed with the output's tail. Runs once.
set -u
state=${METALBOOT_STATE:-/var/lib/metalboot}
log=/var/log/metalboot-bootstrap.log
umask 077
: >"$log"
/bin/sh "$state/bootstrap.sh" >>"$log" 2>&1
status=$?
echo "metalboot-first-boot: the bootstrap script exited $status" >>"$log"
if [ -e /run/cluster-api/bootstrap-success.complete ]; then
    result=joined
else
    result=failed
fi
/usr/lib/metalboot/node-report "$result" "$log" || exit $?
touch "$state/first-boot.done"
