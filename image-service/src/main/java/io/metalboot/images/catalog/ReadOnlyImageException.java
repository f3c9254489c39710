package io.metalboot.images.catalog;

/** A change to an image the config defines: only the config file changes it. */
public final class ReadOnlyImageException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ReadOnlyImageException(String name) {
        super("image '" + name + "' is defined in the config file; change it there");
    }
}
