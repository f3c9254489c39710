package io.metalboot.dhcp.codec;

import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.Octets;
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

/**
 * The committed DHCP vectors (src/test/resources/vectors): real captures and spec-built packets,
 * and in vectors/malformed the spec-built packets that must be refused.
 */
public final class Vectors {
    private Vectors() {
    }

    /** Vector name (file name without .bin) to its bytes, sorted by name. */
    public static Map<String, byte[]> all() {
        return binaries(directory());
    }

    public static List<byte[]> allBytes() {
        return List.copyOf(all().values());
    }

    /** The packets in vectors/malformed: spec-built, each one the decoder must refuse. */
    public static Map<String, byte[]> malformed() {
        return binaries(directory().resolve("malformed"));
    }

    /**
     * The same message with every option in the options field (option 52 left out) and sname and
     * file all zero: what an overloaded message says, told without overloading.
     */
    public static DhcpMessage withoutOverload(DhcpMessage m) {
        List<DhcpOption> options = m.options().stream().filter(o -> !(o instanceof DhcpOption.OptionOverload))
                .toList();
        return new DhcpMessage(m.op(), m.htype(), m.hlen(), m.hops(), m.xid(), m.secs(), m.flags(), m.ciaddr(),
                m.yiaddr(), m.siaddr(), m.giaddr(), m.chaddr(), Octets.zeros(DhcpMessage.SNAME_LENGTH),
                Octets.zeros(DhcpMessage.FILE_LENGTH), options, m.trailer());
    }

    private static Map<String, byte[]> binaries(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
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
