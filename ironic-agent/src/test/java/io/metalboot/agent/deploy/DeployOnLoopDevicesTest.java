package io.metalboot.agent.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.agent.deploy.disk.TargetDiskException;
import io.metalboot.agent.deploy.disk.TargetDiskPolicy;
import io.metalboot.agent.inventory.DiskReader;
import io.metalboot.image.ChecksumMismatchException;
import io.metalboot.image.TruncatedImageException;
import io.metalboot.image.source.HttpTrust;
import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.CuttingRelay;
import io.metalboot.image.testing.NginxServer;
import io.metalboot.image.testing.RequiredTools;
import io.metalboot.machine.agent.DeployInstructions;
import io.metalboot.machine.agent.DeployProgress;
import io.metalboot.machine.agent.DeployedDisk;
import io.metalboot.machine.agent.DeployedPartition;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy as a host process: the real {@link ImageDeployer} on loop devices this test makes
 * (the allow list names only them), images from nginx, made by sfdisk, mke2fs and qemu-img. The
 * host kernel makes no partition nodes (no partition-table support), so here the table is checked
 * as parsed from the device's bytes, against {@code sfdisk --json} of the image; the re-read and
 * the device nodes are checked in the lab VM.
 */
class DeployOnLoopDevicesTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path dir;
    private static NginxServer nginx;
    private static final List<String> loops = new ArrayList<>();
    private static String target;
    private static String small;
    private static String outsider;
    private static String sha256Raw;
    private static String sha256Qcow2;

    @BeforeAll
    static void setUp() throws Exception {
        RequiredTools.require(root());
        for (String[] tool : new String[][] {{"losetup", "mount"}, {"sfdisk", "fdisk"}, {"mke2fs", "e2fsprogs"},
            {"blkid", "util-linux"}, {"qemu-img", "qemu-utils"}}) {
            RequiredTools.require(RequiredTools.program(tool[0], tool[1]));
        }
        RequiredTools.require(NginxServer.unavailable());
        Path images = Files.createDirectories(dir.resolve("images"));
        // the image: GPT, an EFI-type partition with a pattern, a Linux root partition holding ext4
        Commands.shell(images, String.join(" && ",
                "truncate -s 64M disk.raw",
                "printf 'label: gpt\\nfirst-lba: 2048\\nsize=8MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\\n"
                        + "type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\\n' | sfdisk -q disk.raw",
                "head -c 3M /dev/urandom | dd of=disk.raw bs=1M seek=1 conv=notrunc status=none",
                // a root filesystem the way Debian's is: etc/os-release a link to ../usr/lib/os-release
                "mkdir -p tree/etc tree/usr/lib tree/var && printf 'ID=debian\\n' > tree/usr/lib/os-release"
                        + " && ln -s ../usr/lib/os-release tree/etc/os-release"
                        + " && for i in $(seq 1 300); do : > tree/etc/file-$i; done",
                "mke2fs -q -t ext4 -d tree -E offset=" + 9 * MIB + " -F disk.raw 40M",
                "qemu-img convert -f raw -O qcow2 disk.raw disk.qcow2"));
        sha256Raw = Commands.run(images, "sha256sum", "disk.raw").substring(0, 64);
        sha256Qcow2 = Commands.run(images, "sha256sum", "disk.qcow2").substring(0, 64);
        nginx = NginxServer.serve(images, dir.resolve("nginx"), "keepalive_timeout 0;");
        target = loop("target.img", 256 * MIB);
        small = loop("small.img", 32 * MIB);
        outsider = loop("outsider.img", 256 * MIB);
    }

    private static Optional<String> root() {
        return "root".equals(System.getProperty("user.name")) ? Optional.empty()
                : Optional.of("loop devices need root");
    }

    private static String loop(String name, long size) throws Exception {
        Path file = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        String device = Commands.run(dir, "losetup", "--find", "--show", file.toString()).strip();
        loops.add(device);
        return device;
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        for (String device : loops) {
            Commands.run(dir, "losetup", "-d", device);
        }
    }

    private static ImageDeployer deployer() {
        DiskReader disks = new DiskReader(Path.of("/"), true);
        return new ImageDeployer(new ImageDeployer.Settings(disks::read,
                TargetDiskPolicy.allowOnly(target, small), Duration.ofSeconds(2), HttpTrust.systemDefault()));
    }

    private static DeployInstructions instructions(String url, String checksum, String device) {
        return new DeployInstructions("d1", url, checksum, "detect", device == null ? Map.of() : Map.of("name", device),
                false);
    }

    private static void zeroDevice(String device) throws Exception {
        Commands.shell(dir, "blkdiscard -z " + device + " 2>/dev/null || dd if=/dev/zero of=" + device
                + " bs=4M status=none oflag=direct 2>/dev/null || true");
    }

    @Test
    void aQcow2CutThreeTimesOnTheWayIsWrittenWholeAndReported() throws Exception {
        zeroDevice(target);
        long size = Files.size(dir.resolve("images/disk.qcow2"));
        List<Long> cuts = List.of(size / 5, size / 2, size * 4 / 5);
        List<DeployProgress> progress = new CopyOnWriteArrayList<>();
        try (CuttingRelay relay = new CuttingRelay(nginx.port(), cuts)) {
            DeployedDisk disk = deployer().deploy(instructions(relay.uri("disk.qcow2").toString(), "sha256:" + sha256Qcow2,
                    target), progress::add);
            assertEquals(3, relay.cutsMade());
            assertEquals(target, disk.disk());
            assertEquals(64 * MIB, disk.imageBytes());
            assertEquals("sha256:" + sha256Qcow2, disk.sourceChecksum());
            assertSameTableAsSfdisk(disk);
        }
        // the image on the disk, the rest unwritten
        Path raw = dir.resolve("images/disk.raw");
        assertEquals(-1L, mismatch(raw, Path.of(target), 64 * MIB), "the disk's first 64 MiB are the image");
        assertTrue(allZero(Path.of(target), 64 * MIB, 256 * MIB), "the rest of the disk is untouched");
        assertFalse(progress.isEmpty() || progress.get(progress.size() - 1).bytesDone() != 64 * MIB,
                "progress ends at the image's size: " + progress);
        List<Long> starts = new ArrayList<>();
        Matcher m = Pattern.compile("\"GET /disk.qcow2 [^\"]*\" 206 \\d+ \"range=bytes=(\\d+)-\"")
                .matcher(String.join("\n", nginx.accessLog()));
        while (m.find()) {
            starts.add(Long.parseLong(m.group(1)));
        }
        assertEquals(3, starts.size(), "three resumes in nginx's log: " + nginx.accessLog());
        assertTrue(starts.get(0) < starts.get(1) && starts.get(1) < starts.get(2), "increasing Range starts " + starts);
    }

    private static void assertSameTableAsSfdisk(DeployedDisk disk) throws Exception {
        String json = Commands.run(dir, "sfdisk", "--json", dir.resolve("images/disk.raw").toString());
        assertEquals("gpt", disk.tableType());
        assertTrue(json.contains("\"id\": \"" + disk.diskGuid() + "\""), disk.diskGuid() + " in " + json);
        assertEquals(2, disk.partitions().size());
        for (DeployedPartition p : disk.partitions()) {
            assertTrue(json.contains("\"uuid\": \"" + p.partitionGuid() + "\""), p.partitionGuid() + " in " + json);
            assertTrue(json.contains("\"type\": \"" + p.typeGuid() + "\""), p.typeGuid() + " in " + json);
            assertTrue(json.contains("\"start\": " + p.startBytes() / 512 + ","), p + " in " + json);
        }
        assertEquals(target + "p2", disk.rootPartition(), "the ext4 partition with etc/os-release (its type is plain Linux)");
    }

    @Test
    void anOldLayoutIsWipedAndNeverComesBack() throws Exception {
        // an old GPT over the whole 256 MiB disk (both headers), an ext4 in its last partition
        Commands.shell(dir, "printf 'label: gpt\\nsize=100MiB\\nsize=100MiB\\ntype=linux\\n' | sfdisk -q " + target
                + " && mke2fs -q -t ext4 -E offset=" + 201 * MIB + " -F " + target + " 50M");
        assertTrue(Commands.run(dir, "blkid", "-p", "-O", Long.toString(201 * MIB), target).contains("ext4"));
        deployer().deploy(instructions(nginx.uri("disk.raw").toString(), "sha256:" + sha256Raw, target), p -> { });
        String table = Commands.run(dir, "sfdisk", "--json", target);
        assertEquals(2, table.split("\"node\"").length - 1, "only the image's two partitions: " + table);
        assertFalse(table.contains("\"size\": 204800"), "no 100 MiB partition of the old table: " + table);
        Process probe = new ProcessBuilder("blkid", "-p", "-O", Long.toString(201 * MIB), target).start();
        assertEquals(2, probe.waitFor(), "blkid finds nothing where the old ext4 was (exit 2)");
        // the old backup GPT at the disk's end is gone: its last LBA holds no header
        byte[] last = new byte[512];
        try (RandomAccessFile f = new RandomAccessFile(target, "r")) {
            f.seek(256 * MIB - 512);
            f.readFully(last);
        }
        assertFalse(new String(last, 0, 8, java.nio.charset.StandardCharsets.US_ASCII).equals("EFI PART"));
    }

    @Test
    void aWrongChecksumFailsAndLeavesNothingBootable() throws Exception {
        String wrong = "sha256:" + "0".repeat(64);
        Exception e = assertThrows(ChecksumMismatchException.class, () -> deployer().deploy(
                instructions(nginx.uri("disk.raw").toString(), wrong, target), p -> { }));
        assertTrue(e.getMessage().contains(sha256Raw), e.getMessage());
        assertTrue(allZero(Path.of(target), 0, MIB), "the first MiB is wiped after a failed write");
    }

    @Test
    void aStreamThatKeepsBreakingIsATruncatedImage() throws Exception {
        List<Long> cuts = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            cuts.add(8 * MIB + i);
        }
        try (CuttingRelay relay = new CuttingRelay(nginx.port(), cuts)) {
            TruncatedImageException e = assertThrows(TruncatedImageException.class, () -> deployer().deploy(
                    instructions(relay.uri("disk.raw").toString(), "sha256:" + sha256Raw, target), p -> { }));
            assertTrue(e.getMessage().contains("resumes spent"), e.getMessage());
        }
    }

    @Test
    void refusalsListTheCandidates() throws Exception {
        String url = nginx.uri("disk.raw").toString();
        TargetDiskException none = assertThrows(TargetDiskException.class, () -> deployer().deploy(
                new DeployInstructions("d2", url, "sha256:" + sha256Raw, "raw", Map.of("serial", "no-such-disk"), false),
                p -> { }));
        assertEquals(TargetDiskException.Reason.NO_DISK_MATCHES_HINTS, none.reason());
        assertTrue(none.getMessage().contains(target) && none.getMessage().contains(small), none.getMessage());

        TargetDiskException tooSmall = assertThrows(TargetDiskException.class, () -> deployer().deploy(
                instructions(url, "sha256:" + sha256Raw, small), p -> { }));
        assertEquals(TargetDiskException.Reason.IMAGE_LARGER_THAN_DISK, tooSmall.reason());

        TargetDiskException notAllowed = assertThrows(TargetDiskException.class, () -> deployer().deploy(
                instructions(url, "sha256:" + sha256Raw, outsider), p -> { }));
        assertTrue(notAllowed.getMessage().contains(outsider), notAllowed.getMessage());
        assertTrue(allZero(Path.of(outsider), 0, 256 * MIB), "a disk off the allow list is never touched");
    }

    @Test
    void writeImageOnItsOwnSaysOkOnItsLastLine() throws Exception {
        Path file = dir.resolve("written.raw");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                WriteImageCommand.class.getName(), "--image", nginx.uri("disk.qcow2").toString(),
                "--checksum", "sha256:" + sha256Qcow2, "--target", file.toString(), "--read-back")
                .redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines));
        assertTrue(lines.get(lines.size() - 1).startsWith("write-image: ok: " + 64 * MIB + " bytes"), lines.toString());
        assertEquals(-1L, Files.mismatch(dir.resolve("images/disk.raw"), file));

        Process bad = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                WriteImageCommand.class.getName(), "--image", nginx.uri("disk.qcow2").toString(),
                "--checksum", "sha256:" + sha256Raw, "--target", dir.resolve("other.raw").toString())
                .redirectErrorStream(true).start();
        List<String> badLines = new String(bad.getInputStream().readAllBytes()).lines().toList();
        assertEquals(1, bad.waitFor());
        assertTrue(badLines.get(badLines.size() - 1).startsWith("write-image: failed: checksum mismatch"), badLines.toString());
    }

    private static long mismatch(Path expected, Path actual, long length) throws IOException {
        try (RandomAccessFile a = new RandomAccessFile(expected.toFile(), "r");
                RandomAccessFile b = new RandomAccessFile(actual.toFile(), "r")) {
            byte[] x = new byte[1 << 20];
            byte[] y = new byte[1 << 20];
            for (long at = 0; at < length; at += x.length) {
                a.readFully(x);
                b.readFully(y);
                int m = java.util.Arrays.mismatch(x, y);
                if (m >= 0) {
                    return at + m;
                }
            }
        }
        return -1;
    }

    private static boolean allZero(Path device, long from, long to) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "r")) {
            byte[] buffer = new byte[1 << 20];
            byte[] zeros = new byte[1 << 20];
            f.seek(from);
            for (long at = from; at < to; at += buffer.length) {
                int n = (int) Math.min(buffer.length, to - at);
                f.readFully(buffer, 0, n);
                if (java.util.Arrays.mismatch(buffer, 0, n, zeros, 0, n) >= 0) {
                    return false;
                }
            }
        }
        return true;
    }
}
