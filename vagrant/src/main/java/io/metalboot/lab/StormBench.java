package io.metalboot.lab;

import io.metalboot.lab.storm.StormReport;
import io.metalboot.lab.storm.StormScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The boot-storm bench ({@code bench/storm/run.sh}): for each N, rounds of three storms taking
 * turns — the appliance (every step), the appliance (DHCP + TFTP only) and the dnsmasq peer (DHCP
 * + TFTP) — then the appliance at N = {@code --heap-machines} under each {@code -Xmx} of
 * {@code --heaps}. Writes a Markdown results file.
 *
 * <pre>
 * StormBench --out FILE [--machines 100,500,1000] [--rounds 2] [--heaps 256m,128m,96m,64m]
 *            [--heap-machines 1000] [--deadline SECONDS] [--log-level info|debug]
 * </pre>
 */
public final class StormBench {
    private StormBench() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!options.containsKey("out")) {
            System.err.println("usage: StormBench --out FILE [--machines 100,500,1000] [--rounds 2] [--heaps 256m,128m]"
                    + " [--heap-machines 1000] [--deadline 600]");
            System.exit(2);
        }
        Path out = Path.of(options.get("out")).toAbsolutePath();
        List<Integer> sizes = Arrays.stream(options.getOrDefault("machines", "100,500,1000").split(","))
                .map(String::strip).map(Integer::parseInt).toList();
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "2"));
        List<String> heaps = Arrays.stream(options.getOrDefault("heaps", "").split(",")).map(String::strip)
                .filter(h -> !h.isEmpty()).toList();
        int heapMachines = Integer.parseInt(options.getOrDefault("heap-machines", "1000"));
        Duration deadline = Duration.ofSeconds(Long.parseLong(options.getOrDefault("deadline", "600")));
        Path repo = Path.of(options.getOrDefault("repo", ".")).toAbsolutePath().normalize();
        Path work = repo.resolve("vagrant/target/storm-bench/run-" + Instant.now().getEpochSecond());

        var prerequisites = Prerequisites.check(PackagedAppliance.debFile(repo));
        if (!prerequisites.met()) {
            System.err.println("storm bench: cannot run here, " + prerequisites.describe());
            System.exit(2);
        }
        String loadBefore = uptime();
        var packaged = PackagedAppliance.unpack(PackagedAppliance.debFile(repo), work.resolve("packaged-appliance"));
        List<BootStormRun.Result> storms = new ArrayList<>();
        List<BootStormRun.Result> heapRuns = new ArrayList<>();
        Instant began = Instant.now();
        try (BootStormRun lab = BootStormRun.create(work, packaged, options.getOrDefault("log-level", "info"))) {
            for (int machines : sizes) {
                for (int round = 1; round <= rounds; round++) {
                    storms.add(print(lab.appliance(machines, StormScope.FULL, List.of(), deadline)));
                    storms.add(print(lab.appliance(machines, StormScope.DHCP_TFTP, List.of(), deadline)));
                    storms.add(print(lab.peer(machines, deadline)));
                }
            }
            for (String heap : heaps) {
                heapRuns.add(print(lab.appliance(heapMachines, StormScope.FULL, List.of("-Xmx" + heap), deadline)));
            }
        }
        String loadAfter = uptime();
        Files.createDirectories(out.getParent());
        Files.writeString(out, markdown(storms, heapRuns, rounds, loadBefore, loadAfter,
                Duration.between(began, Instant.now()), work), StandardCharsets.UTF_8);
        System.out.println("storm bench: results in " + out);
    }

    private static BootStormRun.Result print(BootStormRun.Result result) {
        StormReport r = result.report();
        System.out.printf(Locale.ROOT, "storm: %-28s %-9s N=%-5d served %7.1f s  failed %d  registry %d  RSS idle %.0f MiB peak %.0f MiB%n",
                result.label(), r.scope(), r.machines(), r.servedSeconds(), r.failed(), result.registered(),
                result.idle().rssMib(), result.peak().peakMib());
        r.failures().stream().limit(5).forEach(f -> System.out.println("  FAILED " + f));
        return result;
    }

    static String markdown(List<BootStormRun.Result> storms, List<BootStormRun.Result> heapRuns, int rounds,
                           String loadBefore, String loadAfter, Duration took, Path work) {
        StringBuilder md = new StringBuilder();
        md.append("# Boot storm, ").append(Instant.now()).append("\n\n");
        md.append("`bench/storm/run.sh` (StormBench), ").append(rounds)
                .append(" round(s) per N, the three storms taking turns in each round; the whole run took ")
                .append(took.toMinutes()).append(" min. Host: ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores.\n\n- load before: `").append(loadBefore).append("`\n- load after: `").append(loadAfter)
                .append("`\n- logs and reports: `").append(work).append("`\n\n");
        md.append("## Every storm\n\n");
        md.append("Times in ms, p50 / p99 over the machines that finished the step. `served`: start to the last machine's last step.\n\n");
        md.append("| N | server | steps | served (s) | failed | dhcp | tftp | ipxe-dhcp | boot.ipxe | machine.ipxe | vmlinuz | initrd | registry | RSS idle (MiB) | RSS peak (MiB) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (BootStormRun.Result s : storms) {
            row(md, s);
        }
        md.append("\n## DHCP + TFTP: the appliance beside dnsmasq (medians over the rounds)\n\n");
        md.append("| N | served: appliance (s) | served: dnsmasq (s) | ratio | dhcp p50 appliance / dnsmasq (ms) | dhcp p99 | tftp p50 | tftp p99 |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        storms.stream().map(s -> s.report().machines()).distinct().forEach(n -> {
            List<StormReport> ours = storms.stream().filter(s -> s.report().machines() == n && s.label().equals("appliance")
                    && s.report().scope().equals(StormScope.DHCP_TFTP.wireName())).map(BootStormRun.Result::report).toList();
            List<StormReport> peer = storms.stream().filter(s -> s.report().machines() == n && s.label().equals("dnsmasq"))
                    .map(BootStormRun.Result::report).toList();
            if (ours.isEmpty() || peer.isEmpty()) {
                return;
            }
            double a = median(ours, StormReport::servedSeconds);
            double b = median(peer, StormReport::servedSeconds);
            md.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %s | %s | %s | %s |%n", n, a, b, a / b,
                    pair(ours, peer, "dhcp", true), pair(ours, peer, "dhcp", false),
                    pair(ours, peer, "tftp", true), pair(ours, peer, "tftp", false)));
        });
        if (!heapRuns.isEmpty()) {
            md.append("\n## Heap: the appliance at N = ").append(heapRuns.getFirst().report().machines())
                    .append(" under each -Xmx (every step)\n\n");
            md.append("| JVM options | served (s) | failed | registry | RSS idle (MiB) | RSS peak (MiB) | failures by step |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            for (BootStormRun.Result h : heapRuns) {
                StormReport r = h.report();
                md.append(String.format(Locale.ROOT, "| `%s` | %.1f | %d | %d | %.0f | %.0f | %s |%n", h.label(),
                        r.servedSeconds(), r.failed(), h.registered(), h.idle().rssMib(), h.peak().peakMib(),
                        r.failuresByStep()));
            }
        }
        List<BootStormRun.Result> failing = new ArrayList<>(storms);
        failing.addAll(heapRuns);
        failing.removeIf(s -> s.report().failed() == 0);
        if (!failing.isEmpty()) {
            md.append("\n## Failures (the first 10 of each storm)\n\n");
            for (BootStormRun.Result s : failing) {
                md.append("- ").append(s.label()).append(' ').append(s.report().scope()).append(" N=")
                        .append(s.report().machines()).append(": ").append(s.report().failuresByStep()).append('\n');
                s.report().failures().stream().limit(10).forEach(f -> md.append("  - machine ").append(f.machine())
                        .append(" (").append(f.mac()).append(") at ").append(f.step()).append(": `")
                        .append(f.error().replace('`', '\'')).append("`\n"));
            }
        }
        return md.toString();
    }

    private static void row(StringBuilder md, BootStormRun.Result s) {
        StormReport r = s.report();
        md.append(String.format(Locale.ROOT, "| %d | %s | %s | %.2f | %d |", r.machines(), s.label(), r.scope(),
                r.servedSeconds(), r.failed()));
        for (String step : List.of("dhcp", "tftp", "ipxe-dhcp", "boot.ipxe", "machine.ipxe", "vmlinuz", "initrd.img")) {
            md.append(r.step(step).map(f -> String.format(Locale.ROOT, " %.1f / %.1f |", f.p50Ms(), f.p99Ms())).orElse(" — |"));
        }
        md.append(String.format(Locale.ROOT, " %s | %.0f | %.0f |%n", s.registered() < 0 ? "—" : Integer.toString(s.registered()),
                s.idle().rssMib(), s.peak().peakMib()));
    }

    private static String pair(List<StormReport> ours, List<StormReport> peer, String step, boolean p50) {
        ToDoubleFunction<StormReport> value = r -> r.step(step).map(f -> p50 ? f.p50Ms() : f.p99Ms()).orElse(Double.NaN);
        return String.format(Locale.ROOT, "%.1f / %.1f", median(ours, value), median(peer, value));
    }

    private static double median(List<StormReport> reports, ToDoubleFunction<StormReport> value) {
        double[] values = reports.stream().mapToDouble(value).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static String uptime() {
        try {
            return Command.run(List.of("uptime")).strip();
        } catch (LabException e) {
            return "uptime failed: " + e.getMessage();
        }
    }
}
