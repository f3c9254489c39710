package io.metalboot.appliance;

import io.metalboot.machine.testing.SteppedClock;
import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.appliance.images.ImageService;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image service through the real appliance: an image added through the operator API, a URL
 * signed for one machine, fetched with curl (Range, HEAD, ETag); a wrong, expired or another
 * machine's URL is 403 with no body. The catalog's config entries are read-only; bad fields are
 * named.
 */
class ImageServiceApplianceTest {
    private static final String MAC = "52:54:00:1e:a9:01";
    private static final String OTHER = "52:54:00:1e:a9:02";
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\"([^\"]*)\"");
    private static final Pattern TOKEN = Pattern.compile("metalboot\\.token=(\\S+)");

    @TempDir
    Path dir;
    byte[] image;
    String sha256;
    Path imageFile;

    record Curl(int exit, String headers, byte[] body, String stderr) {
        String status() {
            return headers.lines().filter(l -> l.startsWith("HTTP/")).reduce((a, b) -> b).orElse("").split(" ")[1];
        }

        String header(String name) {
            return headers.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith(name + ":")).findFirst()
                    .map(l -> l.substring(name.length() + 1).strip()).orElse(null);
        }
    }

    @BeforeEach
    void makeImage() throws Exception {
        boolean curl = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "curl")));
        if (!curl) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("curl is not installed, and CI=true");
            }
            Assumptions.abort("curl is not installed");
        }
        image = new byte[512 * 1024 + 77];
        new Random(3).nextBytes(image);
        imageFile = dir.resolve("disk.raw");
        Files.write(imageFile, image);
        sha256 = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(image));
    }

    Curl curl(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "curl", ".body");
        List<String> command = new ArrayList<>(List.of("curl", "--silent", "--show-error", "--max-time", "30",
                "--noproxy", "*", "-D", "-", "-o", out.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        String headers = new String(process.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        byte[] body = Files.exists(out) ? Files.readAllBytes(out) : new byte[0];
        return new Curl(process.exitValue(), headers, body, stderr);
    }

    static String field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        throw new AssertionError("no " + name + " in " + json);
    }

    static HttpRequest.Builder put(String url, String body) {
        return get(url).PUT(HttpRequest.BodyPublishers.ofString(body));
    }

    static HttpRequest.Builder post(String url, String body) {
        return get(url).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    String signedUrl(InProcessAppliance appliance, String name, String machine, int lifetime) throws Exception {
        String minted = appliance.operator(post(appliance.operatorBase() + "/api/v1/images/" + name + "/signed-url",
                "{\"machine\": \"" + machine + "\", \"lifetimeSeconds\": " + lifetime + "}"), 200);
        String url = field(minted, "url");
        assertTrue(url.startsWith(appliance.bootBase() + "/images/" + name + "?machine="), url);
        return url;
    }

    /** A running agent for {@code mac} (its script's boot token, then registration, from 127.0.0.1): its credential. */
    static String agent(InProcessAppliance appliance, String mac) throws Exception {
        String script = appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + mac), 200);
        Matcher token = TOKEN.matcher(script);
        assertTrue(token.find(), script);
        return field(appliance.send(post(appliance.bootBase() + "/agent/v1/register",
                "{\"mac\": \"" + mac + "\", \"bootToken\": \"" + token.group(1) + "\"}"), 200), "credential");
    }

    void assertRefused(Curl reply, String what) {
        assertEquals(0, reply.exit(), reply.stderr());
        assertEquals("403", reply.status(), what + ": " + reply.headers());
        assertEquals("0", reply.header("content-length"), what);
        assertEquals(0, reply.body().length, what);
    }

    /** Every record of the appliance's loggers, at every level, while a test runs. */
    static final class CapturedLogs extends Handler implements AutoCloseable {
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<Logger> loggers = Stream.of("http", "images", "audit", "metalboot", "agent")
                .map(Logger::getLogger).toList();
        private final List<java.util.logging.Level> levels = new ArrayList<>();

        CapturedLogs() {
            for (Logger logger : loggers) {
                levels.add(logger.getLevel());
                logger.setLevel(java.util.logging.Level.ALL);
                logger.addHandler(this);
            }
        }

        @Override
        public void publish(LogRecord record) {
            lines.add(record.getLoggerName() + " " + new SimpleFormatter().formatMessage(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).removeHandler(this);
                loggers.get(i).setLevel(levels.get(i));
            }
        }
    }

    @Test
    void anApiImageServedBySignedUrlWithRangeHeadAndEtag() throws Exception {
        SteppedClock clock = new SteppedClock();
        try (CapturedLogs logs = new CapturedLogs(); InProcessAppliance appliance = InProcessAppliance.start(dir, "images: {signed-url-max-lifetime-seconds: 3600}\n",
                clock)) {
            String api = appliance.operatorBase() + "/api/v1/images/disk";
            String added = appliance.operator(put(api, "{\"path\": \"" + imageFile + "\", \"format\": \"raw\","
                    + " \"checksum\": \"sha256:" + sha256 + "\"}"), 201);
            assertEquals("local", field(added, "state"), added);
            assertTrue(appliance.operator(get(api), 200).contains("\"size\":" + image.length));
            String url = signedUrl(appliance, "disk", MAC.toUpperCase(Locale.ROOT), 600);
            assertTrue(url.contains("machine=52%3A54%3A00%3A1e%3Aa9%3A01"), "the MAC as the registry prints it: " + url);

            Curl whole = curl(url);
            assertEquals("200", whole.status(), whole.headers());
            assertArrayEquals(image, whole.body());
            String etag = whole.header("etag");
            assertTrue(etag != null && etag.matches("\"[0-9a-f-]+\""), whole.headers());

            Curl ranged = curl("-r", "1000-4999", url);
            assertEquals("206", ranged.status(), ranged.headers());
            assertEquals("bytes 1000-4999/" + image.length, ranged.header("content-range"));
            assertArrayEquals(Arrays.copyOfRange(image, 1000, 5000), ranged.body());
            assertEquals(etag, ranged.header("etag"));

            Curl head = curl("-I", url);
            assertEquals("200", head.status(), head.headers());
            assertEquals(Integer.toString(image.length), head.header("content-length"));
            assertEquals("bytes", head.header("accept-ranges"));
            assertEquals(etag, head.header("etag"));

            Curl notModified = curl("-H", "If-None-Match: " + etag, url);
            assertEquals("304", notModified.status());
            Curl ifRange = curl("-r", "0-9", "-H", "If-Range: " + etag, url);
            assertEquals("206", ifRange.status());

            // Wrong: a changed signature, another image's name, no signature at all.
            String sig = url.substring(url.indexOf("&sig=") + 5);
            String flipped = (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1);
            assertRefused(curl(url.replace("&sig=" + sig, "&sig=" + flipped)), "wrong signature");
            assertRefused(curl(url.replace("/images/disk?", "/images/other?")), "another image");
            assertRefused(curl(url.replace("&sig=" + sig, "")), "no signature");
            assertRefused(curl(url.replace("machine=52%3A54%3A00%3A1e%3Aa9%3A01", "machine=52%3A54%3A00%3A1e%3Aa9%3A02")),
                    "another machine named in the URL");

            // Another machine's: its agent's credential with this URL, or this URL from its address.
            String otherUrl = signedUrl(appliance, "disk", OTHER, 600);
            String otherCredential = agent(appliance, OTHER);
            assertRefused(curl("-H", "Authorization: Bearer " + otherCredential, url), "another machine's credential");
            assertRefused(curl(url), "from the address another machine's agent calls from");
            Curl own = curl("-H", "Authorization: Bearer " + otherCredential, "-r", "0-99", otherUrl);
            assertEquals("206", own.status(), "the other machine's own URL still works: " + own.headers());
            assertArrayEquals(Arrays.copyOf(image, 100), own.body());
            assertRefused(curl("-H", "Authorization: Bearer not-a-credential", otherUrl), "an unknown credential");

            // Expired: at its expiry second.
            clock.advance(Duration.ofSeconds(600));
            assertRefused(curl("-H", "Authorization: Bearer " + otherCredential, otherUrl), "expired");

            // Secrets never reach a log: not a signature (the access log redacts sig), not the key.
            byte[] key = Files.readAllBytes(appliance.stateDir().resolve("image-url.key"));
            List<String> secrets = List.of(sig, flipped, HexFormat.of().formatHex(key),
                    java.util.Base64.getEncoder().encodeToString(key),
                    java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(key));
            assertTrue(logs.lines.stream().anyMatch(l -> l.startsWith("http GET /images/disk?machine=")
                    && l.contains("&sig=REDACTED")), logs.lines.toString());
            assertTrue(logs.lines.stream().anyMatch(l -> l.startsWith("audit ") && l.contains("signed URL for " + MAC)),
                    logs.lines.toString());
            for (String line : logs.lines) {
                for (String secret : secrets) {
                    assertFalse(line.contains(secret), line);
                }
            }
        }
    }

    @Test
    void theCatalogApiNamesBadFieldsAndKeepsConfigImagesReadOnly() throws Exception {
        String config = """
                images:
                  catalog:
                    - {name: base, path: %s, format: raw, checksum: "sha256:%s"}
                """.formatted(imageFile, sha256);
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, config)) {
            String api = appliance.operatorBase() + "/api/v1/images";
            String listed = appliance.operator(get(api), 200);
            assertTrue(listed.contains("\"name\":\"base\"") && listed.contains("\"definedBy\":\"config\""), listed);
            assertTrue(appliance.operator(get(api + "/base"), 200).contains("\"checksum\":\"sha256:" + sha256 + "\""));
            assertTrue(appliance.operator(get(api.replace("/api/v1/images", "/api/v1/images/base"))
                    .DELETE(), 409).contains("config"));
            appliance.operator(put(api + "/base", "{\"path\": \"" + imageFile + "\", \"checksum\": \"sha256:" + sha256
                    + "\"}"), 409);

            assertEquals("checksum", field(appliance.operator(put(api + "/x", "{\"url\": \"http://h.example/x\","
                    + " \"checksum\": \"md5:" + "a".repeat(32) + "\"}"), 400), "field"));
            appliance.operator(put(api + "/x", "{\"url\": \"http://h.example/x\", \"checksum\": \"md5:" + "a".repeat(32)
                    + "\", \"allowMd5\": true}"), 201);
            assertEquals("url", field(appliance.operator(put(api + "/y", "{\"url\": \"ftp://h/x\", \"checksum\": \"sha256:"
                    + sha256 + "\"}"), 400), "field"));
            assertEquals("format", field(appliance.operator(put(api + "/y", "{\"path\": \"" + imageFile
                    + "\", \"format\": \"vmdk\", \"checksum\": \"sha256:" + sha256 + "\"}"), 400), "field"));
            assertEquals("colour", field(appliance.operator(put(api + "/y", "{\"colour\": \"red\"}"), 400), "field"));
            assertEquals("path", field(appliance.operator(put(api + "/y", "{\"path\": \"" + imageFile
                    + "\", \"checksum\": \"sha256:" + "0".repeat(64) + "\"}"), 400), "field"), "the file is read through");
            assertEquals("lifetimeSeconds", field(appliance.operator(post(api + "/base/signed-url",
                    "{\"machine\": \"" + MAC + "\", \"lifetimeSeconds\": 86401}"), 400), "field"), "over the maximum");
            assertEquals("machine", field(appliance.operator(post(api + "/base/signed-url",
                    "{\"machine\": \"node-1\", \"lifetimeSeconds\": 60}"), 400), "field"));
            appliance.operator(post(api + "/nope/signed-url", "{\"machine\": \"" + MAC + "\", \"lifetimeSeconds\": 60}"), 404);
            appliance.send(get(api), 401);
            appliance.send(get(appliance.bootBase() + "/api/v1/images"), 404);

            appliance.operator(get(api + "/x").DELETE(), 204);
            appliance.operator(get(api + "/x"), 404);
        }
    }

    @Test
    void theDeployUrlTheApplianceSignsForItsOwnDeploy() throws Exception {
        String config = """
                images:
                  catalog:
                    - {name: base, path: %s, format: detect, checksum: "sha256:%s"}
                """.formatted(imageFile, sha256);
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, config)) {
            ImageService images = appliance.service(ImageService.class);
            java.net.URI url = images.deployUri("base", io.metalboot.machine.MacAddress.parse(MAC), "deploy-7",
                    Duration.ofMinutes(30));
            assertTrue(url.toString().startsWith(appliance.bootBase() + "/images/base?machine=")
                    && url.toString().contains("&deploy=deploy-7&sig="), url.toString());
            Curl reply = curl(url.toString());
            assertEquals("200", reply.status(), reply.headers());
            assertArrayEquals(image, reply.body());
            assertRefused(curl(url.toString().replace("deploy=deploy-7", "deploy=deploy-8")), "another deploy");
        }
    }

    @Test
    void apiImagesSurviveARestart() throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            appliance.operator(put(appliance.operatorBase() + "/api/v1/images/kept", "{\"path\": \"" + imageFile
                    + "\", \"checksum\": \"sha256:" + sha256 + "\"}"), 201);
        }
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            String kept = appliance.operator(get(appliance.operatorBase() + "/api/v1/images/kept"), 200);
            assertEquals("api", field(kept, "definedBy"));
            Curl reply = curl(signedUrl(appliance, "kept", MAC, 60));
            assertEquals("200", reply.status(), reply.headers());
            assertArrayEquals(image, reply.body());
        }
    }
}
