package io.metalboot.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metalboot machines deploy --wait} on a real terminal: the CLI as its own process in a
 * tmux pane (a pty on stdin and stdout, tmux's TERM), the scripted agent's progress shown as one
 * bar redrawn in place (the 40% bar is gone once it shows 70%), then the end state and exit 0.
 * Without tmux (Debian package tmux) it is skipped, saying so; under CI=true it fails instead.
 */
class TerminalProgressTest {
    private static final Pattern BAR = Pattern.compile("writing node\\.raw \\[#+-*\\] +(\\d+)%");
    private static final String CHECKSUM = "sha256:" + "ef".repeat(32);
    private static final long MIB = 1 << 20;

    @Test
    void onATerminalTheBarRedrawsInPlaceUntilTheMachineIsProvisioned(@TempDir Path dir) throws Exception {
        requireTmux();
        try (RunningAppliance appliance = RunningAppliance.start(dir, "agents: {heartbeat-seconds: 1}\n")) {
            String mac = "52:54:00:f1:00:01";
            ScriptedAgent agent = ScriptedAgent.available(appliance, mac);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cli = String.join(" ", List.of(quoted(java), "-cp", quoted(System.getProperty("java.class.path")),
                    MetalbootCli.class.getName(), "--api", appliance.apiUrl(), "--token-file",
                    quoted(appliance.tokenFile().toString()), "machines", "deploy", mac, "--image-url",
                    "http://127.0.0.1:9/node.raw", "--checksum", CHECKSUM, "--wait"));
            Tmux tmux = new Tmux("metalboot-cli-test-" + ProcessHandle.current().pid());
            try {
                // The pane stays once the CLI exits, with its exit code, until the server is killed.
                tmux.run("new-session", "-d", "-s", "cli", "-x", "120", "-y", "10", cli + "; echo \"exit $?\"; sleep 300");
                tmux.awaitPane(pane -> pane.contains(mac + ": provisioning, deploy "));
                String deployId = agent.takeDeploy().get("deployId").asText();
                agent.progress(deployId, 40 * MIB, 100 * MIB, 5 * MIB, 12);
                String at40 = tmux.awaitPane(pane -> percentShown(pane, 40));
                assertTrue(at40.contains("writing node.raw [############------------------]  40%  40 MiB of 100 MiB,"
                        + " 5.0 MiB/s, eta 0:12"), at40);
                agent.progress(deployId, 70 * MIB, 100 * MIB, 5 * MIB, 6);
                String at70 = tmux.awaitPane(pane -> percentShown(pane, 70));
                assertFalse(at70.contains(" 40%"), "redrawn in place, not a line per update:\n" + at70);
                agent.succeed(deployId, CHECKSUM, 100 * MIB);
                String end = tmux.awaitPane(pane -> pane.contains("exit "));
                assertTrue(end.contains("exit 0"), end);
                assertTrue(end.contains(mac + ": provisioned, node.raw written to /dev/vdb (100 MiB)"), end);
                assertTrue(percentShown(end, 100), "the bar ends full:\n" + end);
            } finally {
                tmux.killServer();
            }
        }
    }

    private static boolean percentShown(String pane, int percent) {
        return BAR.matcher(pane).results().anyMatch(m -> Integer.parseInt(m.group(1)) == percent);
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static void requireTmux() {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, "tmux"));
        }
        if (!found) {
            String reason = "tmux is not installed (Debian package tmux): the terminal test needs a real pty";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(reason + " (required under CI=true)");
            }
            Assumptions.abort(reason);
        }
    }

    /** A tmux server of the test's own (-L SOCKET), never the user's. */
    private record Tmux(String socket) {
        String run(String... args) throws IOException, InterruptedException {
            List<String> command = new java.util.ArrayList<>(List.of("tmux", "-L", socket));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + ": " + output);
            }
            return output;
        }

        /** Waits (generously) for the pane's text to show what {@code until} looks for. */
        String awaitPane(Predicate<String> until) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String pane = "";
            while (System.nanoTime() < deadline) {
                pane = run("capture-pane", "-p", "-t", "cli");
                if (until.test(pane)) {
                    return pane;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("not within 60 s; the pane shows:\n" + pane);
        }

        void killServer() throws IOException, InterruptedException {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
