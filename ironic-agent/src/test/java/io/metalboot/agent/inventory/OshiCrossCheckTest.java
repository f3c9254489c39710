package io.metalboot.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.inventory.Disk;
import io.metalboot.machine.inventory.Inventory;
import io.metalboot.machine.inventory.NetworkInterface;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/**
 * A second opinion on the machine the build runs on: the collector at root "/" against OSHI 6.9.1
 * (a test dependency only; README.md says why the agent does not ship it). Every fact both give
 * must agree. OSHI reads its own /proc and /sys (and libudev, through JNA, for disks).
 */
class OshiCrossCheckTest {
    private static Inventory ours;
    private static HardwareAbstractionLayer oshi;

    @BeforeAll
    static void collect() {
        ours = InventoryCollector.ofThisMachine().collect(null);
        oshi = new SystemInfo().getHardware();
    }

    @Test
    void theCpuAgrees() {
        CentralProcessor cpu = oshi.getProcessor();
        assertEquals(cpu.getLogicalProcessorCount(), ours.cpu().count());
        assertEquals(cpu.getPhysicalPackageCount(), ours.cpu().socketCount());
        assertEquals(cpu.getProcessorIdentifier().getName(), ours.cpu().modelName());
        assertTrue(ours.cpu().count() >= 1);
    }

    @Test
    void theMemoryAgrees() {
        assertEquals(oshi.getMemory().getTotal(), ours.memory().total());
    }

    /** OSHI lists the interfaces the JDK sees; ours are the hardware ones of them, with the same MACs. */
    @Test
    void theInterfacesAgree() {
        Map<String, NetworkIF> byName = oshi.getNetworkIFs(true).stream()
                .collect(Collectors.toMap(NetworkIF::getName, n -> n, (a, b) -> a));
        for (NetworkInterface nic : ours.interfaces()) {
            NetworkIF theirs = byName.get(nic.name());
            assertNotNull(theirs, nic.name() + " is not among OSHI's " + byName.keySet());
            assertEquals(theirs.getMacaddr(), nic.macAddress(), nic.name());
            // OSHI says 0 where the speed is unknown or the link down; we say null.
            assertEquals(theirs.getSpeed(), nic.speedMbps() == null ? 0L : nic.speedMbps() * 1_000_000L, nic.name());
            if (nic.ipv4Address() != null) {
                assertTrue(Arrays.asList(theirs.getIPv4addr()).contains(nic.ipv4Address()), nic.name());
            }
        }
    }

    @Test
    void theDisksAgree() {
        Map<String, Long> theirs = oshi.getDiskStores().stream()
                .collect(Collectors.toMap(HWDiskStore::getName, HWDiskStore::getSize));
        List<Disk> disks = ours.disks();
        if (!disks.isEmpty()) {
            assertFalse(theirs.isEmpty(), "OSHI lists no disk (it needs libudev) where we list " + disks);
        }
        for (Disk disk : disks) {
            assertEquals(theirs.get(disk.name()), disk.size(), disk.name() + " among OSHI's " + theirs);
        }
    }
}
