package io.metalboot.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's resident memory from {@code /proc/PID/status}: now ({@code VmRSS}) and its peak so far ({@code VmHWM}), in KiB. */
record ProcessMemory(long rssKib, long peakKib) {

    static ProcessMemory of(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            long rss = -1;
            long hwm = -1;
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                }
            }
            if (rss < 0 || hwm < 0) {
                throw new LabException(status + " has no VmRSS or VmHWM line");
            }
            return new ProcessMemory(rss, hwm);
        } catch (IOException e) {
            throw new LabException("cannot read " + status + " (has the process exited?)", e);
        }
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    double rssMib() {
        return rssKib / 1024.0;
    }

    double peakMib() {
        return peakKib / 1024.0;
    }
}
