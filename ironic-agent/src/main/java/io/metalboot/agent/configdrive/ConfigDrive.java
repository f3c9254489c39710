package io.metalboot.agent.configdrive;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files of a config drive, by path ({@code openstack/latest/meta_data.json}): '/'-separated,
 * relative, no empty, "." or ".." component, no character a VFAT long name cannot hold, at most
 * 255 UTF-16 units a component; a path is never both a file and a directory. Sorted by path, so
 * the same files give the same image. The byte arrays are copies, in and out.
 */
public record ConfigDrive(Map<String, byte[]> files) {
    public ConfigDrive {
        TreeMap<String, byte[]> copy = new TreeMap<>();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            copy.put(checkedPath(f.getKey()), f.getValue().clone());
        }
        for (String path : copy.keySet()) {
            String below = copy.ceilingKey(path + "/");
            if (below != null && below.startsWith(path + "/")) {
                throw new IllegalArgumentException(path + " is both a file and a directory");
            }
        }
        files = Collections.unmodifiableMap(copy);
    }

    /** Copies of the files (the record's own arrays never leave it). */
    @Override
    public Map<String, byte[]> files() {
        TreeMap<String, byte[]> copy = new TreeMap<>();
        files.forEach((path, bytes) -> copy.put(path, bytes.clone()));
        return Collections.unmodifiableMap(copy);
    }

    /** A copy of one file's bytes, or null. */
    public byte[] file(String path) {
        byte[] bytes = files.get(path);
        return bytes == null ? null : bytes.clone();
    }

    private static String checkedPath(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
            throw new IllegalArgumentException("not a relative file path: '" + path + "'");
        }
        for (String name : path.split("/", -1)) {
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.length() > 255
                    || name.endsWith(".") || name.endsWith(" ")
                    || name.chars().anyMatch(c -> c < 0x20 || "\\:*?\"<>|".indexOf(c) >= 0)) {
                throw new IllegalArgumentException("'" + name + "' in '" + path + "' is not a VFAT file name");
            }
        }
        return path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigDrive other && files.size() == other.files.size()
                && files.entrySet().stream().allMatch(f -> Arrays.equals(f.getValue(), other.files.get(f.getKey())));
    }

    @Override
    public int hashCode() {
        return files.entrySet().stream().mapToInt(f -> f.getKey().hashCode() ^ Arrays.hashCode(f.getValue())).sum();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ConfigDrive[");
        files.forEach((path, bytes) -> s.append(s.length() > 12 ? ", " : "").append(path).append(" (").append(bytes.length).append(" bytes)"));
        return s.append(']').toString();
    }
}
