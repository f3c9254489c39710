package io.metalboot.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's own arguments: none in the ramdisk. A test that runs the agent as a process on a
 * host (in a network namespace the test made) says where its command line is, that the host's
 * kernel modules and network are not the agent's to touch, which disks alone it may write, and
 * that power-off and reboot end the process instead of the machine.
 *
 * @param cmdline        the kernel command line's file ({@code /proc/cmdline})
 * @param kernelModules  load the modules the devices ask for (the ramdisk's kernel has its drivers as modules)
 * @param network        bring up a NIC with DHCP
 * @param allowDisks     the only disks the agent may write or erase; empty: the ramdisk's policy
 * @param powerEndsAgent power-off and reboot exit the process (a host must never be powered off by a test)
 * @param interfaces     virtual interfaces the inventory lists too (the test's veth in its namespace)
 */
record AgentOptions(Path cmdline, boolean kernelModules, boolean network, List<String> allowDisks,
        boolean powerEndsAgent, java.util.Set<String> interfaces) {
    static final String USAGE = "usage: AgentMain [--cmdline FILE] [--no-kernel-modules] [--no-network]"
            + " [--allow-disk DEVICE]... [--power-ends-agent] [--interface NAME]...";

    static AgentOptions parse(String... args) {
        Path cmdline = Path.of("/proc/cmdline");
        boolean modules = true;
        boolean network = true;
        boolean powerEnds = false;
        List<String> allow = new ArrayList<>();
        java.util.Set<String> interfaces = new java.util.TreeSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cmdline" -> cmdline = Path.of(value(args, ++i));
                case "--no-kernel-modules" -> modules = false;
                case "--no-network" -> network = false;
                case "--allow-disk" -> allow.add(value(args, ++i));
                case "--power-ends-agent" -> powerEnds = true;
                case "--interface" -> interfaces.add(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; " + USAGE);
            }
        }
        return new AgentOptions(cmdline, modules, network, List.copyOf(allow), powerEnds, java.util.Set.copyOf(interfaces));
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value; " + USAGE);
        }
        return args[i];
    }
}
