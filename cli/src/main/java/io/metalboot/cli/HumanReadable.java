package io.metalboot.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** Sizes, rates, durations and ages as people read them: binary units, h:mm:ss, "3d". */
final class HumanReadable {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private HumanReadable() {
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.1f %s" : "%.0f %s", value, UNITS[unit]);
    }

    static String rate(long bytesPerSecond) {
        return bytes(bytesPerSecond) + "/s";
    }

    /** 0:07, 12:30, 1:02:03, 3d 1:02:03. */
    static String duration(long seconds) {
        long s = Math.max(0, seconds);
        String days = s >= 86_400 ? s / 86_400 + "d " : "";
        s %= 86_400;
        return days + (s >= 3600 || !days.isEmpty() ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60,
                s % 60) : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60));
    }

    /** An API instant to the second (2026-11-25T14:19:15Z); null stays null, text that is not one stays as it is. */
    static String instant(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /** How long ago, in its largest unit, as kubectl shows an age: 45s, 12m, 5h, 3d. */
    static String age(Instant since, Instant now) {
        long s = Math.max(0, Duration.between(since, now).toSeconds());
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s < 86_400 ? s / 3600 + "h" : s / 86_400 + "d";
    }
}
