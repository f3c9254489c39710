package io.metalboot.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.cloudconfig.CloudConfigException;
import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.RequiredTools;
import io.metalboot.machine.agent.BootstrapDelivery;
import io.metalboot.machine.agent.DeployedDisk;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * First-boot mode's files in a written OS: the compiled cloud-config (root only: it holds the
 * join token), the one-shot unit enabled for multi-user.target, the reporter and the node's
 * credential (0600); an OS that runs cloud-init, ignition data and an unsupported key are refused
 * by name. Then the same on a real ext4 filesystem, mounted by the agent and unmounted again.
 */
class BootstrapPlacementTest {
    static final String CREDENTIAL = "node-credential-for-this-test-only";
    static final String REPORT_URL = "http://127.0.0.1:8080/node/v1/report/52:54:00:12:34:56";

    @TempDir
    Path dir;

    static byte[] vector(String name) throws IOException {
        try (InputStream in = BootstrapPlacementTest.class.getResourceAsStream("/vectors/cabpk/" + name)) {
            return in.readAllBytes();
        }
    }

    static BootstrapDelivery delivery(String format, byte[] userData) {
        return new BootstrapDelivery(format, Base64.getEncoder().encodeToString(userData),
                Map.of("uuid", "6f3c1f5e-6c1e-4bb0-9b5e-0d6b3f2a1c01", "name", "worker-0", "local-hostname", "worker-0",
                        "local_hostname", "worker-0", "metal3-name", "worker-0", "metal3-namespace", "metal3"),
                "{\"links\": [], \"networks\": [], \"services\": []}", "Secret metal3/worker-0-user-data", CREDENTIAL,
                REPORT_URL, null);
    }

    @Test
    void firstBootModePlacesTheScriptTheUnitAndTheReporterWithTheirModes() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        assertEquals(BootstrapPlacement.Mode.FIRST_BOOT,
                BootstrapPlacement.place(root, delivery("cloud-config", vector("worker-join-metal3.cloud-config"))));

