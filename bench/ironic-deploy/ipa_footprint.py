"""IPA's python footprint on this host: what its start imports, by where it lives.

Imports what metalboot_ipa_launch.py imports plus every command extension named in
the generated egg-info's entry_points.txt (stevedore loads all of them at agent
start) and the hardware manager, then sums, over sys.modules:
* IPA's own source tree (the modules' files),
* each Debian dist-packages top-level package or module that was imported (the
  whole directory: what a ramdisk would have to carry),
* the standard library files that were imported (.py and extension .so).
Run with PYTHONPATH=<IPA source>:<bench/ironic-deploy>, as run.sh does.
"""
import configparser
import importlib
import os
import sys
import sysconfig

from ironic_python_agent.cmd import agent  # noqa: F401  (registers the options)
from ironic_python_agent import hardware  # noqa: F401
import metalboot_ipa_hwm  # noqa: F401

src = os.path.dirname(os.path.dirname(os.path.abspath(agent.__file__)))
entry = configparser.ConfigParser()
entry.read(os.path.join(src, 'ironic_python_agent.egg-info', 'entry_points.txt'))
for group in entry.sections():
    if group.startswith('ironic_python_agent.'):
        for _, target in entry.items(group):
            importlib.import_module(target.split(':')[0].strip())


def size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            p = os.path.join(root, name)
            if not os.path.islink(p):
                total += os.path.getsize(p)
    return total


stdlib = os.path.realpath(sysconfig.get_paths()['stdlib'])
dist = set()
std_files = set()
ipa_files = set()
for module in list(sys.modules.values()):
    f = getattr(module, '__file__', None)
    if not f:
        continue
    f = os.path.realpath(f)
    if f.startswith(src + os.sep):
        ipa_files.add(f)
    elif '/dist-packages/' in f:
        base, rest = f.split('/dist-packages/', 1)
        dist.add(os.path.join(base + '/dist-packages', rest.split('/')[0]))
    elif f.startswith(stdlib):
        std_files.add(f)

mib = 1024 * 1024
ipa = sum(size(f) for f in ipa_files)
third = sum(size(d) for d in dist)
std = sum(size(f) for f in std_files)
print('  IPA python footprint (%d modules imported at start):' % len(sys.modules))
print('    IPA source, imported files:          %6.1f MiB (%d files)' % (ipa / mib, len(ipa_files)))
print('    Debian dist-packages, imported dirs: %6.1f MiB (%d top-level packages)' % (third / mib, len(dist)))
print('    stdlib, imported files:              %6.1f MiB (%d files; all of %s: %.1f MiB)'
      % (std / mib, len(std_files), stdlib, size(stdlib) / mib))
print('    sum (without the interpreter and the tools IPA runs): %.1f MiB' % ((ipa + third + std) / mib))
biggest = sorted(dist, key=size, reverse=True)[:8]
print('    largest packages: ' + ', '.join('%s %.1f' % (os.path.basename(d), size(d) / mib) for d in biggest))
