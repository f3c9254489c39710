package io.metalboot.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * How far long work has come. On a terminal one bar redraws in place (a carriage return, no
 * escape sequences); anywhere else (a pipe, a file, CI's log) plain lines, one per tenth of the
 * way and one per change of what is being done, so a log stays short and readable.
 */
sealed interface Progress permits Progress.Bar, Progress.Lines {
    static Progress on(PrintWriter out, boolean terminal) {
        return terminal ? new Bar(out) : new Lines(out);
    }

    /**
     * {@code what} has done {@code done} of {@code total} bytes (total 0: not known yet), at
     * {@code bytesPerSecond} with {@code etaSeconds} to go (either null when not known).
     */
    void update(String what, long done, long total, Long bytesPerSecond, Long etaSeconds);

    /** A line of its own: what happened (a state change, a phase that begins). */
    void note(String line);

    /** The bar's line is finished; nothing more is shown. */
    void end();

    /** "40% (102 MiB of 256 MiB, 35 MiB/s, eta 0:04)", each part only when known. */
    static String figures(long done, long total, Long bytesPerSecond, Long etaSeconds) {
        StringBuilder text = new StringBuilder();
        text.append(total > 0 ? HumanReadable.bytes(done) + " of " + HumanReadable.bytes(total) : HumanReadable.bytes(done));
        if (bytesPerSecond != null && bytesPerSecond > 0) {
            text.append(", ").append(HumanReadable.rate(bytesPerSecond));
        }
        if (etaSeconds != null && etaSeconds >= 0 && done < total) {
            text.append(", eta ").append(HumanReadable.duration(etaSeconds));
        }
        return text.toString();
    }

    static int percent(long done, long total) {
        return total <= 0 ? 0 : (int) Math.min(100, done * 100 / total);
    }

    /** The terminal's bar: "writing base [############------------------]  40%  102 MiB of 256 MiB, 35 MiB/s, eta 0:04". */
    final class Bar implements Progress {
        private static final int WIDTH = 30;
        private final PrintWriter out;
        /** Characters of the bar's line on screen now (0: none). */
        private int shown;

        Bar(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void update(String what, long done, long total, Long bytesPerSecond, Long etaSeconds) {
            int filled = total > 0 ? (int) Math.min(WIDTH, done * WIDTH / total) : 0;
            String line = what + " [" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] "
                    + (total > 0 ? String.format(Locale.ROOT, "%3d%%", percent(done, total)) : "  ?%") + "  "
                    + figures(done, total, bytesPerSecond, etaSeconds);
            out.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
            out.flush();
            shown = line.length();
        }

        @Override
        public void note(String line) {
            if (shown > 0) {
                out.print("\r" + " ".repeat(shown) + "\r");
                shown = 0;
            }
            out.println(line);
            out.flush();
        }

        @Override
        public void end() {
            if (shown > 0) {
                out.println();
                out.flush();
                shown = 0;
            }
        }
    }

    /** Plain lines: "writing base: 40% (102 MiB of 256 MiB, 35 MiB/s, eta 0:04)". */
    final class Lines implements Progress {
        private final PrintWriter out;
        private String lastWhat;
        private int lastTenth = -1;

        Lines(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void update(String what, long done, long total, Long bytesPerSecond, Long etaSeconds) {
            int tenth = percent(done, total) / 10;
            if (what.equals(lastWhat) && (total <= 0 || tenth <= lastTenth)) {
                return;
            }
            lastWhat = what;
            lastTenth = tenth;
            out.println(what + ": " + (total > 0 ? percent(done, total) + "% (" : "(")
                    + figures(done, total, bytesPerSecond, etaSeconds) + ")");
            out.flush();
        }

        @Override
        public void note(String line) {
            out.println(line);
            out.flush();
        }

        @Override
        public void end() {
            out.flush();
        }
    }
}
