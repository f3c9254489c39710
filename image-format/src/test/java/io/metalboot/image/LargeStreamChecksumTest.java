package io.metalboot.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.metalboot.image.source.FileImageSource;
import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long sources (10 MiB of random data, so every decoder reads many buffers of its input), raw
 * and through each decoder, read five times each: every source byte hashed exactly once, read
 * after read. It caught a digest moved to a thread of its own that the decoder's close abandoned
 * before its last chunks (that digest is not kept: it measured no gain on this shared host).
 */
class LargeStreamChecksumTest {
    @TempDir
    Path dir;

    @Test
    void everyByteOfALongCompressedStreamIsHashedOnce() throws Exception {
        RequiredTools.require(RequiredTools.program("zstd", "zstd"));
        RequiredTools.require(RequiredTools.program("xz", "xz-utils"));
        byte[] data = new byte[10 << 20];
        new Random(5).nextBytes(data);
        Files.write(dir.resolve("disk.raw"), data);
        Commands.shell(dir, "gzip -1 -c disk.raw > disk.raw.gz && xz -0 -T1 -c disk.raw > disk.raw.xz"
                + " && zstd -q -1 -c disk.raw > disk.raw.zst");
        for (String image : new String[] {"disk.raw", "disk.raw.gz", "disk.raw.xz", "disk.raw.zst"}) {
            ImageChecksum sha = new ImageChecksum(ChecksumAlgorithm.SHA256,
                    Commands.run(dir, "sha256sum", image).substring(0, 64));
            for (int run = 0; run < 5; run++) {
                ImageReadResult result = ImageReader.read(new FileImageSource(dir.resolve(image)), Optional.empty(),
                        Optional.of(sha), ExtentSink.discarding());
                assertEquals(sha, result.sourceChecksum(), image + ", read " + run);
                assertEquals(data.length, result.virtualSize());
            }
        }
    }
}
