package io.metalboot.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * metalboot's agent as a process on the host, in a namespace the lab made (no QEMU): the agent
 * jars as built ({@code ironic-agent/target/agent-lib}), a kernel command line from a file, the
 * host's kernel modules and network left alone, and {@code --allow-disk} naming the only disks it
 * may write or erase (a test's loop devices: the host's own disks are never candidates). Power-off
 * and reboot end the process; they never reach the host.
 */
final class HostAgent implements AutoCloseable {
    private static final Duration STARTED = Duration.ofSeconds(60);
    private final ChildProcess process;

    private HostAgent(ChildProcess process) {
        this.process = process;
    }

    /** The agent's jars: {@code ironic-agent/target/agent-lib}, beside the lab module. */
    static Path agentLib() {
        Path lib = BootMedia.labHome().getParent().resolve("ironic-agent/target/agent-lib");
        if (!Files.isDirectory(lib)) {
            throw new LabException("no " + lib + ": build the ironic-agent module first (./mvnw package)");
        }
        return lib;
    }

    /**
     * Starts the agent in {@code namespace} and returns once it printed its start line.
     *
     * @param label names the log ({@code DIR/LABEL.log}) and the command line's file
     */
    static HostAgent start(Namespace namespace, Path dir, String label, String cmdline, List<String> allowDisks) {
        Path cmdlineFile = dir.resolve(label + ".cmdline");
        try {
            Files.createDirectories(dir);
            Files.writeString(cmdlineFile, cmdline + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new LabException("cannot write " + cmdlineFile, e);
        }
        List<String> argv = new ArrayList<>(List.of(ApplianceProcess.javaBinary(), "--enable-native-access=ALL-UNNAMED",
                "-cp", agentLib() + "/*", "io.metalboot.agent.AgentMain", "--cmdline", cmdlineFile.toString(),
                "--no-kernel-modules", "--no-network", "--power-ends-agent", "--interface", "eth0"));
        for (String disk : allowDisks) {
            argv.add("--allow-disk");
            argv.add(disk);
        }
        var agent = new HostAgent(ChildProcess.start(label, namespace.exec(argv), dir.resolve(label + ".log")));
        if (agent.process.lines().await(line -> line.contains("metalboot-agent: started"), STARTED).isEmpty()) {
            String tail = agent.process.lines().tail(20);
            agent.close();
            throw new LabException("the agent " + label + " did not start:\n" + tail);
        }
        return agent;
    }

    /** Its console, line by line. */
    Journal<String> console() {
        return process.lines();
    }

    /** The agent JVM's PID (for its /proc figures). */
    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.close();
    }
}
