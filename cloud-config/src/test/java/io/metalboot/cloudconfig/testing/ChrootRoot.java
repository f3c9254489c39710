package io.metalboot.cloudconfig.testing;

import io.metalboot.image.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throw-away root a bootstrap script runs in under chroot: static busybox for the shell and its
 * tools, the host's real useradd, usermod, groupadd and passwd with their libraries, a minimal
 * account database, and stand-ins for kubeadm and systemctl that log their arguments (one line
 * each, in call order) to {@link #COMMAND_LOG}.
 */
public final class ChrootRoot {
    public static final String COMMAND_LOG = "/var/log/stand-in-commands.log";
    private static final List<String> APPLETS = List.of("sh", "mkdir", "chmod", "chown", "cat", "base64", "gzip",
            "echo", "date", "cut", "grep", "touch", "printf", "id", "rm", "ls", "sed", "test", "[", "true", "false",
            "env", "cp", "mv", "stat", "sleep", "head", "tail", "tr", "awk", "mktemp", "wget", "timeout");
    private static final List<String> ACCOUNT_TOOLS = List.of("/usr/sbin/useradd", "/usr/sbin/usermod",
            "/usr/sbin/groupadd", "/usr/bin/passwd");
    private static final Pattern LIBRARY = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");

    public final Path root;

    private ChrootRoot(Path root) {
        this.root = root;
    }

    /** Skips (fails under CI=true) when this host cannot build one: not root, or a tool missing. */
    public static void requireHost() {
        RequiredTools.require(isRoot() ? Optional.empty()
                : Optional.of("chroot runs need root (uid 0); this test runs as " + System.getProperty("user.name")));
        RequiredTools.require(Files.isExecutable(Path.of("/bin/busybox")) ? Optional.empty()
                : Optional.of("/bin/busybox is not installed (Debian package busybox-static)"));
        for (String tool : ACCOUNT_TOOLS) {
            RequiredTools.require(Files.isExecutable(Path.of(tool)) ? Optional.empty()
                    : Optional.of(tool + " is not installed (Debian package passwd)"));
        }
        RequiredTools.require(RequiredTools.program("chroot", "coreutils"));
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    public static ChrootRoot build(Path root) throws IOException, InterruptedException {
        ChrootRoot r = new ChrootRoot(root);
        for (String d : List.of("bin", "usr/bin", "usr/sbin", "etc", "home", "run", "tmp", "var/log", "dev",
                "lib/systemd", "run/systemd/system", "root")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Set<Path> libraries = new LinkedHashSet<>();
        for (String tool : ACCOUNT_TOOLS) {
            r.copyIn(Path.of(tool));
            libraries.addAll(librariesOf(tool));
        }
        // NSS: glibc's account lookups go through nsswitch.conf to libnss_files.
        try (var nss = Files.newDirectoryStream(Path.of("/lib/x86_64-linux-gnu"), "libnss_files*")) {
            nss.forEach(libraries::add);
        } catch (IOException e) {
            // another architecture: ldd's list has to do
        }
        for (Path lib : libraries) {
            r.copyIn(lib);
        }
        ProcessRun mknod = ProcessRun.run(root, List.of("mknod", "-m", "666", root.resolve("dev/null").toString(),
                "c", "1", "3"));
        if (mknod.status() != 0) {
            throw new IOException("mknod /dev/null: " + mknod.describe());
        }
        r.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        r.write("etc/group", "root:x:0:\nadm:x:4:\nnogroup:x:65534:\n");
        r.write("etc/shadow", "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n");
        r.write("etc/gshadow", "root:*::\nadm:*::\nnogroup:*::\n");
        r.write("etc/login.defs", "UID_MIN 1000\nUID_MAX 60000\nGID_MIN 1000\nGID_MAX 60000\nSYS_UID_MIN 100\n"
                + "SYS_UID_MAX 999\nSYS_GID_MIN 100\nSYS_GID_MAX 999\nUSERGROUPS_ENAB yes\nENCRYPT_METHOD SHA512\n"
                + "UMASK 022\n");
        r.write("etc/default/useradd", "SHELL=/bin/sh\nHOME=/home\n");
        r.write("etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\ngshadow: files\n");
        Files.setPosixFilePermissions(root.resolve("etc/shadow"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(root.resolve("etc/gshadow"), PosixFilePermissions.fromString("rw-r-----"));
        for (String standIn : List.of("kubeadm", "systemctl")) {
            r.executable("usr/bin/" + standIn, "#!/bin/sh\necho \"" + standIn + " $*\" >> " + COMMAND_LOG + "\n");
        }
        return r;
    }

    /** The libraries (and the loader) ldd names for a program. */
    private static Set<Path> librariesOf(String program) throws IOException, InterruptedException {
        ProcessRun ldd = ProcessRun.run(Path.of("/"), List.of("ldd", program));
        if (ldd.status() != 0) {
            throw new IOException("ldd " + program + ": " + ldd.describe());
        }
        Set<Path> libs = new LinkedHashSet<>();
        Matcher m = LIBRARY.matcher(ldd.stdout());
        while (m.find()) {
            libs.add(Path.of(m.group(1)));
        }
        return libs;
    }

    /** The host file at the same path inside the root; a symlinked library as the file it names. */
    private void copyIn(Path hostFile) throws IOException {
        Path target = resolve(hostFile.toString());
        Files.createDirectories(target.getParent());
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(hostFile, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    public Path resolve(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    public void write(String relative, String text) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    public void executable(String relative, String text) throws IOException {
        write(relative, text);
        Files.setPosixFilePermissions(root.resolve(relative), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** {@code chroot ROOT /bin/sh /bootstrap.sh} for the script. */
    public ProcessRun runScript(String script) throws IOException, InterruptedException {
        write("bootstrap.sh", script);
        return ProcessRun.run(root, List.of("chroot", root.toString(), "/bin/sh", "/bootstrap.sh"));
    }

    public String read(String absolute) throws IOException {
        return Files.readString(resolve(absolute));
    }
}
