package io.metalboot.image;

/** The image uses a feature this reader does not implement; the message names the feature. */
public final class UnsupportedImageException extends ImageException {
    private static final long serialVersionUID = 1L;
    private final String feature;

    public UnsupportedImageException(String feature, String detail) {
        super(feature + " is not supported: " + detail);
        this.feature = feature;
    }

    /** The feature's short name, such as "backing file" or "encryption". */
    public String feature() {
        return feature;
    }
}
