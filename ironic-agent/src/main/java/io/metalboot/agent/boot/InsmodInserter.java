package io.metalboot.agent.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The ramdisk's kernel: {@code /proc/modules} for what is loaded, busybox {@code insmod PATH
 * [params]} to load. insmod, not modprobe: {@link ModuleIndex} has already put the dependencies
 * first, and insmod does exactly one module.
 */
public final class InsmodInserter implements ModuleInserter {
    /** A module's init may wait for its hardware (firmware, a SCSI scan): generous, but not forever. */
    private static final long TIMEOUT_SECONDS = 120;

    private final Path procModules;
    private final String insmod;

    public InsmodInserter(Path procModules, String insmod) {
        this.procModules = procModules;
        this.insmod = insmod;
    }

    /** {@code /proc/modules} and the {@code insmod} on PATH. */
    public static InsmodInserter ofThisMachine() {
        return new InsmodInserter(Path.of("/proc/modules"), "insmod");
    }

    @Override
    public Set<String> loadedModules() throws IOException {
        Set<String> names = new HashSet<>();
        for (String line : Files.readAllLines(procModules, StandardCharsets.UTF_8)) {
            int space = line.indexOf(' ');
            String name = space < 0 ? line.strip() : line.substring(0, space);
            if (!name.isEmpty()) {
                names.add(KernelModule.normalise(name));
            }
        }
        return names;
    }

    @Override
    public Insertion insert(KernelModule module, List<String> parameters) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(insmod, module.path().toString()));
        command.addAll(parameters);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        // Read on another thread, so that a hung insmod still meets the timeout.
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                output.append("(insmod's output unreadable: ").append(e.getMessage()).append(')');
            }
        });
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return Insertion.failed("insmod ran longer than " + TIMEOUT_SECONDS + " s");
        }
        reader.join();
        if (process.exitValue() == 0) {
            return Insertion.loaded();
        }
        // busybox: "insmod: can't insert 'X.ko': File exists"; kmod's insmod: "... File exists".
        if (output.indexOf("File exists") >= 0) {
            return Insertion.alreadyLoaded();
        }
        return Insertion.failed(output.isEmpty() ? "insmod exited with status " + process.exitValue() : output.toString());
    }
}
