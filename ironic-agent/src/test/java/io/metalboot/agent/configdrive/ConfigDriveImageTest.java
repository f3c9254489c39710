package io.metalboot.agent.configdrive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.image.testing.Commands;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VFAT image on its own, read by mtools, blkid and fsck.fat; the layouts' file names. */
class ConfigDriveImageTest {
    static final byte[] META_DATA = "{\"uuid\": \"4a1f2c3e-0000-4000-8000-000000000001\", \"name\": \"worker-0\"}"
            .getBytes(StandardCharsets.UTF_8);
    static final byte[] NETWORK_DATA = "{\"links\": [{\"id\": \"eth0\", \"type\": \"phy\", \"ethernet_mac_address\": \"52:54:00:12:00:01\"}], \"networks\": [], \"services\": []}"
            .getBytes(StandardCharsets.UTF_8);
    static final byte[] USER_DATA = "#cloud-config\nhostname: worker-0\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;

    @BeforeAll
    static void tools() {
        ReferenceTools.require("mtype", "mtools", "mdir", "mtools", "fsck.fat", "dosfstools", "blkid", "util-linux");
    }

    static ConfigDrive openstack() {
        return ConfigDriveLayout.openstack(META_DATA, Optional.of(NETWORK_DATA), Optional.of(USER_DATA));
    }

    @Test
    void openstackLayoutIsIronics() {
        assertEquals(List.of("openstack/2012-08-10/meta_data.json", "openstack/2012-08-10/network_data.json",
                "openstack/2012-08-10/user_data", "openstack/latest/meta_data.json", "openstack/latest/network_data.json",
                "openstack/latest/user_data"), List.copyOf(openstack().files().keySet()));
        // absent or empty (Python's "if user_data:") is left out
        assertEquals(List.of("openstack/2012-08-10/meta_data.json", "openstack/latest/meta_data.json"),
                List.copyOf(ConfigDriveLayout.openstack(META_DATA, Optional.empty(), Optional.of(new byte[0])).files().keySet()));
    }

    @Test
    void openstackImageReadsBackWithMtoolsBlkidAndFsck() throws Exception {
        ConfigDrive drive = openstack();
        Path image = write("openstack.img", ConfigDriveImage.vfat(drive, ConfigDriveLayout.CONFIG_2));
        assertEquals(1 << 20, Files.size(image));
        for (Map.Entry<String, byte[]> f : drive.files().entrySet()) {
            assertArrayEquals(f.getValue(), ReferenceTools.mtype(image, 0, f.getKey()), f.getKey());
        }
        Map<String, String> tags = ReferenceTools.blkid(image, 0);
        assertEquals("config-2", tags.get("LABEL"), tags.toString());
        assertEquals("vfat", tags.get("TYPE"));
        assertEquals("FAT12", tags.get("VERSION"));
        String fsck = ReferenceTools.fsckFat(image, 0, Files.size(image));
        // fsck.fat counts every entry but "." and "..": the label, 3 directories, 6 files
        assertTrue(fsck.contains(": 10 files,"), fsck);
        String listing = Commands.run(dir, "mdir", "-i", image.toString(), "-a", "::openstack/latest");
        assertTrue(listing.contains("meta_data.json") && listing.contains("network_data.json") && listing.contains("user_data"),
                listing);
    }

    @Test
    void sameDriveSameBytesAndTheSerialFollowsTheContent() {
        byte[] a = ConfigDriveImage.vfat(openstack(), "config-2");
        assertArrayEquals(a, ConfigDriveImage.vfat(openstack(), "config-2"));
        byte[] other = ConfigDriveImage.vfat(ConfigDriveLayout.openstack(META_DATA, Optional.empty(), Optional.of(USER_DATA)),
                "config-2");
        assertTrue(!java.util.Arrays.equals(java.util.Arrays.copyOfRange(a, 39, 43), java.util.Arrays.copyOfRange(other, 39, 43)));
    }

