package io.metalboot.agent.inventory.lldp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Collectors;

/** LLDP frames for the tests: the one lldpd sent, and frames built TLV by TLV. */
final class LldpFrames {
    private LldpFrames() {
    }

    /** lldpd-frame.hex: a frame Debian's lldpd sent (the file says how it was captured). */
    static byte[] lldpd() {
        try (InputStream in = LldpFrames.class.getResourceAsStream("lldpd-frame.hex")) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return HexFormat.of().parseHex(text.lines().filter(l -> !l.startsWith("#")).map(String::strip)
                    .collect(Collectors.joining()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A frame to LLDP's multicast address with these TLVs (type, value) and nothing after them. */
    static byte[] frame(LldpTlv... tlvs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HexFormat.of().parseHex("0180c200000e" + "020000000001" + "88cc"));
        for (LldpTlv tlv : tlvs) {
            byte[] value = tlv.value();
            out.write(tlv.type() << 1 | value.length >>> 8);
            out.write(value.length & 0xff);
            out.writeBytes(value);
        }
        return out.toByteArray();
    }

    static LldpTlv tlv(int type, String hex) {
        return new LldpTlv(type, HexFormat.of().parseHex(hex));
    }

    static LldpTlv text(int type, String text) {
        return new LldpTlv(type, text.getBytes(StandardCharsets.UTF_8));
    }
}
