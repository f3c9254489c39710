package io.metalboot.lab;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The same Ironic deploy with two agents, side by side in one run: metalboot's Java agent in
 * Ironic mode ({@link HostAgent}) and OpenStack's ironic-python-agent 9.4.3 from source
 * ({@link SourceIpa}). One lab network, the packaged appliance serving the lab's UEFI test disk as
 * catalog images (signed URLs), one standalone Ironic ({@link IronicService}, automated cleaning
 * off, {@code [api] ramdisk_heartbeat_timeout} the same for both agents), <b>one node</b> and one
 * host namespace (one MAC, one address) that both agents take turns on. Each deploy: a fresh 5 GiB
 * sparse loop device (the node's root-device hint), {@code deploy} requested first and the node in
 * {@code wait call-back} (so neither agent's lookup waits on Ironic), then the agent started and
 * timed from its start to the node's {@code active}; the written disk compared with the image; the
 * agent's peak RSS (VmHWM) and CPU (its own and its reaped children's utime + stime) read from
 * /proc before it is stopped; then {@code deleted} back to {@code available}. Rounds alternate the
 * order (metalboot, IPA; then IPA, metalboot; ...). Prints a table, the medians and the ratio.
 * <p>
 * Options: {@code --rounds N} (3), {@code --formats raw,qcow2} (both), {@code --agents metalboot,ipa}.
 * System properties as {@link LabMain}'s, and {@code metalboot.bench.ipa-script}.
 * Exit status 0: every deploy reached active with the image on disk; 1: not; 2: could not set up.
 */
public final class IronicDeployBench {
    private static final String MAC = "52:54:00:19:00:31";
    private static final String AGENT_ADDRESS = "10.203.0.61";
    private static final Duration STATE = Duration.ofMinutes(5);
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(6);
    private static final long LOOP_SIZE = 5L << 30;
    private static final int LOOKUP_INTERVAL = 1;
    private static final int LOOKUP_TIMEOUT = 240;
    private static final long CLK_TCK = 100;

    /** One timed deploy. Seconds are -1 when not reached. */
    record Row(String agent, String format, int round, double startToHeartbeat, double startToActive, double rssMib,
               double cpuSelf, double cpuWithChildren, boolean contentEqual, boolean wholeEqual, String note) {
    }

    private IronicDeployBench() {
    }

    public static void main(String[] args) {
        int rounds = 3;
        List<String> formats = List.of("raw", "qcow2");
        List<String> agents = List.of("metalboot", "ipa");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--formats" -> formats = List.of(args[++i].split(","));
                case "--agents" -> agents = List.of(args[++i].split(","));
                default -> {
                    System.out.println("bench: unknown argument " + args[i]
                            + "\nusage: run.sh [--rounds N] [--formats raw,qcow2] [--agents metalboot,ipa]");
                    System.exit(2);
                }
            }
        }
        int status;
        try {
            status = run(rounds, formats, agents);
        } catch (LabException e) {
            System.out.println("bench: " + e.getMessage());
            status = 2;
        }
        System.exit(status);
    }

    private static int run(int rounds, List<String> formats, List<String> agents) {
        Path deb = PackagedAppliance.debFile(Path.of("").toAbsolutePath());
        for (var prerequisites : List.of(Prerequisites.check(deb), Prerequisites.checkIronic())) {
            if (!prerequisites.met()) {
                System.out.println("bench: cannot run, " + prerequisites.describe());
                return 2;
            }
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path workDir = Path.of(System.getProperty("metalboot.lab.workdir", ".lab")).toAbsolutePath().normalize()
                .resolve("ironic-bench-" + stamp);
        var packaged = PackagedAppliance.unpack(deb, workDir.getParent().resolve("packaged-appliance"));
        Path labHome = BootMedia.labHome();
        Path diskDir = labHome.resolve("target/testdisk");
        Command.run(Duration.ofMinutes(5), List.of("bash", labHome.resolve("testdisk/build.sh").toString(), diskDir.toString()));
        Path raw = diskDir.resolve("uefi.img");
        var network = LabNetwork.create(workDir, false);
        List<Row> rows = new ArrayList<>();
        try {
            Path images = workDir.resolve("images");
            var rawImage = new DeployImage("uefi-raw", raw, "raw", DeployImage.sha256(raw), raw);
            var qcow2 = DeployImage.qcow2("uefi-qcow2", raw, images);
            var config = ApplianceConfig.debug(LabNetwork.PROVISIONING.applianceInterface(), DhcpMode.OFFER, workDir)
                    .withLogLevel("info").withCatalog(List.of(rawImage, qcow2));
            ApplianceProcess.start(network, packaged, config);
            var appliance = ApplianceApi.operator(network.appliance(), config.stateDir());
            var host = network.addHost("agent", MAC);
            host.ip("addr", "add", AGENT_ADDRESS + "/24", "dev", "eth0");
            System.out.println("bench: network " + network.suffix() + ", appliance on "
                    + LabNetwork.PROVISIONING.applianceAddress() + ", agent host " + host.name() + " (" + AGENT_ADDRESS
                    + ", " + MAC + "); logs in " + workDir);
            var settings = IronicService.Settings.of(LabNetwork.PROVISIONING.applianceAddress(), workDir.resolve("ironic"))
                    .withAutomatedClean(false).withRamdiskHeartbeatTimeout(HEARTBEAT_TIMEOUT);
            try (var ironic = IronicService.start(network.appliance(), settings)) {
                System.out.println("bench: Ironic and the inspector answered in " + ironic.startupTime().toMillis()
                        + " ms; [api] ramdisk_heartbeat_timeout = " + HEARTBEAT_TIMEOUT.toSeconds() + " s, automated cleaning off");
                var api = ironic.api();
                String uuid = api.createNode(Map.of("name", "bench-node", "driver", "fake-hardware",
                        "properties", Map.of("vendor", "lenovo", "cpu_arch", "x86_64"),
                        "driver_info", Map.of("deploy_forces_oob_reboot", true)));
                api.createPort(uuid, MAC);
                ironic.baremetal("node", "manage", uuid, "--wait", "60");
                api.setProvisionState(uuid, "provide");
                api.waitForProvisionState(uuid, "available", STATE);
                int deploy = 0;
                for (String format : formats) {
                    DeployImage image = format.equals("qcow2") ? qcow2 : rawImage;
                    for (int round = 1; round <= rounds; round++) {
                        List<String> order = new ArrayList<>(agents);
                        if (round % 2 == 0) {
                            order = order.reversed();
                        }
                        for (String agent : order) {
                            deploy++;
                            Row row = deployOnce(agent, format, round, deploy, image, network, host, ironic, appliance, uuid,
                                    workDir);
                            rows.add(row);
                            System.out.println("bench: " + describe(row));
                        }
                    }
                }
            }
        } finally {
            network.close();
        }
        String table = table(rows, agents, formats);
        System.out.println();
        System.out.print(table);
        try {
            Files.writeString(workDir.resolve("results.txt"), table, StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.out.println("bench: cannot write " + workDir.resolve("results.txt") + ": " + e.getMessage());
        }
        return rows.stream().allMatch(row -> row.startToActive() >= 0 && row.contentEqual()) ? 0 : 1;
    }

    private static Row deployOnce(String agent, String format, int round, int deploy, DeployImage image, LabNetwork network,
                                  Namespace host, IronicService ironic, ApplianceApi appliance, String uuid, Path workDir) {
        var api = ironic.api();
        Path loopFile = workDir.resolve("disk-" + deploy + ".img");
        String device = loop(loopFile);
        String label = agent + "-" + format + "-" + round;
        try {
            api.setImage(uuid, appliance.signedUrl(image.name(), MAC), image.sha256(), format,
                    List.of(Map.of("op", "add", "path", "/properties/root_device", "value", Map.of("name", device))));
            // deploy first: the node is powered on (fake) and waits for its agent, as a real one would be booting it
            api.setProvisionState(uuid, "active");
            api.waitForProvisionState(uuid, "wait call-back", STATE);
            Path agents = workDir.resolve("agents");
            var firstBeat = new AtomicLong(-1);
            long started = System.nanoTime();
            double toActive = -1;
            double rss = -1;
            double cpuSelf = -1;
            double cpuAll = -1;
            String note = "";
            AutoCloseable process = null;
            try {
                Journal<String> console;
                long pid;
                if (agent.equals("metalboot")) {
                    String cmdline = "ipa-api-url=" + ironic.apiUrl() + " ipa-lookup-interval=" + LOOKUP_INTERVAL
                            + " ipa-lookup-timeout=" + LOOKUP_TIMEOUT + " metalboot.lldp-seconds=0";
                    var started0 = HostAgent.start(host, agents, label, cmdline, List.of(device));
                    process = started0;
                    console = started0.console();
                    pid = started0.pid();
                    watch(console, "metalboot-agent: ironic: heartbeating node", started, firstBeat);
                } else {
                    var ipa = SourceIpa.start(host, agents, label, ironic.apiUrl(), AGENT_ADDRESS, device, "eth0",
                            LOOKUP_INTERVAL, LOOKUP_TIMEOUT);
                    process = ipa;
                    console = ipa.console();
                    pid = ipa.pid();
                    watch(console, "heartbeat successful", started, firstBeat);
                }
                try {
                    api.waitForProvisionState(uuid, "active", STATE);
                    toActive = (System.nanoTime() - started) / 1e9;
                } catch (LabException e) {
                    note = e.getMessage().replace('\n', ' ');
                    System.out.println("bench: " + label + " did not reach active: " + note + "\n" + label
                            + "'s last lines:\n" + console.tail(25));
                }
                long[] figures = procFigures(pid);
                if (figures != null) {
                    rss = figures[0] / 1024.0;
                    cpuSelf = figures[1] / (double) CLK_TCK;
                    cpuAll = (figures[1] + figures[2]) / (double) CLK_TCK;
                }
            } finally {
                if (process != null) {
                    try {
                        process.close();
                    } catch (Exception e) {
                        note += " (stopping the agent: " + e.getMessage() + ")";
                    }
                }
            }
            boolean[] equal = compare(device, image.raw());
            // back to available for the next round (cleaning off: no agent needed)
            String state = IronicApiClient.text(api.node(uuid), "provision_state");
            if (state.equals("wait call-back")) {
                api.setProvisionState(uuid, "abort");
                api.waitForProvisionState(uuid, "deploy failed", STATE);
                state = "deploy failed";
            }
            if (state.equals("active") || state.equals("deploy failed")) {
                api.setProvisionState(uuid, "deleted");
            }
            api.waitForProvisionState(uuid, "available", STATE);
            return new Row(agent, format, round, firstBeat.get() < 0 ? -1 : firstBeat.get() / 1e9, toActive, rss, cpuSelf,
                    cpuAll, equal[0], equal[1], note);
        } finally {
            Command.run(List.of("losetup", "-d", device));
            try {
                Files.deleteIfExists(loopFile);
            } catch (IOException e) {
                System.out.println("bench: cannot delete " + loopFile + ": " + e.getMessage());
            }
        }
    }

    /** Records, on a virtual thread, the nanoseconds from {@code started} to the first console line containing {@code text}. */
    private static void watch(Journal<String> console, String text, long started, AtomicLong at) {
        Thread.ofVirtual().start(() -> console.await(line -> line.contains(text), STATE)
                .ifPresent(line -> at.compareAndSet(-1, System.nanoTime() - started)));
    }

    /** VmHWM (KiB), utime + stime and cutime + cstime (ticks) of {@code pid}; null if it is gone. */
    static long[] procFigures(long pid) {
        try {
            long hwm = -1;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state=f[0], utime=f[11], stime=f[12], cutime=f[13], cstime=f[14]
            return new long[] {hwm, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * {content equal, whole image equal}: the image's bytes between the primary GPT (first usable
     * LBA) and the backup GPT (its last 33 sectors) are on the disk; and all its bytes are.
     */
    static boolean[] compare(String device, Path raw) {
        try {
            Command.run(List.of("blockdev", "--flushbufs", device));
            byte[] image = Files.readAllBytes(raw);
            byte[] disk = new byte[image.length];
            try (RandomAccessFile f = new RandomAccessFile(device, "r")) {
                f.readFully(disk);
            }
            long firstUsable = java.nio.ByteBuffer.wrap(image, 512 + 40, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            int from = (int) (firstUsable * 512);
            int to = image.length - 33 * 512;
            boolean content = from > 0 && from < to && Arrays.equals(image, from, to, disk, from, to);
            return new boolean[] {content, Arrays.equals(image, disk)};
        } catch (IOException | RuntimeException e) {
            return new boolean[] {false, false};
        }
    }

    /** A loop device on a new sparse file of {@value #LOOP_SIZE} bytes (all zeros). */
    private static String loop(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(LOOP_SIZE);
        } catch (IOException e) {
            throw new LabException("cannot make " + file, e);
        }
        return Command.run(List.of("losetup", "--find", "--show", file.toString())).strip();
    }

    private static String describe(Row row) {
        return String.format(Locale.ROOT, "%s %s round %d: start→heartbeat %s s, start→active %s s, peak RSS %.0f MiB,"
                        + " CPU %.2f s (%.2f with children), image content %s, whole image %s%s", row.agent(), row.format(),
                row.round(), seconds(row.startToHeartbeat()), seconds(row.startToActive()), row.rssMib(), row.cpuSelf(),
                row.cpuWithChildren(), row.contentEqual() ? "equal" : "DIFFERS", row.wholeEqual() ? "equal" : "differs",
                row.note().isEmpty() ? "" : " — " + (row.note().length() > 400 ? row.note().substring(0, 400) + "…" : row.note()));
    }

    private static String seconds(double value) {
        return value < 0 ? "—" : String.format(Locale.ROOT, "%.1f", value);
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().filter(v -> v >= 0).sorted().toList();
        if (sorted.isEmpty()) {
            return -1;
        }
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String table(List<Row> rows, List<String> agents, List<String> formats) {
        var out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "| %-9s | %-6s | %5s | %15s | %12s | %13s | %5s | %15s | %-13s |%n", "agent",
                "format", "round", "start→heartbeat", "start→active", "peak RSS MiB", "CPU s", "CPU s +children",
                "disk = image"));
        out.append("|-----------|--------|------:|----------------:|-------------:|--------------:|------:|----------------:|---------------|\n");
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "| %-9s | %-6s | %5d | %15s | %12s | %13.0f | %5.2f | %15.2f | %-13s |%n",
                    row.agent(), row.format(), row.round(), seconds(row.startToHeartbeat()), seconds(row.startToActive()),
                    row.rssMib(), row.cpuSelf(), row.cpuWithChildren(),
                    row.contentEqual() ? (row.wholeEqual() ? "yes" : "content (GPT moved)") : "NO"));
        }
        out.append("\nmedians:\n");
        for (String format : formats) {
            double[][] m = new double[agents.size()][];
            for (int a = 0; a < agents.size(); a++) {
                String agent = agents.get(a);
                List<Row> mine = rows.stream().filter(r -> r.agent().equals(agent) && r.format().equals(format)).toList();
                m[a] = new double[] {median(mine.stream().map(Row::startToHeartbeat).toList()),
                        median(mine.stream().map(Row::startToActive).toList()),
                        median(mine.stream().map(Row::rssMib).toList()),
                        median(mine.stream().map(Row::cpuWithChildren).toList())};
                out.append(String.format(Locale.ROOT, "  %-9s %-6s start→heartbeat %s s, start→active %s s, peak RSS %.0f MiB,"
                        + " CPU %.2f s (with children)%n", agent, format, seconds(m[a][0]), seconds(m[a][1]), m[a][2], m[a][3]));
            }
            int metalboot = agents.indexOf("metalboot");
            int ipa = agents.indexOf("ipa");
            if (metalboot >= 0 && ipa >= 0 && m[metalboot][1] > 0 && m[ipa][1] > 0) {
                out.append(String.format(Locale.ROOT, "  ratio IPA/metalboot (%s): start→active %.2f×, peak RSS %.2f×, CPU %.2f×%n",
                        format, m[ipa][1] / m[metalboot][1], m[ipa][2] / m[metalboot][2], m[ipa][3] / m[metalboot][3]));
            }
        }
        return out.toString();
    }
}
