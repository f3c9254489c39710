package io.metalboot.lab.storm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * The boot-storm load generator: N machines booting at once, each a virtual thread, run inside a
 * lab namespace ({@code ip netns exec NS java -cp … io.metalboot.lab.storm.BootStorm …}) so that it
 * reaches only the server's namespace. Every machine plays a UEFI boot (OVMF's PXE, then iPXE; see
 * {@link StormStep}) and checks what it gets. After {@code --deadline} it stops itself: machines not
 * done by then are failures, named with the step they were in. It writes the {@link StormReport}
 * as JSON and exits 0 only if every machine was served.
 *
 * <pre>
 * BootStorm --machines N --scope full|dhcp-tftp --deadline SECONDS --report FILE --target NAME
 *           --client-address ADDRESS --boot-file NAME=PATH [--checksummed K] [--seed S]
 *           [--base-url URL --attempts N --agent-args TEXT --kernel PATH=FILE --initrd PATH=FILE]   (full only)
 * </pre>
 */
public final class BootStorm {
    /** At least this many machines' ramdisk downloads are hashed in full (all of them in a smaller storm). */
    static final int CHECKSUMMED = 100;

    private BootStorm() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options;
        try {
            options = options(args);
        } catch (IllegalArgumentException e) {
            System.err.println("BootStorm: " + e.getMessage());
            System.exit(2);
            return;
        }
        StormReport report = run(options);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path out = Path.of(required(options, "report"));
        Files.writeString(out, json.writeValueAsString(report));
        System.out.printf("storm %s %s: %d machines, %d served, %d failed, all served in %.1f s%n", report.target(),
                report.scope(), report.machines(), report.succeeded(), report.failed(), report.servedSeconds());
        report.steps().forEach(s -> System.out.printf("  %-13s p50 %9.2f ms  p99 %9.2f ms  max %9.2f ms  (%d)%n",
                s.step(), s.p50Ms(), s.p99Ms(), s.maxMs(), s.completed()));
        report.failures().stream().limit(20).forEach(f -> System.out.println("  FAILED " + f));
        // Machines still blocked past the deadline must not keep the JVM: the generator stops itself.
        System.exit(report.failed() == 0 ? 0 : 1);
    }

    static StormReport run(Map<String, String> options) throws IOException, InterruptedException {
        int count = Integer.parseInt(required(options, "machines"));
        if (count < 1 || count > 0xffff) {
            throw new IllegalArgumentException("--machines must be 1..65535");
        }
        StormScope scope = StormScope.parse(required(options, "scope"));
        Duration deadline = Duration.ofSeconds(Long.parseLong(required(options, "deadline")));
        ExpectedBoot expected = expected(options, scope);
        Random random = new Random(Long.parseLong(options.getOrDefault("seed", "20")));
        int checksummed = Math.min(count, Integer.parseInt(options.getOrDefault("checksummed", Integer.toString(CHECKSUMMED))));
        List<Integer> order = new ArrayList<>(IntStream.range(0, count).boxed().toList());
        Collections.shuffle(order, random);
        Set<Integer> hashedMachines = Set.copyOf(order.subList(0, checksummed));

        Set<String> tokens = ConcurrentHashMap.newKeySet();
        AtomicLong hashed = new AtomicLong();
        AtomicLong counted = new AtomicLong();
        OvmfTftpClient tftp = new OvmfTftpClient(Duration.ofSeconds(4), 6);
        List<MachineBoot> boots = new ArrayList<>();
        Map<Integer, StormReport.Failure> failures = new ConcurrentHashMap<>();
        AtomicInteger succeeded = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(count);
        long started;
        long lastFinished;
        long unmatched;
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        Inet4Address clientAddress = (Inet4Address) InetAddress.getByName(
                required(options, "client-address"));
        try (DhcpPort dhcp = new DhcpPort(DhcpPort.CLIENT_PORT); DhcpPort bootServer = new DhcpPort(DhcpPort.BOOT_SERVER_PORT)) {
            for (int i = 0; i < count; i++) {
                StormMachine machine = StormMachine.of(i, hashedMachines.contains(i));
                MachineBoot boot = new MachineBoot(machine, scope, expected, dhcp, bootServer, clientAddress, tftp, tokens,
                        hashed, counted);
                boots.add(boot);
                threads.submit(() -> {
                    try {
                        start.await();
                        boot.run();
                        boot.finishedAt = System.nanoTime();
                        succeeded.incrementAndGet();
                    } catch (StepFailure e) {
                        boot.finishedAt = System.nanoTime();
                        failures.putIfAbsent(machine.index(), failure(machine, boot.current, e.getMessage()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        boot.finishedAt = System.nanoTime();
                        failures.putIfAbsent(machine.index(), failure(machine, boot.current, e.toString()));
                    } finally {
                        done.countDown();
                    }
                    return null;
                });
            }
            started = System.nanoTime();
            start.countDown();
            if (!done.await(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                for (MachineBoot boot : boots) {
                    if (boot.finishedAt == 0) {
                        failures.putIfAbsent(boot.machine().index(), failure(boot.machine(), boot.current,
                                "not done at the storm's deadline of " + deadline.toSeconds() + " s"));
                    }
                }
            }
            lastFinished = boots.stream().mapToLong(b -> b.finishedAt == 0 ? System.nanoTime() : b.finishedAt).max()
                    .orElse(started);
            unmatched = dhcp.unmatched() + bootServer.unmatched();
        }
        threads.shutdownNow();
        long[][] nanos = new long[StormStep.values().length][count];
        for (int i = 0; i < count; i++) {
            for (StormStep step : StormStep.values()) {
                nanos[step.ordinal()][i] = boots.get(i).nanos[step.ordinal()];
            }
        }
        List<StormReport.Failure> listed = new ArrayList<>(failures.values());
        listed.sort((a, b) -> Integer.compare(a.machine(), b.machine()));
        Map<String, Integer> byStep = new LinkedHashMap<>();
        Map<String, Integer> counting = new HashMap<>();
        listed.forEach(f -> counting.merge(f.step(), 1, Integer::sum));
        for (StormStep step : StormStep.values()) {
            if (counting.containsKey(step.label())) {
                byStep.put(step.label(), counting.get(step.label()));
            }
        }
        int served = count - listed.size();
        return new StormReport(options.getOrDefault("target", "server"), scope.wireName(), count, Math.min(served,
                succeeded.get()), (lastFinished - started) / 1e9, scope == StormScope.FULL ? checksummed : 0,
                hashed.get(), counted.get(), unmatched, StormReport.figures(scope, nanos), listed, byStep);
    }

    private static StormReport.Failure failure(StormMachine machine, StormStep step, String error) {
        return new StormReport.Failure(machine.index(), machine.macText(), step.label(), error);
    }

    private static ExpectedBoot expected(Map<String, String> options, StormScope scope) throws IOException {
        String[] bootFile = pair(required(options, "boot-file"), "boot-file");
        byte[] bootBytes = Files.readAllBytes(Path.of(bootFile[1]));
        if (scope == StormScope.DHCP_TFTP) {
            return new ExpectedBoot(bootFile[0], bootBytes, "", 0, "", null, null);
        }
        String[] kernel = pair(required(options, "kernel"), "kernel");
        String[] initrd = pair(required(options, "initrd"), "initrd");
        return new ExpectedBoot(bootFile[0], bootBytes, required(options, "base-url"),
                Integer.parseInt(required(options, "attempts")), required(options, "agent-args"),
                ExpectedBoot.Download.of(kernel[0], Path.of(kernel[1])), ExpectedBoot.Download.of(initrd[0], Path.of(initrd[1])));
    }

    private static String[] pair(String value, String name) {
        int at = value.indexOf('=');
        if (at <= 0) {
            throw new IllegalArgumentException("--" + name + " must be NAME=FILE, not '" + value + "'");
        }
        return new String[] {value.substring(0, at), value.substring(at + 1)};
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("arguments are --name value pairs; '" + args[i] + "' is not");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
