package io.metalboot.image;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/** A digest of an image file as stored: algorithm and lower-case hex. */
public record ImageChecksum(ChecksumAlgorithm algorithm, String hex) implements java.io.Serializable {
    public ImageChecksum {
        Objects.requireNonNull(algorithm, "algorithm");
        hex = hex.strip().toLowerCase(Locale.ROOT);
        if (hex.length() != algorithm.hexLength() || !hex.chars().allMatch(ImageChecksum::isHexDigit)) {
            throw new IllegalArgumentException("a " + algorithm.label() + " checksum is "
                    + algorithm.hexLength() + " hex digits, not '" + hex + "'");
        }
    }

    /** "sha256:&lt;hex&gt;" (the algorithm prefix is required). */
    public static ImageChecksum parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("a checksum is written algorithm:hex, such as sha256:…");
        }
        return new ImageChecksum(ChecksumAlgorithm.fromLabel(text.substring(0, colon)), text.substring(colon + 1));
    }

    public static ImageChecksum of(ChecksumAlgorithm algorithm, byte[] digest) {
        return new ImageChecksum(algorithm, HexFormat.of().formatHex(digest));
    }

    public boolean matches(byte[] digest) {
        return java.security.MessageDigest.isEqual(HexFormat.of().parseHex(hex), digest);
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }

    @Override
    public String toString() {
        return algorithm.label() + ":" + hex;
    }
}
