package io.metalboot.agent.deploy.fs;

import static io.metalboot.agent.deploy.fs.FatImages.disk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.image.testing.RequiredTools;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link FatVolume} on images mkfs.fat and mtools made: FAT12, FAT16 and FAT32 (one sector a
 * cluster, so directories span clusters), short and long names, and hand-made damage.
 */
class FatVolumeTest {
    private static final String LOADER = "EFI/BOOT/BOOTX64.EFI";

    @TempDir
    static Path dir;

    @BeforeAll
    static void tools() throws Exception {
        FatImages.requireTools();
        FatImages.loader(dir, "loader.efi", 3000);
    }

    private static Optional<Long> lookup(Path image, String path) throws Exception {
        return FatVolume.regularFileSize(disk(image), 0, Files.size(image), path);
    }

    private static int sizeMiB(int fatBits) {
        return switch (fatBits) {
            case 12 -> 2; // about 4040 clusters of 512 bytes: below 4085
            case 16 -> 16; // about 32600
            default -> 40; // about 80600: above 65525
        };
    }

    private static Path esp(String name, int fatBits) throws Exception {
        return FatImages.make(dir, name, fatBits, sizeMiB(fatBits),
                "mmd -i $IMG ::EFI ::EFI/BOOT && mcopy -i $IMG loader.efi ::EFI/BOOT/BOOTX64.EFI");
    }

    @ParameterizedTest
    @CsvSource({"12, FAT12", "16, FAT16", "32, FAT32"})
    void theLoaderIsFoundWithItsSizeOnEachFatAndTheCountOfClustersTellsWhichFat(int fatBits, FatVolume.Type type)
            throws Exception {
        Path image = esp("esp" + fatBits + ".img", fatBits);
        assertEquals(Optional.of(type), FatVolume.open(disk(image), 0, Files.size(image)).map(FatVolume::type));
        assertEquals(Optional.of(3000L), lookup(image, LOADER));
        assertEquals(Optional.of(3000L), lookup(image, "efi/boot/bootx64.efi"), "FAT names have no case");
        assertEquals(Optional.of(3000L), lookup(image, "\\EFI\\BOOT\\BOOTX64.EFI"), "the UEFI spelling");
        assertEquals(Optional.of(3000L), lookup(image, "/EFI//BOOT/BOOTX64.EFI"));
        assertEquals(Optional.empty(), lookup(image, "EFI/BOOT/BOOTAA64.EFI"), "absent");
        assertEquals(Optional.empty(), lookup(image, "EFI/BOOTX64.EFI"), "absent: not in EFI/ itself");
        assertEquals(Optional.empty(), lookup(image, "NOPE/BOOT/BOOTX64.EFI"), "absent directory");
        assertEquals(Optional.empty(), lookup(image, "EFI/BOOT"), "a directory is no regular file");
        assertEquals(Optional.empty(), lookup(image, "EFI"));
        assertEquals(Optional.empty(), lookup(image, "EFI/BOOT/BOOTX64.EFI/X"), "a file is no directory");
        assertEquals(Optional.empty(), lookup(image, "ESP"), "the volume label is no file");
        assertEquals(Optional.empty(), lookup(image, "EFI/./BOOT/BOOTX64.EFI"));
        assertEquals(Optional.empty(), lookup(image, ""));
        assertEquals(Optional.empty(), lookup(image, null));
    }

    @ParameterizedTest
    @CsvSource({"12", "16", "32"})
    void namesWrittenInLowerCaseAreFoundInUpperCase(int fatBits) throws Exception {
        Path image = FatImages.make(dir, "lower" + fatBits + ".img", fatBits, sizeMiB(fatBits),
                "mmd -i $IMG ::efi ::efi/boot && mcopy -i $IMG loader.efi ::efi/boot/bootx64.efi");
        assertEquals(Optional.of(3000L), lookup(image, LOADER));
    }

