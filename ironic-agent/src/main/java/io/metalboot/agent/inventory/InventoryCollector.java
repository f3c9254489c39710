package io.metalboot.agent.inventory;

import io.metalboot.agent.inventory.lldp.LldpListener;
import io.metalboot.agent.inventory.lldp.LldpNeighbourDecoder;
import io.metalboot.agent.inventory.lldp.LldpTlv;
import io.metalboot.agent.inventory.smbios.SmbiosDecoder;
import io.metalboot.agent.inventory.smbios.SmbiosFormatException;
import io.metalboot.agent.inventory.smbios.SmbiosTable;
import io.metalboot.agent.inventory.smbios.SmbiosVersion;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.inventory.Baseboard;
import io.metalboot.machine.inventory.Boot;
import io.metalboot.machine.inventory.Inventory;
import io.metalboot.machine.inventory.Memory;
import io.metalboot.machine.inventory.NetworkInterface;
import io.metalboot.machine.inventory.SystemFirmware;
import io.metalboot.machine.inventory.SystemVendor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Collects a machine's {@link Inventory} from the files under a root directory: {@code /} on the
 * machine, a captured tree in the tests. Everything comes from procfs, sysfs, udev's
 * {@code /dev/disk/by-path} links and the SMBIOS table, except what {@link HostFacts} gives (IPv4
 * addresses, which no file holds). See ironic-agent/README.md for where each field comes from.
 *
 * <p>{@code proc/cpuinfo} and {@code proc/meminfo} must be there (an {@link UncheckedIOException}
 * otherwise: that is no Linux). Everything else may be missing, and is then null: no SMBIOS table
 * (or a malformed one, which is logged) leaves the vendor, firmware, baseboard, UUID and
 * {@code physical_mb} null.
 *
 * <p>LLDP is no file either: given an {@link LldpListener}, the collector listens on the interfaces
 * that have carrier and fills each interface's {@code lldp} ({@code []} where nothing came or the
 * link is down) and {@code lldp_neighbour}; without one, both stay null (not collected).
 */
public final class InventoryCollector {
    private static final System.Logger LOG = System.getLogger(InventoryCollector.class.getName());

    private final Path root;
    private final HostFacts host;
    private final LldpListener lldp;
    private final BmcSource bmc;
    private java.util.Set<String> virtualInterfaces = java.util.Set.of();

    /** Without LLDP, asking no BMC (the BMC fields are null): for captured trees. */
    public InventoryCollector(Path root, HostFacts host) {
        this(root, host, null, BmcSource.none());
    }

    /** @param lldp listens for LLDP; null: LLDP is not collected */
    public InventoryCollector(Path root, HostFacts host, LldpListener lldp) {
        this(root, host, lldp, BmcSource.none());
    }

    public InventoryCollector(Path root, HostFacts host, BmcSource bmc) {
        this(root, host, null, bmc);
    }

    /**
     * @param lldp listens for LLDP; null: LLDP is not collected
     * @param bmc  where the BMC's addresses come from
     */
    public InventoryCollector(Path root, HostFacts host, LldpListener lldp, BmcSource bmc) {
        this.root = Objects.requireNonNull(root, "root");
        this.host = Objects.requireNonNull(host, "host");
        this.lldp = lldp;
        this.bmc = Objects.requireNonNull(bmc, "bmc");
    }

    /** This machine: root {@code /}, IPv4 addresses from the JDK, no LLDP, the BMC through ipmitool. */
    public static InventoryCollector ofThisMachine() {
        return ofThisMachine(null);
    }

    /** This machine, LLDP through the listener (null: not collected), the BMC through ipmitool. */
    public static InventoryCollector ofThisMachine(LldpListener lldp) {
        return new InventoryCollector(Path.of("/"), HostFacts.ofThisMachine(), lldp, BmcLanReader.ofThisMachine());
    }

    /**
     * Lists these interfaces too, though virtual: a test's agent on a host, whose NIC in its
     * namespace is a veth. The ramdisk lists what IPA lists (hardware, bonds, VLANs).
     */
    public InventoryCollector alsoListing(java.util.Set<String> names) {
        this.virtualInterfaces = java.util.Set.copyOf(names);
        return this;
    }

