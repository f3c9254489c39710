package io.metalboot.packaging.standin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for the agent, not the agent: the ramdisk's main class until the ironic-agent
 * module exists, so that a built ramdisk can be booted and checked end to end.
 *
 * <p>It prints one line and returns:
 * {@code METALBOOT-STANDIN-AGENT main uptime=<seconds> cds=<on|off> java=<version>}, where
 * {@code uptime} is the first field of {@code /proc/uptime} read on entry to {@code main} (the
 * ramdisk's /init prints the same clock just before it starts Java, so the difference is the
 * JVM's start time) and {@code cds} says whether the JVM runs with a CDS archive mapped.
 */
public final class StandInAgent {
    /** The marker a boot test waits for on the serial console. */
    public static final String MARKER = "METALBOOT-STANDIN-AGENT";

    private StandInAgent() {
    }

    public static void main(String[] args) {
        String uptime = uptime();
        String vmInfo = System.getProperty("java.vm.info", "");
        String cds = vmInfo.contains("sharing") ? "on" : "off";
        System.out.println(MARKER + " main uptime=" + uptime + " cds=" + cds
                + " java=" + System.getProperty("java.runtime.version"));
    }

    private static String uptime() {
        try {
            String text = Files.readString(Path.of("/proc/uptime"), StandardCharsets.US_ASCII).trim();
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        } catch (IOException e) {
            return "unknown";
        }
    }
}
