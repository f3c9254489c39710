package io.metalboot.http;

import io.metalboot.http.ServedDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One read-only directory served over HTTP, and the only way from a URL path to a file in it.
 * The path is checked as sent (printable ASCII only; no encoded '/', '\', '.' or NUL), then
 * percent-decoded as UTF-8 and checked again (no '..' segment, no backslash, no control
 * character, not absolute), then resolved with every symlink followed: the result must still lie
 * inside the root's own real path and be a regular file. Whatever fails is "not found" to the
 * client (404, never 403: a refusal must not tell what exists).
 */
final class AssetDirectory {
    static final int MAX_PATH_LENGTH = 1024;

    /** What a URL path came to. */
    sealed interface Resolution {
    }

    /** A regular file inside the root, as its real path. */
    record Found(Path file) implements Resolution {
    }

    /** Nothing served; {@code reason} is for the access log, not the client. */
    record NotFound(String reason) implements Resolution {
    }

    private final ServedDirectory directory;

    /** @throws IOException if {@code root} is not an existing directory */
    AssetDirectory(Path root) throws IOException {
        this.directory = new ServedDirectory(root);
    }

    Path realRoot() {
        return directory.realRoot();
    }

    /** {@code rawPath}: the URL path below the mount prefix, still percent-encoded. */
    Resolution resolve(String rawPath) {
        String problem = unsafeAsSent(rawPath);
        if (problem != null) {
            return new NotFound(problem);
        }
        String decoded = percentDecode(rawPath);
        if (decoded == null) {
            return new NotFound("malformed percent-encoding or not UTF-8");
        }
        problem = unsafeDecoded(decoded);
        if (problem != null) {
            return new NotFound(problem);
        }
        return switch (directory.lookup(decoded)) {
            case ServedDirectory.Found found -> new Found(found.file());
            case ServedDirectory.Missing missing -> new NotFound("no such file");
            case ServedDirectory.NamesDirectory root -> new NotFound("names the root directory");
            case ServedDirectory.Outside outside -> new NotFound("resolves outside the root");
            case ServedDirectory.NotRegularFile special -> new NotFound("not a regular file");
            case ServedDirectory.Unresolvable failed ->
                    new NotFound("cannot resolve: " + failed.cause().getClass().getSimpleName());
        };
    }

    /** Why a path is refused as sent, or null. */
    static String unsafeAsSent(String raw) {
        if (raw.isEmpty()) {
            return "empty path";
        }
        if (raw.length() > MAX_PATH_LENGTH) {
            return "path longer than " + MAX_PATH_LENGTH;
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return "control, space or non-ASCII character in path";
            }
            if (c == '\\') {
                return "backslash in path";
            }
        }
        // Encoded separators and dots only ever serve to slip past a check like the one below.
        String lower = raw.toLowerCase(Locale.ROOT);
        for (String encoded : new String[] {"%2f", "%5c", "%2e", "%00"}) {
            if (lower.contains(encoded)) {
                return "percent-encoded '/', '\\', '.' or NUL in path";
            }
        }
        return null;
    }

    /** Why a decoded path is refused, or null. */
    static String unsafeDecoded(String decoded) {
        if (decoded.startsWith("/")) {
            return "absolute path";
        }
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c == '\\') {
                return "backslash in path";
            }
            if (c < 0x20 || c == 0x7f) {
                return "control character in path";
            }
        }
        for (String segment : decoded.split("/", -1)) {
            if (segment.equals("..")) {
                return "'..' in path";
            }
        }
        return null;
    }

    /** Strict RFC 3986 decoding ('+' is a plus), UTF-8; null if malformed. */
    static String percentDecode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return null;
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