    /**
     * The inventory.
     *
     * @param bootIf the MAC address the machine booted from (the kernel command line's BOOTIF,
     *               {@link BootIf}), or null; {@code boot.pxe_interface} is it when an interface
     *               has that address, else null
     */
    public Inventory collect(MacAddress bootIf) {
        SmbiosTable smbios = smbios();
        List<NetworkInterface> interfaces = withLldp(new InterfaceReader(root, host, virtualInterfaces).read());
        String pxe = null;
        if (bootIf != null) {
            String mac = bootIf.toString();
            pxe = interfaces.stream().anyMatch(i -> i.macAddress().equals(mac)) ? mac : null;
            if (pxe == null) {
                LOG.log(Level.WARNING, "BOOTIF {0} is the MAC address of no interface here", mac);
            }
        }
        String bootMode = Files.isDirectory(root.resolve("sys/firmware/efi")) ? Boot.UEFI : Boot.BIOS;

        SystemVendor vendor = new SystemVendor(null, null, null, SystemFirmware.UNKNOWN);
        Baseboard baseboard = Baseboard.UNKNOWN;
        String uuid = null;
        Long physicalMb = null;
        if (smbios != null) {
            SystemFirmware firmware = smbios.bios() == null ? SystemFirmware.UNKNOWN
                    : new SystemFirmware(smbios.bios().vendor(), smbios.bios().version(), smbios.bios().releaseDate());
            SmbiosTable.SystemInformation system = smbios.system();
            vendor = system == null ? new SystemVendor(null, null, null, firmware)
                    : new SystemVendor(system.productName(), system.serialNumber(), system.manufacturer(), firmware);
            if (system != null && system.uuid() != null) {
                uuid = system.uuid().toString();
            }
            if (smbios.baseboard() != null) {
                baseboard = new Baseboard(smbios.baseboard().manufacturer(), smbios.baseboard().product(),
                        smbios.baseboard().serialNumber());
            }
            physicalMb = smbios.physicalMemoryMib();
        }

        BmcAddresses bmcAddresses = bmc.read();
        return new Inventory(new CpuReader(root, host).read(), new Memory(memTotal(), physicalMb),
                new DiskReader(root).read(), interfaces, vendor, new Boot(bootMode, pxe), hostname(), uuid, baseboard,
                bmcAddresses.address(), bmcAddresses.v6address(), bmcAddresses.mac());
    }

    /**
     * The interfaces with what LLDP said on them. A listener that fails (no jffi native library, a
     * libc without the calls) costs the LLDP fields, never the inventory: they stay null.
     */
    private List<NetworkInterface> withLldp(List<NetworkInterface> interfaces) {
        if (lldp == null) {
            return interfaces;
        }
        List<String> linked = interfaces.stream().filter(NetworkInterface::hasCarrier).map(NetworkInterface::name)
                .toList();
        Map<String, List<LldpTlv>> frames;
        long started = System.nanoTime();
        try {
            frames = lldp.listen(linked);
            LOG.log(Level.INFO, "LLDP: frames on {0} of {1} linked interfaces in {2} ms", frames.size(), linked.size(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "LLDP not collected: " + e);
            return interfaces;
        }
        return interfaces.stream().map(i -> {
            List<LldpTlv> tlvs = frames.get(i.name());
            return tlvs == null ? i.withLldp(List.of(), null)
                    : i.withLldp(tlvs.stream().map(LldpTlv::toHex).toList(), LldpNeighbourDecoder.parse(tlvs));
        }).toList();
    }

    /** {@code MemTotal} of {@code proc/meminfo}, in bytes (the file counts KiB), as IPA's psutil total. */
    private long memTotal() {
        Path meminfo = root.resolve("proc/meminfo");
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) {
                    String[] f = line.substring("MemTotal:".length()).strip().split("\\s+");
                    long kib = Long.parseLong(f[0]);
                    return f.length > 1 && f[1].equals("kB") ? kib * 1024 : kib;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meminfo, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(meminfo + ": MemTotal is not a number", e);
        }
        throw new IllegalStateException(meminfo + " has no MemTotal");
    }

    /** {@code proc/sys/kernel/hostname}; the kernel's "(none)" (no name set) is null. */
    private String hostname() {
        String name = Sysfs.text(root.resolve("proc/sys/kernel/hostname"));
        return name == null || name.equals("(none)") ? null : name;
    }

    /** The SMBIOS table the kernel exports, or null when it exports none or it does not decode. */
    private SmbiosTable smbios() {
        Path tables = root.resolve("sys/firmware/dmi/tables");
        byte[] table = Sysfs.bytes(tables.resolve("DMI"));
        if (table == null) {
            return null;
        }
        byte[] entryPoint = Sysfs.bytes(tables.resolve("smbios_entry_point"));
        try {
            // Without its entry point, a table this kernel exports is of a firmware of this century.
            SmbiosVersion version = entryPoint == null ? SmbiosVersion.UUID_LITTLE_ENDIAN
                    : SmbiosDecoder.decodeEntryPoint(entryPoint);
            return SmbiosDecoder.decodeTable(table, version);
        } catch (SmbiosFormatException e) {
            LOG.log(Level.WARNING, "SMBIOS table in " + tables + " not read: " + e.getMessage());
            return null;
        }
    }
}
