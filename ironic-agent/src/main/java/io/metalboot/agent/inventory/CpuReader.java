package io.metalboot.agent.inventory;

import io.metalboot.machine.inventory.Cpu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Cpu} from {@code proc/cpuinfo}, {@code sys/devices/system/cpu} and
 * {@code proc/sys/kernel/arch} under a root, giving what IPA gets from lscpu:
 * <ul>
 *   <li>model_name: the first processor's "model name" (x86; ARM's cpuinfo has none: null).</li>
 *   <li>frequency: lscpu's "CPU max MHz" (cpufreq's {@code cpuinfo_max_freq}, kHz, printed as MHz
 *       with four decimals), else the first processor's "cpu MHz" as cpuinfo prints it.</li>
 *   <li>count: lscpu's "CPU(s)", the present CPUs ({@code sys/devices/system/cpu/present}), else
 *       the processors in cpuinfo.</li>
 *   <li>architecture: {@code proc/sys/kernel/arch} (uname -m), else {@link HostFacts#architecture}.</li>
 *   <li>flags: the first processor's "flags" (x86) or "Features" (ARM).</li>
 *   <li>socket_count: the distinct {@code topology/physical_package_id}s, else cpuinfo's distinct
 *       "physical id"s; null when neither is there.</li>
 * </ul>
 */
final class CpuReader {
    private final Path root;
    private final HostFacts host;

    CpuReader(Path root, HostFacts host) {
        this.root = root;
        this.host = host;
    }

    Cpu read() {
        Path cpuinfoFile = root.resolve("proc/cpuinfo");
        List<Map<String, String>> processors;
        try {
            processors = parseCpuinfo(Files.readString(cpuinfoFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + cpuinfoFile, e);
        }
        Map<String, String> first = processors.isEmpty() ? Map.of() : processors.get(0);

        Path cpus = root.resolve("sys/devices/system/cpu");
        Integer count = Sysfs.countCpuList(Sysfs.text(cpus.resolve("present")));
        if (count == null) {
            count = (int) processors.stream().filter(p -> p.containsKey("processor")).count();
        }

        String frequency = null;
        Long maxKhz = Sysfs.number(cpus.resolve("cpu0/cpufreq/cpuinfo_max_freq"));
        if (maxKhz != null && maxKhz > 0) {
            frequency = String.format(java.util.Locale.ROOT, "%.4f", maxKhz / 1000.0);
        } else {
            frequency = first.get("cpu MHz");
        }

        String architecture = Sysfs.text(root.resolve("proc/sys/kernel/arch"));
        if (architecture == null) {
            architecture = host.architecture();
        }

        String flags = first.containsKey("flags") ? first.get("flags") : first.get("Features");
        List<String> flagList = flags == null || flags.isBlank() ? List.of() : Arrays.asList(flags.strip().split("\\s+"));

        return new Cpu(first.get("model name"), frequency, count, architecture, flagList, sockets(cpus, processors));
    }

    private static Integer sockets(Path cpus, List<Map<String, String>> processors) {
        Set<String> packages = new HashSet<>();
        for (String name : Sysfs.names(cpus)) {
            if (name.matches("cpu\\d+")) {
                String id = Sysfs.text(cpus.resolve(name).resolve("topology/physical_package_id"));
                if (id != null) {
                    packages.add(id);
                }
            }
        }
        if (packages.isEmpty()) {
            for (Map<String, String> processor : processors) {
                if (processor.containsKey("physical id")) {
                    packages.add(processor.get("physical id"));
                }
            }
        }
        return packages.isEmpty() ? null : packages.size();
    }

    /** cpuinfo's blocks (one per processor, a blank line between), each "key<tabs>: value" line a pair. */
    static List<Map<String, String>> parseCpuinfo(String text) {
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, String> block = new LinkedHashMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isBlank()) {
                if (!block.isEmpty()) {
                    blocks.add(block);
                    block = new LinkedHashMap<>();
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                block.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        if (!block.isEmpty()) {
            blocks.add(block);
        }
        return blocks;
    }
}
