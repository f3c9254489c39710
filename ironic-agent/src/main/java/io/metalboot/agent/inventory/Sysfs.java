package io.metalboot.agent.inventory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reading sysfs and procfs files the way the inventory needs: a file that is absent or that the
 * kernel refuses to read (carrier and speed of a link that is down answer EINVAL) is null, not an
 * error. Text is trimmed; an empty file is null.
 */
final class Sysfs {
    private Sysfs() {
    }

    static String text(Path file) {
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            return value.isEmpty() ? null : value;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** A decimal integer file; null when absent, unreadable or not a number. */
    static Long number(Path file) {
        String value = text(file);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Integer integer(Path file) {
        Long value = number(file);
        return value == null || value != value.intValue() ? null : value.intValue();
    }

    /** The last name of a symlink's target ({@code device/driver -> ../../bus/pci/drivers/ixgbe}: "ixgbe"). */
    static String linkName(Path link) {
        try {
            Path target = Files.readSymbolicLink(link).getFileName();
            return target == null ? null : target.toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** The path with every symlink resolved, or null when it does not lead anywhere. */
    static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** The names in a directory, sorted; empty when it is absent. */
    static List<String> names(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            List<String> names = new ArrayList<>(entries.map(p -> p.getFileName().toString()).toList());
            names.sort(null);
            return names;
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /** A kernel CPU list ("0-3,8,10-11") counted; null when it does not parse. */
    static Integer countCpuList(String list) {
        if (list == null) {
            return null;
        }
        int count = 0;
        try {
            for (String range : list.split(",")) {
                int dash = range.indexOf('-');
                if (dash < 0) {
                    Integer.parseInt(range.strip());
                    count++;
                } else {
                    int from = Integer.parseInt(range.substring(0, dash).strip());
                    int to = Integer.parseInt(range.substring(dash + 1).strip());
                    if (to < from) {
                        return null;
                    }
                    count += to - from + 1;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return count;
    }
}
