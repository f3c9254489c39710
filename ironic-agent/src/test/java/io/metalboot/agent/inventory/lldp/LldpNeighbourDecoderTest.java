package io.metalboot.agent.inventory.lldp;

import static io.metalboot.agent.inventory.lldp.LldpFrames.text;
import static io.metalboot.agent.inventory.lldp.LldpFrames.tlv;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.metalboot.machine.inventory.LldpNeighbour;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chassis and port ids by subtype, and the 802.1 port VLAN id, as IEEE 802.1AB and 802.1Q lay them out. */
class LldpNeighbourDecoderTest {
    @Test
    void macAddressesNetworkAddressesAndTextIds() {
        assertEquals(new LldpNeighbour("c0:ff:ee:00:00:01", 4, "Ethernet1/7", 5, null, null, null),
                LldpNeighbourDecoder.parse(List.of(tlv(1, "04c0ffee000001"), tlv(2, "05" + hex("Ethernet1/7")))));
        assertEquals(new LldpNeighbour("192.0.2.1", 5, "2001:db8:0:0:0:0:0:1", 4, null, null, null),
                LldpNeighbourDecoder.parse(List.of(tlv(1, "0501c0000201"),
                        tlv(2, "040220010db8000000000000000000000001"))));
        assertEquals(new LldpNeighbour("FOC1234X0YZ", 7, "gi0/1", 7, null, null, null),
                LldpNeighbourDecoder.parse(List.of(tlv(1, "07" + hex("FOC1234X0YZ")), tlv(2, "07" + hex("gi0/1")))));
    }

    @Test
    void descriptionNameAndPortVlan() {
        assertEquals(new LldpNeighbour(null, null, null, null, "uplink to rack 7", "tor-7", 100),
                LldpNeighbourDecoder.parse(List.of(text(4, "uplink to rack 7"), text(5, "tor-7\0"),
                        tlv(127, "00120f0100800000 36".replace(" ", "")), // 802.3 MAC/PHY: not a VLAN
                        tlv(127, "0080c2030064" + "04" + hex("v100")), // 802.1 VLAN name: not the port VLAN
                        tlv(127, "0080c2010064"), tlv(0, ""))));
        assertEquals(new LldpNeighbour(null, null, null, null, null, null, null),
                LldpNeighbourDecoder.parse(List.of(tlv(127, "0080c2010000"))), "VLAN 0: untagged, none");
    }

    @Test
    void shortTlvsAreLeftOut() {
        assertEquals(new LldpNeighbour(null, null, null, null, null, null, null),
                LldpNeighbourDecoder.parse(List.of(tlv(1, "04"), tlv(2, ""), tlv(127, "0080c201"))));
        assertEquals(new LldpNeighbour("\u0001\u0002", 4, null, null, null, null, null),
                LldpNeighbourDecoder.parse(List.of(tlv(1, "040102"))), "a MAC subtype of 2 bytes reads as text");
    }

    private static String hex(String text) {
        return java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
