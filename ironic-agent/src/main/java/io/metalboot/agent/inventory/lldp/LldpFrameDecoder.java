package io.metalboot.agent.inventory.lldp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An Ethernet frame carrying LLDP (ethertype 0x88cc, after at most one 802.1Q/802.1ad tag) to its
 * TLVs, in frame order, up to and including the End of LLDPDU TLV: IPA's {@code _parse_tlv} lists
 * the End TLV too ({@code [0, ""]}), and whatever follows it is Ethernet padding. Anything else —
 * another ethertype, a TLV longer than the frame, a stray byte — is an {@link LldpFormatException};
 * each step consumes at least two bytes, so decoding ends.
 */
public final class LldpFrameDecoder {
    public static final int ETHERTYPE_LLDP = 0x88cc;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88a8;
    private static final int MAC_ADDRESSES = 12;

    private LldpFrameDecoder() {
    }

    /** The frame's TLVs; the frame starts at the destination MAC address (as AF_PACKET SOCK_RAW gives it). */
    public static List<LldpTlv> decode(byte[] frame) {
        int offset = MAC_ADDRESSES;
        int ethertype = u16(frame, offset, "ethertype");
        offset += 2;
        if (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ) {
            offset += 2; // the tag's priority and VLAN id
            ethertype = u16(frame, offset, "ethertype after the 802.1Q tag");
            offset += 2;
        }
        if (ethertype != ETHERTYPE_LLDP) {
            throw new LldpFormatException(String.format("ethertype 0x%04x is not LLDP's 0x88cc", ethertype));
        }
        return decodeLldpdu(frame, offset);
    }

    private static List<LldpTlv> decodeLldpdu(byte[] frame, int offset) {
        List<LldpTlv> tlvs = new ArrayList<>();
        while (offset < frame.length) {
            int header = u16(frame, offset, "TLV header");
            int type = header >>> 9;
            int length = header & 0x1ff;
            int start = offset + 2;
            if (length > frame.length - start) {
                throw new LldpFormatException("TLV type " + type + " at byte " + offset + " has " + length
                        + " bytes of value, the frame " + (frame.length - start) + " left");
            }
            tlvs.add(new LldpTlv(type, Arrays.copyOfRange(frame, start, start + length)));
            offset = start + length;
            if (type == LldpTlv.END) {
                return tlvs;
            }
        }
        if (tlvs.isEmpty()) {
            throw new LldpFormatException("the LLDPDU is empty");
        }
        return tlvs; // no End TLV, the frame ends at a TLV's end: IPA takes that too
    }

    private static int u16(byte[] frame, int offset, String what) {
        if (offset + 2 > frame.length) {
            throw new LldpFormatException("the frame ends at byte " + frame.length + ", before its " + what
                    + " at byte " + offset);
        }
        return (frame[offset] & 0xff) << 8 | frame[offset + 1] & 0xff;
    }
}
