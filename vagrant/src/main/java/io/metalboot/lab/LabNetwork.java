package io.metalboot.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private provisioning network built from namespaces that exist only while this object does:
 * <pre>
 *   hub:       br0 (provisioning segment, 10.203.0.4 for the API) [+ br1 (isolated segment)],
 *              VM taps, QEMU
 *   site:      lab0 on br0, 10.203.0.2 + fd00:203::2 (dnsmasq: addresses and IPv6 RAs)
 *   appliance: lab0 on br0, 10.203.0.3 [+ lab1 on br1, 10.203.1.3] (the appliance)
 * </pre>
 * The namespaces' names carry a random suffix. {@link #close()} (also run by a JVM shutdown hook)
 * stops everything adopted by the network, then deletes the namespaces. Addresses are fixed: no
 * namespace has a route to anything but its own segments.
 */
final class LabNetwork implements AutoCloseable {
    static final String PREFIX = "mb-";
    /** Where each live network records its owner's PID, so that a later run can remove networks whose JVM was killed. */
    private static final Path OWNERS = Path.of("/run/metalboot-lab");
    /** An owner file's first line for a network left running on purpose (LabMain --keep). */
    private static final String KEPT = "kept";

    /** One bridge of the hub and the appliance's leg on it. */
    record Segment(String bridge, String applianceInterface, String applianceAddress, String network) {
        /** 10.203.N.X for host part X. */
        String host(int x) {
            return network.substring(0, network.lastIndexOf('.') + 1) + x;
        }
    }

    static final Segment PROVISIONING = new Segment("br0", "lab0", "10.203.0.3", "10.203.0.0");
    static final Segment ISOLATED = new Segment("br1", "lab1", "10.203.1.3", "10.203.1.0");
    static final String SITE_INTERFACE = "lab0";
    static final String SITE_ADDRESS = PROVISIONING.host(2);
    static final String SITE_IPV6 = "fd00:203::2";
    /**
     * The hub's own address on br0: where a scenario talks to the appliance's HTTP API from, as an
     * operator's workstation on the provisioning segment would.
     */
    static final String OPERATOR_ADDRESS = PROVISIONING.host(4);

    private final String suffix;
    private final Namespace hub;
    private final Namespace site;
    private final Namespace appliance;
    private final boolean isolatedSegment;
    private final Path workDir;
    private final Deque<AutoCloseable> adopted = new ArrayDeque<>();
    private final AtomicInteger taps = new AtomicInteger();
    private final List<Namespace> hosts = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    private LabNetwork(String suffix, boolean isolatedSegment, Path workDir) {
        this.suffix = suffix;
        this.hub = new Namespace(PREFIX + "hub-" + suffix);
        this.site = new Namespace(PREFIX + "site-" + suffix);
        this.appliance = new Namespace(PREFIX + "app-" + suffix);
        this.isolatedSegment = isolatedSegment;
        this.workDir = workDir;
        this.shutdownHook = new Thread(this::teardown, "lab-network-teardown-" + suffix);
    }

