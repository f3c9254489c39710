package io.metalboot.agent.deploy.fs;

import static io.metalboot.agent.deploy.fs.FatImages.MIB;
import static io.metalboot.agent.deploy.fs.FatImages.disk;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.metalboot.agent.deploy.table.PartitionTable;
import io.metalboot.agent.deploy.table.PartitionTableCodec;
import io.metalboot.agent.deploy.table.PartitionTableCodec.DiskBytes;
import io.metalboot.machine.agent.DeployedDisk;
import io.metalboot.machine.agent.DeployedPartition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EfiRemovableLoader} on whole-disk images: sfdisk's tables, mkfs.fat {@code --offset}
 * into the partitions, mtools' {@code -i image@@offset} to fill them; the table read by
 * {@link PartitionTableCodec}, as the deploy reads the written disk.
 */
class EfiRemovableLoaderTest {
    private static final String ESP = EfiRemovableLoader.ESP_TYPE_GUID;
    private static final String LINUX = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
    private static final String BASIC_DATA = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";

    @TempDir
    static Path dir;

    @BeforeAll
    static void tools() throws Exception {
        FatImages.requireTools();
        FatImages.loader(dir, "x64.efi", 3000);
        FatImages.loader(dir, "aa64.efi", 1234);
    }

    @Test
    void theArchitecturesFileNames() {
        assertEquals(Optional.of("EFI/BOOT/BOOTX64.EFI"), EfiRemovableLoader.path("amd64"));
        assertEquals(Optional.of("EFI/BOOT/BOOTX64.EFI"), EfiRemovableLoader.path("x86_64"));
        assertEquals(Optional.of("EFI/BOOT/BOOTAA64.EFI"), EfiRemovableLoader.path("aarch64"));
        assertEquals(Optional.of("EFI/BOOT/BOOTRISCV64.EFI"), EfiRemovableLoader.path("riscv64"));
        assertEquals(Optional.empty(), EfiRemovableLoader.path("ppc64le"));
        assertEquals(Optional.empty(), EfiRemovableLoader.path(null));
        assertEquals(true, EfiRemovableLoader.path(System.getProperty("os.arch")).isPresent(),
                "the build's own architecture has a name: " + System.getProperty("os.arch"));
    }

    /** mkfs.fat -F {@code bits} on the {@code mib} MiB at {@code startMib} of disk.raw, then the mtools script. */
    private static String fat(String image, int bits, long startMib, long mib, String mtools) {
        long offset = startMib * MIB;
        return "mkfs.fat -F " + bits + " -s 1 --offset " + offset / 512 + " " + image + " " + mib * 1024 + " >/dev/null"
                + " && " + mtools.replace("$P", image + "@@" + offset);
    }

    @Test
    void onAGptDiskTheLoaderIsOnTheFirstEspThatHoldsItAndOnlyOnAnEsp() throws Exception {
        // 1: ESP, FAT32, BOOTX64.EFI; 2: Linux; 3: basic data, FAT16, BOOTAA64.EFI; 4: ESP, FAT16, BOOTAA64.EFI
        FatImages.shell(dir, String.join(" && ",
                "rm -f gpt.raw && truncate -s 96M gpt.raw",
                "printf 'label: gpt\\nfirst-lba: 2048\\nstart=2048, size=40MiB, type=" + ESP + "\\nsize=8MiB, type=" + LINUX
                        + "\\nsize=16MiB, type=" + BASIC_DATA + "\\nsize=16MiB, type=" + ESP + "\\n' | sfdisk -q gpt.raw",
                fat("gpt.raw", 32, 1, 40, "mmd -i $P ::EFI ::EFI/BOOT && mcopy -i $P x64.efi ::EFI/BOOT/BOOTX64.EFI"),
                fat("gpt.raw", 16, 49, 16, "mmd -i $P ::EFI ::EFI/BOOT && mcopy -i $P aa64.efi ::EFI/BOOT/BOOTAA64.EFI"),
                fat("gpt.raw", 16, 65, 16, "mmd -i $P ::efi ::efi/boot && mcopy -i $P aa64.efi ::efi/boot/bootaa64.efi")));
        Path image = dir.resolve("gpt.raw");
        DiskBytes disk = disk(image);
        PartitionTable table = PartitionTableCodec.read(disk, Files.size(image), 512);
        assertEquals(PartitionTable.Kind.GPT, table.kind());
        assertEquals(4, table.partitions().size());
        assertEquals(MIB, table.partitions().get(0).startBytes());

        assertEquals(Optional.of(new EfiRemovableLoader(1, "EFI/BOOT/BOOTX64.EFI", 3000)),
                EfiRemovableLoader.find(disk, table, "amd64"));
        assertEquals(Optional.of(new EfiRemovableLoader(4, "EFI/BOOT/BOOTAA64.EFI", 1234)),
                EfiRemovableLoader.find(disk, table, "aarch64"), "partition 3 has one too, but is no ESP");
        assertEquals(Optional.empty(), EfiRemovableLoader.find(disk, table, "riscv64"));
        assertEquals(Optional.empty(), EfiRemovableLoader.find(disk, table, "s390x"));

        DeployedDisk written = deployed(table, image);
        assertEquals(Optional.of(new EfiRemovableLoader(1, "EFI/BOOT/BOOTX64.EFI", 3000)),
                EfiRemovableLoader.find(disk, written, "x86_64"));
        assertEquals(Optional.of(new EfiRemovableLoader(4, "EFI/BOOT/BOOTAA64.EFI", 1234)),
                EfiRemovableLoader.find(disk, written, "aarch64"));
        assertEquals(EfiRemovableLoader.find(disk, written, System.getProperty("os.arch")),
                EfiRemovableLoader.find(disk, written), "without an architecture: this JVM's os.arch");
    }

