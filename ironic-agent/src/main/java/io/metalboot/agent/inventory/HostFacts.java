package io.metalboot.agent.inventory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;

/**
 * The facts a root directory cannot give: they come from the running kernel through the JDK, so
 * they are this machine's whatever root the collector reads. Linux keeps IPv4 addresses in no
 * sysfs or procfs file (only netlink and ioctl tell them), so {@link #ipv4Address} asks the JDK.
 */
public interface HostFacts {
    /** The interface's first IPv4 address, "192.0.2.10", or null. */
    String ipv4Address(String interfaceName);

    /**
     * The machine name ("x86_64", "aarch64") when {@code /proc/sys/kernel/arch} is not there
     * (kernels before it had it); null when unknown.
     */
    String architecture();

    /** This machine, through {@link java.net.NetworkInterface} and {@code os.arch}. */
    static HostFacts ofThisMachine() {
        return new HostFacts() {
            @Override
            public String ipv4Address(String interfaceName) {
                try {
                    java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(interfaceName);
                    if (nic == null) {
                        return null;
                    }
                    for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                        if (address instanceof Inet4Address) {
                            return address.getHostAddress();
                        }
                    }
                    return null;
                } catch (SocketException e) {
                    return null;
                }
            }

            @Override
            public String architecture() {
                String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
                return switch (arch) {
                    case "amd64", "x86_64" -> "x86_64";
                    case "aarch64", "arm64" -> "aarch64";
                    case "" -> null;
                    default -> arch;
                };
            }
        };
    }

    /** Fixed answers: for a root that is not this machine's (the tests' fixtures). */
    static HostFacts fixed(Map<String, String> ipv4ByInterface, String architecture) {
        Map<String, String> addresses = Map.copyOf(ipv4ByInterface);
        return new HostFacts() {
            @Override
            public String ipv4Address(String interfaceName) {
                return addresses.get(interfaceName);
            }

            @Override
            public String architecture() {
                return architecture;
            }
        };
    }
}
