package io.metalboot.images.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.metalboot.image.ImageChecksum;
import io.metalboot.image.ImageFormat;
import io.metalboot.image.source.HttpTrust;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An image as written: in the config ({@code images.catalog[]}), in the operator API's PUT body
 * and in the state directory's catalog file. {@link #toImage} checks it, naming the bad field.
 *
 * @param url       an http(s) URL (exactly one of url and path)
 * @param path      an absolute path on the appliance's host
 * @param format    raw, qcow2, gzip, xz, zstd or detect (null: detect)
 * @param checksum  "sha256:&lt;hex&gt;", "sha512:&lt;hex&gt;" or (with allowMd5) "md5:&lt;hex&gt;"
 * @param caBundle  a PEM file of the CAs that the https server's certificate must chain to
 * @param insecure  no check of the https server's certificate (the checksum still verifies the bytes)
 * @param allowMd5  permits an md5 checksum for this image
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageSpec(String name, String url, String path, String format, String checksum, String caBundle,
        Boolean insecure, Boolean allowMd5) {

    /** The image this spec describes, or a {@link CatalogException} naming the field that is wrong. */
    public CatalogImage toImage(String imageName, CatalogImage.DefinedBy definedBy) {
        CatalogImage.requireName(imageName);
        boolean isInsecure = Boolean.TRUE.equals(insecure);
        boolean md5 = Boolean.TRUE.equals(allowMd5);
        if ((url == null) == (path == null)) {
            throw new CatalogException(url == null ? "url" : "path", "give exactly one of url and path");
        }
        ImageOrigin origin;
        if (url != null) {
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new CatalogException("url", "not a URL: " + e.getMessage());
            }
            if (isInsecure && caBundle != null) {
                throw new CatalogException("insecure", "give either caBundle or insecure, not both");
            }
            HttpTrust trust = isInsecure ? new HttpTrust.Insecure()
                    : caBundle != null ? new HttpTrust.CaBundle(absolute("caBundle", caBundle)) : new HttpTrust.SystemDefault();
            origin = new ImageOrigin.Upstream(uri, trust);
        } else {
            if (caBundle != null || isInsecure) {
                throw new CatalogException(caBundle != null ? "caBundle" : "insecure", "only applies to a url");
            }
            origin = new ImageOrigin.LocalFile(absolute("path", path));
        }
        Optional<ImageFormat> declared;
        try {
            declared = format == null ? Optional.empty() : ImageFormat.fromLabel(format);
        } catch (IllegalArgumentException e) {
            throw new CatalogException("format", e.getMessage());
        }
        if (checksum == null || checksum.isBlank()) {
            throw new CatalogException("checksum", "must be set, as sha256:<hex> or sha512:<hex>");
        }
        ImageChecksum sum;
        try {
            sum = ImageChecksum.parse(checksum.strip());
        } catch (IllegalArgumentException e) {
            throw new CatalogException("checksum", e.getMessage());
        }
        return new CatalogImage(imageName, origin, declared, sum, md5, definedBy);
    }

    /** The spec that writes {@code image} back out. */
    public static ImageSpec of(CatalogImage image) {
        String url = null;
        String path = null;
        String ca = null;
        Boolean insecure = null;
        switch (image.origin()) {
            case ImageOrigin.LocalFile file -> path = file.path().toString();
            case ImageOrigin.Upstream up -> {
                url = up.uri().toString();
                switch (up.trust()) {
                    case HttpTrust.CaBundle bundle -> ca = bundle.pemFile().toString();
                    case HttpTrust.Insecure i -> insecure = true;
                    case HttpTrust.SystemDefault d -> {
                    }
                }
            }
        }
        return new ImageSpec(image.name(), url, path, image.format().map(ImageFormat::label).orElse("detect"),
                image.checksum().toString(), ca, insecure, image.allowMd5() ? Boolean.TRUE : null);
    }

    private static Path absolute(String field, String value) {
        Path p;
        try {
            p = Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new CatalogException(field, "not a path: " + e.getMessage());
        }
        if (!p.isAbsolute()) {
            throw new CatalogException(field, "must be an absolute path, not '" + value + "'");
        }
        return p.normalize();
    }
}
