package io.metalboot.images.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.image.ImageFormat;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link ImageCatalogStore} must do; each implementation's test extends this. */
abstract class ImageCatalogStoreContract {
    static final String SHA256 = "sha256:" + "ab".repeat(32);
    static final CatalogImage CONFIGURED = new ImageSpec(null, null, "/srv/images/base.raw", "raw", SHA256, null, null,
            null).toImage("base", CatalogImage.DefinedBy.CONFIG);

    ImageCatalogStore store;

    /** A store with {@code fromConfig} as its config's images and nothing added yet. */
    abstract ImageCatalogStore open(List<CatalogImage> fromConfig) throws IOException;

    /** The store as a restart finds it, with the same config; one kept in memory only is itself. */
    ImageCatalogStore reopened() throws IOException {
        return store;
    }

    static CatalogImage upstream(String name, String url) {
        return new ImageSpec(null, url, null, "qcow2", SHA256, null, null, null).toImage(name,
                CatalogImage.DefinedBy.API);
    }

    @BeforeEach
    void openStore() throws IOException {
        store = open(List.of(CONFIGURED));
    }

    @AfterEach
    void closeStore() throws IOException {
        store.close();
    }

    @Test
    void configImagesAreThereAndReadOnly() throws IOException {
        assertEquals(List.of(CONFIGURED), store.images());
        assertEquals(CatalogImage.DefinedBy.CONFIG, store.image("base").orElseThrow().definedBy());
        assertThrows(ReadOnlyImageException.class, () -> store.put(upstream("base", "http://x/y.qcow2")));
        assertThrows(ReadOnlyImageException.class, () -> store.remove("base"));
        assertEquals(List.of(CONFIGURED), store.images(), "a refused change changes nothing");
    }

    @Test
    void addedImagesAreStoredReplacedAndRemoved() throws IOException {
        CatalogImage ubuntu = upstream("ubuntu", "https://cloud-images.example/ubuntu.qcow2");
        assertEquals(Optional.empty(), store.put(ubuntu));
        assertEquals(Optional.of(ubuntu), store.image("ubuntu"));
        CatalogImage newer = upstream("ubuntu", "https://cloud-images.example/ubuntu-2.qcow2");
        assertEquals(Optional.of(ubuntu), store.put(newer));
        store = reopened();
        assertEquals(Optional.of(newer), store.image("ubuntu"));
        assertEquals(List.of(CONFIGURED, newer), store.images(), "config first, then the API's by name");
        assertEquals(Optional.of(newer), store.remove("ubuntu"));
        assertEquals(Optional.empty(), store.remove("ubuntu"));
        store = reopened();
        assertEquals(List.of(CONFIGURED), store.images());
    }

    @Test
    void everyFieldSurvives() throws IOException {
        CatalogImage full = new ImageSpec(null, "https://h.example:8443/a/b.img.xz?x=1", null, null,
                "md5:" + "0f".repeat(16), "/etc/ssl/site-ca.pem", null, true).toImage("full", CatalogImage.DefinedBy.API);
        CatalogImage insecure = new ImageSpec(null, "https://h.example/c.zst", null, "zstd", "sha512:" + "1".repeat(128),
                null, true, null).toImage("insecure-one", CatalogImage.DefinedBy.API);
        store.put(full);
        store.put(insecure);
        store = reopened();
        assertEquals(Optional.of(full), store.image("full"));
        assertEquals(Optional.empty(), store.image("full").orElseThrow().format(), "detect");
        assertTrue(store.image("full").orElseThrow().allowMd5());
        assertEquals(Optional.of(insecure), store.image("insecure-one"));
        assertEquals(Optional.of(ImageFormat.ZSTD), store.image("insecure-one").orElseThrow().format());
    }

    @Test
    void aStoredImageIsMarkedAsTheApis() throws IOException {
        store.put(upstream("x", "http://h.example/x.raw").withDefinedBy(CatalogImage.DefinedBy.CONFIG));
        assertEquals(CatalogImage.DefinedBy.API, store.image("x").orElseThrow().definedBy());
        assertThrows(IllegalArgumentException.class, () -> open(List.of(CONFIGURED, CONFIGURED)), "a name twice");
    }
}
