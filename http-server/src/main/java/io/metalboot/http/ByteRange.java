package io.metalboot.http;

import java.util.Locale;

/**
 * The one byte range a request asks for, inclusive, already clamped to the file. Syntax errors,
 * several ranges and non-byte units all come out as {@link #FULL}: the whole file with 200, which
 * RFC 9110 allows.
 */
record ByteRange(long first, long last) {
    static final ByteRange FULL = new ByteRange(-1, -1);
    static final ByteRange UNSATISFIABLE = new ByteRange(-2, -2);

    static ByteRange parse(String header, long size) {
        String value = header.strip();
        if (!value.toLowerCase(Locale.ROOT).startsWith("bytes=")) {
            return FULL;
        }
        String spec = value.substring("bytes=".length()).strip();
        if (spec.indexOf(',') >= 0) {
            return FULL;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return FULL;
        }
        String from = spec.substring(0, dash).strip();
        String to = spec.substring(dash + 1).strip();
        try {
            if (from.isEmpty()) {
                // "-n": the last n bytes.
                if (!digits(to)) {
                    return FULL;
                }
                long suffix = Long.parseLong(to);
                if (suffix == 0 || size == 0) {
                    return UNSATISFIABLE;
                }
                return new ByteRange(Math.max(0, size - suffix), size - 1);
            }
            if (!digits(from) || !(to.isEmpty() || digits(to))) {
                return FULL;
            }
            long first = Long.parseLong(from);
            long last = to.isEmpty() ? Long.MAX_VALUE : Long.parseLong(to);
            if (last < first) {
                return FULL;
            }
            if (first >= size) {
                return UNSATISFIABLE;
            }
            return new ByteRange(first, Math.min(last, size - 1));
        } catch (NumberFormatException e) {
            // More digits than a long holds: not a range anyone can mean.
            return FULL;
        }
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
