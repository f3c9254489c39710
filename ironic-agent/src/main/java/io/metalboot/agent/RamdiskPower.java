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
        int exit = new ProcessBuilder(command, "-f").inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IOException(command + " -f exited " + exit);
        }
    }
}
