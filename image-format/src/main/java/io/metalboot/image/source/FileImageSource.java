package io.metalboot.image.source;

import io.metalboot.image.TruncatedImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** An image in a local file. */
public final class FileImageSource implements ImageSource {
    private final Path path;

    public FileImageSource(Path path) {
        this.path = path;
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public long size() throws IOException {
        return Files.size(path);
    }

    @Override
    public List<byte[]> read(List<ByteSpan> spans) throws IOException {
        List<byte[]> out = new ArrayList<>(spans.size());
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            for (ByteSpan span : spans) {
                byte[] bytes = new byte[span.length()];
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, span.offset() + buffer.position()) < 0) {
                        throw new TruncatedImageException(path + " ends at " + channel.size()
                                + " bytes, before " + span.end());
                    }
                }
                out.add(bytes);
            }
        }
        return out;
    }

    @Override
    public InputStream openStream() throws IOException {
        return Files.newInputStream(path);
    }
}
