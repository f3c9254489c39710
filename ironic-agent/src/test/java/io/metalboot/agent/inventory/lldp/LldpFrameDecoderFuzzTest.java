package io.metalboot.agent.inventory.lldp;

import static io.metalboot.agent.inventory.lldp.LldpFrames.frame;
import static io.metalboot.agent.inventory.lldp.LldpFrames.text;
import static io.metalboot.agent.inventory.lldp.LldpFrames.tlv;

import io.metalboot.agent.ByteMutation;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Random and mutated frames (from lldpd's and built ones): the decoder returns TLVs or throws
 * {@link LldpFormatException}, nothing else, and the neighbour decoder takes whatever it returned.
 */
class LldpFrameDecoderFuzzTest {
    private static final List<byte[]> SEEDS = List.of(LldpFrames.lldpd(),
            frame(tlv(1, "0501c0000201"), tlv(2, "05" + "657468"), tlv(3, "0078"), text(5, "sw"),
                    tlv(127, "0080c2010064"), tlv(0, "")));

    @Property(tries = 3000)
    void aMutatedFrameDecodesOrIsRefused(@ForAll("seed") byte[] seed, @ForAll("edits") List<ByteMutation> edits) {
        decodeOrRefuse(ByteMutation.applyAll(seed, edits));
    }

    @Property(tries = 2000)
    void randomBytesAfterTheLldpEthertypeDecodeOrAreRefused(@ForAll @Size(max = 600) byte[] lldpdu) {
        byte[] frame = frame();
        byte[] whole = Arrays.copyOf(frame, frame.length + lldpdu.length);
        System.arraycopy(lldpdu, 0, whole, frame.length, lldpdu.length);
        decodeOrRefuse(whole);
    }

    @Property(tries = 500)
    void randomFramesDecodeOrAreRefused(@ForAll @Size(max = 200) byte[] frame) {
        decodeOrRefuse(frame);
    }

    private static void decodeOrRefuse(byte[] frame) {
        try {
            LldpNeighbourDecoder.parse(LldpFrameDecoder.decode(frame));
            Statistics.label("frame").collect("decoded");
        } catch (LldpFormatException e) {
            Statistics.label("frame").collect("refused");
        }
    }

    @Provide
    Arbitrary<byte[]> seed() {
        return Arbitraries.of(SEEDS);
    }

    @Provide
    Arbitrary<List<ByteMutation>> edits() {
        return ByteMutation.edits(400, Arbitraries.of((byte) 0, (byte) 1, (byte) 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff));
    }
}
