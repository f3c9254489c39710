package io.metalboot.bootstrap;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A BareMetalHost's {@code spec.image} (or {@code status.provisioning.image}), as Metal³ spells it.
 *
 * @param url          where the image is
 * @param checksum     the image's digest in hex, or (as Metal³ allows) the URL of a checksum file
 * @param checksumType "md5", "sha256", "sha512" or "auto" (empty is auto: the hex length decides)
 * @param format       "raw", "qcow2", "vdi", "vmdk", "live-iso" or empty (Metal³'s {@code format})
 */
public record HostImage(String url, String checksum, String checksumType, String format) {
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");

    public HostImage {
        Objects.requireNonNull(url, "an image has a url");
        checksum = Objects.requireNonNullElse(checksum, "");
        checksumType = Objects.requireNonNullElse(checksumType, "");
        format = Objects.requireNonNullElse(format, "");
    }

    /** Whether {@link #checksum} is the URL of a checksum file rather than a digest. */
    public boolean checksumIsUrl() {
        return checksum.startsWith("http://") || checksum.startsWith("https://");
    }

    /**
     * The checksum in the agent's form: "sha256:&lt;hex&gt;" (or md5/sha512). A hex digest with type
     * auto or empty takes its algorithm from its length (32 md5, 64 sha256, 128 sha512), as Ironic
     * does. A checksum file's URL comes back marked "url:&lt;url&gt;": the agent does not fetch
     * checksum files, so whoever deploys must fetch it and find the image's line first.
     *
     * @throws IllegalArgumentException for an empty checksum, an unknown type, or hex of a length
     *                                  that does not fit the type
     */
    public String agentChecksum() {
        if (checksum.isEmpty()) {
            throw new IllegalArgumentException("image " + url + " has no checksum");
        }
        if (checksumIsUrl()) {
            return "url:" + checksum;
        }
        if (!HEX.matcher(checksum).matches()) {
            throw new IllegalArgumentException("image " + url + ": the checksum is neither hex nor a URL");
        }
        String type = checksumType.isEmpty() || checksumType.equals("auto") ? typeOfLength(checksum.length()) : checksumType;
        int expected = switch (type) {
            case "md5" -> 32;
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new IllegalArgumentException("image " + url
                    + ": checksumType is md5, sha256, sha512 or auto, not '" + checksumType + "'");
        };
        if (checksum.length() != expected) {
            throw new IllegalArgumentException("image " + url + ": a " + type + " checksum has " + expected
                    + " hex digits, not " + checksum.length());
        }
        return type + ":" + checksum.toLowerCase(Locale.ROOT);
    }

    private String typeOfLength(int length) {
        return switch (length) {
            case 32 -> "md5";
            case 64 -> "sha256";
            case 128 -> "sha512";
            default -> throw new IllegalArgumentException("image " + url + ": " + length
                    + " hex digits are no md5, sha256 or sha512 checksum");
        };
    }
}