    @ParameterizedTest
    @CsvSource({"12", "16", "32"})
    void longNamesAreFoundByTheirLongNameAndTheirShortAlias(int fatBits) throws Exception {
        Path image = FatImages.make(dir, "long" + fatBits + ".img", fatBits, sizeMiB(fatBits), String.join(" && ",
                "mmd -i $IMG '::Long Directory Name' '::Long Directory Name/EFI' '::Long Directory Name/EFI/BOOT'",
                "mcopy -i $IMG loader.efi '::Long Directory Name/EFI/BOOT/BOOTX64.EFI'",
                "mcopy -i $IMG loader.efi '::Long Directory Name/Microsoft Boot Manager With A Name Of 40.efi'"));
        assertEquals(Optional.of(3000L), lookup(image, "Long Directory Name/EFI/BOOT/BOOTX64.EFI"));
        assertEquals(Optional.of(3000L), lookup(image, "LONG DIRECTORY NAME/efi/boot/BOOTX64.EFI"));
        assertEquals(Optional.of(3000L), lookup(image, "LONGDI~1/EFI/BOOT/BOOTX64.EFI"), "the 8.3 alias");
        assertEquals(Optional.of(3000L), lookup(image, "Long Directory Name/microsoft boot manager with a name of 40.EFI"),
                "four long-name entries");
        assertEquals(Optional.empty(), lookup(image, "Long Directory Name/Microsoft Boot Manager"), "no prefix match");
        assertEquals(Optional.empty(), lookup(image, "Long Directory/EFI/BOOT/BOOTX64.EFI"));
    }

    @Test
    void aLongNameWhoseChecksumIsNotTheShortEntrysIsIgnoredAndTheShortNameStillCounts() throws Exception {
        Path image = FatImages.make(dir, "checksum.img", 16, 16,
                "mmd -i $IMG '::Long Directory Name' && mcopy -i $IMG loader.efi '::Long Directory Name/Boot Manager.efi'");
        assertEquals(Optional.of(3000L), lookup(image, "Long Directory Name/Boot Manager.efi"));
        byte[] bytes = FatImages.bytes(image);
        // the name's long entries (attribute 0x0F) all carry the checksum at byte 13: one more in each
        int changed = 0;
        for (int at = 0; at + 32 <= bytes.length; at += 32) {
            if (bytes[at + 11] == 0x0f && (bytes[at] & 0x1f) <= 2 && (bytes[at] & 0xff) != 0xe5
                    && longNamePart(bytes, at).startsWith(changed == 0 ? "efi" : "Boot Manager.")) {
                bytes[at + 13]++;
                changed++;
            }
        }
        assertEquals(2, changed, "two long entries, the last part first: 'efi', then 'Boot Manager.'");
        Path damaged = Files.write(dir.resolve("checksum-damaged.img"), bytes);
        assertEquals(Optional.empty(), lookup(damaged, "Long Directory Name/Boot Manager.efi"));
        assertEquals(Optional.of(3000L), lookup(damaged, "Long Directory Name/BOOTMA~1.EFI"));
    }

    private static String longNamePart(byte[] b, int at) {
        ByteBuffer u = ByteBuffer.allocate(26);
        u.put(b, at + 1, 10).put(b, at + 14, 12).put(b, at + 28, 4);
        return new String(u.array(), StandardCharsets.UTF_16LE);
    }

    @ParameterizedTest
    @CsvSource({"12", "16", "32"})
    void theLoaderIsFoundAfterADirectoryOfManyClustersAndARootOfManySectors(int fatBits) throws Exception {
        // 150 files with long names: 4 entries each, 150 * 4 * 32 bytes = 37.5 clusters of 512 bytes
        Path many = Files.createDirectories(dir.resolve("many" + fatBits));
        for (int i = 0; i < 150; i++) {
            Files.writeString(many.resolve(String.format("file number %03d with a long name.txt", i)), "x");
        }
        Path image = FatImages.make(dir, "deep" + fatBits + ".img", fatBits, sizeMiB(fatBits), String.join(" && ",
                "mmd -i $IMG ::EFI ::EFI/BOOT ::ROOTFULL",
                "mcopy -i $IMG many" + fatBits + "/* ::EFI/BOOT/",
                "for i in $(seq 1 40); do mmd -i $IMG ::DIR$i; done", // the root: 41 entries, 3 sectors
                "mcopy -i $IMG loader.efi ::EFI/BOOT/BOOTX64.EFI",
                "mcopy -i $IMG loader.efi ::LAST.EFI"));
        String chain = FatImages.shell(dir, "mshowfat -i deep" + fatBits + ".img ::EFI/BOOT");
        assertTrue(chain.matches("(?s).*<\\d+-\\d+>.*"), "EFI/BOOT spans clusters: " + chain);
        assertEquals(Optional.of(3000L), lookup(image, LOADER));
        assertEquals(Optional.of(3000L), lookup(image, "LAST.EFI"));
        assertEquals(Optional.of(1L), lookup(image, "EFI/BOOT/file number 149 with a long name.txt"));
        assertEquals(Optional.empty(), lookup(image, "EFI/BOOT/file number 150 with a long name.txt"));
    }

