package io.metalboot.images.cache;

import io.metalboot.image.ChecksumMismatchException;
import io.metalboot.image.ExtentSink;
import io.metalboot.image.ImageChecksum;
import io.metalboot.image.ImageException;
import io.metalboot.image.ImageReadResult;
import io.metalboot.image.ImageReader;
import io.metalboot.image.UnsupportedImageException;
import io.metalboot.image.source.FileImageSource;
import io.metalboot.image.source.HttpImageSource;
import io.metalboot.images.catalog.CatalogImage;
import io.metalboot.images.catalog.FileImageCatalogStore;
import io.metalboot.images.catalog.ImageOrigin;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Upstream images, fetched once into {@code dir}, verified, then served from there.
 *
 * <ul>
 * <li><b>Files.</b> An image is cached as {@code <name>.<first 32 hex digits of its checksum>}, so
 * a catalog change of checksum is a new file. A fetch writes {@code <that>.part}, hashing while
 * writing, fsyncs, checks the checksum, then has {@link ImageReader} read the file through (format
 * declared or detected, checksum again, and what it refuses: a qcow2 with a backing file,
 * encryption, a malformed header), and only then renames it into place (and fsyncs the
 * directory). A failed or mismatching fetch deletes its {@code .part}; nothing that looks complete
 * is ever left. {@code .part} files found at start (a crash) are removed.</li>
 * <li><b>Single flight.</b> Requests for an image that is being fetched wait for that fetch; they
 * never start their own.</li>
 * <li><b>Size.</b> Cached files plus fetches under way stay within {@code maxBytes}; to make room,
 * the least recently served files go first, never one being served or just fetched for requests
 * that have not taken it yet (an eager fetch's file may go before it is ever served). An image
 * bigger than the limit is refused, by name and size.</li>
 * </ul>
 * Thread-safe. Fetches run on virtual threads of their own: a requester that goes away does not
 * stop one.
 */
public final class ImageCache implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("images");
    private static final Pattern CACHED = Pattern.compile(".+\\.[0-9a-f]{32}");
    static final String PART = ".part";

    private final Path dir;
    private final long maxBytes;
    private final Duration connectTimeout;
    private final Clock clock;
    private final ExecutorService fetchers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("image-fetch-", 0).factory());

    /** Complete files by cache key. */
    private final Map<String, Entry> cached = new HashMap<>();
    /** Fetches under way by cache key. */
    private final Map<String, Fetch> fetching = new HashMap<>();
    /** The last failure of each image's fetch, by image name (cleared by a success). */
    private final Map<String, String> lastError = new HashMap<>();

    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong fetchFailures = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong bytesFetched = new AtomicLong();

    private static final class Entry {
        final String key;
        final Path file;
        final long size;
        Instant lastServed;
        int serving;
        /** Fetched for requests that have not taken it yet: not to be evicted before they do. */
        boolean fresh;

        Entry(String key, Path file, long size, Instant lastServed) {
            this.key = key;
            this.file = file;
            this.size = size;
            this.lastServed = lastServed;
        }
    }

    /** A fetch under way: its outcome, the bytes reserved for it, and the bytes downloaded so far. */
    private record Fetch(CompletableFuture<Void> done, long[] reserved, AtomicLong fetched) {
    }

    /** A cached file held for serving: {@link #release} once it is served (the file is not evicted until then). */
    public final class Lease {
        private final Entry entry;
        private boolean released;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public Path file() {
            return entry.file;
        }

        public long size() {
            return entry.size;
        }

        public void release() {
            synchronized (ImageCache.this) {
                if (!released) {
                    released = true;
                    entry.serving--;
                }
            }
        }
    }

    /** An image's state in the cache, for the operator API. */
    public enum State {
        ABSENT, FETCHING, CACHED, FAILED
    }

    /**
     * What the operator API shows of one image; while it is fetched, {@code size} is what the
     * upstream announced (0: nothing) and {@code bytesFetched} how much of it has come (0 otherwise).
     */
    public record Status(State state, long size, long bytesFetched, Optional<Instant> lastServed,
            Optional<String> lastError) {
    }

    /** The counters since start. */
    public record Counters(long fetches, long fetchFailures, long hits, long evictions, long bytesFetched,
            long cachedBytes, int cachedFiles) {
    }

    private ImageCache(Path dir, long maxBytes, Duration connectTimeout, Clock clock) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.connectTimeout = connectTimeout;
        this.clock = clock;
    }

    /**
     * The cache in {@code dir} (created if need be): {@code .part} leftovers removed, complete
     * files indexed (their modification time as their last serve).
     */
    public static ImageCache open(Path dir, long maxBytes, Duration connectTimeout, Clock clock) throws IOException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("cache-max-bytes must be positive, not " + maxBytes);
        }
        Files.createDirectories(dir);
        ImageCache cache = new ImageCache(dir, maxBytes, connectTimeout, clock);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(PART)) {
                    Files.deleteIfExists(file);
                    LOG.log(Level.INFO, "image cache: removed the unfinished fetch {0}", file);
                } else if (CACHED.matcher(name).matches() && Files.isRegularFile(file)) {
                    cache.cached.put(name, new Entry(name, file, Files.size(file),
                            Files.getLastModifiedTime(file).toInstant()));
                }
            }
        }
        LOG.log(Level.INFO, "image cache {0}: {1} images, {2} of {3} bytes", dir, Integer.toString(cache.cached.size()),
                Long.toString(cache.cachedBytes()), Long.toString(maxBytes));
        return cache;
    }

    public Path dir() {
        return dir;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** The file name {@code image} is cached under. */
    static String key(CatalogImage image) {
        return image.name() + "." + image.checksum().hex().substring(0, 32);
    }

    /**
     * The cached file of {@code image}, fetched first if need be (waiting for the fetch another
     * request started, if one is under way). The lease keeps the file from eviction until released.
     *
     * @throws ImageUnavailableException the fetch failed (the message says why) or the image does not fit
     */
    public Lease acquire(CatalogImage image) throws IOException {
        if (!(image.origin() instanceof ImageOrigin.Upstream)) {
            throw new IllegalArgumentException(image.name() + " is a local file, not an upstream image");
        }
        String key = key(image);
        for (int attempt = 0; ; attempt++) {
            CompletableFuture<Void> wait;
            synchronized (this) {
                Entry entry = cached.get(key);
                if (entry != null) {
                    entry.serving++;
                    entry.fresh = false;
                    entry.lastServed = clock.instant();
                    if (attempt == 0) {
                        hits.incrementAndGet();
                    }
                    return new Lease(entry);
                }
                wait = fetching.computeIfAbsent(key, k -> startFetch(image, false)).done();
            }
            try {
                wait.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof ImageUnavailableException unavailable ? unavailable
                        : new ImageUnavailableException(image.name() + ": " + cause, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for " + image.name());
            }
            if (attempt > 2) {
                throw new ImageUnavailableException(image.name() + ": evicted as soon as it was fetched, three times;"
                        + " the cache is too small for the images in use", null);
            }
        }
    }

    /** Starts fetching {@code image} unless it is cached or under way (the "eager" option); returns at once. */
    public synchronized CompletableFuture<Void> prefetch(CatalogImage image) {
        String key = key(image);
        if (cached.containsKey(key)) {
            return CompletableFuture.completedFuture(null);
        }
        return fetching.computeIfAbsent(key, k -> startFetch(image, true)).done();
    }

    /** Called holding the lock. */
    private Fetch startFetch(CatalogImage image, boolean eager) {
        Fetch fetch = new Fetch(new CompletableFuture<>(), new long[1], new AtomicLong());
        fetches.incrementAndGet();
        fetchers.execute(() -> {
            String key = key(image);
            try {
                Entry entry = fetch(image, key, fetch);
                entry.fresh = !eager;
                synchronized (this) {
                    fetching.remove(key);
                    cached.put(key, entry);
                    lastError.remove(image.name());
                }
                fetch.done().complete(null);
            } catch (Exception | LinkageError e) {
                fetchFailures.incrementAndGet();
                String why = e instanceof ImageUnavailableException ? e.getMessage() : image.name() + ": " + describe(e);
                LOG.log(Level.WARNING, "image {0} not cached: {1}", image.name(), why);
                synchronized (this) {
                    fetching.remove(key);
                    lastError.put(image.name(), why);
                }
                fetch.done().completeExceptionally(e instanceof ImageUnavailableException ? e
                        : new ImageUnavailableException(why, e));
            }
        });
        return fetch;
    }

    private Entry fetch(CatalogImage image, String key, Fetch fetch) throws IOException {
        ImageOrigin.Upstream upstream = (ImageOrigin.Upstream) image.origin();
        Path part = dir.resolve(key + PART);
        Path done = dir.resolve(key);
        ImageChecksum expected = image.checksum();
        try (HttpImageSource source = new HttpImageSource(upstream.uri(), upstream.trust(), connectTimeout)) {
            long announced = source.size();
            if (announced > maxBytes) {
                throw tooBig(image, announced);
            }
            reserve(image, key, fetch, Math.max(announced, 0));
            MessageDigest digest = expected.algorithm().newDigest();
            long written;
            try (InputStream in = source.openStream();
                    FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
                    CountingDigestStream out = new CountingDigestStream(Channels.newOutputStream(channel), digest,
                            image, announced, fetch.fetched())) {
                in.transferTo(out);
                out.flush();
                channel.force(true);
                written = out.count;
            }
            if (announced >= 0 && written != announced) {
                throw new ImageUnavailableException(image.name() + ": the upstream announced " + announced
                        + " bytes and sent " + written, null);
            }
            bytesFetched.addAndGet(written);
            // An upstream that announced no length: room is made now, before the file counts as cached.
            reserve(image, key, fetch, written);
            ImageChecksum actual = ImageChecksum.of(expected.algorithm(), digest.digest());
            if (!actual.hex().equals(expected.hex())) {
                throw new ChecksumMismatchException(expected, actual);
            }
            ImageReadResult result;
            try (FileImageSource file = new FileImageSource(part)) {
                result = ImageReader.read(file, image.format(), Optional.of(expected), ExtentSink.discarding());
            }
            Files.move(part, done, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileImageCatalogStore.fsyncDirectory(dir);
            LOG.log(Level.INFO, "image {0} cached: {1}, {2} bytes ({3} of disk), {4}", image.name(),
                    result.format().label(), Long.toString(written), Long.toString(result.virtualSize()), expected);
            return new Entry(key, done, written, clock.instant());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
    }

    /** Makes room for {@code bytes} more (evicting what can go); throws when it cannot. */
    private synchronized void reserve(CatalogImage image, String key, Fetch fetch, long bytes)
            throws ImageUnavailableException {
        long more = bytes - fetch.reserved()[0];
        if (more <= 0) {
            return;
        }
        while (cachedBytes() + reservedBytes() + more > maxBytes) {
            Optional<Entry> victim = cached.values().stream().filter(e -> e.serving == 0 && !e.fresh && !e.key.equals(key))
                    .min(Comparator.comparing((Entry e) -> e.lastServed).thenComparing(e -> e.key));
            if (victim.isEmpty()) {
                throw new ImageUnavailableException(image.name() + ": needs " + bytes + " bytes of cache and only "
                        + (maxBytes - cachedBytes() - reservedBytes() + fetch.reserved()[0])
                        + " can be made free (the rest is being served or fetched; cache-max-bytes " + maxBytes + ")",
                        null);
            }
            evict(victim.get());
        }
        fetch.reserved()[0] = bytes;
    }

    private void evict(Entry victim) {
        cached.remove(victim.key);
        evictions.incrementAndGet();
        try {
            Files.deleteIfExists(victim.file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "image cache: could not remove {0}: {1}", victim.file, e.getMessage());
        }
        LOG.log(Level.INFO, "image cache: evicted {0} ({1} bytes, last served {2})", victim.key,
                Long.toString(victim.size), victim.lastServed);
    }

    private ImageUnavailableException tooBig(CatalogImage image, long size) {
        return new ImageUnavailableException(image.name() + " is " + size + " bytes, more than the whole cache"
                + " (cache-max-bytes " + maxBytes + ")", null);
    }

    private long cachedBytes() {
        return cached.values().stream().mapToLong(e -> e.size).sum();
    }

    private long reservedBytes() {
        return fetching.values().stream().mapToLong(f -> f.reserved()[0]).sum();
    }

    /** Drops {@code image}'s cached files (every checksum of that name) that are not being served. */
    public synchronized void forget(String name) {
        List<Entry> drop = cached.values().stream().filter(e -> e.key.startsWith(name + ".")
                && CACHED.matcher(e.key).matches() && e.key.length() == name.length() + 33 && e.serving == 0).toList();
        drop.forEach(this::evict);
        lastError.remove(name);
    }

    public synchronized Status status(CatalogImage image) {
        String key = key(image);
        Entry entry = cached.get(key);
        Optional<String> error = Optional.ofNullable(lastError.get(image.name()));
        if (entry != null) {
            return new Status(State.CACHED, entry.size, 0, Optional.of(entry.lastServed), error);
        }
        Fetch fetch = fetching.get(key);
        if (fetch != null) {
            return new Status(State.FETCHING, fetch.reserved()[0], fetch.fetched().get(), Optional.empty(), error);
        }
        return new Status(error.isPresent() ? State.FAILED : State.ABSENT, 0, 0, Optional.empty(), error);
    }

    public synchronized Counters counters() {
        return new Counters(fetches.get(), fetchFailures.get(), hits.get(), evictions.get(), bytesFetched.get(),
                cachedBytes(), cached.size());
    }

    static String describe(Throwable e) {
        if (e instanceof UnsupportedImageException unsupported) {
            return "refused: " + unsupported.getMessage() + " (" + unsupported.feature() + ")";
        }
        if (e instanceof ImageException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public void close() {
        fetchers.shutdownNow();
        LOG.log(Level.INFO, "image cache: {0}", counters());
    }

    /**
     * Hashes and counts what it writes (also into {@code progress}, which status calls read from
     * other threads); fails once more than announced, or than the cache holds, comes.
     */
    private final class CountingDigestStream extends FilterOutputStream {
        private final MessageDigest digest;
        private final CatalogImage image;
        private final long announced;
        private final AtomicLong progress;
        long count;

        CountingDigestStream(OutputStream out, MessageDigest digest, CatalogImage image, long announced,
                AtomicLong progress) {
            super(out);
            this.digest = digest;
            this.image = image;
            this.announced = announced;
            this.progress = progress;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (announced >= 0 && count > announced) {
                throw new ImageUnavailableException(image.name() + ": the upstream sent more than the "
                        + announced + " bytes it announced", null);
            }
            if (count > maxBytes) {
                throw tooBig(image, count);
            }
            digest.update(b, off, len);
            out.write(b, off, len);
            progress.set(count);
        }
    }
}
