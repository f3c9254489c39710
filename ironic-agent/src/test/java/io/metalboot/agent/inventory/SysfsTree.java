package io.metalboot.agent.inventory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A root directory laid out as Linux lays out sysfs and procfs: devices as real directories under
 * sys/devices, sys/block and sys/class entries as relative symlinks to them, as the kernel makes
 * them. For the cases the QEMU captures cannot show (NVMe, SATA, USB, md, CD-ROM, bonds, InfiniBand).
 */
final class SysfsTree {
    final Path root;

    SysfsTree(Path root) {
        this.root = root;
        file("proc/cpuinfo", "processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu lm\n\n");
        file("proc/meminfo", "MemTotal:        1024 kB\n");
    }

    SysfsTree file(String path, String content) {
        return file(path, content.getBytes(StandardCharsets.UTF_8));
    }

    SysfsTree file(String path, byte[] content) {
        try {
            Path file = root.resolve(path);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A symlink at {@code path} with the relative {@code target}, as the kernel writes them. */
    SysfsTree link(String path, String target) {
        try {
            Path link = root.resolve(path);
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(target));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A block device: its directory at {@code devicePath/block/NAME} (under sys/devices) with size
     * and queue attributes, and the sys/block link; {@code device} names the directory
     * {@code device} points to, relative to the block directory.
     */
    SysfsTree disk(String name, String devicePath, long sectors, String device) {
        String dir = "sys/devices/" + devicePath + "/block/" + name;
        file(dir + "/size", sectors + "\n");
        file(dir + "/queue/rotational", "0\n");
        file(dir + "/queue/logical_block_size", "512\n");
        file(dir + "/queue/physical_block_size", "4096\n");
        if (device != null) {
            link(dir + "/device", device);
        }
        return link("sys/block/" + name, "../devices/" + devicePath + "/block/" + name);
    }

    /** A network interface under {@code devicePath/net/NAME}, and its sys/class/net link. */
    SysfsTree nic(String name, String devicePath, String type, String address) {
        String dir = "sys/devices/" + devicePath + "/net/" + name;
        file(dir + "/type", type + "\n");
        file(dir + "/address", address + "\n");
        return link("sys/class/net/" + name, "../../devices/" + devicePath + "/net/" + name);
    }

    InventoryCollector collector() {
        return new InventoryCollector(root, HostFacts.fixed(java.util.Map.of(), "x86_64"));
    }
}
