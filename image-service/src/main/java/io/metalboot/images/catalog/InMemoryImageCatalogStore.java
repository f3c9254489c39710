package io.metalboot.images.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The catalog in memory only: the config's images and what the API added until the process ends. */
public class InMemoryImageCatalogStore implements ImageCatalogStore {
    private final Map<String, CatalogImage> configured = new LinkedHashMap<>();
    /** The API's images, by name. */
    protected final Map<String, CatalogImage> added = new TreeMap<>();

    public InMemoryImageCatalogStore(List<CatalogImage> fromConfig) {
        for (CatalogImage image : fromConfig) {
            if (configured.putIfAbsent(image.name(), image.withDefinedBy(CatalogImage.DefinedBy.CONFIG)) != null) {
                throw new CatalogException("name", "image '" + image.name() + "' is defined twice");
            }
        }
    }

    @Override
    public synchronized List<CatalogImage> images() {
        List<CatalogImage> all = new ArrayList<>(configured.values());
        added.values().stream().filter(i -> !configured.containsKey(i.name())).forEach(all::add);
        return List.copyOf(all);
    }

    @Override
    public synchronized Optional<CatalogImage> image(String name) {
        CatalogImage image = configured.get(name);
        return image != null ? Optional.of(image) : Optional.ofNullable(added.get(name));
    }

    @Override
    public synchronized Optional<CatalogImage> put(CatalogImage image) throws java.io.IOException {
        if (configured.containsKey(image.name())) {
            throw new ReadOnlyImageException(image.name());
        }
        CatalogImage stored = image.withDefinedBy(CatalogImage.DefinedBy.API);
        Map<String, CatalogImage> next = new TreeMap<>(added);
        CatalogImage previous = next.put(stored.name(), stored);
        store(next);
        added.put(stored.name(), stored);
        return Optional.ofNullable(previous);
    }

    @Override
    public synchronized Optional<CatalogImage> remove(String name) throws java.io.IOException {
        if (configured.containsKey(name)) {
            throw new ReadOnlyImageException(name);
        }
        if (!added.containsKey(name)) {
            return Optional.empty();
        }
        Map<String, CatalogImage> next = new TreeMap<>(added);
        CatalogImage previous = next.remove(name);
        store(next);
        added.remove(name);
        return Optional.of(previous);
    }

    /** Persists the API's images as they will be once this returns; nothing here. */
    protected void store(Map<String, CatalogImage> apiImages) throws java.io.IOException {
    }

    @Override
    public void close() throws java.io.IOException {
    }
}