    /**
     * Builds the network. On any failure what was built is removed again before the exception
     * leaves.
     *
     * @param isolatedSegment also build br1, where the appliance has an address but must not answer
     */
    static LabNetwork create(Path workDir, boolean isolatedSegment) {
        sweepAbandoned();
        String suffix = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        var network = new LabNetwork(suffix, isolatedSegment, workDir);
        Runtime.getRuntime().addShutdownHook(network.shutdownHook);
        try {
            network.build();
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    private void build() {
        try {
            Files.createDirectories(workDir);
            Files.createDirectories(OWNERS);
        } catch (IOException e) {
            throw new LabException("cannot write " + OWNERS + " or " + workDir, e);
        }
        writeOwnerFile();
        for (Namespace namespace : List.of(hub, site, appliance)) {
            Namespace.create(namespace.name());
        }
        bridge(PROVISIONING.bridge());
        // Interfaces are created inside the namespaces directly: nothing ever appears on the host.
        hub.ip("link", "add", "vsite", "type", "veth", "peer", "name", SITE_INTERFACE, "netns", site.name());
        join("vsite", PROVISIONING.bridge());
        site.ip("addr", "add", SITE_ADDRESS + "/24", "dev", SITE_INTERFACE);
        // nodad: the RA source address must be usable at once, not after a second of DAD.
        site.ip("addr", "add", SITE_IPV6 + "/64", "dev", SITE_INTERFACE, "nodad");
        site.ip("link", "set", SITE_INTERFACE, "up");
        applianceLeg("vapp0", PROVISIONING);
        hub.ip("addr", "add", OPERATOR_ADDRESS + "/24", "dev", PROVISIONING.bridge());
        if (isolatedSegment) {
            bridge(ISOLATED.bridge());
            applianceLeg("vapp1", ISOLATED);
        }
    }

    private void bridge(String name) {
        hub.ip("link", "add", name, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        hub.ip("link", "set", name, "up");
    }

    private void join(String hubSide, String bridge) {
        hub.ip("link", "set", hubSide, "master", bridge);
        hub.ip("link", "set", hubSide, "up");
    }

    private void applianceLeg(String hubSide, Segment segment) {
        hub.ip("link", "add", hubSide, "type", "veth", "peer", "name", segment.applianceInterface(),
                "netns", appliance.name());
        join(hubSide, segment.bridge());
        appliance.ip("addr", "add", segment.applianceAddress() + "/24", "dev", segment.applianceInterface());
        appliance.ip("link", "set", segment.applianceInterface(), "up");
    }

    /** Names this JVM as the owner of every namespace of this network, for the sweep after a kill. */
    private void writeOwnerFile() {
        writeOwnerFile(Long.toString(ProcessHandle.current().pid()));
    }

    private void writeOwnerFile(String owner) {
        List<String> names = new ArrayList<>(List.of(hub.name(), site.name(), appliance.name()));
        synchronized (hosts) {
            hosts.forEach(host -> names.add(host.name()));
        }
        try {
            Files.writeString(OWNERS.resolve(suffix), owner + "\n" + String.join(" ", names) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot write " + OWNERS.resolve(suffix), e);
        }
    }

    /**
     * Another host on the provisioning segment, no VM: a namespace of its own with one NIC,
     * {@code eth0}, with the MAC {@code mac}, on br0, up and without an address (the caller gives
     * it one, or runs a DHCP client). Deleted with the network.
     */
    Namespace addHost(String name, String mac) {
        var host = new Namespace(PREFIX + name + "-" + suffix);
        synchronized (hosts) {
            hosts.add(host);
        }
        writeOwnerFile();
        Namespace.create(host.name());
        String hubSide = "vh" + taps.getAndIncrement();
        hub.ip("link", "add", hubSide, "type", "veth", "peer", "name", "eth0", "netns", host.name());
        join(hubSide, PROVISIONING.bridge());
        host.ip("link", "set", "eth0", "address", mac);
        host.ip("link", "set", "eth0", "up");
        return host;
    }

    /** A new tap device on the segment's bridge, for one VM's NIC. */
    String addTap(Segment segment) {
        if (segment.equals(ISOLATED) && !isolatedSegment) {
            throw new IllegalArgumentException("this network was built without the isolated segment");
        }
        String name = "tap" + taps.getAndIncrement();
        hub.ip("tuntap", "add", name, "mode", "tap");
        hub.ip("link", "set", name, "master", segment.bridge());
        hub.ip("link", "set", name, "up");
        return name;
    }

    /** A new tap device on no bridge: a NIC whose cable is not plugged in. */
    String addUnpluggedTap() {
        String name = "tap" + taps.getAndIncrement();
        hub.ip("tuntap", "add", name, "mode", "tap");
        hub.ip("link", "set", name, "up");
        return name;
    }

    /** Hands a resource to the network: it is closed, newest first, before the namespaces go. */
    <T extends AutoCloseable> T adopt(T resource) {
        synchronized (adopted) {
            if (closed.get()) {
                closeQuietly(resource);
                throw new LabException("the lab network is already torn down");
            }
            adopted.push(resource);
        }
        return resource;
    }

    Namespace hub() {
        return hub;
    }

    Namespace site() {
        return site;
    }

    Namespace appliance() {
        return appliance;
    }

    Path workDir() {
        return workDir;
    }

    String suffix() {
        return suffix;
    }

    Optional<Segment> isolated() {
        return isolatedSegment ? Optional.of(ISOLATED) : Optional.empty();
    }

    /**
     * Leaves the network and everything in it running after this JVM exits (every program of the
     * lab runs inside one of its namespaces, its output in files): its owner file says
     * {@value #KEPT}, which the sweep leaves alone and {@link #teardownKept()} removes.
     */
    void keep() {
        if (closed.compareAndSet(false, true)) {
            writeOwnerFile(KEPT);
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: nothing would tear it down now
            }
        }
    }

    /** Tears down every kept network (and any whose JVM died): what it ran, then its namespaces. Returns how many. */
    static int teardownKept() {
        return sweep(true);
    }

    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and runs the hook itself; teardown is idempotent
        }
    }

    private void teardown() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<AutoCloseable> resources;
        synchronized (adopted) {
            resources = new ArrayList<>(adopted);
            adopted.clear();
        }
        resources.forEach(LabNetwork::closeQuietly);
        List<Namespace> namespaces = new ArrayList<>(List.of(hub, site, appliance));
        synchronized (hosts) {
            namespaces.addAll(hosts);
        }
        deleteNamespaces(namespaces);
        try {
            Files.deleteIfExists(OWNERS.resolve(suffix));
        } catch (IOException e) {
            // a stale owner file names a dead PID; the next sweep removes it
        }
    }

    private static void deleteNamespaces(List<Namespace> namespaces) {
        List<String> existing;
        try {
            existing = Command.run(List.of(Tool.IP.path(), "netns", "list")).lines()
                    .map(line -> line.split("\\s+")[0])
                    .toList();
        } catch (LabException e) {
            existing = List.of();
        }
        for (Namespace namespace : namespaces) {
            if (existing.contains(namespace.name())) {
                try {
                    namespace.delete();
                } catch (LabException e) {
                    System.err.println("lab: could not delete namespace " + namespace.name() + ": " + e.getMessage());
                }
            }
        }
    }

    /** Removes networks left behind by lab JVMs that were killed before they could clean up. */
    private static void sweepAbandoned() {
        sweep(false);
    }

    private static int sweep(boolean kept) {
        int removed = 0;
        if (!Files.isDirectory(OWNERS)) {
            return removed;
        }
        try (var owners = Files.list(OWNERS)) {
            for (Path owner : owners.toList()) {
                List<String> lines = Files.readAllLines(owner, StandardCharsets.UTF_8);
                if (lines.size() < 2) {
                    continue;
                }
                String ownedBy = lines.get(0).strip();
                if (ownedBy.equals(KEPT) ? !kept
                        : ProcessHandle.of(Long.parseLong(ownedBy)).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                List<Namespace> namespaces = java.util.Arrays.stream(lines.get(1).strip().split("\\s+"))
                        .filter(name -> name.startsWith(PREFIX))
                        .map(Namespace::new)
                        .toList();
                deleteNamespaces(namespaces);
                Files.deleteIfExists(owner);
                removed++;
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("lab: could not sweep abandoned networks: " + e);
        }
        return removed;
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("lab: closing " + resource + " failed: " + e);
        }
    }
}