        String script = Files.readString(root.resolve(NodeFiles.SCRIPT));
        assertTrue(script.startsWith("#!/bin/sh"), script);
        assertFalse(script.contains("{{"), "rendered: no template left");
        assertEquals("rwx------", mode(root, NodeFiles.SCRIPT), "it holds the join token: root only");
        assertEquals(CREDENTIAL + "\n", Files.readString(root.resolve(NodeFiles.CREDENTIAL)));
        assertEquals("rw-------", mode(root, NodeFiles.CREDENTIAL));
        assertTrue(Files.readString(root.resolve(NodeFiles.REPORT_CONF)).contains("REPORT_URL='" + REPORT_URL + "'"));
        assertFalse(Files.readString(root.resolve(NodeFiles.REPORT_CONF)).contains(CREDENTIAL));
        assertEquals("rwxr-xr-x", mode(root, NodeFiles.REPORTER));
        assertEquals("rwxr-xr-x", mode(root, NodeFiles.FIRST_BOOT));
        assertEquals("rw-r--r--", mode(root, NodeFiles.UNIT));
        assertTrue(Files.readString(root.resolve(NodeFiles.UNIT)).contains("ExecStart=/usr/lib/metalboot/first-boot"));
        Path link = root.resolve(NodeFiles.UNIT_LINK);
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(Path.of("/" + NodeFiles.UNIT), Files.readSymbolicLink(link), "enabled as systemctl enable links it");
        try (var files = Files.walk(root)) {
            assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".metalboot-part")).toList());
        }

        // placed again (a deploy retried): replaced, not doubled
        BootstrapPlacement.place(root, delivery("cloud-config", vector("worker-join-minimal.cloud-config")));
        assertTrue(Files.readString(root.resolve(NodeFiles.SCRIPT)).contains("hello BootCommands!"));
    }

    @Test
    void anOsRunningCloudInitGetsTheReportUnitAndNoScriptAndOneWithItDisabledGetsFirstBootMode() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/cloud-init"), "#!/usr/bin/python3\n");
        assertEquals(BootstrapPlacement.Mode.CONFIG_DRIVE, BootstrapPlacement.place(root,
                delivery("cloud-config", vector("worker-join-metal3.cloud-config"))));
        assertEquals(CREDENTIAL + "\n", Files.readString(root.resolve(NodeFiles.CREDENTIAL)));
        assertEquals("rw-------", mode(root, NodeFiles.CREDENTIAL));
        assertEquals("rwxr-xr-x", mode(root, NodeFiles.CLOUD_INIT_REPORT));
        String unit = Files.readString(root.resolve(NodeFiles.REPORT_UNIT));
        assertTrue(unit.contains("After=cloud-final.service"), unit);
        assertEquals(Path.of("/" + NodeFiles.REPORT_UNIT), Files.readSymbolicLink(root.resolve(NodeFiles.REPORT_UNIT_LINK)));
        assertFalse(Files.exists(root.resolve(NodeFiles.SCRIPT)), "cloud-init runs the user data itself");
        assertFalse(Files.exists(root.resolve(NodeFiles.UNIT)));

        Path other = Files.createDirectories(dir.resolve("other"));
        Files.createDirectories(other.resolve("usr/bin"));
        Files.writeString(other.resolve("usr/bin/cloud-init"), "#!/usr/bin/python3\n");
        Files.createDirectories(other.resolve("etc/cloud"));
        Files.writeString(other.resolve("etc/cloud/cloud-init.disabled"), "");
        assertEquals(BootstrapPlacement.Mode.FIRST_BOOT, BootstrapPlacement.place(other,
                delivery("cloud-config", vector("worker-join-metal3.cloud-config"))));
        assertTrue(Files.exists(other.resolve(NodeFiles.SCRIPT)));
    }

    @Test
    void theConfigDriveGoesIntoAPartitionAtTheDisksEndWithTheDataAndNoCredential() throws Exception {
        for (String[] tool : new String[][] {{"sfdisk", "fdisk"}, {"mtype", "mtools"}}) {
            RequiredTools.require(RequiredTools.program(tool[0], tool[1]));
        }
        Path disk = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(1L << 30);
        }
        Commands.shell(dir, "printf 'label: gpt\\nsize=4MiB, type=21686148-6449-6E6F-744E-656564454649\\n"
                + "type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\\n' | sfdisk -q disk.img");
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(2L << 30); // the image was smaller than the disk it was written to
        }
        BootstrapDelivery delivery = delivery("cloud-config", vector("worker-join-metal3.cloud-config"));
        DeployedDisk written = new DeployedDisk(disk.toString(), null, "sha256:00", 1L << 30, "gpt", null, List.of(),
                disk + "2");
        DeployedDisk withDrive = BootstrapPlacement.withConfigDrive(written, BootstrapPlacement.driveImage(delivery),
                "config-2");
        assertEquals(1, withDrive.partitions().size(), withDrive.toString());
        var drive = withDrive.partitions().getFirst();
        assertEquals(3, drive.number());
        assertTrue(drive.startBytes() + drive.sizeBytes() <= 2L << 30 && drive.startBytes() >= 1L << 30, drive.toString());
        assertTrue(drive.sizeBytes() <= 64L << 20, drive.toString());
        String sfdisk = Commands.run(dir, "sfdisk", "--dump", disk.toString());
        assertTrue(sfdisk.contains("name=\"config-2\""), sfdisk);
        String at = disk + "@@" + drive.startBytes();
        String metaData = Commands.run(dir, "mtype", "-i", at, "::openstack/latest/meta_data.json");
        assertEquals("worker-0", new com.fasterxml.jackson.databind.ObjectMapper().readTree(metaData).get("metal3-name")
                .asText());
        assertFalse(metaData.contains(CREDENTIAL), "cloud-init publishes meta_data to every user");
        assertEquals(new String(vector("worker-join-metal3.cloud-config"), java.nio.charset.StandardCharsets.UTF_8),
                Commands.run(dir, "mtype", "-i", at, "::openstack/2012-08-10/user_data"), "the user data unchanged");
        assertTrue(Commands.run(dir, "mtype", "-i", at, "::openstack/latest/network_data.json").contains("links"));
    }

    @Test
    void ignitionAndUnsupportedKeysAreRefusedByNameAndNothingIsPlaced() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        IOException ignition = assertThrows(IOException.class, () -> BootstrapPlacement.place(root,
                delivery("ignition", "{\"ignition\": {\"version\": \"3.4.0\"}}".getBytes(StandardCharsets.UTF_8))));
        assertTrue(ignition.getMessage().contains("ignition"), ignition.getMessage());
        CloudConfigException unsupported = assertThrows(CloudConfigException.class, () -> BootstrapPlacement.place(root,
                delivery("cloud-config", "#cloud-config\ndisk_setup: {}\nruncmd: [ls]\n".getBytes(StandardCharsets.UTF_8))));
        assertTrue(unsupported.getMessage().contains("disk_setup"), unsupported.getMessage());
        try (var files = Files.list(root)) {
            assertEquals(List.of(), files.toList(), "nothing placed for a refused bootstrap");
        }
    }

    @Test
    void theWrittenRootIsMountedFilledAndUnmounted() throws Exception {
        RequiredTools.require("root".equals(System.getProperty("user.name")) ? Optional.empty()
                : Optional.of("mounting a loop device needs root"));
        RequiredTools.require(RequiredTools.program("mke2fs", "e2fsprogs"));
        RequiredTools.require(RequiredTools.program("losetup", "mount"));
        Path image = dir.resolve("root.ext4");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(64L << 20);
        }
        Commands.run(dir, "mke2fs", "-q", "-t", "ext4", "-F", image.toString());
        String loop = Commands.run(dir, "losetup", "--find", "--show", image.toString()).strip();
        try {
            DeployedDisk disk = new DeployedDisk("/dev/vda", null, "sha256:00", 64L << 20, "gpt", null, List.of(), loop);
            Path mounts = dir.resolve("mnt");
            new BootstrapPlacement(mounts, WrittenRoot.FilesystemDriver.BUILT_IN).place(disk,
                    delivery("cloud-config", vector("worker-join-metal3.cloud-config")));
            assertFalse(Files.readString(Path.of("/proc/mounts")).contains(mounts.toString()), "unmounted again");
            try (var left = Files.list(mounts)) {
                assertEquals(List.of(), left.toList(), "its mount point removed");
            }
            // what landed on the filesystem, read back through a mount of the test's own
            Path check = Files.createDirectories(dir.resolve("check"));
            Commands.run(dir, "mount", "-o", "ro", loop, check.toString());
            try {
                assertEquals(CREDENTIAL + "\n", Files.readString(check.resolve(NodeFiles.CREDENTIAL)));
                assertEquals("rw-------", mode(check, NodeFiles.CREDENTIAL));
                assertEquals("rwx------", mode(check, NodeFiles.SCRIPT));
                assertTrue(Files.isSymbolicLink(check.resolve(NodeFiles.UNIT_LINK)));
                assertEquals(0, (int) Files.getAttribute(check.resolve(NodeFiles.CREDENTIAL), "unix:uid"));
            } finally {
                Commands.run(dir, "umount", check.toString());
            }
        } finally {
            Commands.run(dir, "losetup", "-d", loop);
        }
    }

    @Test
    void aFilesystemThatIsNeitherExtNorXfsIsRefusedByName() throws Exception {
        Path junk = dir.resolve("junk");
        Files.write(junk, new byte[4096]);
        IOException refused = assertThrows(IOException.class, () -> WrittenRoot.filesystemType(junk));
        assertTrue(refused.getMessage().contains("neither an ext2/3/4 nor an XFS"), refused.getMessage());
    }

    private static String mode(Path root, String relative) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(relative), LinkOption.NOFOLLOW_LINKS));
    }
}
