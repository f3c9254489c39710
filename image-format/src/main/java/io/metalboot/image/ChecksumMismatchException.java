package io.metalboot.image;

/** The source bytes as served do not hash to the expected checksum. */
public final class ChecksumMismatchException extends ImageException {
    private static final long serialVersionUID = 1L;
    private final ImageChecksum expected;
    private final ImageChecksum actual;

    public ChecksumMismatchException(ImageChecksum expected, ImageChecksum actual) {
        super("checksum mismatch: expected " + expected + ", the source bytes hash to " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public ImageChecksum expected() {
        return expected;
    }

    public ImageChecksum actual() {
        return actual;
    }
}
