package io.metalboot.cloudconfig;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/**
 * POSIX sh text, written line by line. Two ways data gets in, and both are exact: a word through
 * {@link #quote}, and bytes through {@link #feed} on a command's standard input as a here-document
 * whose delimiter is proven absent from the text, or as base64 when the bytes are not plain text.
 */
final class ShellScript {
    private static final String DELIMITER = "METALBOOT_EOF";
    private static final int BASE64_LINE = 76;

    private final StringBuilder text = new StringBuilder();

    /** A single-quoted sh word: exact for every string, since nothing is special inside single quotes. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    ShellScript line(String line) {
        text.append(line).append('\n');
        return this;
    }

    /**
     * Runs {@code command} (sh text that reads its standard input, such as {@code cat > '/etc/x'})
     * with exactly {@code data} on its input. Never echoed: the data may hold secrets.
     */
    ShellScript feed(byte[] data, String command) {
        String plain = plainText(data);
        if (plain != null) {
            String delimiter = delimiterAbsentFrom(plain);
            text.append(command).append(" <<'").append(delimiter).append("'\n")
                    .append(plain).append(delimiter).append('\n');
        } else {
            // The base64 alphabet has no '_', so the delimiter cannot be one of its lines.
            text.append("base64 -d <<'").append(DELIMITER).append("' | ").append(command).append('\n');
            String encoded = Base64.getEncoder().encodeToString(data);
            for (int i = 0; i < encoded.length(); i += BASE64_LINE) {
                text.append(encoded, i, Math.min(encoded.length(), i + BASE64_LINE)).append('\n');
            }
            text.append(DELIMITER).append('\n');
        }
        return this;
    }

    /**
     * The bytes as text when a here-document carries them unchanged: UTF-8, no NUL, and ending with
     * a newline (a here-document always ends with one). Otherwise null.
     */
    private static String plainText(byte[] data) {
        if (data.length == 0 || data[data.length - 1] != '\n') {
            return null;
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        return s.indexOf('\0') >= 0 || s.indexOf('\r') >= 0 ? null : s;
    }

    private static String delimiterAbsentFrom(String plain) {
        Set<String> lines = new HashSet<>(plain.lines().toList());
        String delimiter = DELIMITER;
        for (int n = 1; lines.contains(delimiter); n++) {
            delimiter = DELIMITER + "_" + n;
        }
        return delimiter;
    }

    /** The script so far (not toString: it holds the user's data). */
    String text() {
        return text.toString();
    }
}
