package io.metalboot.images.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.images.serve.DeployUrls.Verdict;
import io.metalboot.machine.testing.SteppedClock;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployUrlsTest {
    static final String MAC = "52:54:00:aa:bb:01";
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path stateDir;
    SteppedClock clock;
    DeployUrls urls;

    @BeforeEach
    void open() throws Exception {
        clock = new SteppedClock(T0);
        urls = DeployUrls.openOrCreate(stateDir, clock);
    }

    /** The URL's query, decoded, in order. */
    static Map<String, String> query(DeployUrls.SignedUrl url) {
        Map<String, String> q = new LinkedHashMap<>();
        String pq = url.pathAndQuery();
        for (String pair : pq.substring(pq.indexOf('?') + 1).split("&")) {
            int eq = pair.indexOf('=');
            q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    Verdict verify(String image, Map<String, String> q) {
        return urls.verify(image, q.get("machine"), q.get("expires"), q.get("deploy"), q.get("sig"));
    }

    @Test
    void aSignedUrlIsValidUntilItExpires() {
        DeployUrls.SignedUrl url = urls.sign("ubuntu", MAC, "d-1", Duration.ofMinutes(10));
        assertTrue(url.pathAndQuery().startsWith("/images/ubuntu?machine=52%3A54%3A00%3Aaa%3Abb%3A01&expires="),
                url.pathAndQuery());
        assertEquals(T0.plusSeconds(600), url.expiresAt());
        assertEquals(URI.create("http://10.0.0.1:8080" + url.pathAndQuery()), url.on(URI.create("http://10.0.0.1:8080/")));
        Map<String, String> q = query(url);
        assertEquals(Verdict.VALID, verify("ubuntu", q));
        clock.advance(Duration.ofSeconds(599));
        assertEquals(Verdict.VALID, verify("ubuntu", q));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Verdict.EXPIRED, verify("ubuntu", q), "at its expiry second it is over");
    }

    @Test
    void aWrongSignatureIsRefused() {
        Map<String, String> q = query(urls.sign("ubuntu", MAC, "d-1", Duration.ofMinutes(10)));
        char[] sig = q.get("sig").toCharArray();
        sig[3] = sig[3] == 'A' ? 'B' : 'A';
        q.put("sig", new String(sig));
        assertEquals(Verdict.BAD_SIGNATURE, verify("ubuntu", q));
        q.put("sig", "not base64!");
        assertEquals(Verdict.BAD_SIGNATURE, verify("ubuntu", q));
        q.put("sig", "");
        assertEquals(Verdict.BAD_SIGNATURE, verify("ubuntu", q));
        q.remove("sig");
        assertEquals(Verdict.MALFORMED, verify("ubuntu", q));
    }

    @Test
    void everySignedFieldIsCovered() {
        Map<String, String> good = query(urls.sign("ubuntu", MAC, "d-1", Duration.ofMinutes(10)));
        assertEquals(Verdict.BAD_SIGNATURE, verify("debian", good), "another image");
        for (Map.Entry<String, String> tamper : Map.of("machine", "52:54:00:aa:bb:02", "deploy", "d-2",
                "expires", Long.toString(Long.parseLong(good.get("expires")) + 3600)).entrySet()) {
            Map<String, String> q = new LinkedHashMap<>(good);
            q.put(tamper.getKey(), tamper.getValue());
            assertEquals(Verdict.BAD_SIGNATURE, verify("ubuntu", q), tamper.getKey());
        }
        Map<String, String> q = new LinkedHashMap<>(good);
        q.put("expires", "soon");
        assertEquals(Verdict.MALFORMED, verify("ubuntu", q));
    }

    @Test
    void anExpiredUrlStaysExpiredEvenWellSigned() {
        Map<String, String> q = query(urls.sign("ubuntu", MAC, "d-1", Duration.ofSeconds(1)));
        clock.advance(Duration.ofHours(1));
        assertEquals(Verdict.EXPIRED, verify("ubuntu", q));
    }

    @Test
    void theKeyIsMadeOnce0600AndAnotherKeyRefuses() throws Exception {
        Path key = stateDir.resolve(DeployUrls.KEY_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals(32, Files.size(key));
        byte[] before = Files.readAllBytes(key);
        Map<String, String> q = query(urls.sign("ubuntu", MAC, "d-1", Duration.ofMinutes(10)));
        DeployUrls again = DeployUrls.openOrCreate(stateDir, clock);
        assertArrayEquals(before, Files.readAllBytes(key), "not made anew");
        assertEquals(Verdict.VALID, again.verify("ubuntu", q.get("machine"), q.get("expires"), q.get("deploy"), q.get("sig")));
        byte[] other = Arrays.copyOf(before, 32);
        other[0] ^= 1;
        DeployUrls otherKey = new DeployUrls(other, clock);
        assertEquals(Verdict.BAD_SIGNATURE, otherKey.verify("ubuntu", q.get("machine"), q.get("expires"),
                q.get("deploy"), q.get("sig")));
        assertFalse(urls.toString().contains(java.util.HexFormat.of().formatHex(before)));
    }

    @Test
    void badArgumentsAreRefusedWhenSigning() {
        assertThrows(IllegalArgumentException.class, () -> urls.sign("../x", MAC, "d", Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> urls.sign("x", "a b", "d", Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> urls.sign("x", MAC, "d\n", Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> urls.sign("x", MAC, "d", Duration.ZERO));
        assertNotEquals(urls.sign("x", MAC, "d", Duration.ofMillis(1)).expiresAt(), T0, "rounded up to a second");
    }
}
