package io.metalboot.lab;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the test kernel's /init printed on a VM's serial console (see {@code testkernel/build.sh}):
 * <pre>
 *   METALBOOT-TEST-KERNEL booted mac=M token=present|absent
 *   METALBOOT-TEST-KERNEL cmdline ... metalboot.token=&lt;masked&gt; ...
 *   METALBOOT-TEST-KERNEL smbios uuid=U serial=S
 * </pre>
 *
 * @param mac          {@code metalboot.mac} from the kernel command line
 * @param tokenPresent whether a non-empty {@code metalboot.token} came (its value is never printed)
 * @param cmdline      the command line, the token masked
 * @param uuid         the SMBIOS UUID as the kernel reads it ({@code /sys/class/dmi/id/product_uuid})
 * @param serial       the SMBIOS system serial
 */
record TestKernelReport(String mac, boolean tokenPresent, String cmdline, String uuid, String serial) {
    private static final String PANIC = "Kernel panic";
    private static final String PREFIX = "METALBOOT-TEST-KERNEL ";
    private static final Pattern BOOTED = Pattern.compile(PREFIX + "booted mac=(\\S*) token=(present|absent)");
    private static final Pattern CMDLINE = Pattern.compile(PREFIX + "cmdline (.*)");
    private static final Pattern SMBIOS = Pattern.compile(PREFIX + "smbios uuid=(\\S*) serial=(\\S*)");

    /** Waits for all three lines; empty when the deadline or the end of the console comes first. */
    static Optional<TestKernelReport> await(SerialConsole console, Duration timeout) {
        var deadline = Deadline.in(timeout);
        Optional<Matcher> booted = awaitLine(console, BOOTED, deadline);
        Optional<Matcher> cmdline = booted.flatMap(found -> awaitLine(console, CMDLINE, deadline));
        Optional<Matcher> smbios = cmdline.flatMap(found -> awaitLine(console, SMBIOS, deadline));
        if (smbios.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TestKernelReport(booted.get().group(1), booted.get().group(2).equals("present"),
                cmdline.get().group(1).strip(), smbios.get().group(1), smbios.get().group(2)));
    }

    private static Optional<Matcher> awaitLine(SerialConsole console, Pattern pattern, Deadline deadline) {
        // A panicked kernel (no initramfs, say) never prints the line: waiting out the deadline would only cost time.
        return console.lines().await(line -> pattern.matcher(line).find() || line.contains(PANIC), deadline.remaining())
                .filter(line -> !line.contains(PANIC))
                .map(line -> {
                    Matcher matcher = pattern.matcher(line);
                    matcher.find();
                    return matcher;
                });
    }
}
