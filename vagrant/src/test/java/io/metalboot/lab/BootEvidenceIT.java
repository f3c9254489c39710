package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Boot tokens only for machines that really booted, seen from the provisioning network as an
 * attacker would try it; no QEMU, only hosts (namespaces with their own NIC and MAC on br0):
 * <ol>
 *   <li>An honest host sends a real PXE DISCOVER (busybox udhcpc with a PXE vendor class; the site
 *       DHCP server leases it an address), then asks for its own script: it gets a token.</li>
 *   <li>A stranger asks for the honest host's script: no token (its address is not that MAC in the
 *       appliance's neighbour table).</li>
 *   <li>The stranger asks for its own MAC's script, never having sent a DISCOVER: no token.</li>
 *   <li>A relayed client (the stranger as a DHCP relay, {@code giaddr} set, its network
 *       configured to need PXE DHCP evidence only) sends a DISCOVER through it and then gets a
 *       token; a relayed MAC that sent none does not.</li>
 *   <li>10,000 made-up MACs asked for without evidence: no record. 10,000 more, each with a relayed
 *       DISCOVER: the registry holds at most the cap of never-registered machines, the rest are
 *       refused and counted, and the honest host still gets its token.</li>
 * </ol>
 * Refusals get a script that moves on to the next boot device, and are counted by reason on the
 * operator API.
 */
