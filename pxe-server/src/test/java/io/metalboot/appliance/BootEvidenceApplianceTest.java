package io.metalboot.appliance;

import io.metalboot.machine.testing.SteppedClock;
import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metalboot.appliance.evidence.FixedNeighbourTable;
import io.metalboot.machine.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole appliance over loopback, held to the boot evidence rules (loopback not trusted): who
 * gets a boot token, who gets a script that exits, what is counted and logged, one live token,
 * a second registration in one boot, the unregistered cap and expiry.
 */
class BootEvidenceApplianceTest {
    private static final String MAC = "52:54:00:e7:00:01";
    private static final String OTHER = "52:54:00:e7:00:02";
    private static final Pattern TOKEN = Pattern.compile("metalboot\\.token=(\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SteppedClock clock = new SteppedClock();
    private final List<LogRecord> bootLog = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            bootLog.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureBootLog() {
        Logger.getLogger("boot").addHandler(capture);
    }

    @AfterEach
    void releaseBootLog() {
        Logger.getLogger("boot").removeHandler(capture);
    }

    private static FixedNeighbourTable loopbackIs(String mac) throws Exception {
        return new FixedNeighbourTable(Map.of((Inet4Address) InetAddress.getByName("127.0.0.1"), MacAddress.parse(mac)));
    }

    private static String script(InProcessAppliance appliance, String mac) throws Exception {
        return appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + mac), 200);
    }

    private static String token(String script) {
        Matcher token = TOKEN.matcher(script);
        assertTrue(token.find(), script);
        return token.group(1);
    }

    private static void assertGivesUp(String script) {
        assertFalse(script.contains("metalboot.token"), script);
        assertTrue(script.endsWith("exit 1\n"), script);
    }

    private static JsonNode counters(InProcessAppliance appliance) throws Exception {
        return JSON.readTree(appliance.operator(get(appliance.operatorBase() + "/api/v1/boot-evidence"), 200));
    }

    private static int register(InProcessAppliance appliance, String mac, String token) throws Exception {
        HttpRequest.Builder post = get(appliance.bootBase() + "/agent/v1/register").POST(HttpRequest.BodyPublishers
                .ofString("{\"mac\": \"" + mac + "\", \"bootToken\": \"" + token + "\"}"));
        return java.net.http.HttpClient.newHttpClient().send(post.build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void loopbackWithoutTrustOrEvidenceGetsAScriptThatExitsNoTokenAndNoRecord(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.startHoldingToEvidence(dir, "",
                FixedNeighbourTable.EMPTY, clock)) {
            assertGivesUp(script(appliance, MAC));
            appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + MAC), 404);

            JsonNode counters = counters(appliance);
            assertEquals(1, counters.path("refused").path("no-pxe-dhcp").asInt(), counters.toString());
            assertEquals(0, counters.path("refused").path("no-neighbour-entry").asInt());
            assertEquals(0, counters.path("refused").path("neighbour-mismatch").asInt());
            assertEquals(0, counters.path("refused").path("unregistered-cap").asInt());
            assertEquals(0, counters.path("accepted").asInt());
            assertEquals(0, counters.path("unregistered").asInt());
            assertEquals(1000, counters.path("unregistered-cap").asInt());

            List<String> warnings = bootLog.stream().filter(r -> r.getLevel() == java.util.logging.Level.WARNING)
                    .map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters())).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.getFirst().contains("127.0.0.1") && warnings.getFirst().contains(MAC),
                    warnings.getFirst());
            assertFalse(warnings.getFirst().contains("token="), warnings.getFirst());

            // A PXE sighting alone is not enough: loopback has no neighbour entry.
            appliance.pxeSeen(MacAddress.parse(MAC));
            assertGivesUp(script(appliance, MAC));
            assertEquals(1, counters(appliance).path("refused").path("no-neighbour-entry").asInt());
            appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + MAC), 404);
        }
    }

    @Test
    void aPxeSightingAndTheNeighbourEntryGetAToken(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.startHoldingToEvidence(dir, "", loopbackIs(MAC), clock)) {
            appliance.pxeSeen(MacAddress.parse(MAC));
            clock.advance(Duration.ofSeconds(5));
            String token = token(script(appliance, MAC));
            assertEquals(200, register(appliance, MAC, token));
            assertEquals(1, counters(appliance).path("accepted").asInt());

            appliance.pxeSeen(MacAddress.parse(OTHER));
            assertGivesUp(script(appliance, OTHER));
            assertEquals(1, counters(appliance).path("refused").path("neighbour-mismatch").asInt(),
                    "127.0.0.1 is " + MAC + ", not " + OTHER);
            appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + OTHER), 404);

            clock.advance(Duration.ofSeconds(301));
            assertGivesUp(script(appliance, MAC));
            assertEquals(1, counters(appliance).path("refused").path("no-pxe-dhcp").asInt(), "past the window");
        }
    }

    @Test
    void aNewTokenRevokesTheUnusedOne(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.startHoldingToEvidence(dir, "", loopbackIs(MAC), clock)) {
            appliance.pxeSeen(MacAddress.parse(MAC));
            String first = token(script(appliance, MAC));
            String second = token(script(appliance, MAC));
            assertEquals(401, register(appliance, MAC, first), "revoked by the second script");
            assertEquals(200, register(appliance, MAC, second));
        }
    }

    @Test
    void aSecondRegistrationInOneBootIsRefusedAndAlertedAndARebootRegisters(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.startHoldingToEvidence(dir, "", loopbackIs(MAC), clock)) {
            String machine = appliance.operatorBase() + "/api/v1/machines/" + MAC;
            appliance.pxeSeen(MacAddress.parse(MAC));
            clock.advance(Duration.ofSeconds(5));
            assertEquals(200, register(appliance, MAC, token(script(appliance, MAC))));
            clock.advance(Duration.ofSeconds(5));
            String again = token(script(appliance, MAC)); // still inside the PXE window of the same boot
            assertEquals(401, register(appliance, MAC, again));
            JsonNode alerts = JSON.readTree(appliance.operator(get(machine), 200)).path("alerts");
            assertEquals(1, alerts.size(), alerts.toString());
            assertTrue(alerts.get(0).path("message").asText().contains("second agent registration"), alerts.toString());
            assertEquals(clock.instant(), Instant.parse(alerts.get(0).path("at").asText()));

            clock.advance(Duration.ofSeconds(5));
            appliance.pxeSeen(MacAddress.parse(MAC)); // a genuine reboot
            clock.advance(Duration.ofSeconds(5));
            assertEquals(200, register(appliance, MAC, token(script(appliance, MAC))));
            assertEquals(1, JSON.readTree(appliance.operator(get(machine), 200)).path("alerts").size());
        }
    }

    @Test
    void pastTheUnregisteredCapNewMachinesAreRefusedButAKnownOneStillBoots(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "machines: {max-unregistered: 3}\n")) {
            for (int i = 1; i <= 3; i++) {
                token(script(appliance, "52:54:00:ca:00:0" + i));
            }
            assertGivesUp(script(appliance, "52:54:00:ca:00:04"));
            appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/52:54:00:ca:00:04"), 404);
            token(script(appliance, "52:54:00:ca:00:01"));
            JsonNode counters = counters(appliance);
            assertEquals(1, counters.path("refused").path("unregistered-cap").asInt(), counters.toString());
            assertEquals(3, counters.path("unregistered").asInt());
            assertEquals(3, counters.path("unregistered-cap").asInt());
            assertEquals(4, counters.path("accepted").asInt());
        }
    }

    @Test
    void machinesDiscoveredAndNeverRegisteredAreForgottenAfterTheExpiry(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.startHoldingToEvidence(dir,
                "machines: {unregistered-expire-minutes: 60}\nboot: {evidence: {networks: [{cidr: 127.0.0.0/8, require: []}]}}\n",
                FixedNeighbourTable.EMPTY, clock)) {
            token(script(appliance, MAC));
            clock.advance(Duration.ofMinutes(30));
            token(script(appliance, OTHER));
            clock.advance(Duration.ofMinutes(31));
            appliance.forgetExpiredUnregistered();
            appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + MAC), 404);
            appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + OTHER), 200);
        }
    }
}
