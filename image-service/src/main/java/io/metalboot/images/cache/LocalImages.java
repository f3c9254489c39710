package io.metalboot.images.cache;

import io.metalboot.image.ExtentSink;
import io.metalboot.image.ImageReadResult;
import io.metalboot.image.ImageReader;
import io.metalboot.image.source.FileImageSource;
import io.metalboot.images.catalog.CatalogImage;
import io.metalboot.images.catalog.ImageOrigin;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local-file images: each read through once by {@link ImageReader} (format, checksum, what it
 * refuses) when it enters the catalog, then served from its path. A file that has changed since
 * (size, modification time or inode) is read through again before it is served.
 */
public final class LocalImages {
    private static final System.Logger LOG = System.getLogger("images");

    /** What the last read found, for the file as it was then. */
    private record Checked(CatalogImage image, List<Object> fileVersion, Optional<ImageReadResult> result,
            Optional<String> error) {
    }

    /** What the operator API shows of a local image. */
    public record Status(boolean checked, boolean valid, long size, Optional<String> lastError) {
    }

    private final Map<String, Checked> checked = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /**
     * The file of {@code image}, read through first unless it was already, as it is now.
     *
     * @throws ImageUnavailableException it is not the image the catalog says (the message says why)
     */
    public Path ready(CatalogImage image) throws ImageUnavailableException {
        Path path = ((ImageOrigin.LocalFile) image.origin()).path();
        synchronized (locks.computeIfAbsent(image.name(), k -> new Object())) {
            Checked last = checked.get(image.name());
            List<Object> version = version(path);
            if (last == null || !last.image().equals(image) || !Objects.equals(last.fileVersion(), version)) {
                last = check(image, path, version);
                checked.put(image.name(), last);
            }
            if (last.error().isPresent()) {
                throw new ImageUnavailableException(last.error().get(), null);
            }
            return path;
        }
    }

    private static Checked check(CatalogImage image, Path path, List<Object> version) {
        try (FileImageSource source = new FileImageSource(path)) {
            ImageReadResult result = ImageReader.read(source, image.format(), Optional.of(image.checksum()),
                    ExtentSink.discarding());
            LOG.log(Level.INFO, "image {0}: {1} is a good {2} ({3} bytes)", image.name(), path,
                    result.format().label(), Long.toString(result.sourceBytes()));
            return new Checked(image, version, Optional.of(result), Optional.empty());
        } catch (IOException | RuntimeException e) {
            String why = image.name() + ": " + path + ": " + ImageCache.describe(e);
            LOG.log(Level.WARNING, "image {0} cannot be served: {1}", image.name(), why);
            return new Checked(image, version, Optional.empty(), Optional.of(why));
        }
    }

    private static List<Object> version(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return java.util.Arrays.asList(a.size(), a.lastModifiedTime(), a.fileKey());
        } catch (IOException e) {
            return List.of("missing: " + e.getClass().getSimpleName());
        }
    }

    public Status status(CatalogImage image) {
        Checked last = checked.get(image.name());
        if (last == null || !last.image().equals(image)) {
            return new Status(false, false, 0, Optional.empty());
        }
        return new Status(true, last.error().isEmpty(), last.result().map(ImageReadResult::sourceBytes).orElse(0L),
                last.error());
    }

    public void forget(String name) {
        checked.remove(name);
    }
}
