package io.metalboot.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The end-to-end scenario's OS images: the Debian 12 node image that {@code node-image/build-node-image.sh}
 * makes (cached outside the clone, keyed by its recipe and the archive's package versions), and
 * the same image with cloud-init disabled ({@code /etc/cloud/cloud-init.disabled}) for the machine
 * that joins in first-boot mode, derived once per base image and cached beside it.
 */
final class NodeImage {
    /** The derivation's own recipe: a change here must not reuse an older derived file. */
    private static final String FIRST_BOOT_RECIPE = "first-boot-1: touch etc/cloud/cloud-init.disabled in p3";
    private static final Duration BUILD = Duration.ofMinutes(12);
    private static final Duration CONVERT = Duration.ofMinutes(3);

    private NodeImage() {
    }

    /** Where the derived image is kept: the node image's cache ({@code METALBOOT_CACHE}, else ~/.cache/metalboot). */
    static Path cacheDir() {
        String cache = System.getenv("METALBOOT_CACHE");
        return (cache == null ? Path.of(System.getProperty("user.home"), ".cache/metalboot") : Path.of(cache))
                .resolve("node-image");
    }

    /** The base image with cloud-init, built (or taken from the cache) into {@code out}. */
    static DeployImage withCloudInit(Path vagrantDir, Path out) {
        Command.run(BUILD, List.of("bash", vagrantDir.resolve("node-image/build-node-image.sh").toString(), out.toString()));
        Path file = out.resolve("debian-12-node.qcow2");
        return new DeployImage("node-cloud-init", file, "qcow2", DeployImage.sha256(file), null);
    }

    /** {@code base} with cloud-init disabled, from the cache when this base was derived before. */
    static DeployImage withoutCloudInit(DeployImage base, Path cacheDir, Path workDir) {
        Path cached = cacheDir.resolve(base.sha256().substring(0, 20) + "-" + Integer.toHexString(FIRST_BOOT_RECIPE
                .hashCode()) + "-first-boot.qcow2");
        if (!Files.isRegularFile(cached)) {
            derive(base.file(), cached, workDir);
        }
        return new DeployImage("node-first-boot", cached, "qcow2", DeployImage.sha256(cached), null);
    }

    private static void derive(Path base, Path target, Path workDir) {
        Path raw = workDir.resolve("node-first-boot.raw");
        Path mount = workDir.resolve("node-first-boot-root");
        try {
            Files.createDirectories(mount);
            Files.createDirectories(target.getParent());
            Command.run(CONVERT, List.of(Tool.QEMU_IMG.path(), "convert", "-O", "raw", base.toString(), raw.toString()));
            JsonNode root = new ObjectMapper().readTree(Command.run(List.of(Tool.SFDISK.path(), "--json", raw.toString())))
                    .path("partitiontable").path("partitions").get(2);
            long start = root.path("start").asLong() * 512;
            long size = root.path("size").asLong() * 512;
            // the host's kernel reads no partition table of a loop device: one loop device for the partition
            String loop = Command.run(List.of("losetup", "--find", "--show", "--offset", Long.toString(start),
                    "--sizelimit", Long.toString(size), raw.toString())).strip();
            try {
                Command.run(List.of("mount", "-t", "ext4", loop, mount.toString()));
                try {
                    Files.writeString(mount.resolve("etc/cloud/cloud-init.disabled"),
                            "# the lab's first-boot machine: metalboot's compiled bootstrap joins it, not cloud-init\n");
                } finally {
                    Command.run(List.of("umount", mount.toString()));
                }
            } finally {
                Command.run(List.of("losetup", "-d", loop));
            }
            Path part = target.resolveSibling(target.getFileName() + ".part");
            Command.run(CONVERT, List.of(Tool.QEMU_IMG.path(), "convert", "-c", "-f", "raw", "-O", "qcow2", raw.toString(),
                    part.toString()));
            Files.move(part, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LabException("cannot derive the first-boot node image from " + base, e);
        } finally {
            try {
                Files.deleteIfExists(raw);
            } catch (IOException e) {
                // the work directory goes with the scenario
            }
        }
    }
}
