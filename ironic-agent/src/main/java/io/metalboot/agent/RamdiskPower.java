package io.metalboot.agent;

import io.metalboot.agent.core.AgentCore;
import java.io.IOException;

/** Power control in the ramdisk: busybox's {@code poweroff -f} and {@code reboot -f} (no init to ask). */
final class RamdiskPower implements AgentCore.PowerControl {
    @Override
    public void powerOff() throws IOException, InterruptedException {
        run("poweroff");
    }

    @Override
    public void reboot() throws IOException, InterruptedException {
        run("reboot");
    }

    private static void run(String command) throws IOException, InterruptedException {
        // only the ramdisk has no init to ask; on a host with systemd, "poweroff -f" would take the host down
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/run/systemd/system"))) {
            throw new IOException(command + " refused: this is not the agent ramdisk (systemd runs here)");
        }
        int exit = new ProcessBuilder(command, "-f").inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IOException(command + " -f exited " + exit);
        }
    }
}
