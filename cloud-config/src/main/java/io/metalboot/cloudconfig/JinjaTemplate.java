package io.metalboot.cloudconfig;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of cloud-init's Jinja templates that bootstrap data uses: {@code {{ ds.meta_data.KEY }}}
 * and {@code {{ v1.KEY }}} substituted as text. Everything else Jinja can do (statements, comments,
 * filters, expressions, whitespace control) is refused by name rather than half done, and so is a
 * variable that does not exist: cloud-init would write {@code CI_MISSING_JINJA_VAR/name} into the
 * file and carry on, which on a node that joins a cluster is worse than not booting.
 */
public final class JinjaTemplate {
    /** The prefix by which cloud-init's part handler picks the Jinja renderer. */
    private static final String HEADER = "## template: jinja";
    /** The template-type line as cloud-init's templater reads it. */
    private static final Pattern TYPE_LINE = Pattern.compile("##\\s*template:(.*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern VARIABLE = Pattern.compile(
            "\\s*([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)\\s*");

    private JinjaTemplate() {
    }

    /** Whether cloud-init would treat this user data as a Jinja template. */
    public static boolean isTemplate(String text) {
        return text.startsWith(HEADER);
    }

    /**
     * The text after its template line with every variable replaced by its value. Line endings and
     * the final newline stay as they were (cloud-init's Jinja call keeps the trailing newline too).
     */
    public static String render(String text, InstanceData data) throws CloudConfigException {
        if (!isTemplate(text)) {
            throw new CloudConfigException.Malformed("jinja: the first line is not '" + HEADER + "'");
        }
        int newline = text.indexOf('\n');
        String typeLine = newline < 0 ? text : text.substring(0, newline);
        Matcher type = TYPE_LINE.matcher(typeLine);
        if (!type.lookingAt() || !type.group(1).strip().toLowerCase(Locale.ROOT).equals("jinja")) {
            throw new CloudConfigException.Malformed("jinja: unknown template type in the first line");
        }
        String body = newline < 0 ? "" : text.substring(newline + 1);
        StringBuilder out = new StringBuilder(body.length());
        int at = 0;
        while (true) {
            int open = nextDelimiter(body, at);
            if (open < 0) {
                out.append(body, at, body.length());
                return out.toString();
            }
            int line = lineOf(body, open);
            char kind = body.charAt(open + 1);
            if (kind == '%') {
                throw new CloudConfigException.Unsupported("jinja: statement '{%' at line " + line
                        + " (only {{ variable }} substitution is supported)");
            }
            if (kind == '#') {
                throw new CloudConfigException.Unsupported("jinja: comment '{#' at line " + line
                        + " (only {{ variable }} substitution is supported)");
            }
            int close = body.indexOf("}}", open + 2);
            if (close < 0) {
                throw new CloudConfigException.Malformed("jinja: '{{' at line " + line + " is never closed");
            }
            String inner = body.substring(open + 2, close);
            out.append(body, at, open).append(value(inner, line, data));
            at = close + 2;
        }
    }

    private static int nextDelimiter(String body, int from) {
        for (int i = body.indexOf('{', from); i >= 0 && i + 1 < body.length(); i = body.indexOf('{', i + 1)) {
            char c = body.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private static String value(String inner, int line, InstanceData data) throws CloudConfigException {
        Matcher m = VARIABLE.matcher(inner);
        if (!m.matches()) {
            String what = inner.contains("|") ? "filter '|'"
                    : inner.startsWith("-") || inner.endsWith("-") ? "whitespace control '-'"
                    : "expression";
            throw new CloudConfigException.Unsupported("jinja: " + what + " in {{" + shorten(inner) + "}} at line "
                    + line + " (only {{ ds.meta_data.KEY }} and {{ v1.KEY }} are supported)");
        }
        String name = m.group(1);
        Optional<Object> found = data.lookup(List.of(name.split("\\.")));
        if (found.isEmpty()) {
            throw new CloudConfigException.Malformed("jinja: {{ " + name + " }} at line " + line
                    + ": no such variable in the instance data (cloud-init would write CI_MISSING_JINJA_VAR/"
                    + name.substring(name.lastIndexOf('.') + 1) + " in its place; this compiler refuses)");
        }
        return pythonText(found.get());
    }

    /** How Jinja (Python's str) prints a scalar. */
    private static String pythonText(Object value) {
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return String.valueOf(value);
    }

    private static String shorten(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static int lineOf(String body, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (body.charAt(i) == '\n') {
                line++;
            }
        }
        return line + 1; // the template line came first
    }
}
