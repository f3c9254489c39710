package io.metalboot.agent.configdrive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metalboot.agent.deploy.TargetDevice;
import io.metalboot.agent.deploy.table.PartitionTable;
import io.metalboot.agent.deploy.table.PartitionTableCodec;
import io.metalboot.image.testing.Commands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config drive's partition on plain files made by sfdisk, as a deploy leaves a disk: a 1 GiB
 * cloud image (BIOS boot, ESP, root) written to a 3 GiB disk, its backup GPT at 1 GiB. Checked with
 * sgdisk -v, sfdisk --json, blkid -p at the partition's offset, fsck.fat -n and mtype.
 */
class ConfigDrivePartitionTest {
    private static final long MIB = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLOUD_IMAGE = "label: gpt\n"
            + "size=1MiB, type=21686148-6449-6E6F-744E-656564454649, name=bios\n"
            + "size=100MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=esp\n"
            + "type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\n";

    @TempDir
    static Path dir;

    @BeforeAll
    static void tools() {
        ReferenceTools.require("sfdisk", "fdisk", "sgdisk", "gdisk", "blkid", "util-linux", "mtype", "mtools",
                "fsck.fat", "dosfstools");
    }

    @Test
    void gptImageOnALargerDisk() throws Exception {
        Path disk = disk("gpt.img", 1024 * MIB, CLOUD_IMAGE);
        JsonNode before = table(disk);
        resize(disk, 3072 * MIB);
        assertTrue(Commands.run(dir, "sh", "-c", "sgdisk -v " + disk + " || true").contains("doesn't reside"),
                "the case IPA fixes with sgdisk -e");
        ConfigDrive drive = ConfigDriveImageTest.openstack();
        byte[] image = ConfigDriveImage.vfat(drive, ConfigDriveLayout.CONFIG_2);

        ConfigDrivePartition.Placement placement = add(disk, image);

        assertTrue(placement.backupGptMoved());
        String verify = Commands.run(dir, "sgdisk", "-v", disk.toString());
        assertTrue(verify.contains("No problems found"), verify);
        JsonNode after = table(disk);
        long lastLba = 3072 * MIB / 512 - 1;
        assertEquals(lastLba - 33, after.get("lastlba").asLong(), "last usable LBA extended to the end");
        assertEquals(before.get("id"), after.get("id"));
        List<JsonNode> partitions = new ArrayList<>();
        after.get("partitions").forEach(partitions::add);
        assertEquals(4, partitions.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(before.get("partitions").get(i), partitions.get(i), "partition " + (i + 1) + " unchanged");
        }
        JsonNode cd = partitions.get(3);
        long start = cd.get("start").asLong();
        long sectors = cd.get("size").asLong();
        assertEquals("config-2", cd.get("name").asText());
        assertEquals(ConfigDrivePartition.GPT_TYPE_LINUX_DATA, cd.get("type").asText());
        assertEquals(0, start % 2048, "MiB-aligned");
        assertEquals(image.length, sectors * 512);
        assertTrue(sectors * 512 <= ConfigDriveImage.MAX_BYTES);
        assertTrue(start + sectors - 1 <= lastLba - 33 && start + sectors + 2048 > lastLba - 33, "at the end");
        for (int i = 0; i < 3; i++) {
            assertNotEquals(partitions.get(i).get("uuid"), cd.get("uuid"));
        }
        assertEquals(placement.partition().startBytes(), start * 512);
        try (TargetDevice device = TargetDevice.open(disk)) {
            assertEquals(List.of(1L, lastLba), PartitionTableCodec.gptHeaders(ConfigDrivePartition.of(device),
                    device.size(), 512), "both headers valid, the backup at the last LBA");
        }
        assertArrayEquals(new byte[512], ReferenceTools.bytes(disk, 1024 * MIB - 512, 512), "the old backup header zeroed");
        assertFilesystem(disk, start * 512, image.length, "config-2", drive);
    }

    @Test
    void noRoomAtTheEndLeavesTheDiskAsItWas() throws Exception {
        Path disk = disk("full.img", 64 * MIB, "label: gpt\nsize=62MiB\n");
        byte[] before = Files.readAllBytes(disk);
        IOException e = assertThrows(IOException.class,
                () -> add(disk, ConfigDriveImage.vfat(ConfigDriveImageTest.openstack(), "config-2")));
        assertEquals("no room for the config drive: 1031680 bytes free at the end of " + disk + ", 1048576 needed",
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(disk));
    }

    /** A disk the image filled to its size: the backup is where it belongs and stays; cidata's label and names. */
    @Test
    void cidataOnAGptDiskWhoseBackupIsAtTheEnd() throws Exception {
        Path disk = disk("cidata.img", 256 * MIB, "label: gpt\nsize=200MiB\n");
        ConfigDrive drive = ConfigDriveLayout.noCloud("instance-id: worker-0\n".getBytes(StandardCharsets.UTF_8),
                ConfigDriveImageTest.USER_DATA, Optional.of("version: 2\n".getBytes(StandardCharsets.UTF_8)));
        byte[] image = ConfigDriveImage.vfat(drive, ConfigDriveLayout.CIDATA);
        ConfigDrivePartition.Placement placement = add(disk, image);
        assertFalse(placement.backupGptMoved());
        assertTrue(Commands.run(dir, "sgdisk", "-v", disk.toString()).contains("No problems found"));
        assertEquals(2, placement.partition().number());
        assertFilesystem(disk, placement.partition().startBytes(), image.length, "cidata", drive);
    }

