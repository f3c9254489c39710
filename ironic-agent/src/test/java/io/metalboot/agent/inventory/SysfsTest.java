package io.metalboot.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SysfsTest {
    @Test
    void cpuListsAreCountedAsTheKernelWritesThem() {
        assertEquals(1, Sysfs.countCpuList("0"));
        assertEquals(2, Sysfs.countCpuList("0-1"));
        assertEquals(7, Sysfs.countCpuList("0-3,8,10-11"));
        assertNull(Sysfs.countCpuList("3-1"));
        assertNull(Sysfs.countCpuList("0-x"));
        assertNull(Sysfs.countCpuList(null));
    }

    @Test
    void ipv6AddressesAreWrittenAsRfc5952Says() {
        assertEquals("fe80::5054:ff:fe12:1", InterfaceReader.rfc5952("fe80000000000000505400fffe120001"));
        assertEquals("2001:db8::1", InterfaceReader.rfc5952("20010db8000000000000000000000001"));
        assertEquals("::1", InterfaceReader.rfc5952("00000000000000000000000000000001"));
        assertEquals("::", InterfaceReader.rfc5952("00000000000000000000000000000000"));
        // one zero group is not shortened; of two runs, the longer; of equal runs, the first
        assertEquals("2001:db8:0:1:1:1:1:1", InterfaceReader.rfc5952("20010db8000000010001000100010001"));
        assertEquals("2001:0:0:1::1", InterfaceReader.rfc5952("20010000000000010000000000000001"));
        assertEquals("2001:db8::1:0:0:1", InterfaceReader.rfc5952("20010db8000000000001000000000001"));
        assertNull(InterfaceReader.rfc5952("2001"));
    }

    @Test
    void theVpdUnitSerialPageIsItsAsciiAfterFourBytes() {
        assertEquals("DISK-C-0003", DiskReader.vpdUnitSerial(Fixtures.bytes(Fixtures.BIOS,
                "sys/devices/pci0000:00/0000:00:05.0/virtio2/host0/target0:0:0/0:0:0:0/vpd_pg80")));
        assertNull(DiskReader.vpdUnitSerial(new byte[] {0, (byte) 0x83, 0, 0}));
        assertNull(DiskReader.vpdUnitSerial(new byte[] {0, (byte) 0x80, 0}));
        assertNull(DiskReader.vpdUnitSerial(new byte[] {0, (byte) 0x80, 0, 2, ' ', ' '}));
        // a length beyond the page is cut at the page's end
        assertEquals("AB", DiskReader.vpdUnitSerial(new byte[] {0, (byte) 0x80, 0, 9, 'A', 'B'}));
    }
}
