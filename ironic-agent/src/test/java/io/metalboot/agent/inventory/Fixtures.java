package io.metalboot.agent.inventory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The QEMU captures under {@code src/test/fixtures} (see the README there): each has {@code root/},
 * the files the collector reads at the paths it reads them, and {@code reference/}, what lsblk,
 * lscpu, udevadm and dmidecode said in the same VM.
 */
public final class Fixtures {
    public static final String BIOS = "qemu-bios";
    public static final String UEFI = "qemu-uefi";

    private Fixtures() {
    }

    public static Path directory() {
        String configured = System.getProperty("metalboot.fixtures");
        Path directory = Path.of(configured != null ? configured : "src/test/fixtures");
        if (!Files.isDirectory(directory.resolve(BIOS))) {
            throw new IllegalStateException("no fixtures at " + directory.toAbsolutePath()
                    + " (surefire sets metalboot.fixtures; from an IDE run in ironic-agent/)");
        }
        return directory;
    }

    public static Path root(String fixture) {
        return directory().resolve(fixture).resolve("root");
    }

    public static Path reference(String fixture, String file) {
        return directory().resolve(fixture).resolve("reference").resolve(file);
    }

    public static String referenceText(String fixture, String file) {
        try {
            return Files.readString(reference(fixture, file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(String fixture, String pathUnderRoot) {
        try {
            return Files.readAllBytes(root(fixture).resolve(pathUnderRoot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
