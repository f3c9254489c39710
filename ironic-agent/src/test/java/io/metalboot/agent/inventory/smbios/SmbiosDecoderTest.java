package io.metalboot.agent.inventory.smbios;

import static io.metalboot.agent.inventory.smbios.Dsp0134.bytes;
import static io.metalboot.agent.inventory.smbios.Dsp0134.concat;
import static io.metalboot.agent.inventory.smbios.Dsp0134.memoryArray;
import static io.metalboot.agent.inventory.smbios.Dsp0134.memoryDevice;
import static io.metalboot.agent.inventory.smbios.Dsp0134.structure;
import static io.metalboot.agent.inventory.smbios.Dsp0134.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.agent.inventory.Fixtures;
import io.metalboot.agent.inventory.smbios.SmbiosTable.BaseboardInformation;
import io.metalboot.agent.inventory.smbios.SmbiosTable.BiosInformation;
import io.metalboot.agent.inventory.smbios.SmbiosTable.MemoryDevice;
import io.metalboot.agent.inventory.smbios.SmbiosTable.SystemInformation;
import io.metalboot.machine.SmbiosUuid;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SmbiosDecoderTest {
    private static final SmbiosVersion V2_8 = new SmbiosVersion(2, 8);
    private static final String UUID = "11223344-5566-7788-99aa-bbccddeeff10";
    /** The UUID above as SMBIOS 2.6+ stores it (first three fields little-endian). */
    private static final byte[] UUID_STORED = HexFormat.of().parseHex("443322116655887799aabbccddeeff10");

    static SmbiosTable fixture(String name) {
        return SmbiosDecoder.decode(Fixtures.bytes(name, "sys/firmware/dmi/tables/smbios_entry_point"),
                Fixtures.bytes(name, "sys/firmware/dmi/tables/DMI"));
    }

    /** What QEMU was given for the SeaBIOS capture (-smbios type=0,1,2; -m 2048). */
    @Test
    void theSeabiosCaptureDecodesToWhatQemuWasGiven() {
        SmbiosTable table = fixture(Fixtures.BIOS);
        assertEquals(V2_8, table.version());
        assertEquals(new BiosInformation("Metalboot-Lab-Firmware", "1.2.3", "03/14/2025"), table.bios());
        assertEquals(new SystemInformation("Metalboot-Lab", "PXE-Test-VM", "1.0", "LAB-SERIAL-01",
                SmbiosUuid.parse(UUID), "LAB-SKU", "Lab"), table.system());
        assertEquals(new BaseboardInformation("Metalboot-Lab", "Lab-Board", "rev-A", "LAB-BOARD-01"),
                table.baseboard());
        assertEquals(List.of(new MemoryDevice(0x1100, "DIMM 0", 2048L << 20)), table.memoryDevices());
        assertEquals(2048L, table.physicalMemoryMib());
    }

    /** OVMF keeps its own type 0 (QEMU was given none), and QEMU's type 1 and 2. */
    @Test
    void theOvmfCaptureDecodesToWhatQemuAndOvmfSet() {
        SmbiosTable table = fixture(Fixtures.UEFI);
        assertEquals(new BiosInformation("EFI Development Kit II / OVMF", "0.0.0", "02/06/2015"), table.bios());
        assertEquals(new SystemInformation("Metalboot-Lab", "PXE-Test-VM-UEFI", "2.0", "LAB-SERIAL-02",
                SmbiosUuid.parse("11223344-5566-7788-99aa-bbccddeeff11"), null, null), table.system());
        assertEquals("LAB-BOARD-02", table.baseboard().serialNumber());
        assertEquals(2048L, table.physicalMemoryMib());
    }

    /** The decoder and dmidecode 3.4, run in the same VM, read the same table alike. */
    @ParameterizedTest
    @ValueSource(strings = {Fixtures.BIOS, Fixtures.UEFI})
    void theDecoderAgreesWithDmidecode(String fixture) {
        SmbiosTable table = fixture(fixture);
        Dmidecode dmidecode = Dmidecode.parse(Fixtures.referenceText(fixture, "dmidecode.txt"));
        assertEquals(dmidecode.version(), table.version().toString());
        Map<String, String> bios = dmidecode.first(0);
        assertEquals(bios.get("Vendor"), table.bios().vendor());
        assertEquals(bios.get("Version"), table.bios().version());
        assertEquals(bios.get("Release Date"), table.bios().releaseDate());
        Map<String, String> system = dmidecode.first(1);
        assertEquals(system.get("Manufacturer"), table.system().manufacturer());
        assertEquals(system.get("Product Name"), table.system().productName());
        assertEquals(system.get("Serial Number"), table.system().serialNumber());
        assertEquals(system.get("UUID"), table.system().uuid().toString());
        Map<String, String> board = dmidecode.first(2);
        assertEquals(board.get("Manufacturer"), table.baseboard().manufacturer());
        assertEquals(board.get("Product Name"), table.baseboard().product());
        assertEquals(board.get("Version"), table.baseboard().version());
        assertEquals(board.get("Serial Number"), table.baseboard().serialNumber());
        List<Map<String, String>> devices = dmidecode.all(17);
        assertEquals(devices.size(), table.memoryDevices().size());
        for (int i = 0; i < devices.size(); i++) {
            assertEquals(devices.get(i).get("Locator"), table.memoryDevices().get(i).locator());
            assertEquals(Dmidecode.bytes(devices.get(i).get("Size")), table.memoryDevices().get(i).sizeBytes());
        }
    }

    @Test
    void memorySizesInEveryEncodingDsp0134Has() {
        byte[] t = table(
                memoryArray(0x1000, 0x03),
                memoryDevice(0x1100, 0x1000, 16384, 0, "DIMM 0"), // 16 GiB, in MiB
                memoryDevice(0x1101, 0x1000, 0, 0, "DIMM 1"), // no module installed
                memoryDevice(0x1102, 0x1000, 0xffff, 0, "DIMM 2"), // unknown
                memoryDevice(0x1103, 0x1000, 0x8000 | 512, 0, "DIMM 3"), // 512 KiB (bit 15: KiB)
                memoryDevice(0x1104, 0x1000, 0x7fff, 65536, "DIMM 4"), // 64 GiB in Extended Size
                memoryDevice(0x1105, 0x1000, 0x7fff, 0x8000_0000L | 32768, "DIMM 5")); // bit 31 reserved
        List<MemoryDevice> devices = SmbiosDecoder.decodeTable(t, V2_8).memoryDevices();
        assertEquals(Arrays.asList(16384L << 20, 0L, null, 512L << 10, 65536L << 20, 32768L << 20),
                devices.stream().map(MemoryDevice::sizeBytes).toList());
        assertFalse(devices.get(1).installed());
        assertFalse(devices.get(2).installed());
        assertTrue(devices.get(0).installed());
        // 16384 + 0 + 0.5 + 65536 + 32768 MiB: the half MiB is dropped, as IPA's integer MiB drop it.
        assertEquals(16384L + 65536 + 32768, SmbiosDecoder.decodeTable(t, V2_8).physicalMemoryMib());
    }

    @Test
    void extendedSizeInAStructureTooShortForItIsUnknown() {
        byte[] full = memoryDevice(0x1100, 0x1000, 0x7fff, 65536, "DIMM 0");
        // SMBIOS 2.3's type 17 ends at 1Bh: cut the formatted area there and fix the length byte.
        byte[] fields = Arrays.copyOfRange(full, 4, 0x1b);
        byte[] short23 = structure(17, 0x1100, fields, "DIMM 0", "BANK 0");
        SmbiosTable decoded = SmbiosDecoder.decodeTable(table(short23), V2_8);
        assertNull(decoded.memoryDevices().get(0).sizeBytes());
        assertNull(decoded.physicalMemoryMib());
    }

    @Test
    void memoryOfAnArrayThatIsNotSystemMemoryIsNotRam() {
        byte[] t = table(memoryArray(0x1000, 0x03), memoryArray(0x1001, 0x04 /* video */),
                memoryDevice(0x1100, 0x1000, 8192, 0, "DIMM 0"), memoryDevice(0x1101, 0x1001, 256, 0, "VRAM"),
                memoryDevice(0x1102, 0x1099 /* no such array */, 1024, 0, "DIMM 9"));
        SmbiosTable decoded = SmbiosDecoder.decodeTable(t, V2_8);
        assertEquals(List.of("DIMM 0", "DIMM 9"), decoded.memoryDevices().stream().map(MemoryDevice::locator).toList());
        assertEquals(9216L, decoded.physicalMemoryMib());
    }

    @Test
    void noMemoryDeviceMeansNoPhysicalSize() {
        assertNull(SmbiosDecoder.decodeTable(table(), V2_8).physicalMemoryMib());
        assertNull(SmbiosDecoder.decodeTable(table(), V2_8).system());
    }

    @Test
    void theUuidByteOrderFollowsTheVersion() {
        byte[] t = table(type1(UUID_STORED));
        assertEquals(UUID, SmbiosDecoder.decodeTable(t, new SmbiosVersion(2, 6)).system().uuid().toString());
        assertEquals(UUID, SmbiosDecoder.decodeTable(t, new SmbiosVersion(3, 3)).system().uuid().toString());
        // Before 2.6 the bytes are stored in the printed order.
        assertEquals("44332211-6655-8877-99aa-bbccddeeff10",
                SmbiosDecoder.decodeTable(t, new SmbiosVersion(2, 5)).system().uuid().toString());
    }

    @Test
    void aUuidOfAllZerosOrAllOnesIsNone() {
        byte[] zeros = new byte[16];
        byte[] ones = new byte[16];
        Arrays.fill(ones, (byte) 0xff);
        assertNull(SmbiosDecoder.decodeTable(table(type1(zeros)), V2_8).system().uuid());
        assertNull(SmbiosDecoder.decodeTable(table(type1(ones)), V2_8).system().uuid());
    }

    @Test
    void stringNumbersZeroOrBeyondTheSetAreAbsentAndStringsAreTrimmed() {
        // Manufacturer 1, Product 0 (none), Version 7 (beyond the two strings), Serial 2.
        byte[] t = table(structure(1, 0x100, concat(bytes(1, 0, 7, 2), UUID_STORED, bytes(6, 0, 0)),
                "  Padded Vendor  ", "SN-1"));
        SystemInformation system = SmbiosDecoder.decodeTable(t, V2_8).system();
        assertEquals("Padded Vendor", system.manufacturer());
        assertNull(system.productName());
        assertNull(system.version());
        assertEquals("SN-1", system.serialNumber());
    }

    @Test
    void aStructureWithNoStringsEndsInTwoNuls() {
        byte[] t = table(structure(2, 0x200, bytes(0, 0, 0, 0)), type1(UUID_STORED));
        SmbiosTable decoded = SmbiosDecoder.decodeTable(t, V2_8);
        assertEquals(new BaseboardInformation(null, null, null, null), decoded.baseboard());
        assertEquals("LAB-SERIAL-01", decoded.system().serialNumber());
    }

    @Test
    void theFirstStructureOfATypeIsTheOneReadAndEndOfTableEndsIt() {
        byte[] second = structure(1, 0x101, concat(bytes(1, 1, 1, 1), new byte[16], bytes(6)), "second");
        byte[] t = concat(table(type1(UUID_STORED)), second);
        assertEquals("LAB-SERIAL-01", SmbiosDecoder.decodeTable(t, V2_8).system().serialNumber());
        byte[] both = table(type1(UUID_STORED), second);
        assertEquals("LAB-SERIAL-01", SmbiosDecoder.decodeTable(both, V2_8).system().serialNumber());
    }

    @Test
    void fieldsBeyondAShortStructureAreAbsent() {
        // An SMBIOS 2.0 type 1 has no UUID: length 08h.
        byte[] t = table(structure(1, 0x100, bytes(1, 2, 0, 3), "Vendor", "Product", "SN"));
        SystemInformation system = SmbiosDecoder.decodeTable(t, new SmbiosVersion(2, 0)).system();
        assertEquals(new SystemInformation("Vendor", "Product", null, "SN", null, null, null), system);
    }

    @Test
    void entryPointsOfEachKindGiveTheirVersion() {
        assertEquals(V2_8, SmbiosDecoder.decodeEntryPoint(Fixtures.bytes(Fixtures.BIOS,
                "sys/firmware/dmi/tables/smbios_entry_point")));
        assertEquals(new SmbiosVersion(2, 8), SmbiosDecoder.decodeEntryPoint(Dsp0134.entryPoint2(2, 8, 100, 5)));
        assertEquals(new SmbiosVersion(3, 3), SmbiosDecoder.decodeEntryPoint(Dsp0134.entryPoint3(3, 3, 4096)));
    }

    @Test
    void malformedTablesAreRefusedSayingWhere() {
        byte[] good = table(type1(UUID_STORED));
        assertMalformed("structure at offset 0 (type 1, handle 0x0100): length 3 is shorter than its 4-byte header",
                withByte(good, 1, 3));
        assertMalformed("structure at offset 0 (type 1, handle 0x0100): its 250 bytes run past the table's end at "
                + good.length, withByte(good, 1, 250));
        byte[] cut = Arrays.copyOf(good, 0x1b + 10);
        assertMalformed("structure at offset 0 (type 1, handle 0x0100): its string set has no double-NUL end before"
                + " the table's end at " + cut.length, cut);
    }

    @Test
    void malformedEntryPointsAreRefusedSayingWhy() {
        byte[] ep = Dsp0134.entryPoint2(2, 8, 100, 5);
        assertMalformedEntryPoint("_SM_ entry point: checksum over 31 bytes is 0x01, not 0", withByte(ep, 8, ep[8] + 1));
        byte[] intermediate = withByte(ep, 0x16, ep[0x16] + 1);
        intermediate[4] = (byte) (intermediate[4] - 1);
        assertMalformedEntryPoint("_SM_ entry point's intermediate (_DMI_) area: checksum over 15 bytes is 0x01, not 0",
                intermediate);
        assertMalformedEntryPoint("_SM_ entry point: length 31 (of 20 bytes) is not the 31 bytes SMBIOS 2.1 and later"
                + " use", Arrays.copyOf(ep, 20));
        byte[] ep3 = Dsp0134.entryPoint3(3, 0, 4096);
        assertMalformedEntryPoint("_SM3_ entry point: checksum over 24 bytes is 0xff, not 0",
                withByte(ep3, 0x0c, ep3[0x0c] - 1));
        assertMalformedEntryPoint("not an SMBIOS entry point (no _SM3_, _SM_ or _DMI_ anchor in its first 5 bytes)",
                "_XX_ hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertMalformedEntryPoint("not an SMBIOS entry point (no _SM3_, _SM_ or _DMI_ anchor in its first 0 bytes)",
                new byte[0]);
    }

    /** A 2.4+ type 1: the strings QEMU's capture has, and the given stored UUID. */
    private static byte[] type1(byte[] storedUuid) {
        return structure(1, 0x100, concat(bytes(1, 2, 3, 4), storedUuid, bytes(6, 5, 6)), "Metalboot-Lab",
                "PXE-Test-VM", "1.0", "LAB-SERIAL-01", "LAB-SKU", "Lab");
    }

    private static byte[] withByte(byte[] in, int at, int value) {
        byte[] out = in.clone();
        out[at] = (byte) value;
        return out;
    }

    private static void assertMalformed(String message, byte[] table) {
        SmbiosFormatException e = assertThrows(SmbiosFormatException.class,
                () -> SmbiosDecoder.decodeTable(table, V2_8));
        assertEquals(message, e.getMessage());
    }

    private static void assertMalformedEntryPoint(String message, byte[] entryPoint) {
        SmbiosFormatException e = assertThrows(SmbiosFormatException.class,
                () -> SmbiosDecoder.decodeEntryPoint(entryPoint));
        assertEquals(message, e.getMessage());
    }
}
