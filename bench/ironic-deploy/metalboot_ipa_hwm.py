"""A hardware manager that lets ironic-python-agent (IPA) run on a host.

IPA is written to run in a throw-away ramdisk: at start it assembles md
RAIDs, probes iSCSI boot, loads IPMI and multipath modules, and it will
erase or write whichever disk the node's root device hints pick from
*every* disk lsblk shows.  For a side-by-side benchmark on a real host
that is not acceptable, so run-ipa-from-source.sh registers this class as
IPA's *only* hardware manager (the generated egg-info lists no 'generic',
'mlnx' or 'cna' entry point), and it

* sees exactly one block device, [metalboot] only_block_device (a loop
  device; IPA's own lister skips TYPE=loop, so without this IPA would see
  no loop device at all, only host disks), plus its partitions;
* sees exactly the network interfaces in [metalboot] only_interfaces
  (IPA's own lister wants /sys/class/net/X/device, which veth and dummy
  interfaces lack, so in a network namespace it would find none and wait
  60 s before lookup);
* skips GenericHardwareManager.evaluate_hardware_support's host-touching
  start-up (mdadm --assemble --scan, iscsistart -f/-b, modprobe ipmi_*,
  modprobe dm_multipath) but still waits for its one disk like IPA does.

Everything else (inventory, deploy/clean steps, image writing) is
GenericHardwareManager's, unchanged.
"""

import os

from oslo_config import cfg
from oslo_log import log

from ironic_python_agent import errors
from ironic_python_agent import hardware

LOG = log.getLogger(__name__)
CONF = cfg.CONF

CONF.register_opts([
    cfg.StrOpt('only_block_device',
               help='The one block device IPA may see, list, erase and '
                    'write, e.g. /dev/loop7. Required.'),
    cfg.ListOpt('only_interfaces', default=[],
                help='Network interfaces IPA reports (their MACs are what '
                     'lookup sends to Ironic).'),
    cfg.BoolOpt('exit_on_poweroff', default=True,
                help='When Ironic asks IPA to power off (standby.power_off), '
                     'exit the agent process instead of powering off the '
                     'host.'),
], group='metalboot')


def _real(path):
    return os.path.realpath(path)


class MetalbootHostHardwareManager(hardware.GenericHardwareManager):

    def evaluate_hardware_support(self):
        if not CONF.metalboot.only_block_device:
            raise RuntimeError('[metalboot] only_block_device is not set; '
                               'refusing to let IPA see host disks')
        LOG.info('metalboot: IPA restricted to block device %s and '
                 'interfaces %s', CONF.metalboot.only_block_device,
                 CONF.metalboot.only_interfaces)
        self.wait_for_disks()
        return hardware.HardwareSupport.SERVICE_PROVIDER

    def list_block_devices(self, include_partitions=False):
        wanted = _real(CONF.metalboot.only_block_device)
        disks = [d for kind in ('disk', 'loop')
                 for d in hardware.list_all_block_devices(block_type=kind)
                 if _real(d.name) == wanted]
        if include_partitions and disks:
            base = os.path.basename(wanted)
            disks += [p for p in hardware.list_all_block_devices(
                          block_type='part', ignore_raid=True)
                      if os.path.basename(p.name).startswith(base)]
        return disks

    def list_network_interfaces(self):
        result = []
        for name in CONF.metalboot.only_interfaces:
            try:
                result.append(self.get_interface_info(name))
            except errors.IncompatibleHardwareMethodError:
                LOG.warning('metalboot: interface %s has no MAC', name)
        return result
