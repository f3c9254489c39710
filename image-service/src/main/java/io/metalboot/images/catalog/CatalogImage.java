package io.metalboot.images.catalog;

import io.metalboot.image.ChecksumAlgorithm;
import io.metalboot.image.ImageChecksum;
import io.metalboot.image.ImageFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One image of the catalog.
 *
 * @param name      what machines and operators call it: a URL path segment and a file name in
 *                  the cache ({@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most 128, not ending ".part")
 * @param origin    a local file, or an upstream URL with its trust
 * @param format    the declared format, or empty: detect it
 * @param checksum  the checksum of the image file as stored (sha256 or sha512; md5 only with
 *                  {@code allowMd5})
 * @param allowMd5  the operator's explicit permission for an md5 checksum (Metal³ still permits it)
 * @param definedBy the config file (read-only here) or the operator API (persisted in the state dir)
 */
public record CatalogImage(String name, ImageOrigin origin, Optional<ImageFormat> format, ImageChecksum checksum,
        boolean allowMd5, DefinedBy definedBy) {

    /** Who owns an entry. */
    public enum DefinedBy {
        /** The config file: read-only through the API. */
        CONFIG,
        /** The operator API: stored in the state directory, survives a restart. */
        API
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public CatalogImage {
        requireName(name);
        if (origin == null) {
            throw new CatalogException("url", "an image needs a url or a path");
        }
        format = format == null ? Optional.empty() : format;
        if (checksum == null) {
            throw new CatalogException("checksum", "must be set (sha256:… or sha512:…)");
        }
        if (checksum.algorithm() == ChecksumAlgorithm.MD5 && !allowMd5) {
            throw new CatalogException("checksum", "md5 is refused unless allowMd5 is true for this image;"
                    + " use sha256 or sha512");
        }
        Objects.requireNonNull(definedBy, "definedBy");
    }

    /** Throws {@link CatalogException} ("name") unless {@code name} can name an image. */
    public static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.endsWith(".part")) {
            throw new CatalogException("name", "an image name is 1..128 of A-Z a-z 0-9 . _ - (starting with a"
                    + " letter or digit, not ending .part), not '" + name + "'");
        }
        return name;
    }

    public boolean upstream() {
        return origin instanceof ImageOrigin.Upstream;
    }

    public CatalogImage withDefinedBy(DefinedBy by) {
        return new CatalogImage(name, origin, format, checksum, allowMd5, by);
    }
}
