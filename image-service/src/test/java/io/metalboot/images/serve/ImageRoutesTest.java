package io.metalboot.images.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.http.HttpServer;
import io.metalboot.http.HttpSettings;
import io.metalboot.image.ChecksumAlgorithm;
import io.metalboot.image.ImageChecksum;
import io.metalboot.image.testing.NginxServer;
import io.metalboot.image.testing.RequiredTools;
import io.metalboot.images.Images;
import io.metalboot.images.cache.ImageCache;
import io.metalboot.images.cache.LocalImages;
import io.metalboot.images.catalog.CatalogImage;
import io.metalboot.images.catalog.ImageSpec;
import io.metalboot.images.catalog.InMemoryImageCatalogStore;
import io.metalboot.machine.testing.SteppedClock;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream images through the serving route, on a real HTTP server with nginx upstream: two
 * machines' concurrent requests make one upstream fetch; a corrupt upstream gets the requester
 * an error status and never a byte of it.
 */
class ImageRoutesTest {
    static final String MAC = "52:54:00:00:00:01";

    @TempDir
    Path temp;
    NginxServer nginx;
    HttpServer server;
    Images images;
    byte[] good;
    final SteppedClock clock = new SteppedClock(Instant.parse("2026-12-01T10:00:00Z"));
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        RequiredTools.require(NginxServer.unavailable());
        Path www = Files.createDirectories(temp.resolve("www"));
        good = new byte[2 * 1024 * 1024];
        new Random(5).nextBytes(good);
        Files.write(www.resolve("good.raw"), good);
        nginx = NginxServer.serve(www, temp.resolve("nginx"), "limit_rate 8m;");
        String sum = ImageChecksum.of(ChecksumAlgorithm.SHA256, ChecksumAlgorithm.SHA256.newDigest().digest(good)).toString();
        CatalogImage goodImage = new ImageSpec(null, nginx.uri("good.raw").toString(), null, "raw", sum, null, null, null)
                .toImage("good", CatalogImage.DefinedBy.CONFIG);
        CatalogImage corrupt = new ImageSpec(null, nginx.uri("good.raw").toString(), null, "raw",
                "sha512:" + "0".repeat(128), null, null, null).toImage("corrupt", CatalogImage.DefinedBy.CONFIG);
        images = new Images(new InMemoryImageCatalogStore(List.of(goodImage, corrupt)),
                ImageCache.open(temp.resolve("cache"), 64L * 1024 * 1024, Duration.ofSeconds(5), clock),
                new LocalImages(), DeployUrls.openOrCreate(temp.resolve("state"), clock), MachineIdentity.ANYONE,
                Duration.ofHours(1), false);
        server = new HttpServer(HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0), new ImageRoutes(images).routes());
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            images.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    URI url(String image, String machine) {
        return images.urls().sign(image, machine, "d-1", Duration.ofMinutes(5))
                .on(URI.create("http://127.0.0.1:" + server.localAddress().getPort()));
    }

    long upstreamGets() throws Exception {
        return nginx.accessLog().stream().filter(l -> l.contains("\"GET /good.raw ")).count();
    }

    @Test
    void twoMachinesAtOnceOneUpstreamFetch() throws Exception {
        try (ExecutorService machines = Executors.newVirtualThreadPerTaskExecutor()) {
            CyclicBarrier together = new CyclicBarrier(2);
            List<Future<HttpResponse<byte[]>>> replies = Stream.of(MAC, "52:54:00:00:00:02").map(m -> machines.submit(() -> {
                HttpRequest request = HttpRequest.newBuilder(url("good", m)).build();
                together.await();
                return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            })).toList();
            for (Future<HttpResponse<byte[]>> reply : replies) {
                assertEquals(200, reply.get().statusCode());
                assertArrayEquals(good, reply.get().body());
            }
        }
        assertEquals(1, upstreamGets(), nginx.accessLog().toString());
        HttpResponse<byte[]> again = client.send(HttpRequest.newBuilder(url("good", MAC)).header("Range", "bytes=0-9")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, again.statusCode());
        assertEquals(1, upstreamGets(), "served from the cache");
    }

    @Test
    void aCorruptUpstreamGetsAnErrorAndNoImageBytes() throws Exception {
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> reply = client.send(HttpRequest.newBuilder(url("corrupt", MAC)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(502, reply.statusCode());
            assertTrue(reply.body().length < 100, "an error line, not the image");
            assertFalse(reply.headers().firstValue("etag").isPresent());
        }
        try (Stream<Path> files = Files.list(temp.resolve("cache"))) {
            assertEquals(List.of(), files.toList(), "nothing that looks complete, no .part");
        }
        assertEquals(ImageCache.State.FAILED, images.cache().status(images.catalog().image("corrupt").orElseThrow()).state());
    }

    @Test
    void aBadUrlIsRefusedBeforeAnythingIsFetched() throws Exception {
        URI signed = url("good", MAC);
        URI wrong = URI.create(signed.toString().replace("&sig=", "&sig=A"));
        HttpResponse<byte[]> reply = client.send(HttpRequest.newBuilder(wrong).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(403, reply.statusCode());
        assertEquals(0, reply.body().length);
        clock.advance(Duration.ofMinutes(5));
        reply = client.send(HttpRequest.newBuilder(signed).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(403, reply.statusCode());
        assertEquals(0, reply.body().length);
        assertEquals(0, upstreamGets(), "a refused request fetches nothing");
        assertEquals(0, images.cache().counters().fetches());
    }
}
