package io.metalboot.agent.ironic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The logs' archive, read by GNU tar (the reader Ironic's operators use on what Ironic stores). */
class SystemLogArchiveTest {
    @TempDir
    Path dir;

    @Test
    void gnuTarListsAndExtractsEveryFileByteForByte() throws Exception {
        byte[] big = new byte[1025];
        java.util.Arrays.fill(big, (byte) 'x');
        byte[] archive = new SystemLogArchive().add("agent.log", "line one\nline two\n").add("empty", new byte[0])
                .add("big.bin", big).gzipped(1_700_000_000L);
        Path file = dir.resolve("logs.tar.gz");
        Files.write(file, archive);
        Process list = new ProcessBuilder("tar", "-tvzf", file.toString()).redirectErrorStream(true).start();
        String listing = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor(), listing);
        assertEquals(3, listing.strip().lines().count(), listing);
        Process extract = new ProcessBuilder("tar", "-xzf", file.toString(), "-C", dir.toString()).inheritIO().start();
        assertEquals(0, extract.waitFor());
        assertEquals("line one\nline two\n", Files.readString(dir.resolve("agent.log")));
        assertEquals(0, Files.size(dir.resolve("empty")));
        assertEquals(1025, Files.readAllBytes(dir.resolve("big.bin")).length);
        assertEquals(1_700_000_000L, Files.getLastModifiedTime(dir.resolve("agent.log")).toMillis() / 1000);
    }
}
