package io.metalboot.images.serve;

import io.metalboot.images.catalog.CatalogImage;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Deploy credentials: signed image URLs, because an Ironic-style image URL carries no header. A
 * URL names one image, one machine (the registry's machine id, its MAC) and one deploy, and
 * expires:
 * <pre>
 * /images/{name}?machine={id}&amp;expires={epoch seconds}&amp;deploy={deploy id}&amp;sig={base64url HMAC-SHA256}
 * </pre>
 * The signature covers the scheme's version ({@value #VERSION}), the image name, the machine, the
 * expiry and the deploy id, under a 32-byte key in {@code state-dir/}{@value #KEY_FILE} (mode 0600,
 * made at first start, never logged). Replacing the key file revokes every URL signed so far.
 * Verification compares in constant time.
 */
public final class DeployUrls {
    public static final String KEY_FILE = "image-url.key";
    public static final String PATH_PREFIX = "/images/";
    static final String VERSION = "metalboot-image-url-v1";
    private static final int KEY_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:._-]{0,127}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final Clock clock;

    /** A URL as signed: the path with its query (relative to the provisioning listener) and when it stops working. */
    public record SignedUrl(String pathAndQuery, Instant expiresAt) {
        /** The absolute URL under {@code base} (e.g. {@code http://10.0.0.1:8080}). */
        public URI on(URI base) {
            String b = base.toString();
            return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + pathAndQuery);
        }
    }

    /** What a presented URL is. */
    public enum Verdict {
        VALID,
        /** A field missing or not in its form. */
        MALFORMED,
        /** The signature does not cover these fields under this key. */
        BAD_SIGNATURE,
        /** Well signed, but past its expiry. */
        EXPIRED
    }

    DeployUrls(byte[] keyBytes, Clock clock) {
        if (keyBytes.length != KEY_BYTES) {
            throw new IllegalArgumentException("an image URL key is " + KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(keyBytes, "HmacSHA256");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The key in {@code stateDir}, made once (0600, written whole, synced) if there is none. */
    public static DeployUrls openOrCreate(Path stateDir, Clock clock) throws IOException {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve(KEY_FILE);
        if (!Files.exists(file)) {
            byte[] fresh = new byte[KEY_BYTES];
            RANDOM.nextBytes(fresh);
            write(file, fresh);
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != KEY_BYTES) {
            throw new IOException(file + " is not a " + KEY_BYTES + "-byte key (" + bytes.length
                    + " bytes); remove it to make a new one (every signed image URL stops working)");
        }
        return new DeployUrls(bytes, clock);
    }

    /**
     * The URL through which {@code machine} may fetch {@code image} for deploy {@code deployId},
     * until now + {@code lifetime} (whole seconds, rounded up). What the appliance hands an agent
     * with a deploy, and what the operator API mints for Ironic's {@code instance_info} or a
     * BareMetalHost's {@code spec.image.url}.
     */
    public SignedUrl sign(String image, String machine, String deployId, Duration lifetime) {
        CatalogImage.requireName(image);
        requireId("machine", machine);
        requireId("deploy", deployId);
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive, not " + lifetime);
        }
        long seconds = lifetime.getSeconds() + (lifetime.getNano() > 0 ? 1 : 0);
        long expires = clock.instant().getEpochSecond() + seconds;
        String sig = signature(image, machine, expires, deployId);
        String query = "machine=" + encode(machine) + "&expires=" + expires + "&deploy=" + encode(deployId) + "&sig=" + sig;
        return new SignedUrl(PATH_PREFIX + image + "?" + query, Instant.ofEpochSecond(expires));
    }

    /** Whether these fields of a presented URL are a valid, unexpired signature; null fields are missing ones. */
    public Verdict verify(String image, String machine, String expires, String deployId, String sig) {
        if (image == null || machine == null || expires == null || deployId == null || sig == null
                || !ID.matcher(machine).matches() || !ID.matcher(deployId).matches() || !expires.matches("[0-9]{1,19}")) {
            return Verdict.MALFORMED;
        }
        long expiry;
        try {
            CatalogImage.requireName(image);
            expiry = Long.parseLong(expires);
        } catch (IllegalArgumentException e) {
            return Verdict.MALFORMED;
        }
        byte[] presented;
        try {
            presented = Base64.getUrlDecoder().decode(sig);
        } catch (IllegalArgumentException e) {
            return Verdict.BAD_SIGNATURE;
        }
        byte[] expected = Base64.getUrlDecoder().decode(signature(image, machine, expiry, deployId));
        if (!MessageDigest.isEqual(expected, presented)) {
            return Verdict.BAD_SIGNATURE;
        }
        return clock.instant().getEpochSecond() >= expiry ? Verdict.EXPIRED : Verdict.VALID;
    }

    private String signature(String image, String machine, long expires, String deployId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal(String.join("\n", VERSION, image, machine, Long.toString(expires), deployId)
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("every JDK has HmacSHA256", e);
        }
    }

    /** A machine or deploy id as URLs carry it: 1..128 of A-Z a-z 0-9 : . _ - (a MAC, a UUID). */
    public static String requireId(String what, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(what + " must be 1..128 of A-Z a-z 0-9 : . _ - , not '" + id + "'");
        }
        return id;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Path next = file.resolveSibling(KEY_FILE + ".new");
        Files.deleteIfExists(next);
        try (FileChannel out = FileChannel.open(next, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        try {
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, file);
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    @Override
    public String toString() {
        return "DeployUrls[key=REDACTED]";
    }
}
