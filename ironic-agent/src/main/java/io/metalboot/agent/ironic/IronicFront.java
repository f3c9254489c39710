package io.metalboot.agent.ironic;

import com.fasterxml.jackson.databind.JsonNode;
import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.core.DiskMaintenance;
import io.metalboot.agent.deploy.disk.TargetDiskChooser;
import io.metalboot.agent.deploy.disk.TargetDiskPolicy;
import io.metalboot.agent.inventory.InventoryJson;
import io.metalboot.machine.inventory.Disk;
import io.metalboot.machine.inventory.Inventory;
import io.metalboot.machine.inventory.NetworkInterface;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * The agent as Ironic sees it: ironic-python-agent's protocol in front of the agent's
 * transport-free actions. In order: the inspection (the inventory to ironic-inspector, when
 * {@code ipa-inspection-callback-url} asks), the agent API started, the lookup until Ironic knows
 * the node in a state that allows one (keeping the agent token it issues once, in memory only),
 * then heartbeats for as long as the agent runs, every {@code heartbeat_timeout} × 0.3–0.6, and at
 * once when a command ends. Ironic drives the rest through the API's commands.
 */
public final class IronicFront {
    private static final String PREFIX = "metalboot-agent: ironic: ";
    private static final Duration MAX_LOOKUP_WAIT = Duration.ofSeconds(30);

    /** The TLS the agent API serves with auto-TLS: the generated certificate's PEM and the server context. */
    public record ServerTls(String pem, SSLContext context) {
    }

    /** Where the agent's structured inventory comes from (collected once per call). */
    @FunctionalInterface
    public interface InventoryProvider {
        Inventory collect() throws Exception;
    }

    /** The agent's logs as a gzipped tar, for {@code log.collect_system_logs}. */
    @FunctionalInterface
    public interface SystemLogs {
        byte[] archive() throws Exception;
    }

    /** The agent cannot go on: the reason, for the console. */
    public static final class FatalException extends Exception {
        private static final long serialVersionUID = 1L;

        FatalException(String message) {
            super(message);
        }
    }

    private final IpaParameters params;
    private final InventoryProvider inventory;
    private final TargetDiskPolicy policy;
    private final Function<InetAddress, Optional<ServerTls>> tls;
    private final Consumer<String> console;
    private final IronicApi api;
    private final IronicCommands commands;
    private final IpaCommandLog log;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition beat = lock.newCondition();
    private boolean beatNow;
    private volatile String token;
    private IpaApiServer server;

    /**
     * @param policy  the deploy's disk policy (the inspection's root disk is chosen as a deploy would)
     * @param tls     makes the auto-TLS certificate for the agent's address; empty: plain HTTP
     * @param logs    the agent's logs as a gzipped tar ({@code log.collect_system_logs})
     */
    public IronicFront(IpaParameters params, AgentCore core, DiskMaintenance disks, InventoryProvider inventory,
            TargetDiskPolicy policy, Function<InetAddress, Optional<ServerTls>> tls, Consumer<String> console,
            SystemLogs logs) throws IOException {
        this.params = params;
        this.inventory = inventory;
        this.policy = policy;
        this.tls = tls;
        this.console = console;
        this.api = new IronicApi(params.apiUrl(), params.globalRequestId(), clientTls(params.insecure()));
        this.log = new IpaCommandLog(result -> heartbeatSoon(), line -> console.accept(PREFIX + line));
        this.commands = new IronicCommands(core, disks, () -> inventoryMap(inventory.collect()), logs,
                line -> console.accept(PREFIX + line));
    }

