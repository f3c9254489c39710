"""Start ironic-python-agent from a source tree, guarded for a host.

Equivalent to the 'ironic-python-agent' console script, plus two guards:
* no config is copied from virtual media (IPA would mount a device
  labelled config-2 and unmount anything at /mnt/config);
* standby.power_off / run_image do not run 'poweroff' / 'reboot' (nor
  IPA's fallback 'echo o > /proc/sysrq-trigger') on the host: power_off
  exits the agent process ([metalboot] exit_on_poweroff), reboot only logs.
"""

import os
import sys
import threading
import time

# Import order matters: cmd.agent pulls in ironic_python_agent.config, which
# registers the options that e.g. qemu_img reads at import time.
from ironic_python_agent.cmd import agent
from ironic_python_agent.extensions import standby
from ironic_python_agent import hardware
from ironic_python_agent import utils
import stevedore


def _guarded_shutdown(self, command):
    from oslo_config import cfg
    from oslo_log import log
    log.getLogger('metalboot').warning(
        'metalboot guard: IPA asked to run %r on the host; not doing it', command)
    if command == 'poweroff' and cfg.CONF.metalboot.exit_on_poweroff:
        # Let the (asynchronous) command's result be recorded first.
        threading.Thread(target=lambda: (time.sleep(2), os._exit(0)),
                         daemon=True).start()


utils.copy_config_from_vmedia = lambda: None

# Load only our hardware manager.  stevedore would otherwise load every
# distribution's 'ironic_python_agent.hardware_managers' entry point, and
# Debian's python3-proliantutils (an Ironic dependency) registers one:
# proliantutils.ipa_hw_manager.hardware_manager:ProliantHardwareManager.
hardware._get_extensions = lambda: stevedore.NamedExtensionManager(
    namespace='ironic_python_agent.hardware_managers', names=['metalboot'],
    invoke_on_load=True, name_order=True)
standby.StandbyExtension._run_shutdown_command = _guarded_shutdown

# Register [metalboot] options before the command line is parsed.
import metalboot_ipa_hwm  # noqa: E402,F401

sys.argv[0] = 'ironic-python-agent'
agent.run()
