package io.metalboot.machine.inventory;

/**
 * Ours, an interface's {@code lldp_neighbour}: what the switch port at the other end of the link
 * said about itself in the LLDP frame the agent received (IEEE 802.1AB), decoded from
 * {@link NetworkInterface#lldp}'s TLVs so that nobody has to read hex. Every component is null
 * when the frame had no such TLV.
 *
 * @param chassisId         the Chassis ID TLV (type 1): a MAC address (subtype 4) as
 *                          {@code aa:bb:cc:dd:ee:ff}, a network address (subtype 5) as the IP
 *                          address, any other subtype as its text
 * @param chassisIdSubtype  its subtype: 1 chassis component, 2 interface alias, 3 port component,
 *                          4 MAC address, 5 network address, 6 interface name, 7 locally assigned
 * @param portId            the Port ID TLV (type 2), printed the same way (MAC address: subtype 3,
 *                          network address: 4)
 * @param portIdSubtype     its subtype: 1 interface alias, 2 port component, 3 MAC address,
 *                          4 network address, 5 interface name, 6 agent circuit id, 7 locally assigned
 * @param portDescription   the Port Description TLV (type 4)
 * @param systemName        the System Name TLV (type 5)
 * @param vlanId            the port VLAN ID: IEEE 802.1's organizationally specific TLV (type 127,
 *                          OUI 00-80-C2, subtype 1); null when absent or 0 (the port sends untagged)
 */
public record LldpNeighbour(String chassisId, Integer chassisIdSubtype, String portId, Integer portIdSubtype,
        String portDescription, String systemName, Integer vlanId) {
}
