package io.metalboot.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.image.qcow2.Qcow2Header;
import io.metalboot.image.qcow2.Qcow2HeaderCodec;
import io.metalboot.image.testing.ByteArrayImageSource;
import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.RequiredTools;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 mutated qcow2 images per run: seeds made by qemu-img and qemu-io (v2, v3, 512 B
 * clusters, extended L2, zlib and zstd clusters), each edited in its header, L1 or L2 tables a
 * few times. Whatever the bytes say, the reader ends in a success or an {@link ImageException};
 * nothing else escapes (no runtime exception, no out-of-memory, no other I/O error).
 */
class Qcow2FuzzTest {
    private static final int INPUTS = Integer.getInteger("metalboot.fuzz.inputs", 100_000);

    @TempDir
    Path dir;

    /** A seed and the byte ranges worth mutating: the header's cluster part, the L1 table, the L2 tables. */
    record Seed(String name, byte[] bytes, List<int[]> metadata) {
    }

    @Test
    void nothingButATypedErrorEscapes() throws Exception {
        RequiredTools.require(RequiredTools.program("qemu-img", "qemu-utils"));
        RequiredTools.require(RequiredTools.program("qemu-io", "qemu-utils"));
        List<Seed> seeds = seeds();
        long seed = Long.getLong("metalboot.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        int refused = 0;
        int read = 0;
        long started = System.nanoTime();
        for (int i = 0; i < INPUTS; i++) {
            Seed s = seeds.get(random.nextInt(seeds.size()));
            byte[] input = mutate(s, random);
            try {
                ImageReader.read(new ByteArrayImageSource(input), Optional.empty(), Optional.empty(), ExtentSink.discarding());
                read++;
            } catch (ImageException expected) {
                refused++;
            } catch (Throwable e) {
                Path kept = dir.resolve("escaped.qcow2");
                Files.write(kept, input);
                throw new AssertionError("input " + i + " (seed " + seed + ", from " + s.name() + ", kept as " + kept
                        + ") escaped with " + e, e);
            }
        }
        System.out.printf("qcow2 fuzz: %d inputs in %.1f s (seed %d): %d read, %d refused with a typed error%n",
                INPUTS, (System.nanoTime() - started) / 1e9, seed, read, refused);
        assertTrue(refused > INPUTS / 10 && read > INPUTS / 100,
                "the mutations reach both outcomes (read " + read + ", refused " + refused + ")");
    }

    private List<Seed> seeds() throws Exception {
        String io = "qemu-io -f qcow2 -c 'write -P 0xab 0 3k' -c 'write -P 0xcd 40k 9k' -c 'write -z 20k 4k' ";
        Commands.shell(dir, String.join(" && ",
                "qemu-img create -q -f qcow2 -o compat=0.10,cluster_size=512 v2.qcow2 64k", io + "v2.qcow2",
                "qemu-img create -q -f qcow2 -o cluster_size=512 v3.qcow2 64k", io + "v3.qcow2",
                "qemu-img create -q -f qcow2 -o extended_l2=on,cluster_size=16k ext.qcow2 256k", io + "ext.qcow2",
                "qemu-img convert -c -O qcow2 -o cluster_size=4k v3.qcow2 zlib.qcow2",
                "qemu-img convert -c -O qcow2 -o cluster_size=4k,compression_type=zstd v3.qcow2 zstd.qcow2"));
        List<Seed> seeds = new ArrayList<>();
        for (String name : new String[] {"v2", "v3", "ext", "zlib", "zstd"}) {
            byte[] bytes = Files.readAllBytes(dir.resolve(name + ".qcow2"));
            ImageReader.read(new ByteArrayImageSource(bytes), Optional.empty(), Optional.empty(), ExtentSink.discarding());
            seeds.add(new Seed(name, bytes, metadata(bytes)));
        }
        return seeds;
    }

    private static List<int[]> metadata(byte[] bytes) throws Exception {
        Qcow2Header h = Qcow2HeaderCodec.decode(bytes, Math.min(bytes.length, 1 << 16), bytes.length);
        List<int[]> regions = new ArrayList<>();
        regions.add(new int[] {0, Math.min(bytes.length, Math.max(h.headerLength() + 64, 112))});
        int l1 = (int) h.l1EntriesNeeded();
        regions.add(new int[] {(int) h.l1TableOffset(), 8 * l1});
        ByteBuffer b = ByteBuffer.wrap(bytes);
        for (int i = 0; i < l1; i++) {
            long l2 = b.getLong((int) h.l1TableOffset() + 8 * i) & 0x00fffffffffffe00L;
            if (l2 != 0) {
                regions.add(new int[] {(int) l2, h.clusterSize()});
            }
        }
        return regions;
    }

    private static byte[] mutate(Seed seed, Random random) {
        byte[] out = seed.bytes().clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int[] region = seed.metadata().get(random.nextInt(seed.metadata().size()));
            // L2 tables: mostly the entries that are in use (the start of the table)
            int span = region[0] == 0 ? region[1] : Math.min(region[1], 8 + random.nextInt(Math.max(1, region[1])));
            int at = region[0] + random.nextInt(Math.max(1, span));
            if (at >= out.length) {
                continue;
            }
            switch (random.nextInt(6)) {
                case 0 -> out[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> out[at] = (byte) random.nextInt(256);
                case 2 -> putLong(out, at & ~7, boundary(random, out.length));
                case 3 -> putInt(out, at & ~3, (int) boundary(random, out.length));
                case 4 -> out[at] = 0;
                default -> {
                    if (random.nextInt(8) == 0) {
                        out = java.util.Arrays.copyOf(out, random.nextInt(out.length + 1));
                    } else {
                        out[at] = (byte) 0xff;
                    }
                }
            }
        }
        return out;
    }

    private static long boundary(Random random, int fileLength) {
        long[] values = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, 0xffffffffL, fileLength,
            fileLength - 1, fileLength + 512, 512, 4096, 1L << 62, 1L << 63 | 512, 1L << 62 | fileLength / 2};
        return random.nextInt(4) == 0 ? random.nextLong() : values[random.nextInt(values.length)];
    }

    private static void putLong(byte[] b, int at, long v) {
        if (at + 8 <= b.length) {
            ByteBuffer.wrap(b).putLong(at, v);
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        if (at + 4 <= b.length) {
            ByteBuffer.wrap(b).putInt(at, v);
        }
    }
}
