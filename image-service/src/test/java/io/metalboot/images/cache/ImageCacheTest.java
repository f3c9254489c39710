package io.metalboot.images.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.image.ChecksumAlgorithm;
import io.metalboot.image.ImageChecksum;
import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.NginxServer;
import io.metalboot.image.testing.RequiredTools;
import io.metalboot.images.catalog.CatalogImage;
import io.metalboot.images.catalog.ImageSpec;
import io.metalboot.machine.testing.SteppedClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache against a real upstream (nginx), counting fetches where they land: nginx's access log. */
class ImageCacheTest {
    static final int MIB = 1024 * 1024;

    @TempDir
    static Path temp;
    static Path www;
    static NginxServer nginx;
    static final SteppedClock clock = new SteppedClock(Instant.parse("2026-12-01T10:00:00Z"));

    @BeforeAll
    static void upstream() throws Exception {
        RequiredTools.require(NginxServer.unavailable());
        www = Files.createDirectories(temp.resolve("www"));
        Files.createDirectories(www.resolve("slow"));
        Files.createDirectories(www.resolve("slower"));
        Random random = new Random(11);
        for (String name : List.of("a.raw", "b.raw", "c.raw", "slow/shared.raw", "big.raw", "slower/progress.raw")) {
            byte[] bytes = new byte[name.equals("big.raw") ? 3 * MIB : MIB];
            random.nextBytes(bytes);
            Files.write(www.resolve(name), bytes);
        }
        // Slow enough that two requests overlap one fetch; the count at nginx does not depend on it.
        // Slower: a fetch whose progress a test watches for a few seconds.
        nginx = NginxServer.serve(www, temp.resolve("nginx"), "location /slow/ { limit_rate 4m; }"
                + " location /slower/ { limit_rate 256k; }");
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    static CatalogImage image(String name, String file, String format) throws IOException {
        String sum = ImageChecksum.of(ChecksumAlgorithm.SHA256,
                ChecksumAlgorithm.SHA256.newDigest().digest(Files.readAllBytes(www.resolve(file)))).toString();
        return image(name, file, format, sum);
    }

    static CatalogImage image(String name, String file, String format, String checksum) {
        return new ImageSpec(null, nginx.uri(file).toString(), null, format, checksum, null, null, null)
                .toImage(name, CatalogImage.DefinedBy.API);
    }

    static long gets(String path) throws IOException {
        return nginx.accessLog().stream().filter(line -> line.contains("\"GET /" + path + " ")).count();
    }

    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void twoConcurrentRequestsCauseOneUpstreamFetch(@TempDir Path dir) throws Exception {
        CatalogImage shared = image("shared", "slow/shared.raw", "raw");
        try (ImageCache cache = ImageCache.open(dir, 8L * MIB, Duration.ofSeconds(5), clock);
                ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            CyclicBarrier start = new CyclicBarrier(2);
            List<Future<ImageCache.Lease>> leases = List.of(1, 2).stream().map(i -> requests.submit(() -> {
                start.await();
                return cache.acquire(shared);
            })).toList();
            ImageCache.Lease first = leases.get(0).get();
            ImageCache.Lease second = leases.get(1).get();
            assertEquals(first.file(), second.file());
            assertArrayEquals(Files.readAllBytes(www.resolve("slow/shared.raw")), Files.readAllBytes(first.file()));
            first.release();
            second.release();
            cache.acquire(shared).release();
            assertEquals(1, gets("slow/shared.raw"), nginx.accessLog().toString());
            assertEquals(1, cache.counters().fetches());
            assertEquals(ImageCache.State.CACHED, cache.status(shared).state());
        }
    }

    @Test
    void aFetchShowsHowMuchOfWhatTheUpstreamAnnouncedHasCome(@TempDir Path dir) throws Exception {
        CatalogImage slow = image("progress", "slower/progress.raw", "raw");
        try (ImageCache cache = ImageCache.open(dir, 8L * MIB, Duration.ofSeconds(5), clock)) {
            CompletableFuture<Void> done = cache.prefetch(slow);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            ImageCache.Status midway = cache.status(slow);
            while (!(midway.bytesFetched() > 0 && midway.bytesFetched() < MIB) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                midway = cache.status(slow);
            }
            assertEquals(ImageCache.State.FETCHING, midway.state(), midway.toString());
            assertTrue(midway.bytesFetched() > 0 && midway.bytesFetched() < MIB, midway.toString());
            assertEquals(MIB, midway.size(), "what the upstream announced");
            done.get(60, TimeUnit.SECONDS);
            ImageCache.Status cached = cache.status(slow);
            assertEquals(ImageCache.State.CACHED, cached.state());
            assertEquals(MIB, cached.size());
            assertEquals(0, cached.bytesFetched(), "only a fetch under way counts");
        }
    }

    @Test
    void aCorruptUpstreamIsNeverServedAndLeavesNothingComplete(@TempDir Path dir) throws Exception {
        CatalogImage corrupt = image("corrupt", "a.raw", "raw", "sha256:" + "00".repeat(32));
        try (ImageCache cache = ImageCache.open(dir, 8L * MIB, Duration.ofSeconds(5), clock)) {
            ImageUnavailableException e = assertThrows(ImageUnavailableException.class, () -> cache.acquire(corrupt));
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            assertEquals(List.of(), files(dir), "no file, complete or .part");
            ImageCache.Status status = cache.status(corrupt);
            assertEquals(ImageCache.State.FAILED, status.state());
            assertTrue(status.lastError().orElseThrow().contains("checksum"), status.toString());
            // Asked again, it is fetched again and refused again: never served.
            assertThrows(ImageUnavailableException.class, () -> cache.acquire(corrupt));
            assertEquals(List.of(), files(dir));
        }
    }

    @Test
    void aQcow2WithABackingFileIsRefusedWhenFetched(@TempDir Path dir) throws Exception {
        RequiredTools.require(RequiredTools.program("qemu-img", "qemu-utils"));
        Path made = Files.createDirectories(www.resolve("backed"));
        Commands.run(made, "qemu-img", "create", "-q", "-f", "qcow2", "base.qcow2", "16M");
        Commands.run(made, "qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "overlay.qcow2");
        for (String format : new String[] {"qcow2", "detect"}) {
            CatalogImage overlay = image("overlay-" + format, "backed/overlay.qcow2", format);
            try (ImageCache cache = ImageCache.open(dir, 8L * MIB, Duration.ofSeconds(5), clock)) {
                ImageUnavailableException e = assertThrows(ImageUnavailableException.class, () -> cache.acquire(overlay));
                assertTrue(e.getMessage().contains("backing file"), e.getMessage());
                assertEquals(List.of(), files(dir));
            }
        }
        // The base alone is a good qcow2: the cache takes it.
        try (ImageCache cache = ImageCache.open(dir, 64L * MIB, Duration.ofSeconds(5), clock)) {
            cache.acquire(image("base", "backed/base.qcow2", "qcow2")).release();
            assertEquals(1, files(dir).size());
        }
    }

    @Test
    void evictionKeepsTheLimitAndTakesTheLeastRecentlyServed(@TempDir Path dir) throws Exception {
        CatalogImage a = image("a", "a.raw", "raw");
        CatalogImage b = image("b", "b.raw", "raw");
        CatalogImage c = image("c", "c.raw", "raw");
        long limit = 2L * MIB + MIB / 2;
        try (ImageCache cache = ImageCache.open(dir, limit, Duration.ofSeconds(5), clock)) {
            cache.acquire(a).release();
            clock.advance(Duration.ofMinutes(1));
            cache.acquire(b).release();
            clock.advance(Duration.ofMinutes(1));
            cache.acquire(a).release(); // a is now the more recent of the two
            clock.advance(Duration.ofMinutes(1));
            cache.acquire(c).release();
            assertEquals(ImageCache.State.CACHED, cache.status(a).state());
            assertEquals(ImageCache.State.ABSENT, cache.status(b).state(), "b was served least recently");
            assertEquals(ImageCache.State.CACHED, cache.status(c).state());
            assertTrue(cache.counters().cachedBytes() <= limit, cache.counters().toString());
            assertEquals(1, cache.counters().evictions());
            assertEquals(2, files(dir).size(), files(dir).toString());

            // A file being served is never evicted: with a and c both held, b finds no room.
            ImageCache.Lease holdA = cache.acquire(a);
            ImageCache.Lease holdC = cache.acquire(c);
            ImageUnavailableException full = assertThrows(ImageUnavailableException.class, () -> cache.acquire(b));
            assertTrue(full.getMessage().contains("being served"), full.getMessage());
            assertArrayEquals(Files.readAllBytes(www.resolve("a.raw")), Files.readAllBytes(holdA.file()));
            holdA.release();
            holdC.release();
            assertTrue(cache.counters().cachedBytes() <= limit);
        }
    }

    @Test
    void anImageBiggerThanTheWholeCacheIsRefusedByNameAndSize(@TempDir Path dir) throws Exception {
        CatalogImage big = image("big", "big.raw", "raw");
        try (ImageCache cache = ImageCache.open(dir, 2L * MIB, Duration.ofSeconds(5), clock)) {
            ImageUnavailableException e = assertThrows(ImageUnavailableException.class, () -> cache.acquire(big));
            assertTrue(e.getMessage().contains("big is " + 3 * MIB + " bytes") && e.getMessage().contains("cache-max-bytes"),
                    e.getMessage());
            assertEquals(List.of(), files(dir));
        }
    }

    @Test
    void partLeftoversAreRemovedAtStartAndCompleteFilesKept(@TempDir Path dir) throws Exception {
        CatalogImage a = image("a", "a.raw", "raw");
        try (ImageCache cache = ImageCache.open(dir, 8L * MIB, Duration.ofSeconds(5), clock)) {
            cache.acquire(a).release();
        }
        Files.write(dir.resolve(ImageCache.key(a).replace("a.", "b.") + ImageCache.PART), new byte[100]);
        long before = gets("a.raw");
        try (ImageCache cache = ImageCache.open(dir, 8L * MIB, Duration.ofSeconds(5), clock)) {
            assertEquals(List.of(ImageCache.key(a)), files(dir));
            cache.acquire(a).release();
            assertEquals(before, gets("a.raw"), "served from the cache after a restart");
        }
    }
}
