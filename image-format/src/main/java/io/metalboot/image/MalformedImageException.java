package io.metalboot.image;

/** The image's structures contradict themselves or point outside the file. */
public final class MalformedImageException extends ImageException {
    private static final long serialVersionUID = 1L;

    public MalformedImageException(String message) {
        super(message);
    }

    public MalformedImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
