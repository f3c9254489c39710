package io.metalboot.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * An image of the appliance's catalog ({@code images.catalog}) that a lab machine is deployed
 * with: a test disk ({@link BootMedia}) in a format the agent must unpack, made in the scenario's
 * work directory from the raw template, its checksum computed here.
 *
 * @param name   the catalog name a deploy request gives
 * @param file   the file the appliance serves
 * @param format the catalog's {@code format}: qcow2, zstd
 * @param sha256 of {@code file} as served, lowercase hex
 * @param raw    the raw disk it unpacks to: what the written disk must start with
 */
record DeployImage(String name, Path file, String format, String sha256, Path raw) {
    private static final Duration CONVERT = Duration.ofMinutes(1);

    /** {@code qemu-img convert -f raw -O qcow2 RAW DIR/NAME.qcow2}. */
    static DeployImage qcow2(String name, Path raw, Path dir) {
        Path file = dir.resolve(name + ".qcow2");
        make(List.of(Tool.QEMU_IMG.path(), "convert", "-f", "raw", "-O", "qcow2", raw.toString(), file.toString()), file);
        return new DeployImage(name, file, "qcow2", sha256(file), raw);
    }

    /** {@code zstd -q -c RAW > DIR/NAME.zst}. */
    static DeployImage zstd(String name, Path raw, Path dir) {
        Path file = dir.resolve(name + ".zst");
        make(List.of("sh", "-c", "exec \"$0\" -q -c \"$1\" > \"$2\"", Tool.ZSTD.path(), raw.toString(), file.toString()), file);
        return new DeployImage(name, file, "zstd", sha256(file), raw);
    }

    /** Its {@code images.catalog} entry, flow style. */
    String catalogEntry() {
        return "{name: %s, path: \"%s\", format: %s, checksum: \"sha256:%s\"}".formatted(name, file.toAbsolutePath(),
                format, sha256);
    }

    private static void make(List<String> argv, Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new LabException("cannot create " + file.getParent(), e);
        }
        Command.run(CONVERT, argv);
        if (!Files.isRegularFile(file)) {
            throw new LabException(String.join(" ", argv) + " made no " + file);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new LabException("cannot read " + file, e);
        }
    }
}
