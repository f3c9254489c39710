package io.metalboot.images.catalog;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where the catalog lives. The config's images are read-only entries (a put or remove of one of
 * their names throws {@link ReadOnlyImageException}); the API's are stored and, in a persistent
 * implementation, survive a restart. A change is stored before the call returns. Thread-safe.
 * Every implementation passes {@code ImageCatalogStoreContract}.
 */
public interface ImageCatalogStore extends AutoCloseable {
    /** Every image, config-defined first (in config order), then the API's by name. */
    List<CatalogImage> images();

    Optional<CatalogImage> image(String name);

    /** Adds or replaces an API-defined image; returns the one it replaced. */
    Optional<CatalogImage> put(CatalogImage image) throws IOException;

    /** Removes an API-defined image; returns it, or empty when there was none of that name. */
    Optional<CatalogImage> remove(String name) throws IOException;

    @Override
    void close() throws IOException;
}
