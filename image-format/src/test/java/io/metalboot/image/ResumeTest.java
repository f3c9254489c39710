package io.metalboot.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.image.source.HttpImageSource;
import io.metalboot.image.source.HttpTrust;
import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.CuttingRelay;
import io.metalboot.image.testing.DiskImageSink;
import io.metalboot.image.testing.NginxServer;
import io.metalboot.image.testing.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection broken three times mid-image (a relay in front of nginx cuts it at offsets chosen
 * here): the read resumes each time with {@code Range} from the last byte it received, succeeds, and
 * the checksum over the source (taken once per byte) matches; nginx's log shows the resumes'
 * Range starts, increasing.
 */
class ResumeTest {
    @TempDir
    Path dir;

    @Test
    void aStreamBrokenThreeTimesIsResumedAndVerified() throws Exception {
        RequiredTools.require(NginxServer.unavailable());
        RequiredTools.require(RequiredTools.program("qemu-img", "qemu-utils"));
        Path root = Files.createDirectories(dir.resolve("root"));
        byte[] data = new byte[12 << 20];
        new Random(3).nextBytes(data);
        Files.write(root.resolve("disk.raw"), data);
        Commands.run(root, "qemu-img", "convert", "-f", "raw", "-O", "qcow2", "disk.raw", "disk.qcow2");
        for (String image : new String[] {"disk.raw", "disk.qcow2"}) {
            long size = Files.size(root.resolve(image));
            List<Long> cuts = List.of(size / 7, size / 3, size * 5 / 6);
            try (NginxServer nginx = NginxServer.serve(root, dir.resolve("nginx-" + image), "keepalive_timeout 0;");
                    CuttingRelay relay = new CuttingRelay(nginx.port(), cuts);
                    HttpImageSource source = new HttpImageSource(relay.uri(image));
                    DiskImageSink sink = new DiskImageSink(dir.resolve(image + ".out"))) {
                ImageChecksum sha = new ImageChecksum(ChecksumAlgorithm.SHA256,
                        Commands.run(root, "sha256sum", image).substring(0, 64));
                ImageReadResult result = ImageReader.read(source, Optional.empty(), Optional.of(sha), sink);
                sink.finish(result.virtualSize());
                assertEquals(3, relay.cutsMade());
                assertEquals(-1L, Files.mismatch(root.resolve("disk.raw"), dir.resolve(image + ".out")), image);
                List<Long> starts = new ArrayList<>();
                Matcher m = Pattern.compile("\"GET /" + Pattern.quote(image) + " [^\"]*\" 206 \\d+ \"range=bytes=(\\d+)-\"")
                        .matcher(String.join("\n", nginx.accessLog()));
                while (m.find()) {
                    starts.add(Long.parseLong(m.group(1)));
                }
                // each resume starts at or before its cut (bytes in flight when a connection breaks are lost),
                // after the previous cut: increasing, never from zero
                assertEquals(3, starts.size(), "three resumes: " + nginx.accessLog());
                List<Long> resumes = starts;
                for (int i = 0; i < 3; i++) {
                    long previous = i == 0 ? 0 : cuts.get(i - 1);
                    assertTrue(resumes.get(i) > previous && resumes.get(i) <= cuts.get(i),
                            "resume " + i + " at " + resumes.get(i) + ", cut at " + cuts.get(i) + ": " + nginx.accessLog());
                }
            }
        }
    }

    /**
     * A server that stops sending mid-body while keeping the connection open (HttpClient has no
     * body read timeout): the read gives up after four times the connect timeout, resumes from the
     * byte it had, and the image arrives whole.
     */
    @Test
    void aStalledStreamIsResumed() throws Exception {
        RequiredTools.require(NginxServer.unavailable());
        Path root = Files.createDirectories(dir.resolve("root"));
        byte[] data = new byte[4 << 20];
        new Random(5).nextBytes(data);
        Files.write(root.resolve("disk.raw"), data);
        try (NginxServer nginx = NginxServer.serve(root, dir.resolve("nginx"), "keepalive_timeout 0;");
                CuttingRelay relay = new CuttingRelay(nginx.port(), List.of((long) data.length / 3), CuttingRelay.Cut.STALL);
                HttpImageSource source = new HttpImageSource(relay.uri("disk.raw"), HttpTrust.systemDefault(),
                        Duration.ofMillis(250));
                DiskImageSink sink = new DiskImageSink(dir.resolve("disk.out"))) {
            ImageChecksum sha = new ImageChecksum(ChecksumAlgorithm.SHA256, Commands.run(root, "sha256sum", "disk.raw").substring(0, 64));
            ImageReadResult result = ImageReader.read(source, Optional.of(ImageFormat.RAW), Optional.of(sha), sink);
            sink.finish(result.virtualSize());
            assertEquals(1, relay.cutsMade());
            assertEquals(-1L, Files.mismatch(root.resolve("disk.raw"), dir.resolve("disk.out")));
            assertTrue(String.join("\n", nginx.accessLog()).matches("(?s).*\"GET /disk\\.raw [^\"]*\" 206 \\d+ \"range=bytes=[1-9]\\d*-\".*"),
                    "a resume after the stall: " + nginx.accessLog());
        }
    }
}
