package io.metalboot.agent;

import io.metalboot.agent.core.AgentCore;
import java.util.function.Consumer;

/**
 * Power control for an agent run as a host process by a test: power-off and reboot end the
 * process (exit 0), so that no command can power off the host.
 */
final class ProcessExit implements AgentCore.PowerControl {
    private final Consumer<String> console;

    ProcessExit(Consumer<String> console) {
        this.console = console;
    }

    @Override
    public void powerOff() {
        exit("power-off");
    }

    @Override
    public void reboot() {
        exit("reboot");
    }

    private void exit(String what) {
        console.accept("metalboot-agent: " + what + " asked for; this agent runs as a process, which ends now");
        System.exit(0);
    }
}
