package io.metalboot.agent.inventory.lldp;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.inventory.LldpNeighbour;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * An LLDPDU's TLVs to the {@link LldpNeighbour} they describe (IEEE 802.1AB-2016 8.5, and 802.1Q
 * Annex D for the port VLAN id). Lenient, as a reader of what switches send must be: a TLV too short
 * for its subtype is left out, not an error; the first of each kind counts.
 */
public final class LldpNeighbourDecoder {
    private static final int CHASSIS_MAC = 4;
    private static final int CHASSIS_NETWORK_ADDRESS = 5;
    private static final int PORT_MAC = 3;
    private static final int PORT_NETWORK_ADDRESS = 4;
    private static final byte[] IEEE_802_1_OUI = {0x00, (byte) 0x80, (byte) 0xc2};
    private static final int PORT_VLAN_ID = 1;
    /** IANA address family numbers, the first byte of a network address subtype's value. */
    private static final int IANA_IPV4 = 1;
    private static final int IANA_IPV6 = 2;

    private LldpNeighbourDecoder() {
    }

    public static LldpNeighbour parse(List<LldpTlv> tlvs) {
        String chassisId = null;
        Integer chassisIdSubtype = null;
        String portId = null;
        Integer portIdSubtype = null;
        String portDescription = null;
        String systemName = null;
        Integer vlanId = null;
        for (LldpTlv tlv : tlvs) {
            byte[] v = tlv.value();
            switch (tlv.type()) {
                case LldpTlv.CHASSIS_ID -> {
                    if (chassisId == null && v.length >= 2) {
                        chassisIdSubtype = v[0] & 0xff;
                        chassisId = id(v, chassisIdSubtype == CHASSIS_MAC, chassisIdSubtype == CHASSIS_NETWORK_ADDRESS);
                    }
                }
                case LldpTlv.PORT_ID -> {
                    if (portId == null && v.length >= 2) {
                        portIdSubtype = v[0] & 0xff;
                        portId = id(v, portIdSubtype == PORT_MAC, portIdSubtype == PORT_NETWORK_ADDRESS);
                    }
                }
                case LldpTlv.PORT_DESCRIPTION -> portDescription = portDescription == null ? text(v) : portDescription;
                case LldpTlv.SYSTEM_NAME -> systemName = systemName == null ? text(v) : systemName;
                case LldpTlv.ORGANIZATIONALLY_SPECIFIC -> {
                    if (vlanId == null && v.length >= 6 && Arrays.equals(v, 0, 3, IEEE_802_1_OUI, 0, 3)
                            && v[3] == PORT_VLAN_ID) {
                        int id = (v[4] & 0xff) << 8 | v[5] & 0xff;
                        vlanId = id == 0 ? null : id;
                    }
                }
                default -> {
                }
            }
        }
        return new LldpNeighbour(chassisId, chassisIdSubtype, portId, portIdSubtype, portDescription, systemName,
                vlanId);
    }

    /** A chassis or port id's value after its subtype byte: a MAC, an IP address, else text. */
    private static String id(byte[] v, boolean mac, boolean networkAddress) {
        byte[] id = Arrays.copyOfRange(v, 1, v.length);
        if (mac && id.length == 6) {
            return MacAddress.of(id).toString();
        }
        if (networkAddress && id.length >= 1) {
            int family = id[0] & 0xff;
            byte[] address = Arrays.copyOfRange(id, 1, id.length);
            if ((family == IANA_IPV4 && address.length == 4) || (family == IANA_IPV6 && address.length == 16)) {
                try {
                    return InetAddress.getByAddress(address).getHostAddress();
                } catch (UnknownHostException e) {
                    throw new AssertionError("4 or 16 bytes are an IP address", e);
                }
            }
        }
        return text(id);
    }

    /** The TLV's text: 802.1AB's strings are meant to be printable; what is not UTF-8 reads as U+FFFD. */
    private static String text(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == 0) {
            end--; // some switches send C strings, NUL included
        }
        return text.substring(0, end);
    }
}
