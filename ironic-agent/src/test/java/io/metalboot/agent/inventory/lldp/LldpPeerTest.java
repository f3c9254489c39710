package io.metalboot.agent.inventory.lldp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.machine.inventory.LldpNeighbour;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The capture against a real peer, without QEMU: Debian's lldpd in a "switch" network namespace,
 * the agent's {@link PacketSocketListener} in an "agent" namespace at the other end of a veth pair.
 * A second veth pair inside the agent namespace has carrier and no LLDP. The namespaces (and with
 * them the veths) are this run's, named after its process id, and deleted afterwards; lldpd runs
 * with {@code /run} on a tmpfs of its own (its chroot, no pid file of the host's), a control socket
 * in this run's temporary directory and {@code -I} its veth only, so it never meets a host lldpd.
 *
 * <p>Needs root and {@code ip} (iproute2), {@code lldpd} and {@code lldpcli} (lldpd); without them it
 * is skipped, except under {@code CI=true} (or {@code -Dmetalboot.lldp.required=true}), where it fails.
 */
class LldpPeerTest {
    private static final String RUN = Long.toHexString(ProcessHandle.current().pid());
    private static final String SWITCH_NS = "mb-lldp-sw-" + RUN;
    private static final String AGENT_NS = "mb-lldp-ag-" + RUN;
    private static final String SWITCH_PORT = "lls" + RUN; // at most 15 characters (IFNAMSIZ)
    private static final String AGENT_PORT = "lla" + RUN;
    private static final String QUIET_PORT = "llq" + RUN;
    private static final String QUIET_PEER = "llp" + RUN;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Path dir;
    private static Process lldpd;

    @BeforeAll
    static void switchWithLldpd() throws Exception {
        requirePrerequisites();
        // 0755: lldpd runs lldpcli for its configuration unprivileged (user _lldpd), through this directory.
        dir = Files.createTempDirectory("lldp-peer-test",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        run("ip", "netns", "add", SWITCH_NS);
        run("ip", "netns", "add", AGENT_NS);
        run("ip", "link", "add", SWITCH_PORT, "netns", SWITCH_NS, "type", "veth", "peer", "name", AGENT_PORT,
                "netns", AGENT_NS);
        run("ip", "-n", AGENT_NS, "link", "add", QUIET_PORT, "type", "veth", "peer", "name", QUIET_PEER);
        for (String[] link : new String[][] {{SWITCH_NS, SWITCH_PORT}, {AGENT_NS, AGENT_PORT}, {AGENT_NS, QUIET_PORT},
                {AGENT_NS, QUIET_PEER}}) {
            run("ip", "-n", link[0], "link", "set", link[1], "up");
        }
        Path config = dir.resolve("lldpd.conf");
        Files.writeString(config, "configure system hostname lab-switch\nconfigure lldp tx-interval 1\n");
        lldpd = new ProcessBuilder("ip", "netns", "exec", SWITCH_NS, "sh", "-c",
                "mount -t tmpfs tmpfs /run && exec lldpd -d -I " + SWITCH_PORT + " -u " + control() + " -O " + config)
                .redirectErrorStream(true).redirectOutput(dir.resolve("lldpd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!lldpcli("show", "chassis").at("/local-chassis/chassis").has("lab-switch")) {
            if (System.nanoTime() > deadline || !lldpd.isAlive()) {
                fail("lldpd did not come up as lab-switch: " + Files.readString(dir.resolve("lldpd.log")));
            }
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void deleteAll() throws Exception {
        if (lldpd != null) {
            lldpd.descendants().forEach(ProcessHandle::destroy);
            lldpd.destroy();
            if (!lldpd.waitFor(5, TimeUnit.SECONDS)) {
                lldpd.descendants().forEach(ProcessHandle::destroyForcibly);
                lldpd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
        for (String ns : List.of(SWITCH_NS, AGENT_NS)) {
            new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theAgentHearsWhatLldpdSaysAndStopsWhenEveryInterfaceHasAFrame() throws Exception {
        Capture capture = capture(30, AGENT_PORT);
        assertTrue(capture.elapsedMillis < 10_000, "stopped at the first frame, not after 30 s: "
                + capture.elapsedMillis + " ms");
        List<LldpTlv> tlvs = capture.frames.get(AGENT_PORT);
        assertEquals(LldpTlv.END, tlvs.getLast().type());
        LldpNeighbour neighbour = LldpNeighbourDecoder.parse(tlvs);

        JsonNode chassis = lldpcli("show", "chassis").at("/local-chassis/chassis/lab-switch/id");
        JsonNode port = lldpcli("show", "interfaces").at("/lldp/interface/" + SWITCH_PORT + "/port");
        assertEquals("mac", chassis.path("type").asText());
        assertEquals("mac", port.at("/id/type").asText());
        String switchMac = link(SWITCH_NS, SWITCH_PORT);
        assertEquals(new LldpNeighbour(chassis.path("value").asText(), 4, port.at("/id/value").asText(), 3,
                port.path("descr").asText(), "lab-switch", null), neighbour);
        assertEquals(switchMac, neighbour.portId(), "lldpd's port id is its veth's MAC");
    }

    @Test
    void anInterfaceWithoutLldpGetsNothingAndTheWaitEndsOnTime() throws Exception {
        Capture capture = capture(3, AGENT_PORT, QUIET_PORT);
        assertEquals(List.of(AGENT_PORT), List.copyOf(capture.frames.keySet()));
        assertTrue(capture.elapsedMillis >= 3_000 && capture.elapsedMillis < 8_000,
                "waited the 3 s for the quiet one: " + capture.elapsedMillis + " ms");
    }

    record Capture(long elapsedMillis, Map<String, List<LldpTlv>> frames) {
    }

    /** {@link LldpCaptureChild} in the agent namespace, with this JVM's class path and native-access flags. */
    private static Capture capture(int seconds, String... interfaces) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", AGENT_NS,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--enable-native-access") || a.startsWith("--sun-misc-unsafe"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LldpCaptureChild.class.getName(),
                Integer.toString(seconds)));
        command.addAll(List.of(interfaces));
        String out = run(command.toArray(String[]::new));
        long elapsed = -1;
        Map<String, List<LldpTlv>> frames = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            String[] f = line.split(" ");
            if (f[0].equals("elapsed-ms")) {
                elapsed = Long.parseLong(f[1]);
            } else if (f[0].equals("tlv")) {
                frames.computeIfAbsent(f[1], k -> new ArrayList<>())
                        .add(new LldpTlv(Integer.parseInt(f[2]), HexFormat.of().parseHex(f.length > 3 ? f[3] : "")));
            }
        }
        assertTrue(elapsed >= 0, "the capture printed no elapsed-ms:\n" + out);
        return new Capture(elapsed, frames);
    }

    private static String link(String ns, String name) throws Exception {
        return run("ip", "netns", "exec", ns, "cat", "/sys/class/net/" + name + "/address").strip();
    }

    private static Path control() {
        return dir.resolve("lldpd.ctl");
    }

    private static JsonNode lldpcli(String... words) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", SWITCH_NS, "lldpcli", "-u",
                control().toString(), "-f", "json"));
        command.addAll(List.of(words));
        try {
            return JSON.readTree(run(command.toArray(String[]::new)));
        } catch (AssertionError e) {
            return JSON.createObjectNode(); // not up yet
        }
    }

    /** Runs a command to its end (60 s at most); its output, or an AssertionError with it. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " failed:\n" + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static void requirePrerequisites() throws IOException {
        List<String> missing = new ArrayList<>();
        if (!Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(l -> l.matches("Uid:\\s+0\\s.*"))) {
            missing.add("root (network namespaces, lldpd, AF_PACKET)");
        }
        for (String[] program : new String[][] {{"ip", "iproute2"}, {"lldpd", "lldpd"}, {"lldpcli", "lldpd"}}) {
            if (!onPath(program[0])) {
                missing.add(program[0] + " (Debian package " + program[1] + ")");
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String reason = "LLDP against lldpd in network namespaces, missing: " + String.join("; ", missing);
        if ("true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("metalboot.lldp.required")) {
            fail(reason + " (required: CI=true or metalboot.lldp.required=true)");
        }
        Assumptions.abort(reason);
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
