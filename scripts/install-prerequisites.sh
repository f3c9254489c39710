#!/usr/bin/env bash
# Installs the Debian packages of scripts/debian-packages that are not installed yet, quietly:
# nothing to do when all are there; otherwise apt-get update and one apt-get install of just the
# missing ones (--no-install-recommends). The first command (vagrant/run-lab.sh) and .ci/run both
# call it, so the lab and the tests need one list. Needs root when something is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
packages=($(sed 's/#.*//' "$here/debian-packages"))
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f '${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "prerequisites: the ${#packages[@]} Debian packages are installed"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "prerequisites: missing ${missing[*]}; installing them needs root" >&2
    exit 2
fi
echo "prerequisites: installing ${#missing[@]} of ${#packages[@]} Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# No package may start its service here (lldpd would speak LLDP on the host's own NICs): Debian's
# policy-rc.d convention, 101 = "action forbidden", for the install only. (Container images often
# have one already; it is left as it was.)
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "prerequisites: installed"
