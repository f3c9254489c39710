package io.metalboot.image.bench;

import io.metalboot.image.ChecksumAlgorithm;
import io.metalboot.image.ExtentSink;
import io.metalboot.image.ImageChecksum;
import io.metalboot.image.ImageReadResult;
import io.metalboot.image.ImageReader;
import io.metalboot.image.source.FileImageSource;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * bench/image-read's metalboot side: reads one image file with {@link ImageReader} into a sink
 * that consumes the extents (zeros are not materialised), verifying its sha256, {@code runs}
 * times in one JVM. Prints one line per run: seconds, then the median line.
 *
 * <pre>java -cp … io.metalboot.image.bench.ImageReadBench RUNS FILE SHA256</pre>
 */
public final class ImageReadBench {
    private ImageReadBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        Path file = Path.of(args[1]);
        ImageChecksum checksum = new ImageChecksum(ChecksumAlgorithm.SHA256, args[2]);
        double[] seconds = new double[runs];
        ImageReadResult result = null;
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            result = ImageReader.read(new FileImageSource(file), Optional.empty(), Optional.of(checksum),
                    ExtentSink.discarding());
            seconds[i] = (System.nanoTime() - start) / 1e9;
            System.out.printf("run %d: %.3f s%n", i + 1, seconds[i]);
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        System.out.printf("first %.3f median %.3f virtual %d source %d data %d zeros %d format %s%n", seconds[0],
                sorted[runs / 2], result.virtualSize(), result.sourceBytes(), result.dataBytes(), result.zeroBytes(),
                result.format().label());
    }
}
