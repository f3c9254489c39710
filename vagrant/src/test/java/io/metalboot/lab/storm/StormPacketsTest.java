package io.metalboot.lab.storm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.metalboot.dhcp.codec.DhcpMessageDecoder;
import io.metalboot.dhcp.codec.DhcpMessageEncoder;
import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.machine.MacAddress;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The generator's machines and packets, without a network. */
class StormPacketsTest {

    @Test
    void eachMachinesDiscoverIsTheCapturedOneWithItsOwnIdentity() throws Exception {
        StormMachine machine = StormMachine.of(777, false);
        DhcpMessage ovmf = DhcpMessageDecoder.decode(DhcpMessageEncoder.encode(FirmwareDiscovers.ovmf(machine)));
        assertEquals(MacAddress.parse("52:54:10:00:03:09"), ovmf.clientMac().orElseThrow());
        assertEquals(machine.xid(0), ovmf.xid());
        assertEquals(machine.uuid(), ovmf.option(DhcpOption.ClientMachineId.class).orElseThrow().guid().orElseThrow().toUuid());
        assertEquals("PXEClient:Arch:00007:UNDI:003000", ovmf.option(DhcpOption.VendorClass.class).orElseThrow().value());
        assertEquals(List.of(7), ovmf.option(DhcpOption.ClientArchitectures.class).orElseThrow().types());

        DhcpMessage ipxe = FirmwareDiscovers.ipxe(machine);
        assertEquals(machine.xid(1), ipxe.xid());
        assertEquals("01525410000309", hex(ipxe.option(DhcpOption.ClientIdentifier.class).orElseThrow().value().toByteArray()));
        assertEquals("iPXE", ipxe.option(DhcpOption.UserClass.class).orElseThrow().value().latin1());
        assertEquals(1, ipxe.options().stream().filter(DhcpOption.IpxeEncapsulated.class::isInstance).count());

        DhcpMessage request = FirmwareDiscovers.ovmfBootServerRequest(machine,
                (java.net.Inet4Address) InetAddress.getByName("10.203.0.50"));
        assertEquals("10.203.0.50", request.ciaddr().getHostAddress());
        assertEquals(machine.xid(2), request.xid());
    }

    @Test
    void machinesNeverShareAnXidOrAMac() {
        Set<Integer> xids = new HashSet<>();
        Set<String> macs = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            StormMachine machine = StormMachine.of(i, false);
            for (int exchange = 0; exchange < 3; exchange++) {
                assertEquals(true, xids.add(machine.xid(exchange)), "xid of " + machine);
            }
            assertEquals(true, macs.add(machine.macText()), machine.toString());
        }
        assertNotEquals(StormMachine.of(1, false).uuid(), StormMachine.of(2, false).uuid());
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertEquals(50, StormReport.percentile(sorted, 50));
        assertEquals(99, StormReport.percentile(sorted, 99));
        assertEquals(7, StormReport.percentile(new long[] {7}, 99));
        StormReport.StepFigures figures = StormReport.StepFigures.of(StormStep.TFTP, new long[] {-1, 2_000_000, 1_000_000});
        assertEquals(2, figures.completed(), "a machine that did not finish the step is not in its figures");
        assertEquals(1.0, figures.p50Ms());
        assertEquals(2.0, figures.maxMs());
    }

    @Test
    void argumentsArePairsAndTheScopeIsNamed() {
        assertEquals("5", BootStorm.options(new String[] {"--machines", "5"}).get("machines"));
        assertThrows(IllegalArgumentException.class, () -> BootStorm.options(new String[] {"--machines"}));
        assertThrows(IllegalArgumentException.class, () -> StormScope.parse("all"));
        assertEquals(StormScope.DHCP_TFTP, StormScope.parse("dhcp-tftp"));
    }

    @Test
    void theEntryScriptIsTheAppliancesTemplateForTheLabsSettings() {
        ExpectedBoot expected = new ExpectedBoot("snponly.efi", new byte[0], "http://10.203.0.3:8080", 6, "console=ttyS0",
                new ExpectedBoot.Download("/assets/agent/vmlinuz", 1, new byte[32]),
                new ExpectedBoot.Download("/assets/agent/initrd.img", 1, new byte[32]));
        String entry = new String(expected.entryScript(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(true, entry.startsWith("#!ipxe\n"));
        assertEquals(true, entry.contains("set metalboot http://10.203.0.3:8080\n"), entry);
        StormMachine machine = StormMachine.of(3, true);
        assertEquals("http://10.203.0.3:8080/boot.ipxe?mac=52:54:10:00:00:03", expected.entryUrl(machine));
        String agent = new String(expected.agentScript(machine, "... metalboot.token=abcdefghijklmnop123 ...").orElseThrow(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(true, agent.contains("kernel http://10.203.0.3:8080/assets/agent/vmlinuz initrd=initrd.img quiet console=ttyS0"
                + " metalboot.url=http://10.203.0.3:8080 metalboot.mac=52:54:10:00:00:03 metalboot.token=abcdefghijklmnop123"
                + " BOOTIF=01-52-54-10-00-00-03 && initrd http://10.203.0.3:8080/assets/agent/initrd.img && boot ||"), agent);
        assertEquals(true, expected.agentScript(machine, "#!ipxe\nexit 1\n").isEmpty(), "no token, no agent script");
        assertArrayEquals(new byte[0], expected.bootFileBytes());
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
