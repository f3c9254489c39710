package io.metalboot.machine;

import java.util.Locale;
import java.util.UUID;

/**
 * A machine's SMBIOS system UUID (type 1), the identity its firmware, iPXE and the OS agree on.
 *
 * <p>The byte-order rule: SMBIOS 2.6 and later store the first three fields little-endian
 * (time_low, time_mid, time_hi_and_version) and the last eight bytes as they are. PXE firmware
 * copies those stored bytes into DHCP option 97 (RFC 4578), and the SMBIOS table holds them the
 * same way. iPXE's {@code ${uuid}}, {@code dmidecode}, Linux's {@code product_uuid} and QEMU's
 * {@code -uuid} all print the swapped-back, standard form. {@link #fromSmbiosBytes} and
 * {@link #toSmbiosBytes} are the one place the swap is done.
 */
public record SmbiosUuid(UUID uuid) {
    public static final int LENGTH = 16;

    /** Byte positions of the standard big-endian form, in the order SMBIOS stores them. */
    private static final int[] SWAP = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

    public SmbiosUuid {
        if (uuid == null) {
            throw new IllegalArgumentException("a UUID is needed");
        }
    }

    /** The printed form: iPXE's {@code ${uuid}}, dmidecode, {@code /sys/class/dmi/id/product_uuid}. */
    public static SmbiosUuid parse(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (!trimmed.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw new IllegalArgumentException("not a UUID: '" + text + "'");
        }
        return new SmbiosUuid(UUID.fromString(trimmed));
    }

    /** The 16 bytes as SMBIOS (and so DHCP option 97) stores them. */
    public static SmbiosUuid fromSmbiosBytes(byte[] stored) {
        if (stored.length != LENGTH) {
            throw new IllegalArgumentException("an SMBIOS UUID has 16 bytes, not " + stored.length);
        }
        byte[] standard = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            standard[i] = stored[SWAP[i]];
        }
        return new SmbiosUuid(new UUID(longAt(standard, 0), longAt(standard, 8)));
    }

    public byte[] toSmbiosBytes() {
        byte[] standard = new byte[LENGTH];
        putLong(standard, 0, uuid.getMostSignificantBits());
        putLong(standard, 8, uuid.getLeastSignificantBits());
        byte[] stored = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            stored[SWAP[i]] = standard[i];
        }
        return stored;
    }

    private static long longAt(byte[] b, int offset) {
        long v = 0;
        for (int i = offset; i < offset + 8; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    private static void putLong(byte[] b, int offset, long v) {
        for (int i = offset + 7; i >= offset; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
    }

    @Override
    public String toString() {
        return uuid.toString();
    }
}
