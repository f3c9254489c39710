package io.metalboot.agent.deploy.fs;

import io.metalboot.agent.deploy.table.PartitionTableCodec.DiskBytes;
import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.RequiredTools;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * FAT images made by the real tools: dosfstools' mkfs.fat, then mtools (mmd, mcopy, mdel) to add
 * directories and files without mounting anything. mtools' geometry check is off
 * (MTOOLS_SKIP_CHECK=1): the images are plain files of any size.
 */
final class FatImages {
    static final long MIB = 1024 * 1024;

    private FatImages() {
    }

    /** Skips (or, under CI=true, fails) without mkfs.fat, mtools or sfdisk. */
    static void requireTools() {
        for (String[] tool : new String[][] {{"mkfs.fat", "dosfstools"}, {"mmd", "mtools"}, {"mcopy", "mtools"},
            {"mdel", "mtools"}, {"mshowfat", "mtools"}, {"sfdisk", "fdisk"}}) {
            RequiredTools.require(RequiredTools.program(tool[0], tool[1]));
        }
    }

    /**
     * {@code name} in {@code dir}: {@code sizeMiB} MiB formatted {@code mkfs.fat -F fatBits -s 1}
     * (one sector a cluster: directories span clusters soon), label ESP, then {@code script}, a
     * shell script run in {@code dir} with {@code $IMG} the image for mtools' {@code -i}.
     */
    static Path make(Path dir, String name, int fatBits, int sizeMiB, String script) throws Exception {
        Path image = dir.resolve(name);
        Commands.shell(dir, "export MTOOLS_SKIP_CHECK=1 IMG=" + name + " && rm -f " + name
                + " && truncate -s " + sizeMiB + "M " + name
                + " && mkfs.fat -F " + fatBits + " -s 1 -n ESP " + name + " >/dev/null"
                + (script.isEmpty() ? "" : " && " + script));
        return image;
    }

    /** Runs {@code script} in {@code dir} with mtools' geometry check off. */
    static String shell(Path dir, String script) throws Exception {
        return Commands.shell(dir, "export MTOOLS_SKIP_CHECK=1 && " + script);
    }

    /** {@code bytes} random bytes in {@code dir/name}, the stand-in for a loader. */
    static Path loader(Path dir, String name, int bytes) throws Exception {
        byte[] content = new byte[bytes];
        new java.util.Random(bytes).nextBytes(content);
        return Files.write(dir.resolve(name), content);
    }

    /** The first cluster mtools' mshowfat gives for {@code path} ("::/EFI <5-7>" → 5). */
    static int firstCluster(Path dir, String image, String path) throws Exception {
        String out = shell(dir, "mshowfat -i " + image + " '::" + path + "'");
        int open = out.indexOf('<');
        int end = open + 1;
        while (Character.isDigit(out.charAt(end))) {
            end++;
        }
        return Integer.parseInt(out.substring(open + 1, end));
    }

    /** A file read as a disk: what is past its end is not there (a short answer, as a truncated device gives). */
    static DiskBytes disk(Path file) {
        return (offset, length) -> {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                long available = Math.max(0, Math.min(length, f.length() - offset));
                byte[] bytes = new byte[(int) available];
                f.seek(offset);
                f.readFully(bytes);
                return bytes;
            }
        };
    }

    /** Bytes as a disk, answering short past {@code length}. */
    static DiskBytes disk(byte[] bytes, int length) {
        return (offset, n) -> {
            if (offset >= length) {
                return new byte[0];
            }
            return Arrays.copyOfRange(bytes, (int) offset, (int) Math.min(length, offset + n));
        };
    }

    static byte[] bytes(Path file) throws IOException {
        return Files.readAllBytes(file);
    }
}
