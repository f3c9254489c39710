package io.metalboot.agent;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * One edit of a byte string, for the decoders' fuzz tests (SMBIOS, LLDP): a seed that decodes,
 * edited a few times, must still decode or be refused with the decoder's own exception.
 */
public sealed interface ByteMutation {
    byte[] apply(byte[] in);

    record FlipBit(int position, int bit) implements ByteMutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            out[position % out.length] ^= (byte) (1 << bit);
            return out;
        }
    }

    record SetByte(int position, byte value) implements ByteMutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            out[position % out.length] = value;
            return out;
        }
    }

    record Truncate(int length) implements ByteMutation {
        public byte[] apply(byte[] in) {
            return Arrays.copyOf(in, length % (in.length + 1));
        }
    }

    record Insert(int position, byte[] bytes) implements ByteMutation {
        public byte[] apply(byte[] in) {
            int at = position % (in.length + 1);
            byte[] out = new byte[in.length + bytes.length];
            System.arraycopy(in, 0, out, 0, at);
            System.arraycopy(bytes, 0, out, at, bytes.length);
            System.arraycopy(in, at, out, at + bytes.length, in.length - at);
            return out;
        }
    }

    /** {@code seed} with each edit applied in turn (an empty result stays empty). */
    static byte[] applyAll(byte[] seed, List<ByteMutation> edits) {
        byte[] bytes = seed;
        for (ByteMutation edit : edits) {
            bytes = bytes.length == 0 ? bytes : edit.apply(bytes);
        }
        return bytes;
    }

    /**
     * 1 to 6 edits at positions up to {@code maxPosition}: bit flips and bytes set to one of
     * {@code values} (4 in 10 each), truncations and inserts of 1 to 8 bytes (1 in 10 each).
     */
    static Arbitrary<List<ByteMutation>> edits(int maxPosition, Arbitrary<Byte> values) {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, maxPosition);
        Arbitrary<ByteMutation> flip = Combinators.combine(position, Arbitraries.integers().between(0, 7)).as(FlipBit::new);
        Arbitrary<ByteMutation> set = Combinators.combine(position, values).as(SetByte::new);
        Arbitrary<ByteMutation> truncate = position.map(Truncate::new);
        Arbitrary<ByteMutation> insert = Combinators.combine(position,
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8)).as(Insert::new);
        return Arbitraries.frequencyOf(Tuple.of(4, flip), Tuple.of(4, set), Tuple.of(1, truncate), Tuple.of(1, insert))
                .list().ofMinSize(1).ofMaxSize(6);
    }
}
