package io.metalboot.agent.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The files the agent places in a written OS so that the node can say how its bootstrap went
 * (the reporter and its credential), and, for an OS without cloud-init, the compiled bootstrap
 * with the one-shot unit that runs it at first boot. Every file is root's; the credential and the
 * compiled script (it holds the join token) are readable by root only.
 */
public final class NodeFiles {
    static final String CONF_DIR = "etc/metalboot";
    static final String CREDENTIAL = CONF_DIR + "/node-credential";
    static final String REPORT_CONF = CONF_DIR + "/node-report.conf";
    static final String REPORTER = "usr/lib/metalboot/node-report";
    static final String FIRST_BOOT = "usr/lib/metalboot/first-boot";
    static final String SCRIPT = "var/lib/metalboot/bootstrap.sh";
    static final String UNIT_NAME = "metalboot-first-boot.service";
    static final String UNIT = "etc/systemd/system/" + UNIT_NAME;
    static final String UNIT_LINK = "etc/systemd/system/multi-user.target.wants/" + UNIT_NAME;
    static final String CLOUD_INIT_REPORT = "usr/lib/metalboot/cloud-init-report";
    static final String REPORT_UNIT_NAME = "metalboot-node-report.service";
    static final String REPORT_UNIT = "etc/systemd/system/" + REPORT_UNIT_NAME;
    /** cloud-init.target, not multi-user.target: cloud-final runs after multi-user (cloud-init.target orders so). */
    static final String REPORT_UNIT_LINK = "etc/systemd/system/cloud-init.target.wants/" + REPORT_UNIT_NAME;

    private NodeFiles() {
    }

    /** The reporter, the appliance's report URL and the node's credential (0600), under {@code root}. */
    public static void installReporter(Path root, String nodeCredential, String reportUrl) throws IOException {
        if (reportUrl.chars().anyMatch(c -> c <= ' ' || c == '\'' || c == '"' || c == '\\' || c == '$' || c == '`')) {
            throw new IOException("bootstrap: the report URL holds characters a shell file cannot carry as is");
        }
        write(root, CREDENTIAL, nodeCredential + "\n", "rw-------");
        write(root, REPORT_CONF, "# where this node reports whether it joined (metalboot)\nREPORT_URL='" + reportUrl + "'\n",
                "rw-r--r--");
        write(root, REPORTER, resource("node-report.sh"), "rwxr-xr-x");
    }

    /** The compiled bootstrap (0700) and the unit that runs it once at first boot, enabled for multi-user.target. */
    public static void installFirstBoot(Path root, String compiledScript) throws IOException {
        write(root, SCRIPT, compiledScript, "rwx------");
        write(root, FIRST_BOOT, resource("first-boot.sh"), "rwxr-xr-x");
        write(root, UNIT, resource(UNIT_NAME), "rw-r--r--");
        enable(root, UNIT, UNIT_LINK);
    }

    /**
     * For an OS whose cloud-init runs the bootstrap: the unit that reports once cloud-final is
     * done (the user's data is left exactly as it came; the report is the OS's, not cloud-init's).
     */
    public static void installCloudInitReport(Path root) throws IOException {
        write(root, CLOUD_INIT_REPORT, resource("cloud-init-report.sh"), "rwxr-xr-x");
        write(root, REPORT_UNIT, resource(REPORT_UNIT_NAME), "rw-r--r--");
        enable(root, REPORT_UNIT, REPORT_UNIT_LINK);
    }

    /** What {@code systemctl enable} does for a unit wanted by one target: one link. */
    private static void enable(Path root, String unit, String wantsLink) throws IOException {
        Path link = root.resolve(wantsLink);
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of("/" + unit));
    }

    private static void write(Path root, String relative, String content, String mode) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Path part = file.resolveSibling(file.getFileName() + ".metalboot-part");
        Files.deleteIfExists(part);
        // created with its final mode, so a secret is never readable by others, not even for a moment
        Files.createFile(part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        Files.writeString(part, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(part, PosixFilePermissions.fromString(mode)); // past the umask
        Files.move(part, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static String resource(String name) throws IOException {
        try (InputStream in = NodeFiles.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the agent was built without its " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
