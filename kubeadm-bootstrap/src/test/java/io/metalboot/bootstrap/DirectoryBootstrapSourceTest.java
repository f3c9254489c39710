package io.metalboot.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.SmbiosUuid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryBootstrapSourceTest extends BootstrapSourceContract {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:6C:3C:01");
    private static final SmbiosUuid UUID = SmbiosUuid.parse("8c1d4b6f-5a0e-4d7e-9f3a-2b1c0d9e8f7a");

    @TempDir
    Path dir;
    private Path byMac;

    @BeforeEach
    void writeFiles() throws IOException {
        byMac = write("by-mac/52-54-00-6c-3c-01", ClusterFixtures.metal3Vector());
        write("by-uuid/" + UUID, ClusterFixtures.metal3Vector());
    }

    private Path write(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    @Override
    BootstrapSource source() {
        return new DirectoryBootstrapSource(dir);
    }

    @Override
    MachineKeys known() {
        return new MachineKeys(MAC, Optional.of(UUID), Optional.empty());
    }

    @Override
    List<MachineKeys> knownOtherwise() {
        return List.of(new MachineKeys(MacAddress.parse("02:00:00:00:00:01"), Optional.of(UUID), Optional.empty()));
    }

    @Override
    byte[] expectedValue() {
        return ClusterFixtures.metal3Vector();
    }

    @Override
    BootstrapFormat expectedFormat() {
        return BootstrapFormat.CLOUD_CONFIG;
    }

    @Override
    String expectedOrigin() {
        return "file " + byMac;
    }

    @Override
    void replaceValue(byte[] value) throws IOException {
        Files.write(byMac, value);
    }

    @Override
    void storeRefused(byte[] secretValue) throws IOException {
        // without its two header lines the vector is neither cloud-config nor Ignition
        String text = new String(secretValue, StandardCharsets.UTF_8);
        Files.writeString(byMac, text.substring(text.indexOf("#cloud-config") + "#cloud-config".length()));
    }

    @Test
    void theFirstFileFoundWinsByMacThenUuidThenDefault() throws Exception {
        byte[] byUuid = "#cloud-config\nby: uuid\n".getBytes(StandardCharsets.UTF_8);
        byte[] fallback = "#cloud-config\nby: default\n".getBytes(StandardCharsets.UTF_8);
        write("by-uuid/" + UUID, byUuid);
        write("default", fallback);
        assertArrayEquals(ClusterFixtures.metal3Vector(), source().find(known()).orElseThrow().value());
        Files.delete(byMac);
        assertArrayEquals(byUuid, source().find(known()).orElseThrow().value());
        assertArrayEquals(fallback, source().find(MachineKeys.of(MAC)).orElseThrow().value());
        assertEquals("file " + dir.resolve("default"), source().find(UNKNOWN).orElseThrow().origin());
    }

    @Test
    void ignitionIsAJsonObjectWithAnIgnitionKey() throws Exception {
        byte[] ignition = "{\"ignition\":{\"version\":\"3.4.0\"},\"storage\":{}}".getBytes(StandardCharsets.UTF_8);
        replaceValue(ignition);
        BootstrapData data = source().find(known()).orElseThrow();
        assertEquals(BootstrapFormat.IGNITION, data.format());
        assertArrayEquals(ignition, data.value());
        replaceValue("{\"storage\":{}}".getBytes(StandardCharsets.UTF_8));
        assertThrows(BootstrapException.class, () -> source().find(known()));
    }

    @Test
    void metaDataDefaultsFromTheKeysOverlaidWithTheSiblingFile() throws Exception {
        assertEquals(Map.of("uuid", UUID.toString(), "name", "host-5254006c3c01", "local-hostname", "host-5254006c3c01",
                "local_hostname", "host-5254006c3c01"), source().find(known()).orElseThrow().metaData());
        write("by-mac/52-54-00-6c-3c-01.meta_data.json", "{\"name\": \"worker-0\", \"rack\": \"r1\"}".getBytes(StandardCharsets.UTF_8));
        write("by-mac/52-54-00-6c-3c-01.network_data.json", "{\"links\": []}".getBytes(StandardCharsets.UTF_8));
        BootstrapData data = source().find(known()).orElseThrow();
        assertEquals("worker-0", data.metaData().get("name"));
        assertEquals("r1", data.metaData().get("rack"));
        assertEquals("host-5254006c3c01", data.metaData().get("local-hostname"));
        assertEquals(Optional.of("{\"links\":[]}"), data.networkDataJson());
    }

    @Test
    void jinjaHeaderIsCloudConfig() throws Exception {
        replaceValue(ClusterFixtures.minimalVector());
        assertEquals(BootstrapFormat.CLOUD_CONFIG, source().find(known()).orElseThrow().format());
    }
}