    /** The commands run so far (the system logs list them). */
    public String commandsSoFar() {
        return new String(IpaJson.writeList(log.history()), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Runs until the process ends (a power-off command, or a fatal error thrown). */
    public void run() throws Exception {
        Inventory machine = inventory.collect();
        List<String> macs = machine.interfaces().stream().map(NetworkInterface::macAddress)
                .filter(mac -> mac != null && !mac.isBlank()).distinct().toList();
        if (macs.isEmpty()) {
            throw new FatalException("no network interface with a MAC address to look the node up by");
        }
        if (params.inspectionCallbackUrl().isPresent()) {
            inspect(params.inspectionCallbackUrl().get(), machine);
        }
        InetAddress advertise = advertiseAddress();
        boolean autoTls = params.autoTls() && api.supportsAutoTls();
        Optional<ServerTls> serverTls = autoTls ? tls.apply(advertise) : Optional.empty();
        server = new IpaApiServer(new InetSocketAddress(params.listenPort()), serverTls.map(ServerTls::context),
                commands, log, () -> Optional.ofNullable(token), line -> console.accept(PREFIX + line));
        String host = advertise instanceof Inet6Address ? "[" + advertise.getHostAddress() + "]" : advertise.getHostAddress();
        String callback = (serverTls.isPresent() ? "https" : "http") + "://" + host + ":" + server.port();
        console.accept(PREFIX + "API v" + api.version() + " at " + params.apiUrl() + "; agent API at " + callback
                + (serverTls.isPresent() ? " (auto-TLS)" : ""));
        while (true) {
            // a token Ironic stops accepting (it wipes it when cleaning or a deploy ends) means a new lookup,
            // as a rebooted IPA would make: the next token is issued to whoever looks up first, once
            heartbeat(lookUp(macs), callback, serverTls.map(ServerTls::pem));
            log.startOver();
        }
    }

    private void inspect(String url, Inventory machine) throws Exception {
        Map<String, Object> inventoryMap = inventoryMap(machine);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("inventory", inventoryMap);
        data.put("root_disk", rootDisk(machine, inventoryMap));
        NetworkInterface pxe = machine.pxeInterface();
        data.put("boot_interface", pxe == null ? null : pxe.macAddress());
        data.put("configuration", Map.of("collectors", List.of(IpaParameters.DEFAULT_COLLECTOR),
                "managers", List.of(Map.of("name", IronicCommands.MANAGER, "version", IronicCommands.MANAGER_VERSION))));
        byte[] body = IpaJson.bytes(data);
        Duration wait = Duration.ofSeconds(2);
        for (int attempt = 1; ; attempt++) {
            try {
                JsonNode answer = api.inspect(url, body);
                console.accept(PREFIX + "inspection data sent to " + withoutQuery(url) + "; node "
                        + answer.path("uuid").asText("(not named)"));
                return;
            } catch (IOException e) {
                if (attempt == 5) {
                    // IPA goes on to the lookup after a failed inspection; Ironic marks the inspection failed
                    console.accept(PREFIX + "inspection failed after " + attempt + " attempts: " + e.getMessage());
                    return;
                }
                console.accept(PREFIX + "inspection attempt " + attempt + " failed: " + e.getMessage() + "; again in "
                        + wait.toSeconds() + " s");
                Thread.sleep(wait);
                wait = wait.multipliedBy(2);
            }
        }
    }

    /** IPA's {@code root_disk}: the disk a deploy with no hints would choose. */
    @SuppressWarnings("unchecked")
    private Object rootDisk(Inventory machine, Map<String, Object> inventoryMap) {
        try {
            Disk chosen = TargetDiskChooser.choose(machine.disks(), Optional.empty(), 0, policy);
            Object disks = inventoryMap.get("disks");
            if (disks instanceof List<?> list) {
                return list.stream().filter(d -> d instanceof Map<?, ?> m && chosen.name().equals(m.get("name")))
                        .findFirst().orElse(null);
            }
        } catch (Exception e) {
            console.accept(PREFIX + "no root disk for the inspection: " + e.getMessage());
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> inventoryMap(Inventory machine) throws IOException {
        return IpaJson.MAPPER.readValue(InventoryJson.write(machine), Map.class);
    }

    private IronicApi.Lookup lookUp(List<String> macs) throws Exception {
        long deadline = System.nanoTime() + params.lookupTimeout().toNanos();
        Duration ceiling = params.lookupInterval();
        for (int attempt = 1; ; attempt++) {
            String outcome;
            try {
                Optional<IronicApi.Lookup> found = api.lookup(macs);
                if (found.isPresent()) {
                    IronicApi.Lookup node = found.get();
                    String issued = node.token().orElseThrow(() -> new FatalException(
                            "Ironic issued no agent token: the agent's API would be open to anyone"));
                    if (issued.equals(IronicApi.HIDDEN_TOKEN)) {
                        throw new FatalException("Ironic issued node " + node.nodeUuid()
                                + "'s agent token to an earlier lookup; this agent never had it");
                    }
                    token = issued;
                    console.accept(PREFIX + "looked up node " + node.nodeUuid() + " (attempt " + attempt
                            + "); agent token received");
                    return node;
                }
                outcome = "no node in a state that allows a lookup";
            } catch (IronicApi.ApiException e) {
                outcome = e.getMessage();
                if (e.status == 409) {
                    ceiling = ceiling.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : ceiling;
                }
            } catch (IOException e) {
                outcome = "Ironic unreachable: " + e;
            }
            if (System.nanoTime() > deadline) {
                throw new FatalException("lookup: no node after " + params.lookupTimeout().toSeconds() + " s ("
                        + outcome + ")");
            }
            // full jitter, doubling up to a ceiling, as IPA's random exponential wait
            long millis = ThreadLocalRandom.current().nextLong(ceiling.toMillis() / 2, ceiling.toMillis() + 1);
            console.accept(PREFIX + "lookup attempt " + attempt + ": " + outcome + "; again in " + millis + " ms");
            Thread.sleep(millis);
            ceiling = ceiling.multipliedBy(2).compareTo(MAX_LOOKUP_WAIT) > 0 ? MAX_LOOKUP_WAIT : ceiling.multipliedBy(2);
        }
    }

    /** Heartbeats until Ironic no longer accepts the token. */
    private void heartbeat(IronicApi.Lookup node, String callback, Optional<String> pem) throws InterruptedException {
        Duration timeout = params.heartbeatTimeout().orElse(node.heartbeatTimeout());
        int beats = 0;
        while (true) {
            Duration next;
            try {
                api.heartbeat(node.nodeUuid(), callback, token, pem);
                if (beats++ == 0) {
                    console.accept(PREFIX + "heartbeating node " + node.nodeUuid() + " every " + timeout.toSeconds()
                            + " s x 0.3-0.6");
                }
                next = Duration.ofMillis((long) (timeout.toMillis() * ThreadLocalRandom.current().nextDouble(0.3, 0.6)));
            } catch (IronicApi.ApiException e) {
                // 409: the node is locked (a conductor is working on it); a refused token: look up again
                if ((e.status == 400 || e.status == 401 || e.status == 403) && e.getMessage().contains("token")) {
                    token = null;
                    console.accept(PREFIX + "Ironic no longer accepts the agent token (" + e.getMessage()
                            + "); looking the node up again");
                    return;
                }
                next = Duration.ofSeconds(Math.min(5, Math.max(1, timeout.toSeconds() / 10)));
                console.accept(PREFIX + e.getMessage() + "; again in " + next.toSeconds() + " s");
            } catch (IOException e) {
                // Ironic is away (restarting, unreachable): keep trying
                next = Duration.ofSeconds(Math.min(5, Math.max(1, timeout.toSeconds() / 10)));
                console.accept(PREFIX + "heartbeat: " + e + "; again in " + next.toSeconds() + " s");
            }
            lock.lock();
            try {
                long nanos = next.toNanos();
                while (!beatNow && nanos > 0) {
                    nanos = beat.awaitNanos(nanos);
                }
                beatNow = false;
            } finally {
                lock.unlock();
            }
        }
    }

    private void heartbeatSoon() {
        lock.lock();
        try {
            beatNow = true;
            beat.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The address Ironic reaches this agent at: the source address of a route to Ironic's API. */
    private InetAddress advertiseAddress() throws IOException {
        URI uri = URI.create(params.apiUrl());
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(InetAddress.getByName(uri.getHost()), port));
            InetAddress local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                throw new IOException("no route to Ironic at " + uri.getHost());
            }
            return local;
        }
    }

    private static SSLContext clientTls(boolean insecure) throws IOException {
        return insecure ? new io.metalboot.image.source.HttpTrust.Insecure().sslContext()
                : io.metalboot.image.source.HttpTrust.systemDefault().sslContext();
    }

    private static String withoutQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    /** Stops the agent API (tests; the ramdisk ends with the machine). */
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
