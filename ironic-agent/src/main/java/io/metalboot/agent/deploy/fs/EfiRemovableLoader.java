package io.metalboot.agent.deploy.fs;

import io.metalboot.agent.deploy.table.PartitionTable;
import io.metalboot.agent.deploy.table.PartitionTableCodec.DiskBytes;
import io.metalboot.machine.agent.DeployedDisk;
import io.metalboot.machine.agent.DeployedPartition;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The removable-media boot file on a disk's EFI System Partition, {@code \EFI\BOOT\BOOT<arch>.EFI}
 * (UEFI specification 3.5.1.1): the file firmware boots from a disk with no boot entry in NVRAM.
 * Found by reading the disk's bytes (see {@link FatVolume}), never by mounting. An ESP is a GPT
 * partition of type {@value #ESP_TYPE_GUID} or an MBR partition of type 0xEF; the first of them
 * that holds the file is the answer. What to do with the answer is the caller's.
 *
 * @param partitionNumber the ESP's 1-based number
 * @param path            the file's path within it, such as {@code EFI/BOOT/BOOTX64.EFI}
 * @param sizeBytes       the file's size
 */
public record EfiRemovableLoader(int partitionNumber, String path, long sizeBytes) {
    public static final String ESP_TYPE_GUID = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
    /** An MBR partition's type for an ESP, as {@link PartitionTable.Partition#type()} has it. */
    public static final String ESP_MBR_TYPE = "ef";

    /** Where one partition is, and its type. */
    private record Candidate(int number, String tableType, String type, long startBytes, long sizeBytes) {
    }

    /**
     * {@code EFI/BOOT/BOOT<arch>.EFI} for a JVM's {@code os.arch}: X64 for amd64 and x86_64, AA64
     * for aarch64, RISCV64 for riscv64, LOONGARCH64 for loongarch64 (the specification's names);
     * empty for an architecture it names no file for here.
     */
    public static Optional<String> path(String osArch) {
        String arch = switch (osArch == null ? "" : osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "X64";
            case "aarch64" -> "AA64";
            case "riscv64" -> "RISCV64";
            case "loongarch64" -> "LOONGARCH64";
            default -> null;
        };
        return arch == null ? Optional.empty() : Optional.of("EFI/BOOT/BOOT" + arch + ".EFI");
    }

    /** Whether a partition of a table of {@code tableType} ("gpt", "dos") with {@code type} is an ESP. */
    public static boolean isEsp(String tableType, String type) {
        if (type == null) {
            return false;
        }
        return "gpt".equals(tableType) ? ESP_TYPE_GUID.equalsIgnoreCase(type)
                : "dos".equals(tableType) && ESP_MBR_TYPE.equalsIgnoreCase(type);
    }

    /** The loader for this JVM's architecture on the written disk's ESP, if one holds it. */
    public static Optional<EfiRemovableLoader> find(DiskBytes disk, DeployedDisk written) throws IOException {
        return find(disk, written, System.getProperty("os.arch"));
    }

    /** The loader for {@code osArch} on the written disk's ESP, if one holds it. */
    public static Optional<EfiRemovableLoader> find(DiskBytes disk, DeployedDisk written, String osArch)
            throws IOException {
        List<Candidate> candidates = written.partitions().stream()
                .map((DeployedPartition p) -> new Candidate(p.number(), written.tableType(), p.typeGuid(),
                        p.startBytes(), p.sizeBytes()))
                .toList();
        return find(disk, candidates, osArch);
    }

    /** The loader for {@code osArch} on an ESP of {@code table}, if one holds it. */
    public static Optional<EfiRemovableLoader> find(DiskBytes disk, PartitionTable table, String osArch)
            throws IOException {
        List<Candidate> candidates = table.partitions().stream()
                .map(p -> new Candidate(p.number(), table.kind().label(), p.type(), p.startBytes(), p.sizeBytes()))
                .toList();
        return find(disk, candidates, osArch);
    }

    private static Optional<EfiRemovableLoader> find(DiskBytes disk, List<Candidate> candidates, String osArch)
            throws IOException {
        Optional<String> path = path(osArch);
        if (path.isEmpty()) {
            return Optional.empty();
        }
        for (Candidate c : candidates) {
            if (isEsp(c.tableType(), c.type())) {
                Optional<Long> size = FatVolume.regularFileSize(disk, c.startBytes(), c.sizeBytes(), path.get());
                if (size.isPresent()) {
                    return Optional.of(new EfiRemovableLoader(c.number(), path.get(), size.get()));
                }
            }
        }
        return Optional.empty();
    }
}