    @ParameterizedTest
    @CsvSource({"12", "16", "32"})
    void aDeletedLoaderIsNotFound(int fatBits) throws Exception {
        Path image = FatImages.make(dir, "deleted" + fatBits + ".img", fatBits, sizeMiB(fatBits), String.join(" && ",
                "mmd -i $IMG ::EFI ::EFI/BOOT", "mcopy -i $IMG loader.efi ::EFI/BOOT/BOOTX64.EFI",
                "mcopy -i $IMG loader.efi ::EFI/BOOT/grubx64.efi", "mdel -i $IMG ::EFI/BOOT/BOOTX64.EFI"));
        assertEquals(Optional.empty(), lookup(image, LOADER));
        assertEquals(Optional.of(3000L), lookup(image, "EFI/BOOT/GRUBX64.EFI"), "the entry after it");
    }

    @Test
    void aDirectoryNamedLikeTheLoaderIsNoLoader() throws Exception {
        Path image = FatImages.make(dir, "dirloader.img", 16, 16, "mmd -i $IMG ::EFI ::EFI/BOOT ::EFI/BOOT/BOOTX64.EFI");
        assertEquals(Optional.empty(), lookup(image, LOADER));
    }

    @Test
    void anEmptyFileIsARegularFileOfNoBytes() throws Exception {
        Files.write(dir.resolve("empty.efi"), new byte[0]);
        Path image = FatImages.make(dir, "emptyfile.img", 16, 16,
                "mmd -i $IMG ::EFI ::EFI/BOOT && mcopy -i $IMG empty.efi ::EFI/BOOT/BOOTX64.EFI");
        assertEquals(Optional.of(0L), lookup(image, LOADER));
    }

    @Test
    void whatIsNoFatIsNoFile() throws Exception {
        byte[] zeros = new byte[1 << 20];
        assertEquals(Optional.empty(), FatVolume.open(disk(zeros, zeros.length), 0, zeros.length));
        RequiredTools.require(RequiredTools.program("mke2fs", "e2fsprogs"));
        Path ext = dir.resolve("ext.img");
        FatImages.shell(dir, "truncate -s 8M ext.img && mke2fs -q -t ext4 -F ext.img");
        assertEquals(Optional.empty(), lookup(ext, LOADER));
        assertEquals(Optional.empty(), FatVolume.regularFileSize(disk(zeros, 100), 0, 100, LOADER), "under a sector");
    }

    @ParameterizedTest
    @CsvSource({
        "11, 2, 0x0201", // bytes per sector 513
        "11, 2, 0x2000", // 8192
        "11, 2, 0x0100", // 256
        "13, 1, 0x00", // sectors per cluster 0
        "13, 1, 0x03", // 3: no power of two
        "14, 2, 0x0000", // no reserved sectors: the boot sector would be the FAT
        "16, 1, 0x00", // no FAT
        "17, 2, 0x0000", // FAT16 without root entries
        "22, 2, 0x0000", // FAT16 with FATSz16 0 and FATSz32 0
        "510, 1, 0x00", // no 0x55 0xAA
    })
    void aBootSectorOutOfTheSpecsRangesIsNoFat(int offset, int width, String value) throws Exception {
        Path image = esp("bpb.img", 16);
        poke(image, offset, width, Long.decode(value));
        assertEquals(Optional.empty(), FatVolume.open(disk(image), 0, Files.size(image)));
        assertEquals(Optional.empty(), lookup(image, LOADER));
    }

