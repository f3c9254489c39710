package io.metalboot.images.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A spec that cannot be an image names its bad field. */
class ImageSpecTest {
    static final String SHA = "sha256:" + "00".repeat(32);

    static String field(ImageSpec spec, String name) {
        return assertThrows(CatalogException.class, () -> spec.toImage(name, CatalogImage.DefinedBy.API)).field();
    }

    @Test
    void eachBadFieldIsNamed() {
        assertEquals("name", field(new ImageSpec(null, "http://h/x", null, null, SHA, null, null, null), "../x"));
        assertEquals("name", field(new ImageSpec(null, "http://h/x", null, null, SHA, null, null, null), "x.part"));
        assertEquals("url", field(new ImageSpec(null, null, null, null, SHA, null, null, null), "x"));
        assertEquals("url", field(new ImageSpec(null, "ftp://h/x", null, null, SHA, null, null, null), "x"));
        assertEquals("url", field(new ImageSpec(null, "http://u:p@h/x", null, null, SHA, null, null, null), "x"));
        assertEquals("path", field(new ImageSpec(null, "http://h/x", "/a", null, SHA, null, null, null), "x"));
        assertEquals("path", field(new ImageSpec(null, null, "rel/a", null, SHA, null, null, null), "x"));
        assertEquals("format", field(new ImageSpec(null, "http://h/x", null, "vmdk", SHA, null, null, null), "x"));
        assertEquals("checksum", field(new ImageSpec(null, "http://h/x", null, null, null, null, null, null), "x"));
        assertEquals("checksum", field(new ImageSpec(null, "http://h/x", null, null, "sha1:ab", null, null, null), "x"));
        assertEquals("checksum", field(new ImageSpec(null, "http://h/x", null, null, "sha256:abc", null, null, null), "x"));
        assertEquals("checksum", field(new ImageSpec(null, "http://h/x", null, null, "md5:" + "a".repeat(32), null,
                null, null), "x"), "md5 without allowMd5");
        assertEquals("checksum", field(new ImageSpec(null, "http://h/x", null, null, "md5:" + "a".repeat(32), null,
                null, false), "x"));
        assertEquals("caBundle", field(new ImageSpec(null, "http://h/x", null, null, SHA, "/ca.pem", null, null), "x"));
        assertEquals("caBundle", field(new ImageSpec(null, "https://h/x", null, null, SHA, "ca.pem", null, null), "x"));
        assertEquals("insecure", field(new ImageSpec(null, "https://h/x", null, null, SHA, "/ca.pem", true, null), "x"));
        assertEquals("insecure", field(new ImageSpec(null, null, "/a", null, SHA, null, true, null), "x"));
    }

    @Test
    void md5WithPermission() {
        CatalogImage image = new ImageSpec(null, "http://h/x", null, null, "md5:" + "a".repeat(32), null, null, true)
                .toImage("x", CatalogImage.DefinedBy.API);
        assertEquals("md5", image.checksum().algorithm().label());
    }
}
