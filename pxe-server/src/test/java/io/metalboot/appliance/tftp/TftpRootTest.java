package io.metalboot.appliance.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.metalboot.appliance.tftp.server.TftpRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TftpRootTest {
    @TempDir
    Path dir;

    private TftpRoot root(Map<String, String> aliases) throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("snponly.efi"), "efi");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/file"), "sub");
        Files.writeString(dir.resolve("secret"), "secret");
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("outside/x"), "outside");
        Files.createSymbolicLink(root.resolve("passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("out"), dir.resolve("outside"));
        Files.createSymbolicLink(root.resolve("secret-link"), Path.of("../secret"));
        Files.createSymbolicLink(root.resolve("inside-link"), Path.of("sub/file"));
        return new TftpRoot(root, aliases);
    }

    @Test
    void plainNamesWithOrWithoutLeadingSlashAreFound() throws IOException {
        TftpRoot root = root(Map.of());
        for (String name : List.of("snponly.efi", "/snponly.efi", "sub/file", "/sub//file", "./sub/./file",
                "inside-link")) {
            TftpRoot.Found found = assertInstanceOf(TftpRoot.Found.class, root.resolve(name), name);
            assertEquals(true, found.file().startsWith(root.realRoot()), name);
        }
    }

    @Test
    void hostileNamesAreRefusedOrMissingButNeverOutside() throws IOException {
        TftpRoot root = root(Map.of());
        List<String> refused = List.of("../etc/passwd", "a/../../x", "..\\x", "%2e%2e/x", "", "/", "x".repeat(300),
                "passwd", "out/x", "secret-link", "sub/..", "..", "sub", "sub\u0001x", "//", "../secret");
        for (String name : refused) {
            assertInstanceOf(TftpRoot.Refused.class, root.resolve(name), "'" + name + "'");
        }
        // Absolute names are names inside the root: /etc/passwd is <root>/etc/passwd, absent here.
        for (String name : List.of("/etc/passwd", "//etc/passwd", "etc/passwd")) {
            assertInstanceOf(TftpRoot.Missing.class, root.resolve(name), name);
        }
    }

    @Test
    void aliasesMapNamesAndPrefixesAndAreCheckedToo() throws IOException {
        TftpRoot root = root(Map.of(
                "autoexec.ipxe", "snponly.efi",
                "pxelinux.cfg/", "sub/file",
                "efi/", "sub/",
                "evil", "../secret"));
        assertEquals(root.realRoot().resolve("snponly.efi"),
                ((TftpRoot.Found) root.resolve("/autoexec.ipxe")).file());
        assertEquals(root.realRoot().resolve("sub/file"),
                ((TftpRoot.Found) root.resolve("pxelinux.cfg/01-52-54-00-12-34-56")).file());
        assertEquals(root.realRoot().resolve("sub/file"), ((TftpRoot.Found) root.resolve("efi/file")).file());
        assertInstanceOf(TftpRoot.Refused.class, root.resolve("evil"));
        assertInstanceOf(TftpRoot.Refused.class, root.resolve("efi/../../secret"));
    }
}
