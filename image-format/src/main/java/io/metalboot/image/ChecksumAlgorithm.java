package io.metalboot.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The checksum algorithms an image may name, with Metal³'s and Ironic's spellings. MD5 is here
 * because Metal³ still permits it; whether it is accepted is the caller's policy.
 */
public enum ChecksumAlgorithm {
    SHA256("sha256", "SHA-256", 64),
    SHA512("sha512", "SHA-512", 128),
    MD5("md5", "MD5", 32);

    private final String label;
    private final String jcaName;
    private final int hexLength;

    ChecksumAlgorithm(String label, String jcaName, int hexLength) {
        this.label = label;
        this.jcaName = jcaName;
        this.hexLength = hexLength;
    }

    /** "sha256", "sha512", "md5" (also "SHA-256" and the like). */
    public static ChecksumAlgorithm fromLabel(String label) {
        String key = label.toLowerCase(Locale.ROOT).replace("-", "");
        for (ChecksumAlgorithm algorithm : values()) {
            if (algorithm.label.equals(key)) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("unknown checksum algorithm '" + label
                + "' (sha256, sha512 or md5)");
    }

    /** The algorithm whose digests have this many hex digits (Metal³'s checksumType "auto"). */
    public static ChecksumAlgorithm fromHexLength(int length) {
        for (ChecksumAlgorithm algorithm : values()) {
            if (algorithm.hexLength == length) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("a checksum of " + length
                + " hex digits is none of sha256 (64), sha512 (128), md5 (32)");
    }

    public String label() {
        return label;
    }

    public int hexLength() {
        return hexLength;
    }

    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + jcaName, e);
        }
    }
}
