package io.metalboot.appliance;

import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metalboot.machine.testing.SteppedClock;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/status}: the services running and their bound sockets, uptime, machines by state, images. */
class ApplianceStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theStatusShowsWhatRunsWhereAndWhatTheRegistryHolds(@TempDir Path dir) throws Exception {
        Path image = Files.write(dir.resolve("base.raw"), new byte[4096]);
        SteppedClock clock = new SteppedClock();
        String config = """
                images:
                  catalog:
                    - {name: base, path: %s, format: raw, checksum: "sha256:%s"}
                """.formatted(image, "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7");
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, config, clock)) {
            appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=52:54:00:5a:00:01"), 200);
            appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=52:54:00:5a:00:02"), 200);
            HandSpokenAgent.register(appliance, io.metalboot.machine.MacAddress.parse("52:54:00:5a:00:02"));
            clock.advance(Duration.ofSeconds(90));

            JsonNode status = JSON.readTree(appliance.operator(get(appliance.operatorBase() + "/api/v1/status"), 200));
            assertTrue(status.get("version").isNull(), "classes from the build's directory carry no version");
            assertEquals(90, status.get("uptimeSeconds").asLong());
            assertEquals(clock.instant().minusSeconds(90).toString(), status.get("startedAt").asText());
            assertTrue(status.get("ready").asBoolean());
            List<String> names = new ArrayList<>();
            status.get("services").forEach(s -> names.add(s.get("name").asText()));
            assertEquals(List.of("images", "bootstrap", "http", "agents", "api"), names, "dhcp and tftp are off");
            JsonNode http = status.at("/services/2/listening/0");
            assertEquals("tcp", http.get("protocol").asText());
            assertEquals("0.0.0.0", http.get("address").asText(), "as configured, as the log says");
            assertEquals(URI.create(appliance.bootBase()).getPort(), http.get("port").asInt());
            JsonNode api = status.at("/services/4/listening/0");
            assertEquals("operator API", api.get("name").asText());
            assertEquals("127.0.0.1", api.get("address").asText());
            assertEquals(URI.create(appliance.operatorBase()).getPort(), api.get("port").asInt());
            assertEquals(0, status.at("/services/0/listening").size());
            assertEquals(2, status.at("/machines/total").asInt());
            assertEquals(1, status.at("/machines/byState/discovered").asInt());
            assertEquals(1, status.at("/machines/byState/inspecting").asInt());
            assertEquals(0, status.at("/machines/byState/failed").asInt(), "every state, with its count");
            assertEquals(7, status.at("/machines/byState").size());
            assertEquals(1, status.get("images").asInt());
        }
    }
}
