package io.metalboot.machine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A URL with {@code {name}} placeholders, as the config writes boot URLs
 * ({@code http://{server}:{http-port}/boot.ipxe?mac={mac}}). The one place where placeholders
 * are checked and expanded, for the ProxyDHCP and the boot scripts alike, so that a name the
 * appliance does not know is refused when the config is read, not sent to a machine.
 *
 * <p>Expansion is one pass: a value that itself contains braces is never expanded again.
 */
public final class UrlTemplate {
    private final String text;
    /** Literal text and placeholder names, alternating, starting with literal text. */
    private final List<String> parts;

    private UrlTemplate(String text, List<String> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    /** Parses {@code text}; throws IllegalArgumentException for an unclosed brace or a name not in {@code known}. */
    public static UrlTemplate parse(String text, Set<String> known) {
        List<String> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int at = 0;
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c == '{') {
                int close = text.indexOf('}', at);
                if (close < 0) {
                    throw new IllegalArgumentException("'" + text + "': '{' at " + at + " is never closed");
                }
                String name = text.substring(at + 1, close);
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("'" + text + "': unknown placeholder {" + name + "}; known: "
                            + new TreeSet<>(known).stream().map(n -> "{" + n + "}").toList());
                }
                parts.add(literal.toString());
                parts.add(name);
                literal.setLength(0);
                at = close + 1;
            } else {
                literal.append(c);
                at++;
            }
        }
        parts.add(literal.toString());
        return new UrlTemplate(text, parts);
    }

    /**
     * Replaces the placeholders named in {@code values}; those left out stay as placeholders, so a
     * template can be bound in steps (the appliance's address once, a machine's MAC per request).
     */
    public UrlTemplate bind(Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        List<String> next = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            if (i % 2 == 0) {
                out.append(part);
            } else if (values.containsKey(part)) {
                out.append(values.get(part));
            } else {
                next.add(out.toString());
                next.add(part);
                out.setLength(0);
            }
        }
        next.add(out.toString());
        StringBuilder printed = new StringBuilder();
        for (int i = 0; i < next.size(); i++) {
            printed.append(i % 2 == 0 ? next.get(i) : "{" + next.get(i) + "}");
        }
        return new UrlTemplate(printed.toString(), next);
    }

    /** Every placeholder replaced; throws IllegalArgumentException naming one left without a value. */
    public String expand(Map<String, String> values) {
        UrlTemplate bound = bind(values);
        if (bound.parts.size() > 1) {
            throw new IllegalArgumentException("'" + text + "': no value for {" + bound.parts.get(1) + "}");
        }
        return bound.parts.getFirst();
    }

    /** The placeholders not yet bound. */
    public Set<String> placeholders() {
        Set<String> names = new TreeSet<>();
        for (int i = 1; i < parts.size(); i += 2) {
            names.add(parts.get(i));
        }
        return names;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof UrlTemplate t && t.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The template as written, with the placeholders still unbound in braces. */
    @Override
    public String toString() {
        return text;
    }
}