    @Test
    void mbrDiskGetsAPrimaryPartitionAtTheEnd() throws Exception {
        Path disk = disk("dos.img", 1024 * MIB, "label: dos\nsize=512MiB, type=83, bootable\ntype=83\n");
        JsonNode before = table(disk);
        resize(disk, 3072 * MIB);
        ConfigDrive drive = ConfigDriveImageTest.openstack();
        byte[] image = ConfigDriveImage.vfat(drive, "config-2");

        ConfigDrivePartition.Placement placement = add(disk, image);

        assertEquals(PartitionTable.Kind.DOS, placement.kind());
        Commands.run(dir, "sfdisk", "--verify", disk.toString());
        JsonNode after = table(disk);
        assertEquals(before.get("id"), after.get("id"));
        assertEquals(3, after.get("partitions").size());
        for (int i = 0; i < 2; i++) {
            assertEquals(before.get("partitions").get(i), after.get("partitions").get(i));
        }
        JsonNode cd = after.get("partitions").get(2);
        assertEquals("c", cd.get("type").asText());
        long start = cd.get("start").asLong();
        long sectors = cd.get("size").asLong();
        assertEquals(0, start % 2048);
        assertEquals(image.length, sectors * 512);
        assertEquals(3072 * MIB / 512, start + sectors, "ends at the disk's end");
        assertFilesystem(disk, start * 512, image.length, "config-2", drive);
    }

    /** An MBR addresses 2^32 sectors (2 TiB): on a larger disk the partition ends there, as IPA puts it. */
    @Test
    void mbrPartitionEndsWithinTwoTebibytes() throws Exception {
        Path disk = disk("dos3t.img", 3L << 40, "label: dos\nsize=1GiB, type=83\n");
        ConfigDrive drive = ConfigDriveImageTest.openstack();
        byte[] image = ConfigDriveImage.vfat(drive, "config-2");
        add(disk, image);
        JsonNode cd = table(disk).get("partitions").get(1);
        assertEquals(1L << 32, cd.get("start").asLong() + cd.get("size").asLong());
        assertFilesystem(disk, cd.get("start").asLong() * 512, image.length, "config-2", drive);
        Files.delete(disk);
    }

    @Test
    void fourKibSectorsAreRefused() {
        PartitionTableCodec.WritableDiskBytes untouchable = new PartitionTableCodec.WritableDiskBytes() {
            @Override
            public byte[] read(long offset, int length) {
                throw new AssertionError("read at " + offset);
            }

            @Override
            public void write(long offset, byte[] bytes) {
                throw new AssertionError("write at " + offset);
            }
        };
        IOException e = assertThrows(IOException.class, () -> ConfigDrivePartition.add(untouchable, "/dev/nvme0n1",
                1L << 40, 4096, new byte[1 << 20]));
        assertEquals("/dev/nvme0n1 has 4096-byte logical sectors; the config drive's FAT has 512-byte sectors,"
                + " which Linux cannot mount there", e.getMessage());
    }

    @Test
    void mbrWithFourPrimariesIsRefused() throws Exception {
        Path disk = disk("four.img", 64 * MIB, "label: dos\nsize=8MiB\nsize=8MiB\nsize=8MiB\nsize=8MiB\n");
        byte[] before = Files.readAllBytes(disk);
        IOException e = assertThrows(IOException.class, () -> add(disk, ConfigDriveImage.vfat(ConfigDriveImageTest.openstack(), "config-2")));
        assertEquals("no room for the config drive: all 4 primary partitions of " + disk + " are in use", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(disk));
    }

    private static void assertFilesystem(Path disk, long offset, long length, String label, ConfigDrive drive)
            throws Exception {
        Map<String, String> tags = ReferenceTools.blkid(disk, offset);
        assertEquals(label, tags.get("LABEL"), tags.toString());
        assertEquals("vfat", tags.get("TYPE"));
        ReferenceTools.fsckFat(disk, offset, length);
        for (Map.Entry<String, byte[]> f : drive.files().entrySet()) {
            assertArrayEquals(f.getValue(), ReferenceTools.mtype(disk, offset, f.getKey()), f.getKey());
        }
    }

    private static ConfigDrivePartition.Placement add(Path disk, byte[] image) throws IOException {
        try (TargetDevice device = TargetDevice.open(disk)) {
            return ConfigDrivePartition.add(ConfigDrivePartition.of(device), disk.toString(), device.size(),
                    device.sectorSize(), image);
        }
    }

    private static Path disk(String name, long size, String sfdiskScript) throws Exception {
        Path disk = dir.resolve(name);
        resize(disk, size);
        Path script = Files.writeString(dir.resolve(name + ".sfdisk"), sfdiskScript);
        Commands.shell(dir, "sfdisk -q " + disk + " < " + script);
        return disk;
    }

    private static void resize(Path file, long size) throws IOException {
        try (var f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    private static JsonNode table(Path disk) throws Exception {
        // stderr apart: sfdisk warns there about a dos label on a disk over 2 TiB
        return JSON.readTree(Commands.shell(dir, "sfdisk --json " + disk + " 2>/dev/null")).get("partitiontable");
    }
}
