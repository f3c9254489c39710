package io.metalboot.machine.inventory;

import io.metalboot.machine.MacAddress;
import java.util.Objects;

/**
 * One entry of IPA {@code inventory["interfaces"]} ({@code hardware.NetworkInterface}, its
 * {@code serializable_fields} less the deprecated {@code lldp}).
 *
 * @param name        IPA {@code name}: the kernel's interface name, "eth0", "enp1s0"; required.
 * @param macAddress  IPA {@code mac_address}: required; held in {@link MacAddress}'s printed form,
 *                    lowercase with colons (any form {@link MacAddress#parse} takes is accepted).
 * @param ipv4Address IPA {@code ipv4_address}: the interface's first IPv4 address, "192.0.2.10".
 * @param ipv6Address IPA {@code ipv6_address}: its IPv6 address (global if it has one, else link-local).
 * @param hasCarrier  IPA {@code has_carrier}: the link is up (sysfs carrier is 1).
 * @param vendor      IPA {@code vendor}: the device's vendor id as sysfs prints it, "0x8086".
 * @param product     IPA {@code product}: the device id, "0x1572".
 * @param biosdevname IPA {@code biosdevname}: the BIOS-given name ("em1", "p2p1"); null when unknown.
 * @param speedMbps   IPA {@code speed_mbps}: the link speed in Mbit/s; null, never 0 or negative, when
 *                    the link is down or the speed is unknown.
 * @param pciAddress  IPA {@code pci_address}: "0000:00:03.0".
 * @param driver      IPA {@code driver}: the kernel driver, "virtio_net", "ixgbe".
 * @param clientId    IPA {@code client_id}: the DHCP client id of an InfiniBand port; null otherwise.
 */
public record NetworkInterface(String name, String macAddress, String ipv4Address, String ipv6Address,
        boolean hasCarrier, String vendor, String product, String biosdevname, Integer speedMbps, String pciAddress,
        String driver, String clientId) {
    public NetworkInterface {
        Objects.requireNonNull(name, "an interface has a name");
        Objects.requireNonNull(macAddress, () -> "interface " + name + " has a MAC address");
        macAddress = MacAddress.parse(macAddress).toString();
        if (speedMbps != null && speedMbps <= 0) {
            throw new IllegalArgumentException("interface " + name
                    + ": speed_mbps is null when the link is down or its speed unknown, not " + speedMbps);
        }
    }

    /** {@link #macAddress} as a {@link MacAddress}. */
    public MacAddress mac() {
        return MacAddress.parse(macAddress);
    }
}
