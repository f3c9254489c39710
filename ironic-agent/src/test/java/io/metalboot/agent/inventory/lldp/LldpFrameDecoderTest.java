package io.metalboot.agent.inventory.lldp;

import static io.metalboot.agent.inventory.lldp.LldpFrames.frame;
import static io.metalboot.agent.inventory.lldp.LldpFrames.text;
import static io.metalboot.agent.inventory.lldp.LldpFrames.tlv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.inventory.LldpNeighbour;
import io.metalboot.machine.inventory.LldpTlvHex;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class LldpFrameDecoderTest {
    @Test
    void lldpdsFrameIsItsTlvsInOrderEndIncluded() {
        List<LldpTlv> tlvs = LldpFrameDecoder.decode(LldpFrames.lldpd());
        assertEquals(List.of(1, 2, 3, 5, 6, 7, 8, 4, 127, 127, 0), tlvs.stream().map(LldpTlv::type).toList());
        assertEquals(tlv(1, "049a46ed3b5a80"), tlvs.get(0));
        assertEquals(tlv(2, "039a46ed3b5a80"), tlvs.get(1));
        assertEquals(tlv(3, "0004"), tlvs.get(2));
        assertEquals(text(5, "lab-switch"), tlvs.get(3));
        assertEquals(text(4, "lt497s"), tlvs.get(7));
        assertEquals(tlv(127, "00120f0100800000 36".replace(" ", "")), tlvs.get(9));
        assertEquals(tlv(0, ""), tlvs.get(10));
        // IPA's pairs: binascii.hexlify of each value
        assertEquals(new LldpTlvHex(1, "049a46ed3b5a80"), tlvs.get(0).toHex());
        assertEquals(new LldpTlvHex(0, ""), tlvs.get(10).toHex());
    }

    @Test
    void lldpdsNeighbourIsWhatLldpcliShowed() {
        assertEquals(new LldpNeighbour("9a:46:ed:3b:5a:80", 4, "9a:46:ed:3b:5a:80", 3, "lt497s", "lab-switch", null),
                LldpNeighbourDecoder.parse(LldpFrameDecoder.decode(LldpFrames.lldpd())));
    }

    @Test
    void anEightOneQTagBeforeTheEthertypeIsSkipped() {
        byte[] untagged = frame(tlv(1, "04020000000001"), tlv(0, ""));
        byte[] tagged = new byte[untagged.length + 4];
        System.arraycopy(untagged, 0, tagged, 0, 12);
        System.arraycopy(HexFormat.of().parseHex("81000064"), 0, tagged, 12, 4);
        System.arraycopy(untagged, 12, tagged, 16, untagged.length - 12);
        assertEquals(LldpFrameDecoder.decode(untagged), LldpFrameDecoder.decode(tagged));
    }

    @Test
    void paddingAfterTheEndTlvIsNotRead() {
        byte[] frame = Arrays.copyOf(frame(tlv(1, "04020000000001"), tlv(0, "")), 60);
        frame[59] = 0x55;
        assertEquals(List.of(tlv(1, "04020000000001"), tlv(0, "")), LldpFrameDecoder.decode(frame));
    }

    @Test
    void withoutAnEndTlvTheFrameEndsTheList() {
        assertEquals(List.of(text(5, "sw")), LldpFrameDecoder.decode(frame(text(5, "sw"))));
    }

    @Test
    void malformedFramesSaySo() {
        byte[] ipv4 = frame(tlv(1, "04020000000001"));
        ipv4[12] = 0x08;
        ipv4[13] = 0x00;
        assertTrue(assertThrows(LldpFormatException.class, () -> LldpFrameDecoder.decode(ipv4)).getMessage()
                .contains("0x0800"));
        assertThrows(LldpFormatException.class, () -> LldpFrameDecoder.decode(new byte[13]));
        assertThrows(LldpFormatException.class, () -> LldpFrameDecoder.decode(frame()), "no TLV at all");
        byte[] whole = frame(text(5, "lab-switch"));
        LldpFormatException cut = assertThrows(LldpFormatException.class,
                () -> LldpFrameDecoder.decode(Arrays.copyOf(whole, whole.length - 1)));
        assertTrue(cut.getMessage().contains("TLV type 5"), cut.getMessage());
        byte[] stray = Arrays.copyOf(whole, whole.length + 1);
        assertThrows(LldpFormatException.class, () -> LldpFrameDecoder.decode(stray), "a byte after the last TLV");
    }

    @Test
    void aTlvIsImmutable() {
        byte[] value = {1, 2};
        LldpTlv tlv = new LldpTlv(1, value);
        value[0] = 9;
        tlv.value()[1] = 9;
        assertEquals(tlv(1, "0102"), tlv);
        assertNotEquals(tlv(1, "0103"), tlv);
        assertThrows(IllegalArgumentException.class, () -> new LldpTlv(128, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new LldpTlv(1, new byte[512]));
    }
}
