package io.metalboot.image.source;

/** {@code length} bytes of a source at {@code offset}. */
public record ByteSpan(long offset, int length) {
    public ByteSpan {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("span " + offset + "+" + length);
        }
    }

    public long end() {
        return offset + length;
    }
}
