package io.metalboot.appliance.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.metalboot.machine.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcNetArpTableTest {
    /** As Linux 6.1 prints it: a complete entry, an incomplete one, a permanent one, another device's, junk. */
    static final String FIXTURE = """
            IP address       HW type     Flags       HW address            Mask     Device
            10.0.0.17        0x1         0x2         52:54:00:12:34:56     *        br0
            10.0.0.18        0x1         0x0         00:00:00:00:00:00     *        br0
            10.0.0.19        0x1         0x0         52:54:00:12:34:57     *        br0
            10.0.0.20        0x1         0x6         52:54:00:12:34:58     *        br0
            10.0.0.21        0x1         0x2         00:00:00:00:00:00     *        br0
            192.168.1.1      0x1         0x2         aa:bb:cc:dd:ee:ff     *        eth0
            garbage line
            10.0.0.22        0x1         0xzz        52:54:00:12:34:59     *        br0
            """;

    static Inet4Address ip(String text) throws Exception {
        return (Inet4Address) InetAddress.getByName(text);
    }

    @Test
    void onlyCompleteEntriesOfTheProvisioningInterfaceCount() throws Exception {
        assertEquals(Map.of(ip("10.0.0.17"), MacAddress.parse("52:54:00:12:34:56"),
                ip("10.0.0.20"), MacAddress.parse("52:54:00:12:34:58")),
                ProcNetArpTable.parse(FIXTURE, Optional.of("br0")));
    }

    @Test
    void withNoInterfaceKnownEveryDevicesEntriesCount() throws Exception {
        assertEquals(3, ProcNetArpTable.parse(FIXTURE, Optional.empty()).size());
        assertEquals(Map.of(), ProcNetArpTable.parse(FIXTURE, Optional.of("eno9")));
        assertEquals(Map.of(), ProcNetArpTable.parse("", Optional.of("br0")));
    }

    @Test
    void readsTheFileAtEachLookUp(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("arp");
        ProcNetArpTable table = new ProcNetArpTable(file, Optional.of("br0"));
        assertEquals(Optional.empty(), table.lookup(ip("10.0.0.17")), "no file: no entry (and a warning)");
        Files.writeString(file, FIXTURE);
        assertEquals(Optional.of(MacAddress.parse("52:54:00:12:34:56")), table.lookup(ip("10.0.0.17")));
        assertEquals(Optional.empty(), table.lookup(ip("10.0.0.19")), "incomplete");
        assertEquals(Optional.empty(), table.lookup(ip("192.168.1.1")), "another device");
    }
}
