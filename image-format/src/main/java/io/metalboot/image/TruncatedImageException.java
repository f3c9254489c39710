package io.metalboot.image;

/** The source ended before the image did (a cut download, a short file). */
public final class TruncatedImageException extends ImageException {
    private static final long serialVersionUID = 1L;

    public TruncatedImageException(String message) {
        super(message);
    }

    public TruncatedImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
