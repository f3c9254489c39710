package io.metalboot.appliance.boot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An iPXE script with {@code {{name}}} placeholders. The embedded ones can be overridden by a file
 * of the same name in the operator's template directory; placeholders are checked when the
 * template is loaded, so a typo fails the start, not a machine's boot.
 */
record IpxeTemplate(String name, String text) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z-]+)}}");

    static IpxeTemplate load(String name, Optional<Path> overrides, Set<String> allowed) throws IOException {
        String text;
        Optional<Path> override = overrides.map(dir -> dir.resolve(name)).filter(Files::isRegularFile);
        if (override.isPresent()) {
            text = Files.readString(override.get());
        } else {
            try (InputStream in = IpxeTemplate.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException("template " + name + " is missing from the appliance's jar");
                }
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        if (!text.startsWith("#!ipxe")) {
            throw new IOException(override.map(Path::toString).orElse(name) + ": an iPXE script starts with #!ipxe");
        }
        Set<String> unknown = new LinkedHashSet<>(placeholders(text));
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            throw new IOException(override.map(Path::toString).orElse(name) + ": unknown placeholders " + unknown
                    + "; known: " + allowed);
        }
        return new IpxeTemplate(name, text);
    }

    /**
     * The text with each placeholder replaced by its value ("" for none), literally. The same
     * placeholders {@link #PLACEHOLDER} finds, by scanning rather than a regex: a machine's script
     * is rendered at every boot request.
     */
    String render(Map<String, String> values) {
        StringBuilder out = new StringBuilder(text.length() + 256);
        int copied = 0;
        int at = text.indexOf("{{");
        while (at >= 0) {
            int nameEnd = at + 2;
            while (nameEnd < text.length() && isNameChar(text.charAt(nameEnd))) {
                nameEnd++;
            }
            if (nameEnd > at + 2 && text.startsWith("}}", nameEnd)) {
                out.append(text, copied, at).append(values.getOrDefault(text.substring(at + 2, nameEnd), ""));
                copied = nameEnd + 2;
                at = text.indexOf("{{", copied);
            } else {
                at = text.indexOf("{{", at + 1);
            }
        }
        return out.append(text, copied, text.length()).toString();
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c == '-';
    }

    private static Set<String> placeholders(String text) {
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = PLACEHOLDER.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}
