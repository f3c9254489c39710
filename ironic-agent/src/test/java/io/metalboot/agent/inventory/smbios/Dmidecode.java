package io.metalboot.agent.inventory.smbios;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** dmidecode's text output, as far as the tests read it: the version line and each block's "Key: Value" lines. */
record Dmidecode(String version, Map<Integer, List<Map<String, String>>> blocks) {
    static Dmidecode parse(String text) {
        String version = null;
        Map<Integer, List<Map<String, String>>> blocks = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("SMBIOS ") && line.endsWith(" present.")) {
                version = line.substring("SMBIOS ".length(), line.length() - " present.".length());
            } else if (line.startsWith("Handle ")) {
                int type = Integer.parseInt(line.replaceAll(".*DMI type (\\d+),.*", "$1"));
                current = new LinkedHashMap<>();
                blocks.computeIfAbsent(type, t -> new ArrayList<>()).add(current);
            } else if (current != null && line.startsWith("\t") && !line.startsWith("\t\t") && line.contains(": ")) {
                int colon = line.indexOf(": ");
                current.put(line.substring(1, colon), line.substring(colon + 2));
            }
        }
        return new Dmidecode(version, blocks);
    }

    Map<String, String> first(int type) {
        return blocks.get(type).get(0);
    }

    List<Map<String, String>> all(int type) {
        return blocks.getOrDefault(type, List.of());
    }

    /** dmidecode's "2 GB", "512 MB", "No Module Installed" as bytes (its units are binary). */
    static Long bytes(String size) {
        if (size.equals("No Module Installed")) {
            return 0L;
        }
        if (size.equals("Unknown")) {
            return null;
        }
        String[] parts = size.split(" ");
        long n = Long.parseLong(parts[0]);
        return switch (parts[1]) {
            case "kB" -> n << 10;
            case "MB" -> n << 20;
            case "GB" -> n << 30;
            case "TB" -> n << 40;
            default -> throw new IllegalArgumentException("dmidecode size '" + size + "'");
        };
    }
}
