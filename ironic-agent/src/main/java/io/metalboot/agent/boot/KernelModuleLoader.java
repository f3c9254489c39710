package io.metalboot.agent.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Loads the kernel modules the machine's devices ask for, as udev would, pass after pass: each pass
 * reads every {@code /sys/bus/*}{@code /devices/*}{@code /modalias}, resolves them against the
 * {@link ModuleIndex} and loads, in order, what is not loaded yet. A loaded module can bring new
 * devices (virtio_pci makes the virtio devices that virtio_net and virtio_blk bind; a SCSI host
 * makes the disks sd_mod binds), so another pass follows as long as one loaded something, at most
 * {@value #MAX_PASSES}, each after the devices have settled.
 *
 * <p>A module that fails to load is reported and not tried again; the others still load (a
 * module whose dependency failed is tried too, and the kernel says what it misses). Module
 * parameters come from {@code options NAME k=v ...} lines of {@code /etc/modprobe.d/*.conf}, as
 * modprobe reads them.
 */
public final class KernelModuleLoader {
    static final int MAX_PASSES = 8;
    /** Devices count as settled when the modalias list did not change for this long. */
    static final Duration SETTLE = Duration.ofMillis(200);
    /** ... and never wait longer than this for them after one pass. */
    static final Duration SETTLE_LIMIT = Duration.ofSeconds(3);

    private final Path sys;
    private final ModuleIndex index;
    private final ModuleInserter inserter;
    private final Map<String, List<String>> options;
    private final Duration settle;
    private final Consumer<String> console;

    /**
     * @param sys      the sysfs root ({@code /sys}, a directory tree in tests)
     * @param options  parameters by module name ({@link #readModprobeOptions})
     * @param settle   the quiet time devices are given between passes; zero: none
     * @param console  where each pass's outcome is printed, as it happens
     */
    public KernelModuleLoader(Path sys, ModuleIndex index, ModuleInserter inserter, Map<String, List<String>> options,
            Duration settle, Consumer<String> console) {
        this.sys = Objects.requireNonNull(sys, "sys");
        this.index = Objects.requireNonNull(index, "index");
        this.inserter = Objects.requireNonNull(inserter, "inserter");
        Map<String, List<String>> normalised = new HashMap<>();
        options.forEach((name, values) -> normalised.put(KernelModule.normalise(name), List.copyOf(values)));
        this.options = Map.copyOf(normalised);
        this.settle = Objects.requireNonNull(settle, "settle");
        this.console = Objects.requireNonNull(console, "console");
    }

    /**
     * The running kernel's modules ({@code /lib/modules/RELEASE}, the release from
     * {@code /proc/sys/kernel/osrelease}), {@code /sys}, {@code /etc/modprobe.d} and busybox insmod.
     */
    public static KernelModuleLoader forThisMachine(Consumer<String> console) throws IOException {
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease"), StandardCharsets.UTF_8).strip();
        ModuleIndex index = ModuleIndex.read(Path.of("/lib/modules", release));
        return new KernelModuleLoader(Path.of("/sys"), index, InsmodInserter.ofThisMachine(),
                readModprobeOptions(Path.of("/etc/modprobe.d")), SETTLE, console);
    }

    /** What one pass did: the modules it loaded and those that failed, in the order tried. */
    public record Pass(int number, List<String> loaded, List<Failure> failed) {
        public Pass {
            loaded = List.copyOf(loaded);
            failed = List.copyOf(failed);
        }
    }

    public record Failure(String module, String message) {
    }

    /** Every pass that tried something; the loaded modules and the failures over all of them. */
    public record Report(List<Pass> passes) {
        public Report {
            passes = List.copyOf(passes);
        }

        public List<String> loaded() {
            return passes.stream().flatMap(pass -> pass.loaded().stream()).toList();
        }

        public List<Failure> failed() {
            return passes.stream().flatMap(pass -> pass.failed().stream()).toList();
        }
    }

    /**
     * Loads one module by name with its chain (a filesystem's driver before a mount: it has no
     * device to be found by); built in or already loaded: nothing to do. A module this kernel does
     * not have, or one that fails to load, is an IOException naming it.
     */
    public void loadModule(String name) throws IOException, InterruptedException {
        if (index.isBuiltin(name)) {
            return;
        }
        if (index.module(name).isEmpty()) {
            throw new IOException("the kernel has no module " + name + " (not in the ramdisk's modules.list?)");
        }
        Set<String> loaded = new HashSet<>(inserter.loadedModules());
        List<String> failed = new ArrayList<>();
        for (KernelModule module : index.loadOrder(name)) {
            if (!loaded.contains(module.name())) {
                ModuleInserter.Insertion insertion = inserter.insert(module, options.getOrDefault(module.name(), List.of()));
                if (insertion.outcome() == ModuleInserter.Outcome.FAILED) {
                    // as modprobe: one of several providers may refuse this machine (crc32c-intel
                    // without SSE 4.2), another serves; only the module asked for must load
                    failed.add(module.name() + ": " + insertion.message());
                    console.accept("metalboot-agent: " + module.name() + " (for " + name + ") failed to load: "
                            + insertion.message());
                    if (module.name().equals(KernelModule.normalise(name))) {
                        throw new IOException(name + " failed to load: " + String.join("; ", failed));
                    }
                }
            }
        }
    }

    /** Runs the passes; prints each pass (and each failure) to the console as it ends. */
    public Report loadForPresentDevices() throws IOException, InterruptedException {
        List<Pass> passes = new ArrayList<>();
        Set<String> tried = new HashSet<>();
        for (int number = 1; number <= MAX_PASSES; number++) {
            Set<String> loaded = new HashSet<>(inserter.loadedModules());
            LinkedHashMap<String, KernelModule> wanted = new LinkedHashMap<>();
            for (String modalias : presentModaliases()) {
                for (KernelModule module : index.resolve(modalias)) {
                    if (!loaded.contains(module.name()) && !tried.contains(module.name())) {
                        wanted.putIfAbsent(module.name(), module);
                    }
                }
            }
            if (wanted.isEmpty()) {
                break;
            }
            List<String> loadedNow = new ArrayList<>();
            List<Failure> failedNow = new ArrayList<>();
            long passStarted = System.nanoTime();
            String slowest = null;
            long slowestMillis = -1;
            for (KernelModule module : wanted.values()) {
                tried.add(module.name());
                long started = System.nanoTime();
                ModuleInserter.Insertion insertion = inserter.insert(module, options.getOrDefault(module.name(), List.of()));
                long millis = (System.nanoTime() - started) / 1_000_000;
                if (millis > slowestMillis) {
                    slowest = module.name();
                    slowestMillis = millis;
                }
                switch (insertion.outcome()) {
                    case LOADED -> loadedNow.add(module.name());
                    case ALREADY_LOADED -> { }
                    case FAILED -> {
                        failedNow.add(new Failure(module.name(), insertion.message()));
                        console.accept("metalboot-agent: modalias pass " + number + ": " + module.name()
                                + " failed to load: " + insertion.message());
                    }
                }
            }
            passes.add(new Pass(number, loadedNow, failedNow));
            if (loadedNow.isEmpty()) {
                break;
            }
            // The times show where a boot under emulation waits (a driver probing its hardware).
            console.accept("metalboot-agent: modalias pass " + number + " loaded: " + String.join(" ", loadedNow) + " ("
                    + (System.nanoTime() - passStarted) / 1_000_000 + " ms; slowest " + slowest + " " + slowestMillis + " ms)");
            if (number < MAX_PASSES) {
                settle();
            }
        }
        return new Report(passes);
    }

    /** Every device's modalias, each once, sorted (the order is the same from boot to boot). */
    Set<String> presentModaliases() throws IOException {
        Set<String> modaliases = new TreeSet<>();
        for (Path bus : children(sys.resolve("bus"))) {
            for (Path device : children(bus.resolve("devices"))) {
                try {
                    String modalias = Files.readString(device.resolve("modalias"), StandardCharsets.UTF_8).strip();
                    if (!modalias.isEmpty()) {
                        modaliases.add(modalias);
                    }
                } catch (IOException e) {
                    // No modalias (not every device has one), or the device went away meanwhile.
                }
            }
        }
        return modaliases;
    }

    /** Waits until the modalias list has stayed the same for {@code settle}, at most {@link #SETTLE_LIMIT}. */
    private void settle() throws IOException, InterruptedException {
        if (settle.isZero()) {
            return;
        }
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        Set<String> before = presentModaliases();
        while (true) {
            Thread.sleep(settle);
            Set<String> now = presentModaliases();
            if (now.equals(before) || System.nanoTime() > deadline) {
                return;
            }
            before = now;
        }
    }

    /**
     * The {@code options NAME k=v ...} lines of every {@code *.conf} in a modprobe.d directory, by
     * module name; several lines for one module add up. Absent directory: none.
     */
    public static Map<String, List<String>> readModprobeOptions(Path modprobeDir) throws IOException {
        Map<String, List<String>> options = new HashMap<>();
        if (!Files.isDirectory(modprobeDir)) {
            return Map.of();
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(modprobeDir, "*.conf")) {
            stream.forEach(files::add);
        }
        files.sort(null); // modprobe reads them in name order
        for (Path file : files) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                List<String> words = Arrays.asList(text.split("\\s+"));
                if (words.size() >= 3 && words.get(0).equals("options")) {
                    options.computeIfAbsent(KernelModule.normalise(words.get(1)), name -> new ArrayList<>())
                            .addAll(words.subList(2, words.size()));
                }
            }
        }
        Map<String, List<String>> copy = new HashMap<>();
        options.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        return Map.copyOf(copy);
    }

    private static List<Path> children(Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        children.sort(null);
        return children;
    }
}
