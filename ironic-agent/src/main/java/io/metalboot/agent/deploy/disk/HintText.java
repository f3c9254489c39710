package io.metalboot.agent.deploy.disk;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** How Ironic normalises hint and disk values before it compares them. */
final class HintText {
    /** 2^30: Ironic's size hint is in GiB, the disk's bytes divided by {@code units.Gi}. */
    static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);

    private HintText() {
    }

    /** Ironic's {@code str(x).strip().lower()}; "" for null. */
    static String normalise(String text) {
        return text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Python's {@code urllib.parse.quote(text)}: letters, digits, "_.-~" and "/" as they are, every
     * other UTF-8 byte as "%XX" (upper-case hex). Everything it returns is ASCII, so String's
     * ordering is Python's code-point ordering.
     */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
