package io.metalboot.images.cache;

import java.io.IOException;

/**
 * An image that cannot be served now: its fetch or validation failed (the message says why, for
 * the operator: it names no secret), or it does not fit the cache.
 */
public final class ImageUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
