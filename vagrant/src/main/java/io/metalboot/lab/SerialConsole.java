package io.metalboot.lab;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What a VM printed on its serial port, read from the file QEMU writes ({@code -serial file:}).
 * The firmware draws a text screen (cursor moves, colours, backspaces for its countdowns); those
 * are stripped, so that lines read like the screen did.
 */
final class SerialConsole implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Pattern ESCAPES = Pattern.compile("\u001b(\\[[0-9;=?]*[A-Za-z]|[()][0-9A-Za-z]|.)");

    private final Path file;
    private final Journal<String> lines = new Journal<>();
    private final StringBuilder pending = new StringBuilder();
    /** Everything so far without line breaks and spaces: the firmware wraps long lines at 80 columns. */
    private final StringBuilder unwrapped = new StringBuilder();
    private final StringBuilder currentLine = new StringBuilder();
    private final GrowingFile source;

    SerialConsole(Path file) {
        this.file = file;
        this.source = new GrowingFile(file, 0, chunk -> consume(new String(chunk, StandardCharsets.ISO_8859_1)));
    }

    Path file() {
        return file;
    }

    Journal<String> lines() {
        return lines;
    }

    /**
     * Waits until the text appears anywhere in the output, even across a wrapped line (spaces are
     * ignored in the comparison: the wrap may eat the one at the break).
     */
    boolean awaitText(String text, Duration timeout) {
        String needle = text.replace(" ", "");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (unwrapped) {
                if (unwrapped.indexOf(needle) >= 0) {
                    return true;
                }
            }
            if (System.nanoTime() >= deadline || lines.ended()) {
                return false;
            }
            Deadline.pause(POLL, "reading a serial console");
        }
    }

    /**
     * Whether {@code text} appears after the first {@code anchor} (both compared as in
     * {@link #awaitText}), in what was read so far; false when the anchor has not appeared.
     */
    boolean hasTextAfter(String anchor, String text) {
        synchronized (unwrapped) {
            int at = unwrapped.indexOf(anchor.replace(" ", ""));
            return at >= 0 && unwrapped.indexOf(text.replace(" ", ""), at) >= 0;
        }
    }

    private void consume(String chunk) {
        // An escape sequence may be cut by the chunk boundary; they are short, so hold back a tail.
        pending.append(chunk);
        int lastEscape = pending.lastIndexOf("\u001b");
        String ready;
        if (lastEscape >= 0 && pending.length() - lastEscape < 12 && !ESCAPES.matcher(pending.substring(lastEscape)).lookingAt()) {
            ready = pending.substring(0, lastEscape);
            pending.delete(0, lastEscape);
        } else {
            ready = pending.toString();
            pending.setLength(0);
        }
        String text = ESCAPES.matcher(ready).replaceAll("");
        synchronized (unwrapped) {
            for (char c : text.toCharArray()) {
                switch (c) {
                    case '\n' -> lineDone();
                    case '\r' -> { }
                    case '\b' -> {
                        // "\b \b" erases a countdown digit on screen; undo it in both views.
                        if (!currentLine.isEmpty()) {
                            char erased = currentLine.charAt(currentLine.length() - 1);
                            currentLine.setLength(currentLine.length() - 1);
                            if (erased != ' ' && erased != '\t' && !unwrapped.isEmpty()) {
                                unwrapped.setLength(unwrapped.length() - 1);
                            }
                        }
                    }
                    default -> {
                        if (c >= ' ' || c == '\t') {
                            currentLine.append(c);
                            if (c != ' ' && c != '\t') {
                                unwrapped.append(c);
                            }
                        }
                    }
                }
            }
        }
    }

    private void lineDone() {
        String line = currentLine.toString().strip();
        currentLine.setLength(0);
        if (!line.isEmpty()) {
            lines.add(line);
        }
    }

    /** Reads what is left in the file, then stops following it. */
    @Override
    public void close() {
        source.close();
        synchronized (unwrapped) {
            lineDone();
        }
        lines.end();
    }

    @Override
    public String toString() {
        return "serial console " + file;
    }
}
