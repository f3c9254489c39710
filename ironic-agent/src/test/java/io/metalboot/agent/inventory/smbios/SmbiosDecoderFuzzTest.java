package io.metalboot.agent.inventory.smbios;

import io.metalboot.agent.ByteMutation;
import io.metalboot.agent.inventory.Fixtures;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
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

    @Property(tries = 3000)
    void aMutatedTableDecodesOrIsRefused(@ForAll("seedTable") byte[] seed, @ForAll("edits") List<ByteMutation> edits) {
        byte[] table = ByteMutation.applyAll(seed, edits);
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
            @ForAll("edits") List<ByteMutation> edits) {
        byte[] entryPoint = ByteMutation.applyAll(seed, edits);
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
    Arbitrary<List<ByteMutation>> edits() {
        return ByteMutation.edits(4096, Arbitraries.of((byte) 0, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 4, (byte) 17, (byte) 127)
                .injectDuplicates(0.1).edgeCases(e -> e.includeOnly((byte) 0)));
    }
}
