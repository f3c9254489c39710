package io.metalboot.dhcp.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The committed DHCP vectors (src/test/resources/vectors): real captures and spec-built packets. */
public final class Vectors {
    private Vectors() {
    }

    /** Vector name (file name without .bin) to its bytes, sorted by name. */
    public static Map<String, byte[]> all() {
        try (Stream<Path> files = Files.list(directory())) {
            Map<String, byte[]> vectors = new TreeMap<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".bin")).toList()) {
                String name = file.getFileName().toString();
                vectors.put(name.substring(0, name.length() - 4), Files.readAllBytes(file));
            }
            return vectors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<byte[]> allBytes() {
        return List.copyOf(all().values());
    }

    /** What tshark, an independent decoder, read from each vector (see the vectors' README). */
    public static Properties expected() {
        Properties expected = new Properties();
        try (InputStream in = Files.newInputStream(directory().resolve("expected.properties"))) {
            expected.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return expected;
    }

    private static Path directory() {
        try {
            return Path.of(Vectors.class.getResource("/vectors").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
