package io.metalboot.machine.inventory;

import io.metalboot.machine.MacAddress;
import java.util.List;
import java.util.Objects;

/**
 * One entry of IPA {@code inventory["interfaces"]} ({@code hardware.NetworkInterface}, its
 * {@code serializable_fields}), plus one key of ours, {@link #lldpNeighbour}.
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
 * @param lldp        IPA {@code lldp}: the TLVs of the first LLDP frame received on the interface, in
 *                    frame order, End TLV included, as {@code [type, "hex"]} pairs; empty when the agent
 *                    listened and nothing came (or the link is down); null when LLDP was not collected.
 *                    (IPA fills it with {@code ipa-collect-lldp}; its newer inspection collector sends
 *                    the same lists per interface name as {@code lldp_raw}.)
 * @param lldpNeighbour ours, {@code lldp_neighbour}: {@link #lldp} decoded; null when there is no frame.
 */
public record NetworkInterface(String name, String macAddress, String ipv4Address, String ipv6Address,
        boolean hasCarrier, String vendor, String product, String biosdevname, Integer speedMbps, String pciAddress,
        String driver, String clientId, List<LldpTlvHex> lldp, LldpNeighbour lldpNeighbour) {
    public NetworkInterface {
        Objects.requireNonNull(name, "an interface has a name");
        Objects.requireNonNull(macAddress, () -> "interface " + name + " has a MAC address");
        macAddress = MacAddress.parse(macAddress).toString();
        if (speedMbps != null && speedMbps <= 0) {
            throw new IllegalArgumentException("interface " + name
                    + ": speed_mbps is null when the link is down or its speed unknown, not " + speedMbps);
        }
        // Null stays null here, unlike the package's other lists: null (not collected) and empty
        // (listened, nothing came) say different things, as in IPA.
        lldp = lldp == null ? null : List.copyOf(lldp);
    }

    /** Without LLDP: {@link #lldp} and {@link #lldpNeighbour} null (not collected). */
    public NetworkInterface(String name, String macAddress, String ipv4Address, String ipv6Address, boolean hasCarrier,
            String vendor, String product, String biosdevname, Integer speedMbps, String pciAddress, String driver,
            String clientId) {
        this(name, macAddress, ipv4Address, ipv6Address, hasCarrier, vendor, product, biosdevname, speedMbps,
                pciAddress, driver, clientId, null, null);
    }

    /** This interface with what LLDP said on it. */
    public NetworkInterface withLldp(List<LldpTlvHex> tlvs, LldpNeighbour neighbour) {
        return new NetworkInterface(name, macAddress, ipv4Address, ipv6Address, hasCarrier, vendor, product,
                biosdevname, speedMbps, pciAddress, driver, clientId, tlvs, neighbour);
    }

    /** {@link #macAddress} as a {@link MacAddress}. */
    public MacAddress mac() {
        return MacAddress.parse(macAddress);
    }
}
