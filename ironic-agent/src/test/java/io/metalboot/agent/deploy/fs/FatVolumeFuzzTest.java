package io.metalboot.agent.deploy.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.agent.deploy.table.PartitionTableCodec.DiskBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import net.jqwik.api.statistics.Statistics;
import org.opentest4j.TestAbortedException;

/**
 * Mutation fuzzing from images mkfs.fat and mtools made (FAT12, FAT16, FAT32; a loader, a long
 * name, a directory of many clusters, a deleted file): with bytes of the boot sector, the FATs,
 * the directories (every byte near a non-zero one) set or flipped, and the device cut short, a
 * lookup answers a size or none, throws nothing, and reads a bounded amount.
 */
@AddLifecycleHook(FatVolumeFuzzTest.Tools.class)
class FatVolumeFuzzTest {
    private static final String LOADER = "EFI/BOOT/BOOTX64.EFI";
    private static final String LONG = "Long Directory Name/Boot Manager.efi";
    /** Reads of one lookup: far above what these images need, far below a loop's. */
    private static final int MAX_READS = 50_000;
    private static final long MAX_BYTES_READ = 64 * FatImages.MIB;

    private static final List<Seed> SEEDS = new ArrayList<>();

    /** mkfs.fat, mtools or sfdisk missing: skipped with the reason (under CI=true, RequiredTools fails instead). */
    public static final class Tools implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            try {
                FatImages.requireTools();
                return SkipResult.doNotSkip();
            } catch (TestAbortedException e) {
                return SkipResult.skip(e.getMessage());
            }
        }
    }

    /** An image and the positions worth editing in it. */
    record Seed(String name, byte[] bytes, int[] positions) {
    }

    @BeforeContainer
    static void images() throws Exception {
        Path dir = Files.createTempDirectory("fat-fuzz");
        try {
            FatImages.loader(dir, "loader.efi", 700); // two clusters
            Path many = Files.createDirectories(dir.resolve("many"));
            for (int i = 0; i < 30; i++) {
                Files.writeString(many.resolve("a file with a long name " + i + ".txt"), "x");
            }
            for (int bits : new int[] {12, 16, 32}) {
                String name = "fuzz" + bits + ".img";
                Path image = FatImages.make(dir, name, bits, bits == 12 ? 2 : bits == 16 ? 16 : 40, String.join(" && ",
                        "mmd -i $IMG ::EFI ::EFI/BOOT '::Long Directory Name'",
                        "mcopy -i $IMG many/* ::EFI/BOOT/", // EFI/BOOT: 30 * 3 entries, 6 clusters
                        "mcopy -i $IMG loader.efi ::EFI/BOOT/grubx64.efi",
                        "mdel -i $IMG ::EFI/BOOT/grubx64.efi",
                        "mcopy -i $IMG loader.efi ::EFI/BOOT/BOOTX64.EFI",
                        "mcopy -i $IMG loader.efi '::" + LONG + "'"));
                byte[] bytes = Files.readAllBytes(image);
                assertEquals(Optional.of(700L), FatVolume.regularFileSize(FatImages.disk(bytes, bytes.length), 0,
                        bytes.length, LOADER), "the seed " + name);
                SEEDS.add(new Seed(name, bytes, positions(bytes)));
            }
        } finally {
            FatImages.shell(dir, "rm -rf '" + dir + "'");
        }
    }

    /** Every byte within 16 of a non-zero one: the boot sectors, the FATs' used entries, the directories, the files. */
    private static int[] positions(byte[] bytes) {
        TreeSet<Integer> near = new TreeSet<>();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                for (int j = Math.max(0, i - 16); j <= Math.min(bytes.length - 1, i + 16); j++) {
                    near.add(j);
                }
            }
        }
        return near.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One edit: byte {@code position} (an index into the seed's positions) set to {@code value}, or bit {@code value & 7} flipped. */
    record Edit(int position, boolean flip, int value) {
    }

    /** A seed's bytes with edits over them, the device {@code length} bytes long; it counts what is read. */
    static final class EditedDisk implements DiskBytes {
        private final byte[] base;
        private final TreeMap<Integer, Byte> edits;
        private final int length;
        int reads;
        long bytesRead;

        EditedDisk(byte[] base, TreeMap<Integer, Byte> edits, int length) {
            this.base = base;
            this.edits = edits;
            this.length = length;
        }

        @Override
        public byte[] read(long offset, int n) {
            reads++;
            bytesRead += n;
            if (offset >= length) {
                return new byte[0];
            }
            int end = (int) Math.min(length, offset + n);
            byte[] out = java.util.Arrays.copyOfRange(base, (int) offset, end);
            for (Map.Entry<Integer, Byte> e : edits.subMap((int) offset, end).entrySet()) {
                out[e.getKey() - (int) offset] = e.getValue();
            }
            return out;
        }
    }

    @Property(tries = 3000)
    void anEditedImageAnswersASizeOrNoneAndReadsABoundedAmount(@ForAll("seed") int seedIndex,
            @ForAll("edits") List<Edit> edits, @ForAll("cut") int cutPerMille) {
        Seed seed = SEEDS.get(seedIndex);
        TreeMap<Integer, Byte> changed = new TreeMap<>();
        for (Edit e : edits) {
            int at = seed.positions()[e.position() % seed.positions().length];
            byte now = changed.getOrDefault(at, seed.bytes()[at]);
            changed.put(at, e.flip() ? (byte) (now ^ (1 << (e.value() & 7))) : (byte) e.value());
        }
        int length = cutPerMille >= 1000 ? seed.bytes().length : (int) ((long) seed.bytes().length * cutPerMille / 1000);
        EditedDisk disk = new EditedDisk(seed.bytes(), changed, length);
        String[] paths = {LOADER, LONG, "EFI/BOOT/a file with a long name 29.txt"};
        List<Optional<Long>> sizes = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            List<Optional<Long>> answers = new ArrayList<>();
            for (String path : paths) {
                answers.add(FatVolume.regularFileSize(disk, 0, seed.bytes().length, path));
            }
            return answers;
        });
        for (int i = 0; i < paths.length; i++) {
            Statistics.label(paths[i]).collect(sizes.get(i).isPresent() ? "found" : "none");
        }
        Statistics.label("reads").collect(disk.reads < 100 ? "< 100" : disk.reads < 1000 ? "< 1000" : ">= 1000");
        assertTrue(disk.reads <= MAX_READS, disk.reads + " reads");
        assertTrue(disk.bytesRead <= MAX_BYTES_READ, disk.bytesRead + " bytes read");
    }

    @Provide
    Arbitrary<Integer> seed() {
        return Arbitraries.integers().between(0, 2);
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        Arbitrary<Integer> values = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(0x00, 0xff, 0x0f, 0xe5, 0x10, 0x08, 0x01, 0x02, 0x03, 0x40, 0x80, 0xf8)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 255)));
        return Combinators.combine(Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.of(false, true), values)
                .as(Edit::new).list().ofMinSize(1).ofMaxSize(8);
    }

    /** The device's length in thousandths of the image: whole 9 times in 10. */
    @Provide
    Arbitrary<Integer> cut() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(9, Arbitraries.just(1000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 999)));
    }
}
