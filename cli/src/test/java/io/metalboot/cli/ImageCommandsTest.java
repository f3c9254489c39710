package io.metalboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metalboot images …} against the real appliance (fetching eagerly): an upstream image's
 * fetch followed as it runs (the upstream holds the second half until the CLI has shown the
 * first) to cached, a failed fetch's reason, a local file's checksum computed here; list, show and
 * remove as the API holds them; a read-only image's removal refused (4), a missing one (3).
 */
class ImageCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MIB = 1 << 20;

    @TempDir
    static Path dir;
    static RunningAppliance appliance;
    static Path configured;

    @BeforeAll
    static void start() throws Exception {
        configured = Files.write(dir.resolve("configured.raw"), new byte[8192]);
        appliance = RunningAppliance.start(dir, """
                images:
                  fetch-eagerly: true
                  catalog:
                    - {name: configured, path: %s, format: raw, checksum: "%s"}
                """.formatted(configured, sha256(Files.readAllBytes(configured))));
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void anUpstreamImageIsFollowedWhileTheApplianceFetchesItUntilItIsCached() throws Exception {
        byte[] image = new byte[2 * MIB];
        new Random(5).nextBytes(image);
        try (HeldUpstream upstream = new HeldUpstream(image)) {
            CliRun run = CliRun.start(Map.of(), appliance.cli("images", "add", "node", "--url", upstream.url("node.raw"),
                    "--checksum", sha256(image), "--format", "raw"));
            run.awaitPrinted(printed -> printed.contains("fetching node: 50% (1.0 MiB of 2.0 MiB"));
            JsonNode midway = appliance.read("/api/v1/images/node");
            assertEquals("fetching", midway.get("state").asText());
            assertEquals(MIB, midway.get("bytesFetched").asLong());
            assertEquals(2 * MIB, midway.get("size").asLong(), "what the upstream announced");
            upstream.release();
            CliRun.Result result = run.await();
            assertEquals(0, result.exit(), result.toString());
            assertEquals("", result.err());
            assertTrue(result.out().endsWith("node: added, fetched and verified, 2.0 MiB\n"), result.out());
            assertTrue(result.out().lines().allMatch(l -> l.startsWith("fetching node: ") || l.startsWith("node: ")),
                    result.out());
            JsonNode shown = JSON.readTree(CliRun.run(appliance.cli("images", "show", "node", "-o", "json")).out());
            assertEquals(appliance.read("/api/v1/images/node"), shown);
            assertEquals("cached", shown.get("state").asText());
        }
    }

    @Test
    void aFetchThatFailsExitsOneWithTheAppliancesReason() throws Exception {
        byte[] image = new byte[64 * 1024];
        try (HeldUpstream upstream = new HeldUpstream(image)) {
            upstream.release();
            CliRun.Result result = CliRun.run(appliance.cli("images", "add", "corrupt", "--url",
                    upstream.url("corrupt.raw"), "--checksum", "sha256:" + "00".repeat(32)));
            assertEquals(1, result.exit(), result.toString());
            assertTrue(result.err().startsWith("metalboot: corrupt: the appliance's fetch failed: corrupt: checksum"
                    + " mismatch"), result.err());
        }
    }

    @Test
    void aLocalFileIsChecksummedHereAndReadThroughByTheAppliance() throws Exception {
        byte[] bytes = new byte[3 * MIB + 5];
        new Random(9).nextBytes(bytes);
        Path file = Files.write(dir.resolve("local.raw"), bytes);
        CliRun.Result added = CliRun.run(appliance.cli("images", "add", "local", "--path", file.toString(), "--format",
                "raw"));
        assertEquals(0, added.exit(), added.toString());
        assertTrue(added.out().contains("checksum local.raw: 100% (3.0 MiB of 3.0 MiB"), added.out());
        assertTrue(added.out().endsWith("local: added, read through and verified, 3.0 MiB\n"), added.out());
        JsonNode image = appliance.read("/api/v1/images/local");
        assertEquals(sha256(bytes), image.get("checksum").asText(), "the file's own sha256");
        assertEquals(file.toString(), image.get("path").asText());

        JsonNode again = JSON.readTree(CliRun.run(appliance.cli("images", "add", "local", "--path", file.toString(),
                "--checksum", sha256(bytes), "-o", "json")).out());
        assertEquals(appliance.read("/api/v1/images/local"), again, "replaced: the API's view");
        CliRun.Result wrong = CliRun.run(appliance.cli("images", "add", "other", "--path", file.toString(),
                "--checksum", "sha256:" + "11".repeat(32)));
        assertEquals(4, wrong.exit(), "400 on path: not the image it claims: " + wrong);
        assertTrue(wrong.err().contains("(PUT " + appliance.apiUrl() + "/api/v1/images/other: 400)"), wrong.err());
        CliRun.Result noFile = CliRun.run(appliance.cli("images", "add", "gone", "--path", dir.resolve("nope.raw")
                .toString()));
        assertEquals(1, noFile.exit(), "a local file this side cannot read: " + noFile);
        assertTrue(noFile.err().contains("nope.raw: no such file"), noFile.err());
    }

    @Test
    void listShowAndRemoveAreWhatTheApiHolds() throws Exception {
        JsonNode listed = JSON.readTree(CliRun.run(appliance.cli("images", "list", "-o", "json")).out());
        assertEquals(appliance.read("/api/v1/images"), listed);
        CliRun.Result table = CliRun.run(appliance.cli("images", "list"));
        assertEquals(0, table.exit(), table.toString());
        assertTrue(table.out().lines().findFirst().orElseThrow().matches("NAME +STATE +FORMAT +SIZE +DEFINED-BY +SOURCE"),
                table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.matches("configured +local +raw +8\\.0 KiB +config +"
                + configured)), table.out());
        String shown = CliRun.run(appliance.cli("images", "show", "configured")).out();
        assertTrue(shown.startsWith("name:  "), shown);
        assertTrue(shown.lines().anyMatch(l -> l.matches("defined by: +config")), shown);

        CliRun.Result readOnly = CliRun.run(appliance.cli("images", "remove", "configured"));
        assertEquals(4, readOnly.exit(), "409: the config's images are read-only: " + readOnly);
        Path file = Files.write(dir.resolve("gone.raw"), new byte[4096]);
        assertEquals(0, CliRun.run(appliance.cli("images", "add", "gone", "--path", file.toString())).exit());
        JsonNode removed = JSON.readTree(CliRun.run(appliance.cli("images", "remove", "gone", "-o", "json")).out());
        assertEquals("gone", removed.get("name").asText());
        assertTrue(removed.get("removed").asBoolean());
        CliRun.Result missing = CliRun.run(appliance.cli("images", "show", "gone"));
        assertEquals(3, missing.exit(), missing.toString());
        assertEquals("metalboot: no image gone (GET " + appliance.apiUrl() + "/api/v1/images/gone: 404)\n", missing.err());
        assertEquals(2, CliRun.run(appliance.cli("images", "add", "x", "--url", "http://127.0.0.1:9/x.raw")).exit(),
                "an upstream image needs its checksum");
    }
}
