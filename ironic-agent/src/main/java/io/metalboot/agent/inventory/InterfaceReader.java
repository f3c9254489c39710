package io.metalboot.agent.inventory;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.inventory.NetworkInterface;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The network interfaces under {@code sys/class/net} of a root, the ones IPA lists: those with a
 * {@code device} (hardware), bonds and VLANs ("eth0.100"); not loopback, bridges or other virtual
 * ones. Only Ethernet interfaces (type 1): an InfiniBand port's 20-byte address is no MAC address,
 * and IPA's generic manager has no client id for it either; such an interface is left out and logged.
 */
final class InterfaceReader {
    private static final System.Logger LOG = System.getLogger(InterfaceReader.class.getName());
    private static final Pattern PCI_ADDRESS = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
    private static final Pattern VLAN = Pattern.compile(".+\\.\\d+");
    private static final int ARPHRD_ETHER = 1;

    private final Path root;
    private final HostFacts host;
    private final java.util.Set<String> virtualListed;

    /** @param virtualListed virtual interfaces listed all the same (a test's veth) */
    InterfaceReader(Path root, HostFacts host, java.util.Set<String> virtualListed) {
        this.root = root;
        this.host = host;
        this.virtualListed = virtualListed;
    }

    List<NetworkInterface> read() {
        Map<String, String> ipv6 = ipv6Addresses();
        List<NetworkInterface> interfaces = new ArrayList<>();
        Path net = root.resolve("sys/class/net");
        for (String name : Sysfs.names(net)) {
            Path dir = net.resolve(name);
            boolean listed = Files.exists(dir.resolve("device")) || Files.isDirectory(dir.resolve("bonding"))
                    || VLAN.matcher(name).matches() || virtualListed.contains(name);
            if (!listed) {
                continue;
            }
            Integer type = Sysfs.integer(dir.resolve("type"));
            String address = Sysfs.text(dir.resolve("address"));
            if ((type != null && type != ARPHRD_ETHER) || address == null) {
                LOG.log(Level.WARNING, "interface {0}: type {1}, address {2}: not an Ethernet interface, left out",
                        name, type, address);
                continue;
            }
            MacAddress mac;
            try {
                mac = MacAddress.parse(address);
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "interface {0}: address {1} is no MAC address, left out", name, address);
                continue;
            }
            boolean carrier = "1".equals(Sysfs.text(dir.resolve("carrier")));
            Integer speed = carrier ? Sysfs.integer(dir.resolve("speed")) : null;
            if (speed != null && speed <= 0) {
                speed = null; // -1: unknown (virtio without a speed, many drivers while negotiating)
            }
            interfaces.add(new NetworkInterface(name, mac.toString(), host.ipv4Address(name), ipv6.get(name), carrier,
                    Sysfs.text(dir.resolve("device/vendor")), Sysfs.text(dir.resolve("device/device")), null, speed,
                    pciAddress(dir), Sysfs.linkName(dir.resolve("device/driver")), null));
        }
        return interfaces;
    }

    /**
     * The PCI function the interface hangs off: the nearest "dddd:bb:dd.f" up the device's real path.
     * IPA reports the {@code device} link's last name, which is that address for a PCI NIC but
     * "virtio0" for a virtio one; the PCI address is the one that means something there too.
     */
    private static String pciAddress(Path dir) {
        Path device = Sysfs.real(dir.resolve("device"));
        for (Path p = device; p != null && p.getFileName() != null; p = p.getParent()) {
            if (PCI_ADDRESS.matcher(p.getFileName().toString()).matches()) {
                return p.getFileName().toString();
            }
        }
        return null;
    }

    /**
     * Each interface's IPv6 address from {@code proc/net/if_inet6} (address, index, prefix length,
     * scope, flags, name): a global one if it has one, else site-local, else link-local; never one
     * still tentative or that failed duplicate address detection. RFC 5952 text, "fe80::5054:ff:fe12:1".
     */
    private Map<String, String> ipv6Addresses() {
        String table = Sysfs.text(root.resolve("proc/net/if_inet6"));
        Map<String, String> best = new HashMap<>();
        Map<String, Integer> bestRank = new HashMap<>();
        if (table == null) {
            return best;
        }
        for (String line : table.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length != 6 || f[0].length() != 32) {
                continue;
            }
            int scope;
            int flags;
            try {
                scope = Integer.parseInt(f[3], 16);
                flags = Integer.parseInt(f[4], 16);
            } catch (NumberFormatException e) {
                continue;
            }
            if ((flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) != 0) {
                continue;
            }
            int rank = switch (scope) {
                case 0x00 -> 0; // global
                case 0x40 -> 1; // site
                case 0x20 -> 2; // link
                default -> -1; // host (::1), compat
            };
            if (rank < 0) {
                continue;
            }
            String name = f[5];
            if (!bestRank.containsKey(name) || rank < bestRank.get(name)) {
                String text = rfc5952(f[0]);
                if (text != null) {
                    best.put(name, text);
                    bestRank.put(name, rank);
                }
            }
        }
        return best;
    }

    private static final int IFA_F_DADFAILED = 0x08;
    private static final int IFA_F_TENTATIVE = 0x40;

    /** 32 hex digits as RFC 5952 text: lowercase, no leading zeros, the longest run of 2+ zero groups as "::". */
    static String rfc5952(String hex) {
        int[] groups = new int[8];
        try {
            for (int i = 0; i < 8; i++) {
                groups[i] = Integer.parseInt(hex.substring(i * 4, i * 4 + 4), 16);
            }
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return null;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
