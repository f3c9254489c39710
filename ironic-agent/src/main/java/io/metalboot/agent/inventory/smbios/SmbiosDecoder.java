package io.metalboot.agent.inventory.smbios;

import io.metalboot.agent.inventory.smbios.SmbiosTable.BaseboardInformation;
import io.metalboot.agent.inventory.smbios.SmbiosTable.BiosInformation;
import io.metalboot.agent.inventory.smbios.SmbiosTable.MemoryDevice;
import io.metalboot.agent.inventory.smbios.SmbiosTable.SystemInformation;
import io.metalboot.machine.SmbiosUuid;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Decodes the SMBIOS entry point and structure table as Linux exports them
 * ({@code /sys/firmware/dmi/tables/smbios_entry_point} and {@code DMI}), after DMTF DSP0134.
 *
 * <p>Framing is checked strictly, content leniently. A {@link SmbiosFormatException} says where the
 * bytes stop making sense: an unknown or short entry point, a wrong checksum, a structure shorter than
 * its 4-byte header or running past the table, a string set with no double-NUL end. Inside a
 * well-framed structure, a field the structure is too short to hold (an older SMBIOS version) or a
 * string number beyond its strings is read as absent, as dmidecode reads it. Any other input gives a
 * result: the decoder throws nothing else.
 */
public final class SmbiosDecoder {
    private static final int END_OF_TABLE = 127;
    /** Type 16's Use (05h) for system memory; type 17s of other arrays (video, flash) are not RAM. */
    private static final int USE_SYSTEM_MEMORY = 0x03;

    private SmbiosDecoder() {
    }

    /** The entry point, then the table it describes. */
    public static SmbiosTable decode(byte[] entryPoint, byte[] table) {
        return decodeTable(table, decodeEntryPoint(entryPoint));
    }

    /**
     * The version an entry point announces: the 64-bit {@code _SM3_} (SMBIOS 3.x), the 32-bit
     * {@code _SM_} (2.1 and later) or the legacy {@code _DMI_} (2.0), each with its checksums checked.
     */
    public static SmbiosVersion decodeEntryPoint(byte[] entryPoint) {
        if (startsWith(entryPoint, "_SM3_")) {
            int length = need(entryPoint, 7, "_SM3_ entry point")[6] & 0xff;
            if (length < 0x18 || length > entryPoint.length) {
                throw new SmbiosFormatException("_SM3_ entry point: length " + length + " (of " + entryPoint.length
                        + " bytes) is not the 24 bytes or more SMBIOS 3 needs");
            }
            checksum(entryPoint, 0, length, "_SM3_ entry point");
            return new SmbiosVersion(u8(entryPoint, 7), u8(entryPoint, 8));
        }
        if (startsWith(entryPoint, "_SM_")) {
            int length = need(entryPoint, 6, "_SM_ entry point")[5] & 0xff;
            // 1Eh is a known firmware mistake for 1Fh (dmidecode accepts it too).
            if (length < 0x1e || length > entryPoint.length || entryPoint.length < 0x1f) {
                throw new SmbiosFormatException("_SM_ entry point: length " + length + " (of " + entryPoint.length
                        + " bytes) is not the 31 bytes SMBIOS 2.1 and later use");
            }
            checksum(entryPoint, 0, length, "_SM_ entry point");
            if (!startsWith(entryPoint, 0x10, "_DMI_")) {
                throw new SmbiosFormatException("_SM_ entry point: no _DMI_ anchor at offset 10h");
            }
            checksum(entryPoint, 0x10, 0x0f, "_SM_ entry point's intermediate (_DMI_) area");
            return new SmbiosVersion(u8(entryPoint, 6), u8(entryPoint, 7));
        }
        if (startsWith(entryPoint, "_DMI_")) {
            need(entryPoint, 0x0f, "_DMI_ entry point");
            checksum(entryPoint, 0, 0x0f, "_DMI_ entry point");
            int bcd = u8(entryPoint, 0x0e);
            return new SmbiosVersion(bcd >> 4, bcd & 0x0f);
        }
        throw new SmbiosFormatException("not an SMBIOS entry point (no _SM3_, _SM_ or _DMI_ anchor in its first "
                + Math.min(5, entryPoint.length) + " bytes)");
    }