    @Test
    void cidataHasItsNamesAtTheRoot() throws Exception {
        byte[] networkConfig = "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n".getBytes(StandardCharsets.UTF_8);
        ConfigDrive drive = ConfigDriveLayout.noCloud("instance-id: worker-0\n".getBytes(StandardCharsets.UTF_8),
                USER_DATA, Optional.of(networkConfig));
        assertEquals(List.of("meta-data", "network-config", "user-data"), List.copyOf(drive.files().keySet()));
        Path image = write("cidata.img", ConfigDriveImage.vfat(drive, ConfigDriveLayout.CIDATA));
        assertEquals("cidata", ReferenceTools.blkid(image, 0).get("LABEL"));
        assertArrayEquals(networkConfig, ReferenceTools.mtype(image, 0, "network-config"));
        assertArrayEquals(USER_DATA, ReferenceTools.mtype(image, 0, "user-data"));
        ReferenceTools.fsckFat(image, 0, Files.size(image));
        // an empty user-data is still a file: NoCloud requires it
        assertEquals(0, ConfigDriveLayout.noCloud(new byte[1], new byte[0], Optional.empty()).file("user-data").length);
    }

    @Test
    void noCloudRefusesOpenStackNetworkData() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigDriveLayout.noCloud(new byte[0], new byte[0], Optional.of(NETWORK_DATA)));
        assertTrue(e.getMessage().contains("network_data.json"), e.getMessage());
        // v1/v2 in JSON form is fine
        ConfigDriveLayout.noCloud(new byte[0], new byte[0], Optional.of("{\"version\": 1, \"config\": []}".getBytes(StandardCharsets.UTF_8)));
    }

    /** FAT16 and a cluster size above one sector; every name form: 8.3 upper-case, colliding aliases, long, empty file. */
    @Test
    void largeFilesAndAwkwardNames() throws Exception {
        Random random = new Random(42);
        byte[] large = new byte[40 << 20];
        random.nextBytes(large);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("openstack/latest/user_data", large);
        files.put("README.TXT", "upper 8.3".getBytes(StandardCharsets.UTF_8));
        files.put("AAAAAAAAA", new byte[] {1});
        files.put("AAAAAA~1", new byte[] {2});
        files.put("a name with spaces and a very long tail that needs three or more long entries.json", new byte[] {3});
        files.put("empty", new byte[0]);
        files.put("d/é-ü", "non-ASCII".getBytes(StandardCharsets.UTF_8));
        ConfigDrive drive = new ConfigDrive(files);
        Path image = write("large.img", ConfigDriveImage.vfat(drive, "CONFIG-2"));
        assertEquals(41L << 20, Files.size(image));
        Map<String, String> tags = ReferenceTools.blkid(image, 0);
        assertEquals("FAT16", tags.get("VERSION"));
        assertEquals("CONFIG-2", tags.get("LABEL"));
        for (Map.Entry<String, byte[]> f : drive.files().entrySet()) {
            assertArrayEquals(f.getValue(), ReferenceTools.mtype(image, 0, f.getKey()), f.getKey());
        }
        ReferenceTools.fsckFat(image, 0, Files.size(image));
    }

    @Test
    void theFewestMibThatHoldTheFilesUpTo64() throws Exception {
        for (int mib : new int[] {2, 3, 32, 33, 64}) {
            byte[] fill = new byte[((mib - 1) << 20) + 1]; // one byte more than the size below holds
            ConfigDrive drive = new ConfigDrive(Map.of("fill", fill, "openstack/latest/meta_data.json", META_DATA));
            byte[] bytes = ConfigDriveImage.vfat(drive, "config-2");
            assertEquals((long) mib << 20, bytes.length, mib + " MiB");
            Path image = write("fill.img", bytes);
            ReferenceTools.fsckFat(image, 0, bytes.length);
            assertArrayEquals(META_DATA, ReferenceTools.mtype(image, 0, "openstack/latest/meta_data.json"));
        }
    }

    @Test
    void refusals() {
        assertThrows(IllegalArgumentException.class,
                () -> ConfigDriveImage.vfat(new ConfigDrive(Map.of("big", new byte[64 << 20])), "config-2"));
        assertThrows(IllegalArgumentException.class, () -> ConfigDriveImage.vfat(openstack(), "config-drive-2"));
        assertThrows(IllegalArgumentException.class, () -> ConfigDriveImage.vfat(openstack(), "a.b"));
        for (String path : new String[] {"/abs", "a//b", "a/../b", "a/", "a:b", "x/."}) {
            assertThrows(IllegalArgumentException.class, () -> new ConfigDrive(Map.of(path, new byte[0])), path);
        }
        assertThrows(IllegalArgumentException.class, () -> new ConfigDrive(Map.of("a", new byte[0], "a/b", new byte[0])));
    }

    static Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }
}
