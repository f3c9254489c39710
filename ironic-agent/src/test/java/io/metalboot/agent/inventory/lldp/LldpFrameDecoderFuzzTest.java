package io.metalboot.agent.inventory.lldp;

import static io.metalboot.agent.inventory.lldp.LldpFrames.frame;
import static io.metalboot.agent.inventory.lldp.LldpFrames.text;
import static io.metalboot.agent.inventory.lldp.LldpFrames.tlv;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
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

    sealed interface Mutation {
        byte[] apply(byte[] in);
    }

    record FlipBit(int position, int bit) implements Mutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            out[position % out.length] ^= (byte) (1 << bit);
            return out;
        }
    }

    record SetByte(int position, byte value) implements Mutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            out[position % out.length] = value;
            return out;
        }
    }

    record Truncate(int length) implements Mutation {
        public byte[] apply(byte[] in) {
            return Arrays.copyOf(in, length % (in.length + 1));
        }
    }

    record Insert(int position, byte[] bytes) implements Mutation {
        public byte[] apply(byte[] in) {
            int at = position % (in.length + 1);
            byte[] out = new byte[in.length + bytes.length];
            System.arraycopy(in, 0, out, 0, at);
            System.arraycopy(bytes, 0, out, at, bytes.length);
            System.arraycopy(in, at, out, at + bytes.length, in.length - at);
            return out;
        }
    }

    @Property(tries = 3000)
    void aMutatedFrameDecodesOrIsRefused(@ForAll("seed") byte[] seed, @ForAll("edits") List<Mutation> edits) {
        byte[] frame = seed;
        for (Mutation edit : edits) {
            frame = frame.length == 0 ? frame : edit.apply(frame);
        }
        decodeOrRefuse(frame);
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
    Arbitrary<List<Mutation>> edits() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, 400);
        Arbitrary<Mutation> flip = Combinators.combine(position, Arbitraries.integers().between(0, 7)).as(FlipBit::new);
        Arbitrary<Mutation> set = Combinators.combine(position,
                Arbitraries.of((byte) 0, (byte) 1, (byte) 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff)).as(SetByte::new);
        Arbitrary<Mutation> truncate = position.map(Truncate::new);
        Arbitrary<Mutation> insert = Combinators.combine(position,
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8)).as(Insert::new);
        return Arbitraries.frequencyOf(Tuple.of(4, flip), Tuple.of(4, set), Tuple.of(1, truncate), Tuple.of(1, insert))
                .list().ofMinSize(1).ofMaxSize(6);
    }
}
