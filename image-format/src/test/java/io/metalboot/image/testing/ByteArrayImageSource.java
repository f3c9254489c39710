package io.metalboot.image.testing;

import io.metalboot.image.TruncatedImageException;
import io.metalboot.image.source.ByteSpan;
import io.metalboot.image.source.ImageSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An image held in memory: the fuzz tests' source, thousands of times a second. */
public record ByteArrayImageSource(byte[] bytes) implements ImageSource {
    @Override
    public String describe() {
        return "memory (" + bytes.length + " bytes)";
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public List<byte[]> read(List<ByteSpan> spans) throws TruncatedImageException {
        List<byte[]> out = new ArrayList<>();
        for (ByteSpan span : spans) {
            if (span.end() > bytes.length) {
                throw new TruncatedImageException("span beyond " + bytes.length);
            }
            out.add(Arrays.copyOfRange(bytes, (int) span.offset(), (int) span.end()));
        }
        return out;
    }

    @Override
    public InputStream openStream() {
        return new ByteArrayInputStream(bytes);
    }
}