    /** The structures of a table; {@code version} decides how the system UUID's bytes are ordered. */
    public static SmbiosTable decodeTable(byte[] table, SmbiosVersion version) {
        BiosInformation bios = null;
        SystemInformation system = null;
        BaseboardInformation baseboard = null;
        List<Structure> memoryDevices = new ArrayList<>();
        Map<Integer, Integer> arrayUse = new HashMap<>();
        for (Structure s : structures(table)) {
            switch (s.type()) {
                case 0 -> {
                    if (bios == null) {
                        bios = new BiosInformation(s.string(0x04), s.string(0x05), s.string(0x08));
                    }
                }
                case 1 -> {
                    if (system == null) {
                        system = new SystemInformation(s.string(0x04), s.string(0x05), s.string(0x06),
                                s.string(0x07), uuid(s, version), s.string(0x19), s.string(0x1a));
                    }
                }
                case 2 -> {
                    if (baseboard == null) {
                        baseboard = new BaseboardInformation(s.string(0x04), s.string(0x05), s.string(0x06),
                                s.string(0x07));
                    }
                }
                case 16 -> {
                    if (s.has(0x05, 1)) {
                        arrayUse.put(s.handle(), s.u8(0x05));
                    }
                }
                case 17 -> memoryDevices.add(s);
                default -> {
                }
            }
        }
        List<MemoryDevice> devices = new ArrayList<>();
        for (Structure s : memoryDevices) {
            Integer use = s.has(0x04, 2) ? arrayUse.get(s.u16(0x04)) : null;
            // An array the table does not describe is taken for system memory.
            if (use == null || use == USE_SYSTEM_MEMORY) {
                devices.add(new MemoryDevice(s.handle(), s.string(0x10), memorySize(s)));
            }
        }
        return new SmbiosTable(version, bios, system, baseboard, devices);
    }

    /**
     * Type 17 Size (0Ch): 0 is no module installed, FFFFh unknown; bit 15 set counts KiB, clear MiB;
     * 7FFFh says the size is in Extended Size (1Ch, 2.7+), MiB in bits 30:0.
     */
    private static Long memorySize(Structure s) {
        if (!s.has(0x0c, 2)) {
            return null;
        }
        int size = s.u16(0x0c);
        if (size == 0xffff) {
            return null;
        }
        if (size == 0x7fff) {
            if (!s.has(0x1c, 4)) {
                return null;
            }
            long extendedMib = s.u32(0x1c) & 0x7fff_ffffL;
            return extendedMib << 20;
        }
        if ((size & 0x8000) != 0) {
            return (long) (size & 0x7fff) << 10;
        }
        return (long) size << 20;
    }

