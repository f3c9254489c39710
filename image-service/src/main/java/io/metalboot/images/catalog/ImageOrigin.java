package io.metalboot.images.catalog;

import io.metalboot.image.source.HttpTrust;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/** Where a catalog image's bytes come from. */
public sealed interface ImageOrigin {
    /** A file on the appliance's host, validated once when it enters the catalog, served from its path. */
    record LocalFile(Path path) implements ImageOrigin {
        public LocalFile {
            Objects.requireNonNull(path, "path");
            if (!path.isAbsolute()) {
                throw new CatalogException("path", "must be an absolute path, not '" + path + "'");
            }
        }
    }

    /**
     * An image on an http(s) server, fetched once into the cache and verified before it is
     * served; {@code trust} is how its server's certificate is checked (per image).
     */
    record Upstream(URI uri, HttpTrust trust) implements ImageOrigin {
        public Upstream {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(trust, "trust");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new CatalogException("url", "must be an http or https URL, not '" + uri + "'");
            }
            if (uri.getRawAuthority() == null || uri.getHost() == null) {
                throw new CatalogException("url", "names no host: '" + uri + "'");
            }
            if (uri.getRawUserInfo() != null) {
                throw new CatalogException("url", "must not carry a user and password");
            }
            if (!(trust instanceof HttpTrust.SystemDefault) && !"https".equals(uri.getScheme())) {
                throw new CatalogException(trust instanceof HttpTrust.Insecure ? "insecure" : "caBundle",
                        "only applies to an https URL");
            }
        }
    }
}
