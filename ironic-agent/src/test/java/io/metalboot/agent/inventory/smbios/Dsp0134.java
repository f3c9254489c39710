package io.metalboot.agent.inventory.smbios;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds SMBIOS structures and entry points as DMTF DSP0134 lays them out, for the tests. */
final class Dsp0134 {
    private Dsp0134() {
    }

    /**
     * One structure: type, length (4 + the fields' bytes), handle, the fields after the header,
     * then the strings, each NUL-terminated, and the set's final NUL (two NULs when there are none).
     */
    static byte[] structure(int type, int handle, byte[] fields, String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        out.write(4 + fields.length);
        out.write(handle & 0xff);
        out.write(handle >> 8);
        out.writeBytes(fields);
        for (String s : strings) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        if (strings.length == 0) {
            out.write(0);
        }
        out.write(0);
        return out.toByteArray();
    }

    /** The structures, then an end-of-table structure (type 127). */
    static byte[] table(byte[]... structures) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] s : structures) {
            out.writeBytes(s);
        }
        out.writeBytes(structure(127, 0xfeff, new byte[0]));
        return out.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static byte[] word(int value) {
        return bytes(value & 0xff, (value >> 8) & 0xff);
    }

    static byte[] dword(long value) {
        return bytes((int) value & 0xff, (int) (value >> 8) & 0xff, (int) (value >> 16) & 0xff,
                (int) (value >> 24) & 0xff);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * A type 17 Memory Device of SMBIOS 2.7+ (length 22h): array handle, error handle, widths, Size
     * (0Ch), form factor, set, Device Locator string 1, bank locator string 2, type, detail, speed,
     * manufacturer..part number strings 0, attributes, Extended Size (1Ch), configured speed.
     */
    static byte[] memoryDevice(int handle, int arrayHandle, int size, long extendedSize, String locator) {
        byte[] fields = concat(word(arrayHandle), word(0xfffe), word(64), word(64), word(size), bytes(0x09, 0),
                bytes(1, 2, 0x1a), word(0x0080), word(3200), bytes(0, 0, 0, 0, 0), dword(extendedSize), word(3200));
        return structure(17, handle, fields, locator, "BANK 0");
    }

    /** A type 16 Physical Memory Array: location 03h (system board), Use at 05h. */
    static byte[] memoryArray(int handle, int use) {
        byte[] fields = concat(bytes(0x03, use, 0x03), dword(0x8000_0000L), word(0xfffe), word(4));
        return structure(16, handle, fields);
    }

    /** A 31-byte _SM_ entry point (SMBIOS 2.1 to 2.8), checksums filled in. */
    static byte[] entryPoint2(int major, int minor, int tableLength, int structures) {
        byte[] ep = concat("_SM_".getBytes(StandardCharsets.US_ASCII), bytes(0, 0x1f, major, minor), word(0x100),
                bytes(0, 0, 0, 0, 0, 0), "_DMI_".getBytes(StandardCharsets.US_ASCII), bytes(0), word(tableLength),
                dword(0x000f0000L), word(structures), bytes((major << 4) | minor));
        ep[0x15] = checksumByte(ep, 0x10, 0x0f);
        ep[4] = checksumByte(ep, 0, 0x1f);
        return ep;
    }

    /** A 24-byte _SM3_ entry point (SMBIOS 3.x), checksum filled in. */
    static byte[] entryPoint3(int major, int minor, long tableMaxSize) {
        byte[] ep = concat("_SM3_".getBytes(StandardCharsets.US_ASCII), bytes(0, 0x18, major, minor, 0, 1, 0),
                dword(tableMaxSize), dword(0x7f00_0000L), dword(0));
        ep[5] = checksumByte(ep, 0, 0x18);
        return ep;
    }

    private static byte checksumByte(byte[] bytes, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += bytes[i];
        }
        return (byte) -sum;
    }
}
