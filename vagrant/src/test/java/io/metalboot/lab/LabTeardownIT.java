package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's first command leaves nothing behind when it is stopped: the lab (LabMain, as
 * run-lab.sh runs it) with one BIOS machine gets SIGINT, as Ctrl-C sends it, once the machine's
 * agent has registered; afterwards no namespace, mount, loop device or process of that run is left.
 */
class LabTeardownIT {
    private static final Duration UNTIL_REGISTERED = Duration.ofMinutes(6);
    private static final Duration UNTIL_EXIT = Duration.ofMinutes(2);
    private static final Pattern NETWORK_UP = Pattern.compile("^lab: network (\\p{XDigit}+) up .*; logs in (\\S+)$");

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeAgentLabCanRun();
    }

    @Test
    void ctrlCOnceTheAgentRegisteredLeavesNoNamespaceMountLoopDeviceOrProcess() throws Exception {
        Path vagrantDir = Path.of("").toAbsolutePath();
        Path work = LabRequirements.workRoot().resolve("teardown");
        Files.createDirectories(work);
        Path output = work.resolve("labmain-" + System.currentTimeMillis() + ".log");
        Process lab = new ProcessBuilder(ApplianceProcess.javaBinary(),
                "-Dmetalboot.deb.file=" + LabRequirements.deb(),
                "-Dmetalboot.lab.workdir=" + work,
                "-Dmetalboot.lab.home=" + vagrantDir,
                "-cp", vagrantDir.resolve("target/metalboot-lab.jar") + ":" + vagrantDir.resolve("target/lab-lib") + "/*",
                "io.metalboot.lab.LabMain", "--machines", "bios")
                .redirectErrorStream(true).start();
        var lines = new LinkedBlockingQueue<String>();
        CompletableFuture<Void> copied = CompletableFuture.runAsync(() -> copy(lab, output, lines));
        String suffix = null;
        String runDir = null;
        boolean registered = false;
        try {
            long end = System.nanoTime() + UNTIL_REGISTERED.toNanos();
            while (!registered && System.nanoTime() < end) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line == null) {
                    assertTrue(lab.isAlive(), "the lab exited before its agent registered: " + output);
                    continue;
                }
                Matcher up = NETWORK_UP.matcher(line);
                if (up.matches()) {
                    suffix = up.group(1);
                    runDir = up.group(2);
                }
                registered = line.startsWith("[bios] the agent registered");
            }
            assertTrue(registered, "the BIOS machine's agent did not register within " + UNTIL_REGISTERED + ": " + output);
            assertTrue(suffix != null && runDir != null, "the lab never said which network it made: " + output);
            Command.run(List.of("kill", "-INT", Long.toString(lab.pid())));
            assertTrue(lab.waitFor(UNTIL_EXIT.toSeconds(), TimeUnit.SECONDS), "the lab did not exit after SIGINT: " + output);
            copied.get(30, TimeUnit.SECONDS);
        } finally {
            lab.destroyForcibly();
        }

        String netns = Command.run(List.of(Tool.IP.path(), "netns", "list"));
        final String network = suffix;
        assertEquals(List.of(), netns.lines().filter(line -> line.contains(network)).toList(), "namespaces left:\n" + netns);
        String mounts = Files.readString(Path.of("/proc/mounts"), StandardCharsets.UTF_8);
        final String dir = runDir;
        assertEquals(List.of(), mounts.lines().filter(line -> line.contains(network) || line.contains(dir)).toList(),
                "mounts left");
        String loops = Command.run(List.of("losetup", "-a"));
        assertEquals(List.of(), loops.lines().filter(line -> line.contains(dir) || line.contains(work.toString())).toList(),
                "loop devices left");
        List<String> processes = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(process -> process.info().commandLine()
                .filter(command -> command.contains(dir) || command.contains(network))
                .ifPresent(command -> processes.add(process.pid() + " " + command)));
        assertEquals(List.of(), processes, "processes of the lab left");
        assertFalse(Files.exists(Path.of("/run/metalboot-lab", network)), "the network's owner file is left");
        assertTrue(Files.readString(output).contains("lab: network " + network + " up"), "the lab's output is kept: " + output);
    }

    /** The lab's output, into its log file and, line by line, to the test. */
    private static void copy(Process lab, Path output, LinkedBlockingQueue<String> lines) {
        try (var reader = new BufferedReader(new InputStreamReader(lab.getInputStream(), StandardCharsets.UTF_8));
             var log = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                log.write(line);
                log.newLine();
                log.flush();
                lines.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the lab's output into " + output, e);
        }
    }
}
