#!/bin/bash
# Run OpenStack's ironic-python-agent (IPA) from its public source on
# Debian 12's own python3 packages (no pip, no PyPI, no virtualenv), guarded
# so that it can run on a real host next to metalboot's Java agent.
#
#   run-ipa-from-source.sh --prepare-only
#   run-ipa-from-source.sh --config-file /path/ipa.conf [more IPA options]
#
# What it does:
#  1. clones IPA at a pinned tag (IPA_TAG, default 9.4.3 = the last 2023.1
#     "Antelope" release, the series matching Debian 12's Ironic 21.4.x) from
#     IPA_MIRROR into IPA_CACHE (~/.cache/metalboot/ipa-src/<tag>);
#  2. writes ironic_python_agent.egg-info/{PKG-INFO,entry_points.txt} there.
#     IPA finds its extensions (standby, deploy, clean, ...) and hardware
#     managers through stevedore, i.e. importlib.metadata entry points, which
#     exist only for an installed distribution; an egg-info directory on
#     PYTHONPATH is enough.  The entry points are copied from setup.cfg,
#     except that the only hardware manager is metalboot_ipa_hwm's (see that
#     file: it restricts IPA to [metalboot] only_block_device and
#     [metalboot] only_interfaces and skips mdadm/iscsi/ipmi/multipath probes);
#  3. checks (once) that Debian's python3 can import every requirement, and names
#     the Debian packages if not (python3-pint and python3-pyudev are the ones
#     Ironic itself does not pull in);
#  4. execs IPA through metalboot_ipa_launch.py (which also stops IPA from
#     powering off / rebooting the host) with the arguments given.
#
# Minimal config (every option can also be given on the command line):
#   [DEFAULT]
#   api_url = http://<ironic-api>:6385
#   listen_host = <address Ironic can reach>
#   listen_port = 9999
#   advertise_host = <same address>
#   advertise_port = 9999
#   # standalone is not an option of 9.4.x's console script (always False)
#   [metalboot]
#   only_block_device = /dev/loopN
#   only_interfaces = <iface whose MAC is a port of the Ironic node>
#
# Run it as root (it calls lsblk, udevadm, qemu-img, partx, sgdisk, wipefs,
# blkid, parted on the chosen device), preferably in its own network
# namespace (ip netns exec ...).
set -euo pipefail

IPA_TAG=${IPA_TAG:-9.4.3}
IPA_MIRROR=${IPA_MIRROR:-/work/.mirror/openstack+ironic-python-agent/repo}
IPA_CACHE=${IPA_CACHE:-$HOME/.cache/metalboot/ipa-src/$IPA_TAG}
# Debian's interpreter, not whatever python3 comes first in PATH (pyenv...).
PYTHON=${PYTHON:-/usr/bin/python3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

prepare() {
    if [ ! -f "$IPA_CACHE/setup.cfg" ]; then
        mkdir -p "$(dirname "$IPA_CACHE")"
        rm -rf "$IPA_CACHE.tmp"
        local src=$IPA_MIRROR
        [ -d "$src" ] && src="file://$src"   # so that --depth applies
        git -c advice.detachedHead=false clone --quiet --depth 1 \
            --branch "$IPA_TAG" "$src" "$IPA_CACHE.tmp"
        mv "$IPA_CACHE.tmp" "$IPA_CACHE"
    fi
    local egg="$IPA_CACHE/ironic_python_agent.egg-info"
    if [ ! -f "$egg/entry_points.txt" ]; then
        mkdir -p "$egg"
        # PKG-INFO is what importlib.metadata / pkg_resources /
        # pbr.version read IPA's version from.
        printf 'Metadata-Version: 1.2\nName: ironic-python-agent\nVersion: %s\n' \
            "$IPA_TAG" >"$egg/PKG-INFO"
        "$PYTHON" - "$IPA_CACHE/setup.cfg" "$egg/entry_points.txt" <<'PY'
import configparser, sys
cfg = configparser.ConfigParser()
cfg.read(sys.argv[1])
out = []
for group, value in cfg['entry_points'].items():
    lines = [l.strip() for l in value.strip().splitlines() if l.strip()]
    if group == 'ironic_python_agent.hardware_managers':
        # Not generic/mlnx/cna: only the host-safe manager (a subclass of
        # GenericHardwareManager, so every other method is IPA's own).
        lines = ['metalboot = metalboot_ipa_hwm:MetalbootHostHardwareManager']
    out += ['[%s]' % group] + lines + ['']
open(sys.argv[2], 'w').write('\n'.join(out))
PY
    fi
}

check_imports() {
    # module -> Debian 12 package, for every line of IPA's requirements.txt
    local missing
    missing=$("$PYTHON" - <<'PY'
import importlib
mods = {'pbr': 'python3-pbr', 'eventlet': 'python3-eventlet',
        'netifaces': 'python3-netifaces', 'oslo_config': 'python3-oslo.config',
        'oslo_concurrency': 'python3-oslo.concurrency',
        'oslo_log': 'python3-oslo.log', 'oslo_service': 'python3-oslo.service',
        'oslo_utils': 'python3-oslo.utils', 'pint': 'python3-pint',
        'psutil': 'python3-psutil', 'pyudev': 'python3-pyudev',
        'requests': 'python3-requests', 'stevedore': 'python3-stevedore',
        'tenacity': 'python3-tenacity', 'ironic_lib': 'python3-ironic-lib',
        'werkzeug': 'python3-werkzeug', 'cryptography': 'python3-cryptography',
        'tooz': 'python3-tooz'}
for mod, pkg in mods.items():
    try:
        importlib.import_module(mod)
    except ImportError:
        print(pkg)
PY
)
    if [ -n "$missing" ]; then
        echo "missing Debian packages: apt-get install --no-install-recommends" $missing >&2
        exit 1
    fi
}

prepare
# The import check costs about a second of start-up, so it runs once per
# cache directory (and always for --prepare-only).
if [ "${1:-}" = --prepare-only ] || [ ! -f "$IPA_CACHE/.debian-deps-ok" ]; then
    check_imports
    touch "$IPA_CACHE/.debian-deps-ok"
fi
if [ "${1:-}" = --prepare-only ]; then
    echo "$IPA_CACHE"
    exit 0
fi
export PYTHONPATH="$IPA_CACHE:$HERE${PYTHONPATH:+:$PYTHONPATH}"
# host-guard/ shadows poweroff, reboot, shutdown and halt (second guard).
export PATH="$HERE/host-guard:$PATH"
exec "$PYTHON" "$HERE/metalboot_ipa_launch.py" "$@"
