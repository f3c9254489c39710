package io.metalboot.image;

import java.util.Locale;
import java.util.Optional;

/** The formats the readers understand; {@link #detect} tells them apart by their magic. */
public enum ImageFormat {
    RAW("raw"),
    QCOW2("qcow2"),
    GZIP("gzip"),
    XZ("xz"),
    ZSTD("zstd");

    /** How many leading bytes {@link #detect} looks at. */
    public static final int DETECT_BYTES = 512;

    private final String label;

    ImageFormat(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** "raw", "qcow2", "gzip"/"gz", "xz", "zstd"/"zst"; empty for "detect". */
    public static Optional<ImageFormat> fromLabel(String text) {
        String key = text.toLowerCase(Locale.ROOT);
        return switch (key) {
            case "detect", "auto", "" -> Optional.empty();
            case "raw" -> Optional.of(RAW);
            case "qcow2" -> Optional.of(QCOW2);
            case "gzip", "gz" -> Optional.of(GZIP);
            case "xz" -> Optional.of(XZ);
            case "zstd", "zst" -> Optional.of(ZSTD);
            default -> throw new IllegalArgumentException("unknown image format '" + text
                    + "' (raw, qcow2, gzip, xz, zstd or detect)");
        };
    }

    /**
     * The format of an image that starts with {@code head}. Anything without a known magic is
     * raw, except the disk formats this reader does not read: taking a VMDK or VHDX for raw would
     * write its container onto the disk, so they are refused by name.
     */
    public static ImageFormat detect(byte[] head, int length) throws UnsupportedImageException {
        if (startsWith(head, length, 0x51, 0x46, 0x49, 0xfb)) {
            return QCOW2;
        }
        if (startsWith(head, length, 0x1f, 0x8b)) {
            return GZIP;
        }
        if (startsWith(head, length, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
            return XZ;
        }
        if (startsWith(head, length, 0x28, 0xb5, 0x2f, 0xfd)) {
            return ZSTD;
        }
        if (startsWith(head, length, 'Q', 'F', 'I', 0x00) || startsWith(head, length, 'Q', 'F', 'I', 0x01)) {
            throw new UnsupportedImageException("qcow (version 1)", "convert it to qcow2 or raw");
        }
        if (startsWith(head, length, 'Q', 'E', 'D', 0x00)) {
            throw new UnsupportedImageException("QED image", "convert it to qcow2 or raw");
        }
        if (startsWith(head, length, 'K', 'D', 'M', 'V')) {
            throw new UnsupportedImageException("VMDK image", "convert it to qcow2 or raw");
        }
        if (startsWith(head, length, 'v', 'h', 'd', 'x', 'f', 'i', 'l', 'e')) {
            throw new UnsupportedImageException("VHDX image", "convert it to qcow2 or raw");
        }
        if (length >= 68 && head[64] == 0x7f && head[65] == 0x10 && head[66] == (byte) 0xda && head[67] == (byte) 0xbe) {
            throw new UnsupportedImageException("VDI image", "convert it to qcow2 or raw");
        }
        if (startsWith(head, length, 'B', 'Z', 'h')) {
            throw new UnsupportedImageException("bzip2 compression", "use gzip, xz or zstd");
        }
        return RAW;
    }

    private static boolean startsWith(byte[] head, int length, int... magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