    /**
     * Type 1 UUID (08h): from SMBIOS 2.6 the first three fields are little-endian
     * ({@link SmbiosUuid#fromSmbiosBytes}); before, the bytes are in the printed order.
     */
    private static SmbiosUuid uuid(Structure s, SmbiosVersion version) {
        if (!s.has(0x08, 16)) {
            return null;
        }
        byte[] stored = s.bytes(0x08, 16);
        boolean allZero = true;
        boolean allOnes = true;
        for (byte b : stored) {
            allZero &= b == 0;
            allOnes &= b == (byte) 0xff;
        }
        if (allZero || allOnes) {
            return null;
        }
        if (version.atLeast(SmbiosVersion.UUID_LITTLE_ENDIAN)) {
            return SmbiosUuid.fromSmbiosBytes(stored);
        }
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (stored[i] & 0xff);
            lsb = (lsb << 8) | (stored[i + 8] & 0xff);
        }
        return new SmbiosUuid(new UUID(msb, lsb));
    }

    /** One structure: its formatted area ({@code length} bytes from the type byte) and its strings. */
    record Structure(int type, int handle, int offset, byte[] formatted, List<String> strings) {
        boolean has(int field, int size) {
            return field + size <= formatted.length;
        }

        int u8(int field) {
            return formatted[field] & 0xff;
        }

        int u16(int field) {
            return u8(field) | (u8(field + 1) << 8);
        }

        long u32(int field) {
            return (u16(field) | ((long) u16(field + 2) << 16)) & 0xffff_ffffL;
        }

        byte[] bytes(int field, int size) {
            byte[] out = new byte[size];
            System.arraycopy(formatted, field, out, 0, size);
            return out;
        }

        /** The string a string-number field points to; null for 0, a missing field or a bad number. */
        String string(int field) {
            if (!has(field, 1)) {
                return null;
            }
            int number = u8(field);
            if (number == 0 || number > strings.size()) {
                return null;
            }
            String value = strings.get(number - 1).strip();
            return value.isEmpty() ? null : value;
        }
    }

    /** The table's structures up to end-of-table (type 127) or the table's end. */
    static List<Structure> structures(byte[] table) {
        List<Structure> structures = new ArrayList<>();
        int offset = 0;
        // Fewer than 4 bytes left cannot hold a header: padding after the last structure.
        while (table.length - offset >= 4) {
            int type = table[offset] & 0xff;
            int length = table[offset + 1] & 0xff;
            int handle = (table[offset + 2] & 0xff) | ((table[offset + 3] & 0xff) << 8);
            String where = "structure at offset " + offset + " (type " + type + ", handle 0x"
                    + String.format("%04x", handle) + ")";
            if (length < 4) {
                throw new SmbiosFormatException(where + ": length " + length + " is shorter than its 4-byte header");
            }
            if (length > table.length - offset) {
                throw new SmbiosFormatException(where + ": its " + length + " bytes run past the table's end at "
                        + table.length);
            }
            byte[] formatted = new byte[length];
            System.arraycopy(table, offset, formatted, 0, length);
            int stringsStart = offset + length;
            int end = stringsStart;
            while (end + 1 < table.length && !(table[end] == 0 && table[end + 1] == 0)) {
                end++;
            }
            if (end + 1 >= table.length) {
                throw new SmbiosFormatException(where + ": its string set has no double-NUL end before the table's"
                        + " end at " + table.length);
            }
            List<String> strings = new ArrayList<>();
            int start = stringsStart;
            for (int i = stringsStart; i <= end; i++) {
                if (i == end || table[i] == 0) {
                    if (i > start) {
                        strings.add(new String(table, start, i - start, StandardCharsets.UTF_8));
                    }
                    start = i + 1;
                }
            }
            structures.add(new Structure(type, handle, offset, formatted, List.copyOf(strings)));
            if (type == END_OF_TABLE) {
                break;
            }
            offset = end + 2;
        }
        return structures;
    }

    private static boolean startsWith(byte[] bytes, String anchor) {
        return startsWith(bytes, 0, anchor);
    }

    private static boolean startsWith(byte[] bytes, int offset, String anchor) {
        if (bytes.length < offset + anchor.length()) {
            return false;
        }
        for (int i = 0; i < anchor.length(); i++) {
            if (bytes[offset + i] != anchor.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] need(byte[] bytes, int length, String what) {
        if (bytes.length < length) {
            throw new SmbiosFormatException(what + ": " + bytes.length + " bytes, too short to read");
        }
        return bytes;
    }

    private static void checksum(byte[] bytes, int offset, int length, String what) {
        int sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += bytes[i];
        }
        if ((sum & 0xff) != 0) {
            throw new SmbiosFormatException(what + ": checksum over " + length + " bytes is 0x"
                    + String.format("%02x", sum & 0xff) + ", not 0");
        }
    }

    private static int u8(byte[] bytes, int offset) {
        return bytes[offset] & 0xff;
    }
}
