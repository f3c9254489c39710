package io.metalboot.agent.deploy;

import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.deploy.disk.RootDeviceHints;
import io.metalboot.agent.deploy.disk.TargetDiskChooser;
import io.metalboot.agent.deploy.disk.TargetDiskPolicy;
import io.metalboot.agent.deploy.fs.Ext4OsRelease;
import io.metalboot.agent.deploy.table.PartitionTable;
import io.metalboot.agent.deploy.table.PartitionTableCodec;
import io.metalboot.image.ExtentSink;
import io.metalboot.image.ImageChecksum;
import io.metalboot.image.ImageFormat;
import io.metalboot.image.ImageReadResult;
import io.metalboot.image.ImageReader;
import io.metalboot.image.source.FileImageSource;
import io.metalboot.image.source.HttpImageSource;
import io.metalboot.image.source.HttpTrust;
import io.metalboot.image.source.ImageSource;
import io.metalboot.machine.agent.DeployInstructions;
import io.metalboot.machine.agent.DeployProgress;
import io.metalboot.machine.agent.DeployedDisk;
import io.metalboot.machine.agent.DeployedPartition;
import io.metalboot.machine.inventory.Disk;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A deploy, start to end: choose the disk (root-device hints, or the smallest of at least
 * 4 GiB), wipe the old signatures, stream the image through the reader onto the disk, fsync,
 * optionally read it back, have the kernel re-read the partition table and wait for the
 * partitions' device nodes, and report the disk as written. Any failure on the way fails the
 * deploy with its reason, and the disk's first and last MiB are wiped again, so a partial image
 * never boots; nothing reports success for less than the verified whole.
 */
public final class ImageDeployer implements AgentCore.Deployer {
    private static final Logger LOG = Logger.getLogger(ImageDeployer.class.getName());
    /** Partition types of the Discoverable Partitions Specification that hold {@code /}. */
    private static final List<String> ROOT_TYPES = List.of(
            "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", // x86-64
            "B921B045-1DF0-41C3-AF44-4C6F280D3FAE", // aarch64
            "44479540-F297-41B2-9AF7-D131D5F0458A"); // x86

    /** Where disks come from, which may be chosen, and how long device nodes may take to appear. */
    public record Settings(Supplier<List<Disk>> disks, TargetDiskPolicy policy, Duration nodeWait, HttpTrust trust) {
    }

    private final Settings settings;

    public ImageDeployer(Settings settings) {
        this.settings = settings;
    }

    /** The appliance's deploy: the disk chosen here by the instructions' hints. */
    @Override
    public DeployedDisk deploy(DeployInstructions instructions, Consumer<DeployProgress> progress) throws Exception {
        Optional<ImageFormat> format = ImageFormat.fromLabel(instructions.format() == null ? "detect" : instructions.format());
        ImageChecksum checksum = ImageChecksum.parse(instructions.checksum());
        try (ImageSource source = new HttpImageSource(URI.create(instructions.imageUrl()), settings.trust(),
                Duration.ofSeconds(30))) {
            long needed = ImageReader.virtualSizeHint(source, format);
            Optional<RootDeviceHints> hints = instructions.rootDeviceHints().isEmpty() ? Optional.empty()
                    : Optional.of(RootDeviceHints.parse(instructions.rootDeviceHints()));
            Disk disk = TargetDiskChooser.choose(settings.disks().get(), hints, Math.max(needed, 0), settings.policy());
            LOG.info(() -> "deploy " + instructions.deployId() + ": " + disk.name() + " (" + disk.size() + " bytes"
                    + (disk.serial() == null ? "" : ", serial " + disk.serial()) + ") from " + source.describe());
            return write(Path.of(disk.name()), disk.serial(), source, format, needed, checksum, instructions.readBack(),
                    progress);
        }
    }

    /**
     * The write itself, on an explicit target (the deploy's chosen disk, or {@code write-image}'s
     * {@code --target}): wipe, stream, fsync, read-back, re-read, report.
     */
    public DeployedDisk write(Path target, String serial, ImageSource source, Optional<ImageFormat> format,
            ImageChecksum checksum, boolean readBack, Consumer<DeployProgress> progress) throws Exception {
        return write(target, serial, source, format, ImageReader.virtualSizeHint(source, format), checksum, readBack,
                progress);
    }

    /** {@code sizeHint}: the image's size as its first bytes tell it (-1 unknown), for the progress. */
    private DeployedDisk write(Path target, String serial, ImageSource source, Optional<ImageFormat> format,
            long sizeHint, ImageChecksum checksum, boolean readBack, Consumer<DeployProgress> progress) throws Exception {
        ByteBuffer zeros = ByteBuffer.allocateDirect(1024 * 1024 + 4096).alignedSlice(4096);
        try (TargetDevice device = TargetDevice.open(target)) {
            long limit = device.isBlockDevice() ? device.size() : Long.MAX_VALUE;
            SignatureWiper.WipeReport wipe = SignatureWiper.wipe(device, zeros);
            LOG.info(() -> target + ": wiped (" + wipe.summary() + ")");
            ImageReadResult result;
            try (DiskWriter writer = new DiskWriter(device, limit);
                    ProgressTicker ticker = new ProgressTicker(writer::bytesDone, sizeHint, progress)) {
                result = ImageReader.read(source, format, Optional.of(checksum), writer);
                writer.finish();
                device.truncate(result.virtualSize());
                ticker.last(result.virtualSize());
            } catch (Exception e) {
                unbootable(device, zeros);
                throw e;
            }
            if (readBack) {
                readBack(device, source, format, checksum, zeros);
            }
            return report(device, serial, result);
        }
    }

