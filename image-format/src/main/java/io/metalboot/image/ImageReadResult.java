package io.metalboot.image;

/**
 * What a read found: the format, the guest disk's size, the source's size, how many guest bytes
 * went out as data and as zeros, and the checksum of the source bytes (verified when one was
 * expected).
 */
public record ImageReadResult(ImageFormat format, long virtualSize, long sourceBytes, long dataBytes,
        long zeroBytes, ImageChecksum sourceChecksum) {
}
