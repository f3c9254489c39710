package io.metalboot.agent.inventory.smbios;

import io.metalboot.agent.inventory.Fixtures;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Mutation fuzzing from the captured tables and entry points: for any input, the decoder either
 * returns a table or throws {@link SmbiosFormatException}; no other exception ever escapes it.
 */
class SmbiosDecoderFuzzTest {
    private static final List<byte[]> TABLES = List.of(
            Fixtures.bytes(Fixtures.BIOS, "sys/firmware/dmi/tables/DMI"),
            Fixtures.bytes(Fixtures.UEFI, "sys/firmware/dmi/tables/DMI"),
            Dsp0134.table(Dsp0134.memoryArray(0x1000, 3), Dsp0134.memoryDevice(0x1100, 0x1000, 0x7fff, 65536, "D")));
    private static final List<byte[]> ENTRY_POINTS = List.of(
            Fixtures.bytes(Fixtures.BIOS, "sys/firmware/dmi/tables/smbios_entry_point"),
            Dsp0134.entryPoint3(3, 3, 4096));

    /** One edit. */
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
    void aMutatedTableDecodesOrIsRefused(@ForAll("seedTable") byte[] seed, @ForAll("edits") List<Mutation> edits) {
        byte[] table = seed;
        for (Mutation edit : edits) {
            table = table.length == 0 ? table : edit.apply(table);
        }
        try {
            SmbiosTable decoded = SmbiosDecoder.decodeTable(table, new SmbiosVersion(2, 8));
            decoded.physicalMemoryMib();
            Statistics.label("table").collect("decoded");
        } catch (SmbiosFormatException e) {
            Statistics.label("table").collect("refused");
        }
    }

    @Property(tries = 2000)
    void aMutatedEntryPointDecodesOrIsRefused(@ForAll("seedEntryPoint") byte[] seed,
            @ForAll("edits") List<Mutation> edits) {
        byte[] entryPoint = seed;
        for (Mutation edit : edits) {
            entryPoint = entryPoint.length == 0 ? entryPoint : edit.apply(entryPoint);
        }
        try {
            SmbiosDecoder.decodeEntryPoint(entryPoint);
            Statistics.label("entry point").collect("decoded");
        } catch (SmbiosFormatException e) {
            Statistics.label("entry point").collect("refused");
        }
    }

    @Provide
    Arbitrary<byte[]> seedTable() {
        return Arbitraries.of(TABLES);
    }

    @Provide
    Arbitrary<byte[]> seedEntryPoint() {
        return Arbitraries.of(ENTRY_POINTS);
    }

    @Provide
    Arbitrary<List<Mutation>> edits() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, 4096);
        Arbitrary<Mutation> flip = Combinators.combine(position, Arbitraries.integers().between(0, 7))
                .as(FlipBit::new);
        Arbitrary<Mutation> set = Combinators.combine(position,
                Arbitraries.of((byte) 0, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 4, (byte) 17, (byte) 127)
                        .injectDuplicates(0.1).edgeCases(e -> e.includeOnly((byte) 0)))
                .as(SetByte::new);
        Arbitrary<Mutation> truncate = position.map(Truncate::new);
        Arbitrary<Mutation> insert = Combinators.combine(position,
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8)).as(Insert::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, flip), net.jqwik.api.Tuple.of(4, set), net.jqwik.api.Tuple.of(1, truncate),
                net.jqwik.api.Tuple.of(1, insert)).list().ofMinSize(1).ofMaxSize(6);
    }
}
