package io.metalboot.images.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * The catalog with the API's images in {@code state-dir/images.json}. Every change rewrites the
 * whole file crash-safely: a temporary file beside it, fsync, rename over the old one, fsync of
 * the directory; a crash leaves the old file or the new one, never a mix. A leftover temporary
 * file is ignored and removed at open. An entry of the file whose name the config now defines is
 * shadowed by the config's (and logged).
 */
public final class FileImageCatalogStore extends InMemoryImageCatalogStore {
    public static final String FILE_NAME = "images.json";
    private static final System.Logger LOG = System.getLogger("images");
    private static final int VERSION = 1;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT).build();

    /** The file's shape. */
    record CatalogFile(@JsonProperty("version") int version, @JsonProperty("images") List<ImageSpec> images) {
    }

    private final Path file;
    private final Path temp;

    private FileImageCatalogStore(Path file, List<CatalogImage> fromConfig) {
        super(fromConfig);
        this.file = file;
        this.temp = file.resolveSibling(FILE_NAME + ".tmp");
    }

    /** Opens the catalog in {@code stateDir}, creating nothing until the first change. */
    public static FileImageCatalogStore open(Path stateDir, List<CatalogImage> fromConfig) throws IOException {
        Files.createDirectories(stateDir);
        FileImageCatalogStore store = new FileImageCatalogStore(stateDir.resolve(FILE_NAME), fromConfig);
        Files.deleteIfExists(store.temp);
        if (Files.exists(store.file)) {
            CatalogFile stored;
            try {
                stored = JSON.readValue(store.file.toFile(), CatalogFile.class);
            } catch (IOException e) {
                throw new IOException(store.file + ": cannot read the image catalog: " + e.getMessage(), e);
            }
            if (stored.version() != VERSION) {
                throw new IOException(store.file + ": catalog version " + stored.version() + ", this appliance reads "
                        + VERSION);
            }
            for (ImageSpec spec : stored.images() == null ? List.<ImageSpec>of() : stored.images()) {
                CatalogImage image;
                try {
                    image = spec.toImage(spec.name(), CatalogImage.DefinedBy.API);
                } catch (IllegalArgumentException e) {
                    throw new IOException(store.file + ": image '" + spec.name() + "': " + e.getMessage(), e);
                }
                if (store.image(image.name()).isPresent()) {
                    LOG.log(Level.WARNING, "image {0} of {1} is shadowed by the config''s image of that name",
                            image.name(), store.file);
                }
                store.added.put(image.name(), image);
            }
        }
        return store;
    }

    @Override
    protected void store(Map<String, CatalogImage> apiImages) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(new CatalogFile(VERSION,
                apiImages.values().stream().map(ImageSpec::of).toList()));
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(file.getParent());
    }

    /** Makes a rename in {@code dir} durable (Linux: fsync of the directory opened for reading). */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
