package io.metalboot.appliance.bootstrap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.appliance.registry.Deploy;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.bootstrap.BootstrapData;
import io.metalboot.bootstrap.BootstrapException;
import io.metalboot.bootstrap.BootstrapRedaction;
import io.metalboot.http.HttpCall;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.agent.AgentProtocol;
import io.metalboot.machine.agent.BootstrapDelivery;
import io.metalboot.machine.agent.NodeProtocol;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The two bootstrap endpoints of the provisioning listener. {@code GET /agent/v1/bootstrap/{mac}}:
 * the machine's bootstrap data, read from its source now, for its own agent's session credential
 * during a running deploy, with a fresh node credential. {@code POST /node/v1/report/{mac}}: the
 * written OS says joined or failed, with its node credential. Any other credential, or none, is a
 * 401 with no body. The audit log names which machine got which object, never what it holds.
 */
final class BootstrapRoutes {
    static final System.Logger AUDIT = System.getLogger("audit");
    private static final System.Logger LOG = System.getLogger("metalboot");
    /** The most of a failing node's output kept as its failure reason. */
    static final int MAX_TAIL = 2000;

    private final MachineRegistry registry;
    private final BootstrapSources sources;
    private final Supplier<URI> provisioningBase;
    private final String configDrive;
    private final ObjectMapper json = JsonMapper.builder().build();

    /** @param configDrive the drive an OS with cloud-init gets: "config-2" or "cidata" */
    BootstrapRoutes(MachineRegistry registry, BootstrapSources sources, Supplier<URI> provisioningBase,
            String configDrive) {
        this.registry = registry;
        this.sources = sources;
        this.provisioningBase = provisioningBase;
        this.configDrive = configDrive;
    }

    List<HttpRoute> routes() {
        return List.of(HttpRoute.get(AgentProtocol.BOOTSTRAP + "{mac}", this::deliver),
                HttpRoute.post(NodeProtocol.REPORT + "{mac}", this::report));
    }

    private HttpReply deliver(HttpCall call) throws IOException {
        Optional<MacAddress> mac = pathMac(call);
        if (mac.isEmpty() || !call.bearerCredential().flatMap(registry::agentSession).equals(mac)) {
            return HttpReply.unauthorized();
        }
        Optional<Deploy> deploy = registry.runningDeploy(mac.get());
        Optional<Machine> machine = registry.machine(mac.get());
        if (deploy.isEmpty() || machine.isEmpty()) {
            return HttpReply.text(409, mac.get() + " runs no deploy: bootstrap data goes with one\n");
        }
        Optional<BootstrapData> data;
        try {
            data = sources.find(machine.get());
        } catch (BootstrapException e) {
            LOG.log(Level.WARNING, "bootstrap data for {0} could not be read: {1}", mac.get(), e.getMessage());
            return HttpReply.text(503, "bootstrap data could not be read: " + e.getMessage() + "\n");
        }
        String deployId = deploy.get().request().id();
        if (data.isEmpty()) {
            AUDIT.log(Level.INFO, "{0} GET {1}: no bootstrap data for deploy {2}", remote(call), mac.get(), deployId);
            return HttpReply.empty(204);
        }
        Optional<String> nodeCredential = registry.issueNodeCredential(mac.get(), deployId);
        if (nodeCredential.isEmpty()) {
            return HttpReply.text(409, mac.get() + " runs no deploy: bootstrap data goes with one\n");
        }
        BootstrapData found = data.get();
        AUDIT.log(Level.INFO, "{0} GET {1}: bootstrap {2} ({3}, {4} bytes) delivered for deploy {5}; node credential"
                + " issued", remote(call), mac.get(), found.origin(), found.format().wireName(),
                Integer.toString(found.value().length), deployId);
        BootstrapDelivery delivery = new BootstrapDelivery(found.format().wireName(),
                Base64.getEncoder().encodeToString(found.value()), found.metaData(), found.networkDataJson().orElse(null),
                found.origin(), nodeCredential.get(), reportUrl(mac.get()), configDrive);
        return HttpReply.json(200, json.writeValueAsBytes(delivery));
    }

    /** Where the node of {@code mac} reports: on the provisioning listener, as the machine reaches it. */
    String reportUrl(MacAddress mac) {
        return provisioningBase.get().resolve(NodeProtocol.REPORT + mac).toString();
    }

    private HttpReply report(HttpCall call) throws IOException {
        Optional<MacAddress> mac = pathMac(call);
        if (mac.isEmpty() || !call.bearerCredential().flatMap(registry::node).equals(mac)) {
            return HttpReply.unauthorized();
        }
        NodeProtocol.NodeReport report;
        try {
            report = json.readValue(call.body(), NodeProtocol.NodeReport.class);
        } catch (IOException e) {
            report = null;
        }
        if (report == null || !("joined".equals(report.status()) || "failed".equals(report.status()))) {
            return HttpReply.text(400, "expected {\"status\": \"joined\" | \"failed\", \"tail\": \"...\"}\n");
        }
        boolean joined = "joined".equals(report.status());
        Optional<String> reason = joined ? Optional.empty() : Optional.of("node: bootstrap failed: " + redactedTail(
                mac.get(), report.tail()));
        try {
            registry.nodeReported(mac.get(), joined, reason);
        } catch (IllegalStateException e) {
            return HttpReply.text(409, e.getMessage() + "\n");
        }
        AUDIT.log(Level.INFO, "{0} POST {1}: node reported {2}", remote(call), mac.get(), report.status());
        return HttpReply.empty(204);
    }

    /**
     * The end of the node's output with bootstrap tokens and the lines of the machine's bootstrap
     * data (read again now: what it was handed) masked, and at most {@link #MAX_TAIL} characters.
     */
    private String redactedTail(MacAddress mac, String tail) {
        if (tail == null || tail.isBlank()) {
            return "(no output)";
        }
        List<byte[]> secrets = List.of();
        try {
            Optional<Machine> machine = registry.machine(mac);
            if (machine.isPresent()) {
                secrets = sources.find(machine.get()).map(d -> List.of(d.value())).orElse(List.of());
            }
        } catch (BootstrapException e) {
            LOG.log(Level.WARNING, "bootstrap data for {0} could not be read to redact its report: {1}", mac,
                    e.getMessage());
        }
        String redacted = BootstrapRedaction.redact(tail, secrets).strip();
        return redacted.length() <= MAX_TAIL ? redacted : "…" + redacted.substring(redacted.length() - MAX_TAIL + 1);
    }

    private static Optional<MacAddress> pathMac(HttpCall call) {
        try {
            return Optional.of(MacAddress.parse(call.pathParameter("mac")));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String remote(HttpCall call) {
        return call.remote() == null ? "-" : call.remote().getAddress().getHostAddress() + ":" + call.remote().getPort();
    }
}
