package io.metalboot.image;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.metalboot.image.source.ByteSpan;
import io.metalboot.image.source.ImageSource;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.MemoryLimitException;
import org.tukaani.xz.XZInputStream;

/**
 * Reads an image from a source into an {@link ExtentSink}: raw, qcow2, or gzip-, xz- or
 * zstd-compressed raw, declared or detected. The checksum is taken over the source bytes as
 * served (for a qcow2, the qcow2 file) and compared at the end; nothing is ever copied to a
 * temporary file, and memory stays bounded (see {@link Qcow2Reader} for qcow2; a raw stream holds
 * one 4 MiB buffer and its decoder's state).
 *
 * <p>The sink sees guest bytes before the checksum is known (it can only be known at the end
 * without a temporary copy), so a caller treats any exception as "what was written is not the
 * image".
 */
public final class ImageReader {
    private static final int BUFFER = 4 * 1024 * 1024;
    /** XZ for Java's memory limit in KiB: xz -9 needs 65 MiB to decode; a bigger dictionary is refused. */
    private static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

    private ImageReader() {
    }

    /**
     * Reads {@code source}: the declared format (empty: detect it), verifying {@code expected}
     * when given (otherwise the result carries the source's sha256).
     */
    public static ImageReadResult read(ImageSource source, Optional<ImageFormat> declared,
            Optional<ImageChecksum> expected, ExtentSink sink) throws IOException {
        ChecksumAlgorithm algorithm = expected.map(ImageChecksum::algorithm).orElse(ChecksumAlgorithm.SHA256);
        long size = source.size();
        ImageReadResult result;
        if (size >= 0) {
            // the head by position (one small request), so a qcow2 never opens a stream it drops
            byte[] head = size == 0 ? new byte[0]
                    : source.read(java.util.List.of(new ByteSpan(0, (int) Math.min(size, ImageFormat.DETECT_BYTES)))).get(0);
            ImageFormat format = format(declared, head, source.describe());
            if (format == ImageFormat.QCOW2) {
                result = new Qcow2Reader(source, algorithm, sink).read();
            } else {
                try (SourceStream stream = new SourceStream(source.openStream(), algorithm, size, source.describe(),
                        java.util.List.of())) {
                    result = readStream(format, stream, sink);
                }
            }
        } else {
            try (SourceStream stream = new SourceStream(source.openStream(), algorithm, size, source.describe(),
                    java.util.List.of())) {
                byte[] head = stream.readNBytes(ImageFormat.DETECT_BYTES);
                ImageFormat format = format(declared, head, source.describe());
                if (format == ImageFormat.QCOW2) {
                    throw new UnsupportedImageException("qcow2 of unknown length", source.describe()
                            + " does not say how long it is (no Content-Length), which a qcow2 needs");
                }
                stream.replay(head);
                result = readStream(format, stream, sink);
            }
        }
        if (expected.isPresent() && !expected.get().equals(result.sourceChecksum())) {
            throw new ChecksumMismatchException(expected.get(), result.sourceChecksum());
        }
        return result;
    }

    /**
     * The disk size an image needs, as far as its first bytes tell before it is read: a qcow2's
     * virtual size, a raw image's length; -1 for a compressed stream (its length is known at its end).
     */
    public static long virtualSizeHint(ImageSource source, Optional<ImageFormat> declared) throws IOException {
        long size = source.size();
        if (size <= 0) {
            return size;
        }
        byte[] head = source.read(java.util.List.of(new ByteSpan(0, (int) Math.min(size, 65536)))).get(0);
        return switch (format(declared, head, source.describe())) {
            case RAW -> size;
            case QCOW2 -> io.metalboot.image.qcow2.Qcow2HeaderCodec.decode(head, head.length, size).virtualSize();
            case GZIP, XZ, ZSTD -> -1;
        };
    }

    /** The declared format when the bytes agree with it, else the detected one. */
    static ImageFormat format(Optional<ImageFormat> declared, byte[] head, String source) throws ImageException {
        if (declared.isEmpty()) {
            return ImageFormat.detect(head, head.length);
        }
        ImageFormat detected;
        try {
            detected = ImageFormat.detect(head, head.length);
        } catch (UnsupportedImageException e) {
            detected = ImageFormat.RAW; // a raw disk may start with any bytes; only our own formats contradict it
        }
        if (detected != declared.get()) {
            throw new MalformedImageException(source + " is declared " + declared.get().label() + " but starts like "
                    + (detected == ImageFormat.RAW ? "no format it names" : detected.label())
                    + "; declare " + detected.label() + " or let the format be detected");
        }
        return detected;
    }

    private static ImageReadResult readStream(ImageFormat format, SourceStream stream, ExtentSink sink)
            throws IOException {
        ZeroRunSplitter splitter = new ZeroRunSplitter(sink);
        long size = stream.expectedSize();
        // A compressed stream may grow far past its source; a raw one is as long as it.
        byte[] buffer = new byte[format == ImageFormat.RAW && size >= 0 ? Math.clamp(size, 1, BUFFER) : BUFFER];
        long guest = 0;
        InputStream decoded = null;
        byte[] sum;
        try {
            decoded = decoder(format, stream);
            while (true) {
                int filled = 0;
                while (filled < buffer.length) {
                    int n = decoded.read(buffer, filled, buffer.length - filled);
                    if (n < 0) {
                        break;
                    }
                    filled += n;
                }
                if (filled == 0) {
                    break;
                }
                splitter.accept(guest, buffer, 0, filled);
                guest += filled;
                if (filled < buffer.length) {
                    break;
                }
            }
            splitter.flush();
            stream.drain(buffer); // what follows the decoder's end marker is hashed too
            sum = stream.finish(); // before the decoder's close closes the stream (which would abandon the digest)
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw classify(format, stream, e);
        } finally {
            if (decoded != null && decoded != stream) {
                decoded.close(); // the decoders hold native memory (zlib, zstd)
            }
        }
        return new ImageReadResult(format, guest, stream.position(), splitter.dataBytes(), splitter.zeroBytes(),
                ImageChecksum.of(stream.digestAlgorithm(), sum));
    }

    private static InputStream decoder(ImageFormat format, InputStream in) throws IOException {
        return switch (format) {
            case RAW -> in;
            case GZIP -> new GZIPInputStream(in, 64 * 1024);
            case XZ -> new XZInputStream(in, XZ_MEMORY_LIMIT_KIB);
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
            case QCOW2 -> throw new IllegalArgumentException("qcow2 is not a stream format");
        };
    }

    /** A decoder's complaint: the source's own failure, a cut stream, or corrupt data. */
    private static IOException classify(ImageFormat format, SourceStream stream, Exception e) {
        if (stream.sourceFailed()) {
            return e instanceof IOException io && !stream.atEnd() ? io
                    : new TruncatedImageException(format.label() + " stream: the source ended after "
                            + stream.position() + " bytes", e);
        }
        if (e instanceof MemoryLimitException limit) {
            return new UnsupportedImageException("xz dictionary of " + limit.getMemoryNeeded() / 1024 + " MiB",
                    "at most " + XZ_MEMORY_LIMIT_KIB / 1024 + " MiB of decoder memory (xz -9 needs 65)");
        }
        if (e instanceof EOFException) {
            return new TruncatedImageException(format.label() + " stream ends before its end marker", e);
        }
        return new MalformedImageException(format.label() + " stream is corrupt: " + e.getMessage(), e);
    }
}