class BootEvidenceIT {
    private static final String HONEST_MAC = "52:54:00:77:00:01";
    private static final String STRANGER_MAC = "52:54:00:77:00:02";
    private static final String STRANGER_ADDRESS = LabNetwork.PROVISIONING.host(60);
    /** The relayed network behind the stranger: it routes it, and relays DHCP from it. */
    private static final String RELAYED_NETWORK = "10.203.9.0/24";
    private static final String RELAY_ADDRESS = "10.203.9.1";
    private static final String RELAYED_CLIENT_ADDRESS = "10.203.9.10";
    private static final String RELAYED_MAC = "52:54:00:77:09:01";
    private static final int FLOOD = 10_000;
    /** {@code machines.max-unregistered}'s default. */
    private static final int CAP = 1000;
    private static final Duration CALL = Duration.ofSeconds(30);
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeLabCanRun();
    }

    @Test
    void onlyMachinesThatReallyBootedGetBootTokens() throws IOException {
        try (var lab = LabScenario.start("boot-evidence", false)) {
            var network = lab.network();
            var config = lab.config(DhcpMode.OFFER)
                    .withEvidenceNetworks(List.of("{cidr: " + RELAYED_NETWORK + ", require: [pxe-dhcp]}"));
            lab.startAppliance(config);
            var api = lab.api();
            var appliance = network.appliance();
            appliance.ip("route", "add", RELAYED_NETWORK, "via", STRANGER_ADDRESS);

            Namespace honest = network.addHost("honest", HONEST_MAC);
            Namespace stranger = network.addHost("stranger", STRANGER_MAC);
            stranger.ip("addr", "add", STRANGER_ADDRESS + "/24", "dev", "eth0");
            stranger.ip("addr", "add", RELAY_ADDRESS + "/24", "dev", "eth0");
            stranger.ip("addr", "add", RELAYED_CLIENT_ADDRESS + "/32", "dev", "eth0");

            // 1. A real PXE DISCOVER from the honest host, its lease, then its own script: a token.
            Path leaseScript = leaseScript(network.workDir());
            pxeLease(honest, leaseScript);
            assertTrue(script(honest, null, HONEST_MAC).contains("metalboot.token="),
                    () -> lab.failure("the honest host got no token after its PXE DISCOVER").getMessage());
            assertEquals(200, api.machine(HONEST_MAC).status(), "the honest host is recorded");

            // 2. The stranger asks for the honest host's script.
            String stolen = script(stranger, STRANGER_ADDRESS, HONEST_MAC);
            assertFalse(stolen.contains("metalboot.token"), "a token for another host's MAC: " + stolen);
            assertTrue(stolen.contains("exit"), "a refused request goes on to the next boot device: " + stolen);

            // 3. The stranger asks for its own MAC, never having sent a DISCOVER.
            assertFalse(script(stranger, STRANGER_ADDRESS, STRANGER_MAC).contains("metalboot.token"),
                    "a token without a PXE DISCOVER");
            assertEquals(404, api.machine(STRANGER_MAC).status(), "no record for a MAC without boot evidence");

            // 4. A relayed client: its DISCOVER through the relay (giaddr), then its script: a token.
            discover(lab, stranger, List.of(RELAYED_MAC));
            assertTrue(script(stranger, RELAYED_CLIENT_ADDRESS, RELAYED_MAC).contains("metalboot.token="),
                    () -> lab.failure("the relayed client got no token after its relayed DISCOVER").getMessage());
            assertFalse(script(stranger, RELAYED_CLIENT_ADDRESS, "52:54:00:77:09:02").contains("metalboot.token"),
                    "a relayed MAC that sent no DISCOVER");

            JsonNode counted = evidence(api);
            assertTrue(counted.path("refused").path("neighbour-mismatch").asLong() >= 1, "counted: " + counted);
            assertTrue(counted.path("refused").path("no-pxe-dhcp").asLong() >= 2, "counted: " + counted);

            // 5a. A flood of made-up MACs without evidence: nothing recorded.
            int before = machines(api).size();
            flood(network, stranger, STRANGER_ADDRESS, madeUpMacs(new Random(11), FLOOD), "flood-unseen");
            assertEquals(before, machines(api).size(), "machines recorded by the flood without evidence");

            // 5b. A flood with relayed DISCOVERs: at most the cap of never-registered machines.
            List<String> seen = madeUpMacs(new Random(12), FLOOD);
            discover(lab, stranger, seen);
            flood(network, stranger, RELAYED_CLIENT_ADDRESS, seen, "flood-seen");
            long unregistered = machines(api).stream().filter(m -> m.path("state").asText().equals("discovered")).count();
            assertTrue(unregistered <= CAP, unregistered + " never-registered machines, over the cap of " + CAP);
            JsonNode afterFlood = evidence(api);
            assertTrue(afterFlood.path("refused").path("unregistered-cap").asLong() > 0, "the cap was reached: " + afterFlood);
            System.out.println("lab: boot evidence after the floods: " + afterFlood + "; " + unregistered
                    + " never-registered machines recorded");

            // The lab machines (here: the honest host, already recorded) still boot.
            pxeLease(honest, leaseScript);
            assertTrue(script(honest, null, HONEST_MAC).contains("metalboot.token="),
                    () -> lab.failure("after the flood the honest host got no token").getMessage());
        }
    }

    /**
     * A real PXE DISCOVER from the honest host (udhcpc with a PXE vendor class), then its lease from
     * the site server: asked again (at most three times) while no address is on its NIC.
     */
    private static void pxeLease(Namespace honest, Path leaseScript) {
        for (int attempt = 1; ; attempt++) {
            Command.run(CALL, honest.exec(List.of("busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "5", "-T", "2",
                    "-V", "PXEClient:Arch:00000:UNDI:002001", "-x", "0x5d:0000", "-s", leaseScript.toString())));
            if (Command.run(CALL, honest.exec(List.of("ip", "-4", "-o", "addr", "show", "dev", "eth0"))).contains("inet ")
                    || attempt == 3) {
                return;
            }
        }
    }

    /** The per-machine script for {@code mac}, asked from {@code host} (from {@code source} when given). */
    private static String script(Namespace host, String source, String mac) {
        List<String> argv = new ArrayList<>(List.of(Tool.CURL.path(), "-sS", "--max-time", "10"));
        if (source != null) {
            argv.addAll(List.of("--interface", source));
        }
        argv.add("http://" + LabNetwork.PROVISIONING.applianceAddress() + ":" + ApplianceConfig.HTTP_PORT
                + "/boot/machine.ipxe?mac=" + mac);
        return Command.run(CALL, host.exec(argv));
    }

    /** PXE DISCOVERs for {@code macs}, relayed by {@code relay} (giaddr its address on the relayed network). */
    private static void discover(LabScenario lab, Namespace relay, List<String> macs) throws IOException {
        Path file = Files.createTempFile(lab.network().workDir(), "macs", ".txt");
        Files.write(file, macs, StandardCharsets.US_ASCII);
        String classpath = Path.of(PxeDiscoverSender.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        String sent = Command.run(Duration.ofSeconds(60), relay.exec(List.of(ApplianceProcess.javaBinary(), "-cp", classpath,
                PxeDiscoverSender.class.getName(), LabNetwork.PROVISIONING.applianceAddress(), "67", RELAY_ADDRESS,
                file.toString())));
        assertEquals("sent " + macs.size(), sent.strip(), "PxeDiscoverSender");
    }

    /** One curl, many requests in parallel: each MAC's script asked for from {@code source}. */
    private static void flood(LabNetwork network, Namespace host, String source, List<String> macs, String name) throws IOException {
        Path config = network.workDir().resolve(name + ".curl");
        StringBuilder text = new StringBuilder();
        for (String mac : macs) {
            text.append("url = \"http://").append(LabNetwork.PROVISIONING.applianceAddress()).append(':')
                    .append(ApplianceConfig.HTTP_PORT).append("/boot/machine.ipxe?mac=").append(mac).append("\"\n")
                    .append("output = \"/dev/null\"\n");
        }
        Files.writeString(config, text, StandardCharsets.US_ASCII);
        Command.run(Duration.ofSeconds(120), host.exec(List.of(Tool.CURL.path(), "-sS", "--parallel", "--parallel-max", "32",
                "--interface", source, "-K", config.toString())));
    }

    private List<JsonNode> machines(ApplianceApi api) throws IOException {
        var reply = api.get("/api/v1/machines");
        assertEquals(200, reply.status(), "GET machines: " + reply);
        List<JsonNode> all = new ArrayList<>();
        json.readTree(reply.body()).forEach(all::add);
        return all;
    }

    private JsonNode evidence(ApplianceApi api) throws IOException {
        var reply = api.get("/api/v1/boot-evidence");
        assertEquals(200, reply.status(), "GET boot-evidence: " + reply);
        return json.readTree(reply.body());
    }

    private static List<String> madeUpMacs(Random random, int count) {
        List<String> macs = new ArrayList<>(count);
        byte[] bytes = new byte[6];
        for (int i = 0; i < count; i++) {
            random.nextBytes(bytes);
            bytes[0] = (byte) ((bytes[0] & 0xfc) | 0x02); // locally administered, unicast
            macs.add(HexFormat.ofDelimiter(":").formatHex(bytes));
        }
        return macs;
    }

    /**
     * udhcpc's script for the honest host: the leased address on its NIC, nothing else (no route,
     * no resolv.conf: the namespace shares the host's /etc). udhcpc is no PXE client: when the
     * ProxyDHCP's OFFER (no address in it, as PXE says) comes before the site server's, udhcpc may
     * bind to it; such a "lease" of 0.0.0.0 is left alone, and
     * {@link #pxeLease} asks again until the site server's address is on the NIC.
     */
    private static Path leaseScript(Path workDir) throws IOException {
        Path script = workDir.resolve("udhcpc-lease.sh");
        Files.writeString(script, """
                #!/bin/sh
                case "$1" in
                    bound|renew)
                        case "$ip" in ""|0.0.0.0) exit 0 ;; esac
                        ip -4 addr flush dev "$interface"; ip addr add "$ip/${mask:-24}" dev "$interface" ;;
                esac
                exit 0
                """, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
