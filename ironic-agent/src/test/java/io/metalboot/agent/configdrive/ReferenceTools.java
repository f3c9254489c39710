package io.metalboot.agent.configdrive;

import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Debian tools that read what the config drive tests write: mtools, dosfstools, blkid, sfdisk, sgdisk. */
final class ReferenceTools {
    private ReferenceTools() {
    }

    static void require(String... programAndPackage) {
        for (int i = 0; i < programAndPackage.length; i += 2) {
            RequiredTools.require(RequiredTools.program(programAndPackage[i], programAndPackage[i + 1]));
        }
    }

    /** {@code mtype -i IMAGE@@OFFSET ::PATH}: a file's bytes as mtools reads them, untouched (no text conversion). */
    static byte[] mtype(Path image, long offset, String path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mtype", "-i", image + "@@" + offset, "::" + path)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IOException("mtype " + path + " failed (" + p.exitValue() + ")");
        }
        return out;
    }

    /** {@code blkid -p -o export [-O OFFSET] FILE} as key=value pairs. */
    static Map<String, String> blkid(Path file, long offset) throws IOException, InterruptedException {
        String out = Commands.run(file.getParent(), "blkid", "-p", "-o", "export", "-O", Long.toString(offset), file.toString());
        Map<String, String> tags = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                tags.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return tags;
    }

    /**
     * {@code fsck.fat -n} on a copy of {@code length} bytes at {@code offset} (it takes no offset):
     * its output, which must be the version and the summary line only; a failure on any finding.
     */
    static String fsckFat(Path file, long offset, long length) throws IOException, InterruptedException {
        Path copy = Files.write(file.resolveSibling(file.getFileName() + ".part"), bytes(file, offset, Math.toIntExact(length)));
        try {
            String out = Commands.run(file.getParent(), "fsck.fat", "-n", copy.toString());
            if (out.strip().lines().count() != 2) {
                throw new AssertionError("fsck.fat -n found something: " + out);
            }
            return out;
        } finally {
            Files.delete(copy);
        }
    }

    static byte[] bytes(Path file, long offset, int length) throws IOException {
        try (var in = Files.newByteChannel(file)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(length);
            in.position(offset);
            while (buffer.hasRemaining() && in.read(buffer) > 0) {
                // read on
            }
            return buffer.array();
        }
    }
}