    @Test
    void onAnMbrDiskTheEspIsTypeEf() throws Exception {
        // 1: Linux (83); 2: EFI (ef), FAT16 with the loader; 3: FAT (0c) with the loader, no ESP
        FatImages.shell(dir, String.join(" && ",
                "rm -f mbr.raw && truncate -s 64M mbr.raw",
                "printf 'label: dos\\nstart=2048, size=8MiB, type=83\\nsize=16MiB, type=ef\\nsize=16MiB, type=c\\n'"
                        + " | sfdisk -q mbr.raw",
                fat("mbr.raw", 16, 9, 16, "mmd -i $P ::EFI ::EFI/BOOT && mcopy -i $P x64.efi ::EFI/BOOT/BOOTX64.EFI"),
                fat("mbr.raw", 16, 25, 16, "mmd -i $P ::EFI ::EFI/BOOT && mcopy -i $P aa64.efi ::EFI/BOOT/BOOTAA64.EFI")));
        Path image = dir.resolve("mbr.raw");
        DiskBytes disk = disk(image);
        PartitionTable table = PartitionTableCodec.read(disk, Files.size(image), 512);
        assertEquals(PartitionTable.Kind.DOS, table.kind());
        assertEquals(Optional.of(new EfiRemovableLoader(2, "EFI/BOOT/BOOTX64.EFI", 3000)),
                EfiRemovableLoader.find(disk, deployed(table, image), "amd64"));
        assertEquals(Optional.empty(), EfiRemovableLoader.find(disk, table, "aarch64"), "partition 3 is type 0c");
    }

    @Test
    void anEspWithoutTheLoaderOrWithoutAFilesystemHasNone() throws Exception {
        FatImages.shell(dir, String.join(" && ",
                "rm -f bare.raw && truncate -s 64M bare.raw",
                "printf 'label: gpt\\nfirst-lba: 2048\\nstart=2048, size=16MiB, type=" + ESP + "\\nsize=16MiB, type=" + ESP
                        + "\\n' | sfdisk -q bare.raw",
                fat("bare.raw", 16, 1, 16, "mmd -i $P ::EFI ::EFI/debian && mcopy -i $P x64.efi ::EFI/debian/grubx64.efi")));
        Path image = dir.resolve("bare.raw");
        DiskBytes disk = disk(image);
        PartitionTable table = PartitionTableCodec.read(disk, Files.size(image), 512);
        assertEquals(2, table.partitions().size());
        assertEquals(Optional.empty(), EfiRemovableLoader.find(disk, table, "amd64"),
                "1 has only EFI/debian/grubx64.efi (an NVRAM entry's loader), 2 only zeros");
        assertEquals(Optional.empty(), EfiRemovableLoader.find(disk, PartitionTable.none(), "amd64"));
    }

    /** The report the deploy makes of a written disk, for this table. */
    private static DeployedDisk deployed(PartitionTable table, Path image) throws Exception {
        return new DeployedDisk("/dev/vdc", null, "sha256:0", Files.size(image), table.kind().label(), table.diskId(),
                table.partitions().stream().map(p -> new DeployedPartition(p.number(), "/dev/vdc" + p.number(), false,
                        table.kind() == PartitionTable.Kind.GPT ? p.uuid() : null, p.type(), p.startBytes(),
                        p.sizeBytes())).toList(), null);
    }
}
