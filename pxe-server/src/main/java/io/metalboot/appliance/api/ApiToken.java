package io.metalboot.appliance.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * The operator API's bearer token, kept in {@value #FILE_NAME} under the state directory, mode
 * 0600: whoever can read that file is an operator. It is made at first start and replaced by
 * {@link #rotate} (the {@code --rotate-api-token} command line or {@code POST /api/v1/token});
 * a rotation by another process is seen at the next call, since the file is checked for a change
 * each time. The token itself is never logged.
 */
public final class ApiToken {
    public static final String FILE_NAME = "api.token";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private Object loadedKey;
    private byte[] currentSha256;

    private ApiToken(Path file) {
        this.file = file;
    }

    /** The token file under {@code stateDir}, made (with a fresh token) if there is none. */
    public static ApiToken openOrCreate(Path stateDir) throws IOException {
        ApiToken token = new ApiToken(stateDir.resolve(FILE_NAME));
        Files.createDirectories(stateDir);
        if (!Files.exists(token.file)) {
            token.write(fresh());
        }
        token.current();
        return token;
    }

    public Path file() {
        return file;
    }

    /** Replaces the token; the old one is refused from now on. Returns the new one, for its caller only. */
    public synchronized String rotate() throws IOException {
        String token = fresh();
        write(token);
        current();
        return token;
    }

    /** Whether {@code presented} is the current token, in time that does not depend on how much of it matches. */
    public boolean matches(String presented) throws IOException {
        return presented != null && MessageDigest.isEqual(sha256(presented), current());
    }

    private synchronized byte[] current() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Object key = java.util.List.of(Objects.requireNonNullElse(attributes.fileKey(), ""),
                attributes.lastModifiedTime(), attributes.size());
        if (!key.equals(loadedKey)) {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (text.length() < 32) {
                throw new IOException(file + " holds no usable token (under 32 characters); rotate it");
            }
            currentSha256 = sha256(text);
            loadedKey = key;
        }
        return currentSha256;
    }

    /** Written to a 0600 file beside it, synced, then renamed over it: never half a token, never readable by others. */
    private void write(String token) throws IOException {
        Path next = file.resolveSibling(FILE_NAME + ".new");
        Files.deleteIfExists(next);
        try (FileChannel out = FileChannel.open(next, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer bytes = ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        try {
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static String fresh() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
