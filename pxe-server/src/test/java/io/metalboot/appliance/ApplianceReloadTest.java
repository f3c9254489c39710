package io.metalboot.appliance;

import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.dhcp.codec.DhcpMessageDecoder;
import io.metalboot.dhcp.codec.DhcpMessageEncoder;
import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.MessageType;
import io.metalboot.dhcp.model.Octets;
import io.metalboot.machine.MacAddress;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Appliance#reload} on the whole appliance in this JVM, as SIGHUP calls it: what the file
 * now says of the machine lists, the boot profiles and the templates is served at once; a template
 * that fails to load keeps the old ones; a changed key that needs a restart is reported, not applied.
 */
class ApplianceReloadTest {
    private static final String LISTED = "52:54:00:4e:10:01";
    private static final String LISTED_LATER = "52:54:00:4e:10:02";
    private static final String UNLISTED = "52:54:00:4e:10:03";

    private static String script(InProcessAppliance appliance, String mac) throws Exception {
        return appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + mac), 200);
    }

    @Test
    void profilesKnownMachinesAndTemplatesAreServedAtOnceOtherKeysWaitForARestart(@TempDir Path dir)
            throws Exception {
        Path templates = Files.createDirectories(dir.resolve("templates"));
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, """
                machines: {known-only: true, known: ["%s"]}
                """.formatted(LISTED))) {
            assertTrue(script(appliance, LISTED).contains("(profile default)"), "before");
            assertTrue(script(appliance, LISTED_LATER).contains("is not a known machine"), "not listed yet");

            Files.writeString(templates.resolve("entry.ipxe"), "#!ipxe\necho reloaded entry, {{attempts}} attempts\n");
            String file = """
                    machines: {known-only: false, known: ["%s", "%s"]}
                    boot:
                      attempts: 9
                      agent: {args: "console=ttyS0 agent-reloaded"}
                      profiles: [{name: reloaded, mac: "%s", args: "console=ttyS1 profile-reloaded"}]
                      templates: %s
                    """.formatted(LISTED, LISTED_LATER, LISTED, templates);
            Appliance.ReloadResult result = appliance.reload(file);

            assertEquals(List.of("machines.known", "boot.profiles", "boot.templates"), result.applied());
            assertEquals(List.of("machines.known-only", "boot.attempts"), result.needRestart());
            assertEquals(List.of(), result.errors());
            String listed = script(appliance, LISTED);
            assertTrue(listed.contains("(profile reloaded)") && listed.contains("profile-reloaded"), listed);
            String listedLater = script(appliance, LISTED_LATER);
            assertTrue(listedLater.contains("(profile default)") && listedLater.contains("agent-reloaded"),
                    "now listed, with the reloaded boot.agent: " + listedLater);
            assertTrue(script(appliance, UNLISTED).contains("is not a known machine"),
                    "known-only is not reloaded: still only listed machines boot");
            assertEquals("#!ipxe\necho reloaded entry, 6 attempts\n",
                    appliance.send(get(appliance.bootBase() + "/boot.ipxe"), 200),
                    "the new template, with the attempts the appliance started with");

            // A broken template, beside a changed one: neither is served, and the other pieces still apply.
            Files.writeString(templates.resolve("entry.ipxe"), "#!ipxe\necho half a reload\n");
            Files.writeString(templates.resolve("agent.ipxe"), "#!ipxe\nkernel {{kernal}}\n");
            Appliance.ReloadResult broken = appliance.reload(file.replace("profile-reloaded", "profile-again"));

            assertEquals(List.of("machines.known", "boot.profiles"), broken.applied());
            assertEquals(1, broken.errors().size(), broken.errors().toString());
            assertTrue(broken.errors().getFirst().startsWith("boot.templates: " + templates.resolve("agent.ipxe")
                    + ": unknown placeholders [kernal]"), broken.errors().getFirst());
            assertEquals("#!ipxe\necho reloaded entry, 6 attempts\n",
                    appliance.send(get(appliance.bootBase() + "/boot.ipxe"), 200), "the old templates, all four");
            String again = script(appliance, LISTED);
            assertTrue(again.contains("profile-again") && again.contains("(profile reloaded)"), again);
        }
    }

    @Test
    void localBootOnlyChangesWhomTheProxyDhcpAnswers(@TempDir Path dir) throws Exception {
        int dhcpPort = freePort();
        int pxePort = freePort();
        String config = """
                dhcp: {enabled: true, port: %d, pxe-port: %d, local-boot-only: ["%s"]}
                """;
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, config.formatted(dhcpPort, pxePort, LISTED));
                DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(30_000);
            assertEquals(List.of(LISTED_LATER), answered(client, pxePort, LISTED, LISTED_LATER));

            Appliance.ReloadResult result = appliance.reload(config.formatted(dhcpPort, pxePort, LISTED_LATER));

            assertTrue(result.applied().contains("dhcp.local-boot-only"), result.applied().toString());
            assertEquals(List.of(), result.needRestart());
            assertEquals(List.of(LISTED), answered(client, pxePort, LISTED_LATER, LISTED));
        }
    }

    /**
     * Sends a PXE boot-server REQUEST from {@code silent}, then one from {@code answered}, and
     * returns whom the first reply is for. The server's channel reads datagrams in order, so a
     * reply for the second means the first got none: no waiting for a silence.
     */
    private static List<String> answered(DatagramSocket client, int pxePort, String silent, String answered)
            throws Exception {
        for (String mac : List.of(silent, answered)) {
            byte[] request = DhcpMessageEncoder.encode(pxeRequest(MacAddress.parse(mac)));
            client.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), pxePort));
        }
        byte[] buffer = new byte[1500];
        DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
        client.receive(reply);
        DhcpMessage ack = DhcpMessageDecoder.decode(Arrays.copyOf(buffer, reply.getLength()));
        assertEquals(MessageType.ACK, ack.messageType().orElseThrow());
        return List.of(MacAddress.of(Arrays.copyOf(ack.chaddr().toByteArray(), 6)).toString());
    }

    /** A UEFI x64 PXE ROM's REQUEST to the boot server (port 4011's), from 127.0.0.1. */
    private static DhcpMessage pxeRequest(MacAddress mac) throws Exception {
        Inet4Address none = (Inet4Address) InetAddress.getByName("0.0.0.0");
        List<DhcpOption> options = List.of(new DhcpOption.MessageTypeOption(MessageType.REQUEST),
                new DhcpOption.VendorClass("PXEClient:Arch:00007:UNDI:003000"),
                new DhcpOption.ClientArchitectures(List.of(7)),
                new DhcpOption.ClientNetworkInterface(1, 3, 10),
                new DhcpOption.ClientMachineId(Optional.empty()));
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, DhcpMessage.HTYPE_ETHERNET, 6, 0, 0x1234abcd, 4, 0,
                (Inet4Address) InetAddress.getByName("127.0.0.1"), none, none, none,
                Octets.of(Arrays.copyOf(mac.toByteArray(), DhcpMessage.CHADDR_LENGTH)),
                Octets.zeros(DhcpMessage.SNAME_LENGTH), Octets.zeros(DhcpMessage.FILE_LENGTH), options, Octets.EMPTY);
    }

    private static int freePort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
