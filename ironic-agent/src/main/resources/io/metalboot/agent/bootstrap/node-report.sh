#!/bin/sh
# metalboot node report, placed by the agent: tells the appliance whether this node joined, with
# the node's own credential (root-only file, never on a command line, never in cloud-init's data).
# Usage: metalboot-node-report joined|failed [LOG]   Exit 0 once the appliance took the report.
set -u
conf=${METALBOOT_NODE_CONF:-/etc/metalboot}
status=${1:-}
log=${2:-}
case $status in
    joined|failed) ;;
    *) echo "usage: metalboot-node-report joined|failed [LOG]" >&2; exit 2 ;;
esac
REPORT_URL=
. "$conf/node-report.conf"
[ -n "$REPORT_URL" ] || { echo "metalboot-node-report: no REPORT_URL in $conf/node-report.conf" >&2; exit 2; }

tail=
if [ "$status" = failed ] && [ -n "$log" ] && [ -r "$log" ]; then
    # the end of the output, bootstrap tokens masked here already (the appliance masks again)
    tail=$(tail -c 3000 "$log" | tr -d '\000-\010\013\014\016-\037' \
        | sed -E 's/[a-z0-9]{6}\.[a-z0-9]{16}/[redacted]/g')
fi
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
umask 077
printf '%s' "$tail" | awk 'BEGIN { ORS = ""; printf "{\"status\":\"'"$status"'\",\"tail\":\"" }
    { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, "");
      if (NR > 1) printf "\\n"; printf "%s", $0 }
    END { printf "\"}" }' >"$work/body"
printf 'Authorization: Bearer %s\n' "$(cat "$conf/node-credential")" >"$work/headers"

send() {
    if command -v curl >/dev/null 2>&1; then
        code=$(curl -sS -m 30 -o /dev/null -w '%{http_code}' -X POST -H @"$work/headers" \
            -H 'Content-Type: application/json' --data-binary @"$work/body" "$REPORT_URL") || return 1
    elif command -v python3 >/dev/null 2>&1; then
        code=$(python3 - "$REPORT_URL" "$work/body" "$work/headers" <<'PY'
import sys, urllib.request, urllib.error
header = open(sys.argv[3]).read().strip().split(": ", 1)
request = urllib.request.Request(sys.argv[1], data=open(sys.argv[2], "rb").read(), method="POST",
                                 headers={header[0]: header[1], "Content-Type": "application/json"})
try:
    print(urllib.request.urlopen(request, timeout=30).status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
        ) || return 1
    elif command -v wget >/dev/null 2>&1; then
        # wget takes headers only as arguments: the credential is visible in ps for this call.
        # timeout, not -T: busybox 1.35's wget crashes on -T with --post-file.
        code=$(timeout 30 wget -S -q -O /dev/null --header "$(cat "$work/headers")" \
            --header 'Content-Type: application/json' --post-file "$work/body" "$REPORT_URL" 2>&1 \
            | sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' | tail -n 1)
        [ -n "$code" ] || return 1
    else
        echo "metalboot-node-report: neither curl, python3 nor wget in this image" >&2
        exit 2
    fi
    case $code in
        2??) return 0 ;;
        401|409) echo "metalboot-node-report: the appliance refused the report (HTTP $code)" >&2; exit 3 ;;
        *) echo "metalboot-node-report: HTTP $code" >&2; return 1 ;;
    esac
}

# what is reported is on disk before the appliance hears of it (a lab reads the disk after power-off)
sync
attempt=1
while ! send; do
    [ "$attempt" -ge 60 ] && { echo "metalboot-node-report: gave up after $attempt attempts" >&2; exit 1; }
    attempt=$((attempt + 1))
    sleep 5
done
echo "metalboot-node-report: reported $status"
