package io.metalboot.images;

import io.metalboot.images.cache.ImageCache;
import io.metalboot.images.cache.ImageUnavailableException;
import io.metalboot.images.cache.LocalImages;
import io.metalboot.images.catalog.CatalogImage;
import io.metalboot.images.catalog.ImageCatalogStore;
import io.metalboot.images.catalog.ImageOrigin;
import io.metalboot.images.serve.DeployUrls;
import io.metalboot.images.serve.MachineIdentity;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The image service's parts together: the catalog, the cache of upstream images, the local
 * files, the deploy URL signer and the check of who is asking. What the routes
 * ({@link io.metalboot.images.serve.ImageRoutes}, {@link io.metalboot.images.api.ImageApi}) and
 * the appliance's deploy code use.
 *
 * @param maxLifetime  the longest lifetime the operator API signs a URL for
 * @param fetchEagerly upstream images are fetched at start and when added, not at their first request
 */
public record Images(ImageCatalogStore catalog, ImageCache cache, LocalImages local, DeployUrls urls,
        MachineIdentity identity, Duration maxLifetime, boolean fetchEagerly) implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("images");

    /** A file ready to serve, and what to do once it is served. */
    public record Servable(Path file, Runnable whenDone) {
    }

    /**
     * Reads the catalog's local images through, and when fetching eagerly starts fetching its
     * upstream ones; a local image that fails is logged (and shown by the API), not fatal.
     */
    public void start() {
        for (CatalogImage image : catalog.images()) {
            switch (image.origin()) {
                case ImageOrigin.LocalFile f -> {
                    try {
                        local.ready(image);
                    } catch (ImageUnavailableException e) {
                        // logged by LocalImages
                    }
                }
                case ImageOrigin.Upstream u -> {
                    if (fetchEagerly) {
                        cache.prefetch(image);
                    }
                }
            }
        }
    }

    /** The image's file, fetched or read through first if need be. */
    public Servable open(CatalogImage image) throws IOException {
        return switch (image.origin()) {
            case ImageOrigin.LocalFile f -> new Servable(local.ready(image), () -> { });
            case ImageOrigin.Upstream u -> {
                ImageCache.Lease lease = cache.acquire(image);
                yield new Servable(lease.file(), lease::release);
            }
        };
    }

    /**
     * Adds or replaces an API image; a local file is read through first and refused
     * ({@link ImageUnavailableException}) when it is not what the entry says.
     */
    public Optional<CatalogImage> put(CatalogImage image) throws IOException {
        if (image.origin() instanceof ImageOrigin.LocalFile) {
            local.ready(image);
        }
        Optional<CatalogImage> previous = catalog.put(image);
        previous.filter(p -> !p.equals(image)).ifPresent(p -> forget(p.name()));
        if (fetchEagerly && image.origin() instanceof ImageOrigin.Upstream) {
            cache.prefetch(image);
        }
        return previous;
    }

    public Optional<CatalogImage> remove(String name) throws IOException {
        Optional<CatalogImage> removed = catalog.remove(name);
        removed.ifPresent(r -> forget(name));
        return removed;
    }

    private void forget(String name) {
        cache.forget(name);
        local.forget(name);
    }

    public List<CatalogImage> images() {
        return catalog.images();
    }

    @Override
    public void close() {
        cache.close();
        try {
            catalog.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "image catalog: {0}", e.getMessage());
        }
    }
}
