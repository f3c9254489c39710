package io.metalboot.machine.inventory;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.SmbiosUuid;
import java.util.List;
import java.util.Objects;

/**
 * IPA {@code inventory} (what {@code HardwareManager.list_hardware_info} returns), plus two keys of
 * ours, {@link #smbiosUuid} and {@link #baseboard}.
 *
 * @param cpu          IPA {@code cpu}; required.
 * @param memory       IPA {@code memory}; required.
 * @param disks        IPA {@code disks}: the whole disks, no partitions, in name order.
 * @param interfaces   IPA {@code interfaces}: the physical network interfaces, in name order.
 * @param systemVendor IPA {@code system_vendor}; required.
 * @param boot         IPA {@code boot}; required.
 * @param hostname     IPA {@code hostname}: the kernel's host name; null when it has none.
 * @param smbiosUuid   ours, {@code smbios_uuid}: the SMBIOS system UUID (type 1) in the standard printed
 *                     form {@link SmbiosUuid} gives, the one iPXE's {@code ${uuid}}, dmidecode and QEMU's
 *                     {@code -uuid} print; null when the firmware sets none.
 * @param baseboard    ours, {@code baseboard}: SMBIOS type 2; required (its fields may all be null).
 * @param bmcAddress   IPA {@code bmc_address}: the BMC's IPv4 address on its first LAN channel that
 *                     has one, "192.0.2.10"; null when there is no BMC or none is configured (IPA
 *                     sends "0.0.0.0" for a BMC without one).
 * @param bmcV6address IPA {@code bmc_v6address}: its IPv6 address, without prefix length; null as
 *                     above (IPA: "::/0").
 * @param bmcMac       IPA {@code bmc_mac}: the MAC address of the LAN channel that has an address,
 *                     "52:54:00:be:ef:01"; null when none (IPA leaves the key out).
 */
public record Inventory(Cpu cpu, Memory memory, List<Disk> disks, List<NetworkInterface> interfaces,
        SystemVendor systemVendor, Boot boot, String hostname, String smbiosUuid, Baseboard baseboard,
        String bmcAddress, String bmcV6address, String bmcMac) {
    /** An inventory of a machine without a BMC (or whose BMC was not asked). */
    public Inventory(Cpu cpu, Memory memory, List<Disk> disks, List<NetworkInterface> interfaces,
            SystemVendor systemVendor, Boot boot, String hostname, String smbiosUuid, Baseboard baseboard) {
        this(cpu, memory, disks, interfaces, systemVendor, boot, hostname, smbiosUuid, baseboard, null, null, null);
    }

    public Inventory {
        Objects.requireNonNull(cpu, "inventory.cpu");
        Objects.requireNonNull(memory, "inventory.memory");
        Objects.requireNonNull(systemVendor, "inventory.system_vendor");
        Objects.requireNonNull(boot, "inventory.boot");
        Objects.requireNonNull(baseboard, "inventory.baseboard");
        disks = disks == null ? List.of() : List.copyOf(disks);
        interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
        if (smbiosUuid != null) {
            smbiosUuid = SmbiosUuid.parse(smbiosUuid).toString();
        }
        if (bmcMac != null) {
            bmcMac = MacAddress.parse(bmcMac).toString();
        }
    }

    /** The interface whose MAC address is {@link Boot#pxeInterface}, or null. */
    public NetworkInterface pxeInterface() {
        if (boot.pxeInterface() == null) {
            return null;
        }
        return interfaces.stream().filter(i -> i.macAddress().equals(boot.pxeInterface())).findFirst().orElse(null);
    }
}
