package io.metalboot.images.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract, plus what only the file must do: survive a restart, a torn temporary file, a config that took a name. */
class FileImageCatalogStoreTest extends ImageCatalogStoreContract {
    @TempDir
    Path stateDir;

    @Override
    ImageCatalogStore open(List<CatalogImage> fromConfig) throws IOException {
        return FileImageCatalogStore.open(stateDir, fromConfig);
    }

    @Override
    ImageCatalogStore reopened() throws IOException {
        store.close();
        return FileImageCatalogStore.open(stateDir, List.of(CONFIGURED));
    }

    @Test
    void aLeftoverTemporaryFileIsIgnoredAndRemoved() throws IOException {
        store.put(upstream("a", "http://h.example/a.raw"));
        Path temp = stateDir.resolve(FileImageCatalogStore.FILE_NAME + ".tmp");
        Files.writeString(temp, "{\"version\": 1, \"images\": [{\"name\": \"torn");
        store = reopened();
        assertEquals(Optional.of(upstream("a", "http://h.example/a.raw")), store.image("a"));
        assertFalse(Files.exists(temp));
    }

    @Test
    void aNameTheConfigNowDefinesIsTheConfigs() throws IOException {
        store.put(upstream("later", "http://h.example/l.raw"));
        store.close();
        CatalogImage configured = new ImageSpec(null, null, "/srv/l.raw", null, SHA256, null, null, null)
                .toImage("later", CatalogImage.DefinedBy.CONFIG);
        store = FileImageCatalogStore.open(stateDir, List.of(configured));
        assertEquals(List.of(configured), store.images());
        assertThrows(ReadOnlyImageException.class, () -> store.remove("later"));
    }

    @Test
    void aCorruptFileIsAnErrorNotAnEmptyCatalog() throws IOException {
        store.close();
        Files.writeString(stateDir.resolve(FileImageCatalogStore.FILE_NAME), "{\"version\": 1, \"images\": [");
        IOException e = assertThrows(IOException.class, () -> FileImageCatalogStore.open(stateDir, List.of()));
        assertTrue(e.getMessage().contains(FileImageCatalogStore.FILE_NAME), e.getMessage());
        store = new InMemoryImageCatalogStore(List.of());
    }
}
