package io.metalboot.appliance.tftp.server;

import io.metalboot.http.ServedDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The read-only directory served, and the only way from a requested name to a file. A name is
 * checked as text first (no '..', backslash, NUL, '%', control characters, nothing over 255),
 * mapped through the aliases, checked again, and then resolved with every symlink followed: the
 * result must still lie inside the root's own real path. So a symlink inside the root that points
 * out of it serves nothing (atftpd and dnsmasq follow such links out).
 */
public final class TftpRoot {
    static final int MAX_NAME_LENGTH = 255;

    /** What a requested name came to. */
    public sealed interface Resolution {
    }

    /** A regular file inside the root, as its real path. */
    public record Found(Path file) implements Resolution {
    }

    /** Not served, whatever exists: error 2. {@code reason} is for the log, not the client. */
    public record Refused(String reason) implements Resolution {
    }

    /** Nothing by that name inside the root: error 1. */
    public record Missing(String name) implements Resolution {
    }

    private final ServedDirectory directory;
    private final Map<String, String> exactAliases;
    private final List<Map.Entry<String, String>> prefixAliases;

    /** @throws IOException if {@code root} is not an existing directory */
    public TftpRoot(Path root, Map<String, String> aliases) throws IOException {
        this.directory = new ServedDirectory(root);
        this.exactAliases = aliases.entrySet().stream().filter(e -> !e.getKey().endsWith("/"))
                .collect(java.util.stream.Collectors.toUnmodifiableMap(e -> stripSlash(e.getKey()), Map.Entry::getValue));
        // Longest prefix first, so that "pxelinux.cfg/01-" wins over "pxelinux.cfg/".
        this.prefixAliases = aliases.entrySet().stream().filter(e -> e.getKey().endsWith("/"))
                .map(e -> Map.entry(stripSlash(e.getKey()), e.getValue()))
                .sorted(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed())
                .toList();
    }

    public Path realRoot() {
        return directory.realRoot();
    }

    /** {@code requested}: the name as decoded by the codec (one character per byte). */
    public Resolution resolve(String requested) {
        String name = stripSlash(requested);
        String problem = unsafe(name);
        if (problem != null) {
            return new Refused(problem);
        }
        String mapped = alias(name);
        if (!mapped.equals(name)) {
            problem = unsafe(stripSlash(mapped));
            if (problem != null) {
                return new Refused("alias target " + mapped + ": " + problem);
            }
            mapped = stripSlash(mapped);
        }
        String decoded;
        try {
            // The wire carries bytes; file names on this host are UTF-8.
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(mapped.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            return new Refused("name is not UTF-8");
        }
        return switch (directory.lookup(decoded)) {
            case ServedDirectory.Found found -> new Found(found.file());
            case ServedDirectory.Missing missing -> new Missing(decoded);
            case ServedDirectory.NamesDirectory root -> new Refused("names the root directory");
            case ServedDirectory.Outside outside -> new Refused("resolves outside the root, to " + outside.real());
            case ServedDirectory.NotRegularFile special -> new Refused("not a regular file");
            case ServedDirectory.Unresolvable failed -> new Refused("cannot resolve: " + failed.cause());
        };
    }

    private String alias(String name) {
        String exact = exactAliases.get(name);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, String> prefix : prefixAliases) {
            if (name.startsWith(prefix.getKey())) {
                String target = prefix.getValue();
                return target.endsWith("/") ? target + name.substring(prefix.getKey().length()) : target;
            }
        }
        return name;
    }

    private static String stripSlash(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /** Why a name is refused as text, or null if it may be looked up. */
    static String unsafe(String name) {
        if (name.isEmpty()) {
            return "empty name";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "name longer than " + MAX_NAME_LENGTH;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\') {
                return "backslash in name";
            }
            if (c == '%') {
                return "'%' in name (no percent-encoding)";
            }
            if (c < 0x20 || c == 0x7f) {
                return "control character in name";
            }
        }
        for (String segment : name.split("/", -1)) {
            if (segment.equals("..")) {
                return "'..' in name";
            }
        }
        return null;
    }
}
