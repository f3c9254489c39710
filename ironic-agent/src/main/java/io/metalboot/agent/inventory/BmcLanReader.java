package io.metalboot.agent.inventory;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The BMC's addresses as IPA's {@code get_bmc_address}, {@code get_bmc_v6address} and
 * {@code get_bmc_mac} find them: {@code ipmitool lan print N} and {@code ipmitool lan6 print N}
 * over the in-band interface ({@code -I open}: the ipmi_devintf device), for channels 1 to 11 (of
 * 0–15 only these can be LAN channels), the first channel with an address winning.
 *
 * <p>Nothing runs without an IPMI device ({@code dev/ipmi*}, {@code dev/ipmi/*},
 * {@code dev/ipmidev/*} under the root, IPA's test). Unlike IPA, a BMC without an address gives null,
 * not "0.0.0.0" or "::/0". No BMC, ipmitool missing, failing or timing out is never an error:
 * the fields are null, and a timeout ends the asking (a KCS interface that does not answer hangs
 * every call alike).
 */
public final class BmcLanReader implements BmcSource {
    private static final System.Logger LOG = System.getLogger(BmcLanReader.class.getName());
    /** Per ipmitool call; a BMC answers a LAN parameter in milliseconds, ipmitool's own retries take seconds. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    static final int FIRST_CHANNEL = 1;
    static final int LAST_CHANNEL = 11;

    private static final Pattern IP_ADDRESS = Pattern.compile("(?m)^IP Address\\s*:\\s*(\\S+)\\s*$");
    private static final Pattern MAC_ADDRESS = Pattern.compile("(?m)^MAC Address\\s*:\\s*(\\S+)\\s*$");
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern V6_SECTION = Pattern.compile("^IPv6 (Dynamic|Static) Address \\d+:");

    private final Path root;
    private final Ipmitool ipmitool;

    public BmcLanReader(Path root, Ipmitool ipmitool) {
        this.root = Objects.requireNonNull(root, "root");
        this.ipmitool = Objects.requireNonNull(ipmitool, "ipmitool");
    }

    /** This machine: {@code /dev}, the ramdisk's {@code ipmitool}, {@link #CALL_TIMEOUT} per call. */
    public static BmcLanReader ofThisMachine() {
        return new BmcLanReader(Path.of("/"), new IpmitoolProcess("ipmitool", CALL_TIMEOUT));
    }

    @Override
    public BmcAddresses read() {
        if (!ipmiDeviceExists()) {
            return BmcAddresses.NONE;
        }
        long started = System.nanoTime();
        try {
            BmcAddresses addresses = ask();
            // The ipmitool calls are the one part of the inventory that waits on hardware: timed.
            LOG.log(Level.INFO, "BMC read in " + (System.nanoTime() - started) / 1_000_000 + " ms: " + addresses);
            return addresses;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return BmcAddresses.NONE;
        } catch (IpmitoolUnusable e) {
            LOG.log(Level.WARNING, "BMC not read: " + e.getMessage());
            return BmcAddresses.NONE;
        }
    }

    private BmcAddresses ask() throws InterruptedException, IpmitoolUnusable {
        String address = null;
        String v6address = null;
        String mac = null;
        for (int channel = FIRST_CHANNEL; channel <= LAST_CHANNEL; channel++) {
            String lan = output(List.of("-I", "open", "lan", "print", Integer.toString(channel)));
            if (lan == null) {
                continue; // no LAN channel
            }
            String v4 = configuredV4(lan);
            String v6 = v6address == null || mac == null ? configuredV6(
                    output(List.of("-I", "open", "lan6", "print", Integer.toString(channel)))) : null;
            if (address == null) {
                address = v4;
            }
            if (v6address == null) {
                v6address = v6;
            }
            // IPA's get_bmc_mac: the MAC of the first channel with an address of either family.
            if (mac == null && (v4 != null || v6 != null)) {
                mac = configuredMac(lan);
            }
            if (address != null && v6address != null && mac != null) {
                break;
            }
        }
        return new BmcAddresses(address, v6address, mac);
    }

    /** stdout of a run that exited 0 with output; null for any other exit (an invalid channel, a parameter not supported). */
    private String output(List<String> args) throws InterruptedException, IpmitoolUnusable {
        Ipmitool.Run run = ipmitool.run(args);
        return switch (run) {
            case Ipmitool.Exited exited when exited.status() == 0 && !exited.stdout().isBlank() -> exited.stdout();
            case Ipmitool.Exited exited -> null;
            case Ipmitool.TimedOut timedOut -> throw new IpmitoolUnusable(timedOut.command() + " timed out");
            case Ipmitool.NotStarted notStarted -> throw new IpmitoolUnusable(notStarted.reason());
        };
    }

    /** {@code IP Address : 192.0.2.77}; 0.0.0.0 (none set) is null. */
    static String configuredV4(String lanPrint) {
        Matcher m = IP_ADDRESS.matcher(lanPrint);
        if (!m.find() || !IPV4.matcher(m.group(1)).matches()) {
            return null;
        }
        String address = m.group(1);
        return address.equals("0.0.0.0") ? null : address;
    }

    /** {@code MAC Address : 52:54:00:be:ef:01}; all zeroes (none set) is null. */
    static String configuredMac(String lanPrint) {
        Matcher m = MAC_ADDRESS.matcher(lanPrint);
        if (!m.find() || !MAC.matcher(m.group(1)).matches() || m.group(1).equals("00:00:00:00:00:00")) {
            return null;
        }
        return m.group(1).toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The first active address of the {@code IPv6 Static|Dynamic Address N:} sections of
     * {@code lan6 print} that is neither unset ({@code ::}, {@code ::/255}) nor link-local, without
     * its prefix length (IPA's rule); null when none or no output.
     */
    static String configuredV6(String lan6Print) {
        if (lan6Print == null) {
            return null;
        }
        List<String[]> sections = new ArrayList<>(); // address, status
        String[] current = null;
        for (String line : lan6Print.lines().toList()) {
            if (V6_SECTION.matcher(line).find()) {
                current = new String[2];
                sections.add(current);
            } else if (line.startsWith("IPv6 ") || (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)))) {
                current = null;
            } else if (current != null) {
                String text = line.strip();
                int colon = text.indexOf(':');
                if (colon > 0) {
                    String key = text.substring(0, colon).strip();
                    String value = text.substring(colon + 1).strip();
                    if (key.equals("Address")) {
                        current[0] = value;
                    } else if (key.equals("Status")) {
                        current[1] = value;
                    }
                }
            }
        }
        for (String[] section : sections) {
            String address = section[0];
            if (address == null || address.startsWith("::") || address.toLowerCase(java.util.Locale.ROOT).startsWith("fe80")
                    || (section[1] != null && !section[1].equals("active"))) {
                continue;
            }
            int slash = address.indexOf('/');
            String bare = slash < 0 ? address : address.substring(0, slash);
            if (bare.indexOf(':') < 0) {
                continue;
            }
            try {
                InetAddress.getByName(bare); // a literal: validated, not looked up
                return bare.toLowerCase(java.util.Locale.ROOT); // as ipmitool prints it (inet_ntop's form)
            } catch (UnknownHostException e) {
                LOG.log(Level.WARNING, "not an IPv6 address in ipmitool lan6 print: " + address);
            }
        }
        return null;
    }

    private boolean ipmiDeviceExists() {
        Path dev = root.resolve("dev");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dev, "ipmi*")) {
            for (Path entry : entries) {
                if (!Files.isDirectory(entry)) {
                    return true;
                }
                try (DirectoryStream<Path> inner = Files.newDirectoryStream(entry)) {
                    if (inner.iterator().hasNext()) {
                        return true; // dev/ipmi/0, dev/ipmidev/0
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** ipmitool cannot be used at all here: asking other channels would only take longer. */
    private static final class IpmitoolUnusable extends Exception {
        private static final long serialVersionUID = 1L;

        IpmitoolUnusable(String message) {
            super(message, null, false, false);
        }
    }
}