    /** A later step of the deploy failed (its bootstrap): the written disk's edges are zeroed, so it never boots. */
    @Override
    public void makeUnbootable(DeployedDisk disk) throws IOException {
        try (TargetDevice device = TargetDevice.open(Path.of(disk.disk()))) {
            unbootable(device, ByteBuffer.allocateDirect(1024 * 1024 + 4096).alignedSlice(4096));
        }
    }

    /** After a failed write: the first and last MiB zeroed, so what is there never boots. */
    private static void unbootable(TargetDevice device, ByteBuffer zeros) {
        try {
            SignatureWiper.zeroEdges(device, device.isBlockDevice() ? device.size() : Files.size(device.path()), zeros);
            device.sync();
        } catch (IOException e) {
            LOG.warning(() -> device.path() + ": could not wipe the partial image: " + e.getMessage());
        }
    }

    /** Reads the source again and compares every extent with the device's bytes. */
    private static void readBack(TargetDevice device, ImageSource source, Optional<ImageFormat> format,
            ImageChecksum checksum, ByteBuffer zeros) throws IOException {
        device.dropCache();
        ByteBuffer disk = ByteBuffer.allocateDirect(DiskWriter.BUFFER_BYTES);
        ImageReader.read(source, format, Optional.of(checksum), new ExtentSink() {
            public void data(long guestOffset, ByteBuffer bytes) throws IOException {
                compare(guestOffset, bytes);
            }

            public void zeros(long guestOffset, long length) throws IOException {
                long at = guestOffset;
                while (at < guestOffset + length) {
                    int n = (int) Math.min(zeros.capacity(), guestOffset + length - at);
                    compare(at, zeros.duplicate().clear().limit(n));
                    at += n;
                }
            }

            private void compare(long offset, ByteBuffer expected) throws IOException {
                while (expected.hasRemaining()) {
                    int n = Math.min(expected.remaining(), disk.capacity());
                    disk.clear().limit(n);
                    if (device.read(disk, offset) != n || disk.flip().mismatch(expected.slice(expected.position(), n)) >= 0) {
                        throw new IOException("read-back: " + device.path() + " differs from the image near byte " + offset);
                    }
                    expected.position(expected.position() + n);
                    offset += n;
                }
            }
        });
        LOG.info(() -> device.path() + ": read back, equal to the image");
    }

    private DeployedDisk report(TargetDevice device, String serial, ImageReadResult result) throws IOException {
        PartitionTable table = PartitionTableCodec.read((offset, length) -> SignatureWiper.read(device, offset, length),
                device.isBlockDevice() ? device.size() : Math.max(result.virtualSize(), 1), device.sectorSize());
        List<DeployedPartition> partitions = new ArrayList<>();
        TargetDevice.Reread reread = device.rereadPartitions();
        if (reread == TargetDevice.Reread.BUSY) {
            for (PartitionTable.Partition p : table.partitions()) {
                device.addPartition(p.number(), p.startBytes(), p.sizeBytes());
            }
        } else if (reread == TargetDevice.Reread.UNSUPPORTED && device.isBlockDevice()) {
            LOG.warning(() -> device.path() + " takes no partition table (BLKRRPART: EINVAL); the table is reported"
                    + " as read from the disk's bytes, without device nodes");
        }
        long deadline = System.nanoTime() + settings.nodeWait().toNanos();
        for (PartitionTable.Partition p : table.partitions()) {
            Path node = partitionNode(device.path(), p.number());
            boolean seen = reread != TargetDevice.Reread.UNSUPPORTED && waitFor(node, deadline);
            partitions.add(new DeployedPartition(p.number(), node.toString(), seen,
                    table.kind() == PartitionTable.Kind.GPT ? p.uuid() : null, p.type(), p.startBytes(), p.sizeBytes()));
        }
        if (device.isBlockDevice() && partitions.stream().anyMatch(p -> !p.nodeSeen())) {
            LOG.warning(() -> device.path() + ": the kernel made no device node for some partitions within "
                    + settings.nodeWait().toSeconds() + " s (a kernel without partition support?)");
        }
        // `/`: a partition of a root type (the Discoverable Partitions Specification), else an ext
        // filesystem with etc/os-release, read from the disk's bytes (nothing is mounted)
        PartitionTableCodec.DiskBytes bytes = (offset, length) -> SignatureWiper.read(device, offset, length);
        String root = table.partitions().stream().filter(p -> ROOT_TYPES.contains(p.type())).findFirst()
                .or(() -> table.partitions().stream()
                        .filter(p -> Ext4OsRelease.present(bytes, p.startBytes(), p.sizeBytes())).findFirst())
                .map(p -> partitionNode(device.path(), p.number()).toString()).orElse(null);
        return new DeployedDisk(device.path().toString(), serial, result.sourceChecksum().toString(),
                result.virtualSize(), table.kind().label(), table.diskId(), partitions, root);
    }

    /** The kernel's name for partition {@code n}: sda1, but nvme0n1p1 and loop0p1 (names ending in a digit). */
    public static Path partitionNode(Path disk, int n) {
        String name = disk.toString();
        boolean digit = Character.isDigit(name.charAt(name.length() - 1));
        return Path.of(name + (digit ? "p" : "") + n);
    }

    private static boolean waitFor(Path node, long deadline) {
        while (true) {
            if (Files.exists(node)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** A local path or an http(s) URL, as {@code write-image --image} takes it. */
    public static ImageSource source(String image, HttpTrust trust) throws IOException {
        String lower = image.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://")
                ? new HttpImageSource(URI.create(image), trust, Duration.ofSeconds(30))
                : new FileImageSource(Path.of(image));
    }
}
