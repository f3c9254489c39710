package io.metalboot.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agent ramdisk, built by {@code build-agent-ramdisk.sh} from the agent's jars
 * ({@code ironic-agent/target/agent-lib}) and booted under QEMU by {@code boot-ramdisk.sh}: the
 * same inputs give the same bytes, a second build comes from the cache (the module's package phase
 * made the first), kernel and initrd fit in 80 MiB, and the agent starts with and without its CDS
 * archive, virtio_net and virtio_blk loaded by modalias. With a DHCP server on its NIC it gets a
 * lease and tries to register; with none, it prints why it stops and leaves a shell on the serial
 * console that answers what is typed there. The boot token is never on the console.
 *
 * <p>Needs root, the Debian archive (the kernel's .deb) and the Debian packages {@code .ci/run}
 * installs; without them it skips, except under {@code CI=true} or
 * {@code -Dmetalboot.packaging.required=true}, where it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentRamdiskIT {
    private static final long MIB = 1024 * 1024;
    private static final long BUILD_TIMEOUT_SECONDS = 900;
    private static final long BOOT_TIMEOUT_SECONDS = 400;

    private final Path home = Path.of(System.getProperty("metalboot.packaging.home", ".")).toAbsolutePath().normalize();
    private final Path work = Path.of(System.getProperty("metalboot.packaging.workdir", "target/ramdisk-it"))
            .toAbsolutePath().normalize();
    private Path agentLib;
    private Path cachedBuild;
    private String cachedBuildLog;

    @BeforeAll
    void prerequisites() throws IOException {
        Prerequisites.requireNone("the agent ramdisk cannot be built and booted here", missingPrerequisites());
        Files.createDirectories(work);
        agentLib = Path.of(System.getProperty("metalboot.agent.lib", home.resolve("../ironic-agent/target/agent-lib").toString()))
                .toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(agentLib), "no agent jars at " + agentLib + " (./mvnw package -pl ironic-agent -am)");
    }

    @Test
    void buildFromScratchGivesTheSameBytesAsAnotherBuildOfTheSameInputs() throws Exception {
        Path cached = cachedBuild();
        Path fresh = work.resolve("fresh");
        LoggedRun run = build("build-fresh", fresh, "--no-cache");
        assertEquals(0, run.exitCode(), "build-ramdisk.sh --no-cache:\n" + run.output());
        // The other build is a build from scratch too when the cache was empty, or the cached one
        // of an earlier run with the same cache key: either way built apart from this one.
        for (String name : List.of("vmlinuz", "initrd.img")) {
            assertEquals(sha256(cached.resolve(name)), sha256(fresh.resolve(name)), name + " differs between two builds");
        }
    }

    @Test
    void aSecondBuildOfTheSameInputsComesFromTheCache() throws Exception {
        Path cached = cachedBuild();
        Path again = work.resolve("again");
        LoggedRun run = build("build-again", again);
        assertEquals(0, run.exitCode(), "build-ramdisk.sh:\n" + run.output());
        assertTrue(run.output().contains("build-ramdisk: cache hit: "), "no cache hit:\n" + run.output());
        for (String name : List.of("vmlinuz", "initrd.img")) {
            assertEquals(sha256(cached.resolve(name)), sha256(again.resolve(name)), name + " differs from the cached one");
        }
    }

    @Test
    void kernelAndInitrdFitIn80MiB() throws Exception {
        Path cached = cachedBuild();
        long bytes = Files.size(cached.resolve("vmlinuz")) + Files.size(cached.resolve("initrd.img"));
        assertTrue(bytes <= 80 * MIB, "vmlinuz + initrd.img are " + bytes + " bytes:\n" + cachedBuildLog);
    }

    @Test
    void withItsCdsArchiveTheAgentGetsALeaseAndTriesToRegister() throws Exception {
        boot("boot-cds-on", "on", "dhcp");
    }

    @Test
    void withoutCdsOrALeaseTheAgentSaysWhyAndLeavesAShellThatAnswers() throws Exception {
        boot("boot-cds-off", "off", "none");
    }

    private void boot(String name, String cds, String network) throws Exception {
        Path ramdisk = cachedBuild();
        LoggedRun run = run(name, BOOT_TIMEOUT_SECONDS, home.resolve("boot-ramdisk.sh").toString(), "--cds", cds,
                "--network", network, "--log", work.resolve(name + ".serial.log").toString(), ramdisk.toString());
        assertEquals(0, run.exitCode(), "boot-ramdisk.sh --cds " + cds + " --network " + network + ":\n" + run.output());
        System.out.println(run.output().lines().filter(line -> line.startsWith("boot-ramdisk: times:")).findFirst()
                .orElse("boot-ramdisk: no times"));
    }

    /** The build every test but the from-scratch one uses: with the cache, made once per run. */
    private synchronized Path cachedBuild() throws IOException, InterruptedException {
        if (cachedBuild == null) {
            Path out = work.resolve("cached");
            LoggedRun run = build("build-cached", out);
            assertEquals(0, run.exitCode(), "build-ramdisk.sh:\n" + run.output());
            cachedBuild = out;
            cachedBuildLog = run.output();
        }
        return cachedBuild;
    }

    private LoggedRun build(String name, Path out, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("build-agent-ramdisk.sh").toString(),
                "--agent-lib", agentLib.toString()));
        command.addAll(List.of(options));
        command.add(out.toString());
        return run(name, BUILD_TIMEOUT_SECONDS, command.toArray(String[]::new));
    }

    private LoggedRun run(String name, long timeoutSeconds, String... command) throws IOException, InterruptedException {
        return LoggedRun.run(work, name, timeoutSeconds, List.of(command));
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static List<String> missingPrerequisites() throws IOException {
        List<String> missing = new ArrayList<>();
        if (!Prerequisites.isRoot()) {
            missing.add("root (the CDS dump runs chrooted in the ramdisk's root; /dev/console is a device node)");
        }
        missing.addAll(Prerequisites.missingPrograms(List.of(new Prerequisites.Program("apt-get", "apt"),
                new Prerequisites.Program("dpkg-deb", "dpkg"), new Prerequisites.Program("depmod", "kmod"),
                new Prerequisites.Program("modinfo", "kmod"), new Prerequisites.Program("cpio", "cpio"),
                new Prerequisites.Program("zstd", "zstd"), new Prerequisites.Program("unshare", "util-linux"),
                new Prerequisites.Program("qemu-system-x86_64", "qemu-system-x86"))));
        if (!Files.isExecutable(Path.of("/bin/busybox"))) {
            missing.add("/bin/busybox (Debian package busybox-static)");
        }
        return missing;
    }
}