    @ParameterizedTest
    @CsvSource({"12", "16", "32"})
    void aTruncatedDeviceOrAPartitionSmallerThanTheFilesystemIsNoFile(int fatBits) throws Exception {
        Path image = esp("short" + fatBits + ".img", fatBits);
        byte[] bytes = FatImages.bytes(image);
        // each cut is before the end of the root directory (FAT12's is at 29 KiB, FAT32's FATs end past 600 KiB)
        for (int length : new int[] {0, 511, 512, 4096, 16 * 1024}) {
            // the table says the partition is whole, the device answers short
            assertEquals(Optional.empty(), FatVolume.regularFileSize(disk(bytes, length), 0, bytes.length, LOADER),
                    "device of " + length + " bytes");
            // the table says the partition is short
            assertEquals(Optional.empty(), FatVolume.regularFileSize(disk(bytes, bytes.length), 0, length, LOADER),
                    "partition of " + length + " bytes");
        }
        // cut after the metadata and the loader (the first file of the data area): all of it is there
        assertEquals(Optional.of(3000L), FatVolume.regularFileSize(disk(bytes, bytes.length / 2), 0, bytes.length, LOADER));
    }

    @ParameterizedTest
    @CsvSource({"16", "32"})
    void aDirectoryChainThatLoopsOrLeavesTheFatIsNoDirectory(int fatBits) throws Exception {
        Path many = Files.createDirectories(dir.resolve("loop" + fatBits));
        for (int i = 0; i < 60; i++) {
            Files.writeString(many.resolve(String.format("file number %03d with a long name.txt", i)), "x");
        }
        String name = "loop" + fatBits + ".img";
        Path image = FatImages.make(dir, name, fatBits, sizeMiB(fatBits), String.join(" && ",
                "mmd -i $IMG ::EFI ::EFI/BOOT", "mcopy -i $IMG loop" + fatBits + "/* ::EFI/BOOT/",
                "mcopy -i $IMG loader.efi ::EFI/BOOT/BOOTX64.EFI"));
        int boot = FatImages.firstCluster(dir, name, "EFI/BOOT");
        int file = FatImages.firstCluster(dir, name, "EFI/BOOT/BOOTX64.EFI");
        assertEquals(Optional.of(3000L), lookup(image, LOADER));
        int width = fatBits / 8;
        long fatOffset = (long) reservedSectors(image) * 512;
        long endOfChain = fatBits == 16 ? 0xffff : 0x0fffffff;
        long outside = fatBits == 16 ? 0xfff0 : 0x0ffffff0L; // neither a cluster nor an end of chain

        poke(image, fatOffset + (long) boot * width, width, boot);
        assertEquals(Optional.empty(), lookup(image, LOADER), "EFI/BOOT's chain loops on its first cluster");
        poke(image, fatOffset + (long) boot * width, width, outside);
        assertEquals(Optional.empty(), lookup(image, LOADER), "EFI/BOOT's chain leaves the data area");
        poke(image, fatOffset + (long) boot * width, width, endOfChain);
        assertEquals(Optional.empty(), lookup(image, LOADER), "EFI/BOOT ends early: the loader is past its first cluster");
        assertEquals(Optional.of(1L), lookup(image, "EFI/BOOT/file number 000 with a long name.txt"));

        Path intact = esp("filechain" + fatBits + ".img", fatBits);
        int loader = FatImages.firstCluster(dir, "filechain" + fatBits + ".img", LOADER);
        long intactFat = (long) reservedSectors(intact) * 512;
        poke(intact, intactFat + (long) loader * width, width, 0);
        assertEquals(Optional.empty(), lookup(intact, LOADER), "3000 bytes in one cluster of 512: a free cluster next");
        poke(intact, intactFat + (long) loader * width, width, loader);
        assertEquals(Optional.empty(), lookup(intact, LOADER), "the loader's chain loops");
        poke(intact, intactFat + (long) loader * width, width, loader + 1);
        assertEquals(Optional.of(3000L), lookup(intact, LOADER), "mended");
    }

    private static int reservedSectors(Path image) throws Exception {
        return ByteBuffer.wrap(FatImages.bytes(image), 14, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
    }

    /** Writes {@code value} little-endian in {@code width} bytes at {@code offset}. */
    static void poke(Path image, long offset, int width, long value) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.seek(offset);
            for (int i = 0; i < width; i++) {
                f.write((int) (value >> (8 * i)) & 0xff);
            }
        }
    }
}
