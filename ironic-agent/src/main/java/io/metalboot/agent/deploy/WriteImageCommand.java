package io.metalboot.agent.deploy;

import io.metalboot.agent.deploy.disk.TargetDiskPolicy;
import io.metalboot.image.ImageChecksum;
import io.metalboot.image.ImageFormat;
import io.metalboot.image.source.HttpTrust;
import io.metalboot.image.source.ImageSource;
import io.metalboot.machine.agent.DeployedDisk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code write-image}: the agent's writer on its own, on any Linux host (a rescue shell, a test):
 * <pre>
 * java -cp 'agent-lib/*' io.metalboot.agent.deploy.WriteImageCommand \
 *     --image URL|FILE [--format F] --checksum ALGO:HEX --target DEVICE|FILE [--read-back] [--insecure]
 * </pre>
 * The same reader, checks, wipe, resume and progress as a deploy; the target is always explicit
 * (no hints). Exit status 0 and a last line "write-image: ok …" on success; otherwise 1 (2 for a
 * usage error) and a last line "write-image: failed: &lt;reason&gt;".
 */
public final class WriteImageCommand {
    private WriteImageCommand() {
    }

    public static void main(String[] args) {
        HttpBodyBuffers.enlarge();
        System.exit(run(args));
    }

    static int run(String[] args) {
        String image = null;
        String format = "detect";
        String checksum = null;
        String target = null;
        boolean readBack = false;
        boolean insecure = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--image" -> image = args[++i];
                    case "--format" -> format = args[++i];
                    case "--checksum" -> checksum = args[++i];
                    case "--target" -> target = args[++i];
                    case "--read-back" -> readBack = true;
                    case "--insecure" -> insecure = true;
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (image == null || checksum == null || target == null) {
                throw new IllegalArgumentException("--image, --checksum and --target are required");
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            System.out.println("usage: write-image --image URL|FILE [--format raw|qcow2|gzip|xz|zstd|detect]"
                    + " --checksum ALGO:HEX --target DEVICE|FILE [--read-back] [--insecure]");
            System.out.println("write-image: failed: " + e.getMessage());
            return 2;
        }
        HttpTrust trust = insecure ? new HttpTrust.Insecure() : HttpTrust.systemDefault();
        ImageDeployer deployer = new ImageDeployer(new ImageDeployer.Settings(List::of, TargetDiskPolicy.NONE,
                Duration.ofSeconds(10), trust));
        try (ImageSource source = ImageDeployer.source(image, trust)) {
            Optional<ImageFormat> declared = ImageFormat.fromLabel(format);
            DeployedDisk disk = deployer.write(Path.of(target), null, source, declared, ImageChecksum.parse(checksum),
                    readBack, p -> System.out.printf("write-image: %d of %d bytes, %d MB/s, %s left%n", p.bytesDone(),
                            p.imageBytes(), p.bytesPerSecond() / 1_000_000, p.etaSeconds() < 0 ? "?" : p.etaSeconds() + " s"));
            System.out.println("write-image: ok: " + disk.imageBytes() + " bytes onto " + disk.disk() + ", "
                    + disk.sourceChecksum() + ", table " + disk.tableType() + " with " + disk.partitions().size()
                    + " partition(s)");
            return 0;
        } catch (Exception e) {
            System.out.println("write-image: failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }
}
