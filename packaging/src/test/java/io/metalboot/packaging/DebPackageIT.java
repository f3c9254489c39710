package io.metalboot.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The appliance's .deb as the module's package phase built it: lintian reports no error and no
 * warning (its overrides carry their reasons), and {@code deb/deb-lifecycle-test.sh} takes it
 * through install, the unit's checks, start, reload, an upgrade while running and purge in a
 * throw-away Debian root booted with systemd under systemd-nspawn. Each of the script's checks
 * must be reported passed, so a check the script stopped making fails here.
 *
 * <p>Needs root and the Debian packages {@code .ci/run} installs; without them it skips, except
 * under {@code CI=true} or {@code -Dmetalboot.packaging.required=true}, where it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DebPackageIT {
    private static final long LINTIAN_TIMEOUT_SECONDS = 300;
    private static final long LIFECYCLE_TIMEOUT_SECONDS = 900;
    /** What the lifecycle script reports passed, in its order (each an "ok: " line's start). */
    private static final List<String> LIFECYCLE_CHECKS = List.of(
            "systemd booted in the throw-away root",
            "installed ",
            "system user metalboot",
            "/etc/metalboot/metalboot.yaml is a conffile",
            "systemd-analyze verify metalboot.service: clean",
            "systemd-analyze security metalboot.service: exposure ",
            "systemctl start: active once the appliance said READY=1",
            "/healthz: ok",
            "runs as metalboot with CAP_NET_BIND_SERVICE only",
            "listens on 67 and 4011",
            "a machine's iPXE script is served",
            "the packaged CLI (/usr/bin/metalboot, the same runtime)",
            "systemctl reload: the profile added to the file is served, same PID",
            "stopped cleanly; the API token is in no log line",
            "upgraded ",
            "purged: every path, mode, owner and account as before the install");

    /** "#key: value" at any depth: an option at its default, commented out. */
    private static final Pattern COMMENTED_OPTION = Pattern.compile("^( *)#([^ #].*)$");
    /** A value the package sets, with the built-in default in its comment. */
    private static final Pattern PACKAGE_VALUE = Pattern.compile("^( *[a-z-]+: ).*   # set by the package \\(built-in default: (.*)\\)$");

    private final Path home = Path.of(System.getProperty("metalboot.packaging.home", ".")).toAbsolutePath().normalize();
    private final Path work = Path.of(System.getProperty("metalboot.packaging.workdir", "target/ramdisk-it"))
            .toAbsolutePath().normalize().resolveSibling("deb-it");
    private final Path deb = Path.of(System.getProperty("metalboot.deb.file", "target/metalboot_amd64.deb"))
            .toAbsolutePath().normalize();

    @BeforeAll
    void prerequisites() throws IOException {
        List<String> missing = new ArrayList<>();
        if (!Prerequisites.isRoot()) {
            missing.add("root (debootstrap, systemd-nspawn)");
        }
        missing.addAll(Prerequisites.missingPrograms(List.of(
                new Prerequisites.Program("lintian", "lintian"),
                new Prerequisites.Program("systemd-nspawn", "systemd-container"),
                new Prerequisites.Program("debootstrap", "debootstrap"),
                new Prerequisites.Program("nsenter", "util-linux"),
                new Prerequisites.Program("dpkg-deb", "dpkg"))));
        if (!Files.isRegularFile(deb)) {
            missing.add("the .deb " + deb + " (built as root by ./mvnw package)");
        }
        Prerequisites.requireNone("the .deb cannot be checked here", missing);
        Files.createDirectories(work);
    }

    @Test
    void lintianReportsNoErrorAndNoWarning() throws Exception {
        LoggedRun run = LoggedRun.run(work, "lintian", LINTIAN_TIMEOUT_SECONDS,
                List.of("lintian", "--fail-on", "error,warning", "--tag-display-limit", "0", deb.toString()));
        List<String> tags = run.output().lines().filter(line -> line.matches("^[EW]: .*")).toList();
        assertEquals(List.of(), tags, "lintian:\n" + run.output());
        assertEquals(0, run.exitCode(), "lintian --fail-on error,warning:\n" + run.output());
    }

    /**
     * The conffile is the defaults file with every option commented out ("#key: value") but the
     * package's two, so uncommenting gives the defaults back line for line; the packaged runtime
     * reads it, and the fully uncommented one, and names the line of a broken value.
     */
    @Test
    void theConffileDocumentsEveryOptionAndThePackagedRuntimeReadsIt() throws Exception {
        Path stage = deb.resolveSibling("deb-stage");
        Path conffile = stage.resolve("metalboot.yaml");
        List<String> lines = Files.readAllLines(conffile);
        List<String> body = lines.subList(lines.indexOf("") + 1, lines.size());
        List<String> uncommented = new ArrayList<>();
        int packageLines = 0;
        for (String line : body) {
            Matcher option = COMMENTED_OPTION.matcher(line);
            Matcher packaged = PACKAGE_VALUE.matcher(line);
            if (option.matches()) {
                uncommented.add(option.group(1) + option.group(2));
            } else if (packaged.matches()) {
                uncommented.add(packaged.group(1) + packaged.group(2));
                packageLines++;
            } else {
                uncommented.add(line);
            }
        }
        Path defaults = home.resolve("../pxe-server/src/main/resources/io/metalboot/appliance/config/metalboot-defaults.yaml");
        assertEquals(Files.readAllLines(defaults), uncommented, "the conffile, uncommented, is the defaults file");
        assertEquals(2, packageLines, "the package sets tftp.root and http.assets");
        assertTrue(body.contains("  root: /usr/lib/metalboot/ipxe   # set by the package (built-in default: /usr/lib/ipxe)"), String.join("\n", body));

        Path uncommentedFile = work.resolve("metalboot-uncommented.yaml");
        Files.write(uncommentedFile, body.stream().map(line -> COMMENTED_OPTION.matcher(line).replaceFirst("$1$2")).toList());
        Path broken = work.resolve("metalboot-broken.yaml");
        Files.write(broken, body.stream().map(line -> line.replace("#port: 69", "port: 70000")).toList());
        for (Path file : List.of(conffile, uncommentedFile)) {
            LoggedRun run = checkConfig(stage, file);
            assertEquals(0, run.exitCode(), file + ":\n" + run.output());
            assertTrue(run.output().contains("metalboot: config OK: " + file), run.output());
        }
        LoggedRun run = checkConfig(stage, broken);
        assertEquals(2, run.exitCode(), run.output());
        int line = body.indexOf("  #port: 69") + 1;
        assertTrue(run.output().contains(broken + ":" + line + ":"), "the error names " + broken + ":" + line + ":\n" + run.output());
    }

    private LoggedRun checkConfig(Path stage, Path file) throws IOException, InterruptedException {
        Path root = stage.resolve("root");
        return LoggedRun.run(work, "check-" + file.getFileName(), 120, List.of(
                root.resolve("usr/lib/metalboot/runtime/bin/java").toString(), "-jar",
                root.resolve("usr/share/metalboot/metalboot-pxe-server.jar").toString(),
                "--config", file.toString(), "--check-config"));
    }

    @Test
    void installUpgradeAndPurgeInAThrowAwayRootUnderSystemd() throws Exception {
        LoggedRun run = LoggedRun.run(work, "lifecycle", LIFECYCLE_TIMEOUT_SECONDS,
                List.of("bash", home.resolve("deb/deb-lifecycle-test.sh").toString(), deb.toString(),
                        work.resolve("lifecycle").toString()));
        System.out.println(run.output());
        assertEquals(0, run.exitCode(), "deb-lifecycle-test.sh:\n" + run.output());
        List<String> passed = run.output().lines().filter(line -> line.startsWith("ok: "))
                .map(line -> line.substring(4)).toList();
        assertEquals(LIFECYCLE_CHECKS.size(), passed.size(), "checks passed:\n" + String.join("\n", passed));
        for (int i = 0; i < LIFECYCLE_CHECKS.size(); i++) {
            assertTrue(passed.get(i).startsWith(LIFECYCLE_CHECKS.get(i)),
                    "check " + (i + 1) + " should be '" + LIFECYCLE_CHECKS.get(i) + "…', is '" + passed.get(i) + "'");
        }
    }
}
