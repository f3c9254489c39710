package io.metalboot.image;

import java.io.IOException;

/**
 * Why an image was not read to the end: the one family of errors a reader throws about the
 * image itself (a network or disk failure stays a plain {@link IOException}). Each kind says
 * what a caller does next: {@link UnsupportedImageException} (never retry: convert the image),
 * {@link MalformedImageException} (never retry: the bytes contradict themselves),
 * {@link ChecksumMismatchException} and {@link TruncatedImageException} (the source served
 * other bytes than promised: a retry may help).
 */
public sealed abstract class ImageException extends IOException
        permits UnsupportedImageException, MalformedImageException, ChecksumMismatchException,
        TruncatedImageException {
    private static final long serialVersionUID = 1L;

    ImageException(String message) {
        super(message);
    }

    ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
