package io.metalboot.appliance.evidence;

import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The neighbour table as Linux prints it in {@code /proc/net/arp}:
 * <pre>
 * IP address       HW type     Flags       HW address            Mask     Device
 * 10.0.0.17        0x1         0x2         52:54:00:12:34:56     *        br0
 * </pre>
 * Read anew at each look-up (a few lines; the kernel keeps it current): no netlink or JNI library.
 * Only complete entries (flag ATF_COM, 0x2) count, never 00:00:00:00:00:00, and only the given
 * device's when one is given. IPv4 only, as PXE and iPXE are here.
 */
public final class ProcNetArpTable implements NeighbourTable {
    public static final Path PROC_NET_ARP = Path.of("/proc/net/arp");
    private static final System.Logger LOG = System.getLogger("boot");
    private static final int ATF_COM = 0x2;
    private static final MacAddress ZERO = MacAddress.parse("00:00:00:00:00:00");

    private final Path file;
    private final Optional<String> device;

    /** @param device the provisioning interface; empty: entries of every device */
    public ProcNetArpTable(Path file, Optional<String> device) {
        this.file = file;
        this.device = device;
    }

    @Override
    public Optional<MacAddress> lookup(Inet4Address address) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read the neighbour table {0}: {1}", file, e.getMessage());
            return Optional.empty();
        }
        return Optional.ofNullable(parse(text, device).get(address));
    }

    /** The complete entries of {@code device} (every device if empty) in {@code text}; malformed lines are skipped. */
    static Map<Inet4Address, MacAddress> parse(String text, Optional<String> device) {
        Map<Inet4Address, MacAddress> entries = new HashMap<>();
        text.lines().skip(1).forEach(line -> {
            String[] columns = line.strip().split("\\s+");
            if (columns.length < 6 || device.map(d -> !d.equals(columns[5])).orElse(false)) {
                return;
            }
            try {
                int flags = Integer.decode(columns[2]);
                MacAddress mac = MacAddress.parse(columns[3]);
                if ((flags & ATF_COM) == 0 || mac.equals(ZERO)
                        || !columns[0].matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                    return;
                }
                if (InetAddress.getByName(columns[0]) instanceof Inet4Address v4) {
                    entries.put(v4, mac);
                }
            } catch (IllegalArgumentException | UnknownHostException e) {
                // not an entry: skip it
            }
        });
        return entries;
    }
}
