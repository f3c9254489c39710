package io.metalboot.agent.front;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.agent.core.ActionOutcome;
import io.metalboot.agent.core.AgentCore;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.agent.AgentActionKind;
import io.metalboot.machine.agent.AgentProtocol;
import io.metalboot.machine.agent.BootstrapDelivery;
import io.metalboot.machine.agent.DeployInstructions;
import io.metalboot.machine.agent.DeployProgress;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's side of metalboot's agent API: registers with the boot token, then heartbeats for
 * its next action, runs it through {@link AgentCore} and reports how it went. The boot token and
 * the session credential go into request bodies and headers only, never onto the console.
 */
public final class MetalbootFront {
    /** How long the heartbeats are tried again before the agent gives up on the appliance. */
    static final Duration HEARTBEAT_RETRY = Duration.ofMinutes(5);

    /** The appliance refused the token or the credential: retrying cannot help. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    private final String base;
    private final MacAddress mac;
    private final AgentCore core;
    private final PrintStream console;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** Unknown fields are skipped: an appliance newer than this agent may say more. */
    private final ObjectMapper json = JsonMapper.builder()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private String credential;
    private String currentActionId = "";
    private Duration heartbeat = Duration.ofSeconds(10);

    public MetalbootFront(String applianceUrl, MacAddress mac, AgentCore core, PrintStream console) {
        this.base = applianceUrl;
        this.mac = mac;
        this.core = core;
        this.console = console;
    }

    /** Exchanges the boot token for this boot's credential, retrying while the appliance cannot be reached. */
    public void register(String bootToken, int attempts) throws IOException, InterruptedException, RefusedException {
        IOException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                HttpResponse<byte[]> reply = post(AgentProtocol.REGISTER,
                        json.writeValueAsBytes(new AgentProtocol.RegisterRequest(mac.toString(), bootToken)), false);
                if (reply.statusCode() == 401) {
                    throw new RefusedException("the appliance refused this boot's token (used, expired or not ours)");
                }
                requireOk(reply, "register");
                AgentProtocol.RegisterResponse session = json.readValue(reply.body(), AgentProtocol.RegisterResponse.class);
                credential = session.credential();
                heartbeat = Duration.ofSeconds(Math.max(1, session.heartbeatSeconds()));
                console.println("metalboot-agent: registered with " + base + " as " + mac + "; heartbeat every "
                        + heartbeat.toSeconds() + " s");
                return;
            } catch (IOException e) {
                last = e;
                console.println("metalboot-agent: cannot reach " + base + " (try " + attempt + " of " + attempts + "): "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                Thread.sleep(Math.min(30_000L, 1000L << Math.min(attempt, 5)));
            }
        }
        throw last;
    }

    /**
     * A deploy running on its own thread: the latest progress its writer gave, and how it ended
     * (null while it runs).
     */
    private static final class RunningDeploy {
        final String actionId;
        final AtomicReference<DeployProgress> progress = new AtomicReference<>();
        final AtomicReference<ActionOutcome> outcome = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);

        RunningDeploy(String actionId) {
            this.actionId = actionId;
        }

        /** What the next heartbeat says of it: running with its progress, or how it ended. */
        AgentProtocol.ActionReport report() {
            ActionOutcome ended = outcome.get();
            if (ended == null) {
                return new AgentProtocol.ActionReport(actionId, "running", null, progress.get(), null);
            }
            return ended.succeeded()
                    ? new AgentProtocol.ActionReport(actionId, "succeeded", null, progress.get(), ended.deployed())
                    : new AgentProtocol.ActionReport(actionId, "failed", ended.message(), progress.get(), null);
        }
    }

    /** The deploy this agent runs or last ran, until the appliance has moved on from it. */
    private RunningDeploy deploy;
    /** The deploy whose writer runs or last ran: a second one never writes beside it. */
    private RunningDeploy writing;
    /** Every deploy action this agent started: none is started twice. */
    private final Set<String> deploysStarted = new HashSet<>();

    /**
     * Heartbeats until told to power off or reboot (then does it and returns) or until the thread
     * is interrupted. Each action but a deploy runs to its end before the next heartbeat reports
     * it; a deploy runs on a thread of its own while the heartbeats go on, saying "running" with
     * its latest progress, then how it ended (again with each heartbeat while the appliance still
     * answers with that deploy).
     */
    public void serve() throws IOException, InterruptedException, RefusedException {
        AgentProtocol.ActionReport report = null;
        while (!Thread.currentThread().isInterrupted()) {
            AgentProtocol.HeartbeatResponse next = heartbeatRetrying(report != null ? report
                    : deploy != null ? deploy.report() : null);
            report = null;
            currentActionId = next.actionId() == null ? "" : next.actionId();
            heartbeat = Duration.ofSeconds(Math.max(1, next.heartbeatSeconds()));
            AgentActionKind kind = AgentActionKind.ofWireName(next.kind());
            boolean stillThisDeploy = deploy != null && kind == AgentActionKind.DEPLOY
                    && deploy.actionId.equals(currentActionId);
            if (deploy != null && !stillThisDeploy) {
                if (deploy.outcome.get() == null) {
                    console.println("metalboot-agent: the appliance moved on from deploy " + deploy.actionId
                            + " while it still runs; its result will not be reported");
                }
                deploy = null;
            }
            switch (kind) {
                case WAIT -> Thread.sleep(heartbeat.toMillis());
                case DEPLOY -> report = deploy(next);
                case POWER_OFF, REBOOT -> {
                    console.println("metalboot-agent: " + kind.wireName() + " (asked by the appliance)");
                    heartbeat(new AgentProtocol.ActionReport(next.actionId(), "succeeded", null, null, null));
                    ActionOutcome outcome = core.perform(kind);
                    if (outcome.succeeded()) {
                        return;
                    }
                    console.println("metalboot-agent: " + outcome.message());
                }
                case INSPECT -> {
                    console.println("metalboot-agent: collecting the inventory");
                    long collecting = System.nanoTime();
                    ActionOutcome outcome = core.perform(kind);
                    long collectedMillis = (System.nanoTime() - collecting) / 1_000_000;
                    if (outcome.succeeded()) {
                        HttpResponse<byte[]> sent = post(AgentProtocol.INVENTORY,
                                outcome.inventoryJson().getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
                        refusedIf401(sent);
                        requireOk(sent, "inventory");
                        console.println("metalboot-agent: inventory sent (collected in " + collectedMillis + " ms)");
                        report = new AgentProtocol.ActionReport(next.actionId(), "succeeded", null, null, null);
                    } else {
                        console.println("metalboot-agent: " + outcome.message());
                        report = new AgentProtocol.ActionReport(next.actionId(), "failed", outcome.message(), null, null);
                    }
                }
            }
        }
    }

    /**
     * The appliance says deploy: starts it (once per action id) on its own virtual thread, then
     * waits a heartbeat interval, or less if it ends first. A report to send at once, or null
     * (the running deploy's own report goes with the next heartbeat).
     */
    private AgentProtocol.ActionReport deploy(AgentProtocol.HeartbeatResponse next) throws InterruptedException {
        String actionId = currentActionId;
        if (deploy == null && !deploysStarted.contains(actionId)) {
            if (writing != null && writing.outcome.get() == null) {
                console.println("metalboot-agent: deploy " + actionId + " refused: deploy " + writing.actionId
                        + " is still writing");
                return new AgentProtocol.ActionReport(actionId, "failed", "deploy: deploy " + writing.actionId
                        + " is still writing on this machine", null, null);
            }
            DeployInstructions instructions = next.deploy();
            if (instructions == null) {
                console.println("metalboot-agent: deploy " + actionId + " came without its instructions");
                return new AgentProtocol.ActionReport(actionId, "failed", "deploy: the appliance sent no instructions",
                        null, null);
            }
            deploysStarted.add(actionId);
            RunningDeploy started = new RunningDeploy(actionId);
            deploy = started;
            writing = started;
            console.println("metalboot-agent: deploy " + actionId + " starts: " + instructions); // hides the URL's query
            Thread.ofVirtual().name("deploy-" + actionId).start(() -> {
                ActionOutcome outcome;
                try {
                    outcome = core.deploy(instructions, started.progress::set, this::bootstrap);
                } catch (RuntimeException | Error e) {
                    outcome = ActionOutcome.failed("deploy: " + AgentCore.safeLine(String.valueOf(e.getMessage()),
                            instructions.imageUrl()));
                }
                started.outcome.set(outcome);
                console.println(outcome.succeeded()
                        ? "metalboot-agent: deploy " + actionId + " written and verified: " + outcome.deployed().disk()
                                + ", " + outcome.deployed().imageBytes() + " bytes, " + outcome.deployed().tableType()
                        : "metalboot-agent: deploy " + actionId + " failed: " + outcome.message());
                started.done.countDown();
            });
        } else if (deploy == null) {
            // Started before and already reported (the appliance answered something else in between):
            // never again. The appliance decides what follows.
            Thread.sleep(heartbeat.toMillis());
            return null;
        }
        deploy.done.await(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        return null;
    }

    /**
     * The agent stops: tells the appliance why, once, if it can (registered, and the appliance
     * answers). The machine is then {@code failed} with that reason. True when the appliance took it.
     */
    public boolean reportFatal(String reason) {
        if (credential == null) {
            return false;
        }
        try {
            heartbeat(new AgentProtocol.ActionReport(currentActionId, AgentProtocol.FATAL, reason, null, null));
            return true;
        } catch (IOException | RefusedException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A heartbeat, tried again while the appliance cannot be reached or answers an error (a
     * network blip must not end a deploy that is writing a disk), for up to {@link #HEARTBEAT_RETRY}:
     * 1, 2, 4 … 30 s apart, a line on the console each time. A 401 is never retried.
     */
    private AgentProtocol.HeartbeatResponse heartbeatRetrying(AgentProtocol.ActionReport report)
            throws IOException, InterruptedException, RefusedException {
        long giveUp = System.nanoTime() + HEARTBEAT_RETRY.toNanos();
        long pause = 1000;
        while (true) {
            try {
                return heartbeat(report);
            } catch (IOException e) {
                if (System.nanoTime() + pause * 1_000_000 > giveUp) {
                    throw e;
                }
                console.println("metalboot-agent: heartbeat failed (" + e.getMessage() + "); again in " + pause / 1000 + " s");
                Thread.sleep(pause);
                pause = Math.min(pause * 2, 30_000);
            }
        }
    }

    private AgentProtocol.HeartbeatResponse heartbeat(AgentProtocol.ActionReport report)
            throws IOException, InterruptedException, RefusedException {
        HttpResponse<byte[]> reply = post(AgentProtocol.HEARTBEAT,
                json.writeValueAsBytes(new AgentProtocol.Heartbeat(report)), true);
        refusedIf401(reply);
        requireOk(reply, "heartbeat");
        return json.readValue(reply.body(), AgentProtocol.HeartbeatResponse.class);
    }

    /**
     * This machine's bootstrap data for the deploy, asked once its image is written (the appliance
     * reads it from its source at that moment); tried again for a minute while the appliance cannot
     * be reached or answers an error. Empty on a 204: no bootstrap data for this machine.
     */
    private java.util.Optional<BootstrapDelivery> bootstrap(String deployId)
            throws IOException, InterruptedException, RefusedException {
        long giveUp = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        long pause = 1000;
        while (true) {
            try {
                HttpResponse<byte[]> reply = http.send(HttpRequest.newBuilder(URI.create(base + AgentProtocol.BOOTSTRAP + mac))
                        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + credential).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                refusedIf401(reply);
                if (reply.statusCode() == 204) {
                    console.println("metalboot-agent: deploy " + deployId + ": no bootstrap data for this machine");
                    return java.util.Optional.empty();
                }
                requireOk(reply, "bootstrap");
                BootstrapDelivery delivery = json.readValue(reply.body(), BootstrapDelivery.class);
                console.println("metalboot-agent: deploy " + deployId + ": " + delivery); // shows no secret
                return java.util.Optional.of(delivery);
            } catch (IOException e) {
                if (System.nanoTime() + pause * 1_000_000 > giveUp) {
                    throw new IOException("bootstrap: " + e.getMessage(), e);
                }
                console.println("metalboot-agent: bootstrap data not fetched (" + e.getMessage() + "); again in "
                        + pause / 1000 + " s");
                Thread.sleep(pause);
                pause = Math.min(pause * 2, 15_000);
            }
        }
    }

    private HttpResponse<byte[]> post(String path, byte[] body, boolean withCredential)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (withCredential) {
            request.header("Authorization", "Bearer " + credential);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void refusedIf401(HttpResponse<byte[]> reply) throws RefusedException {
        if (reply.statusCode() == 401) {
            throw new RefusedException("the appliance refused this boot's credential (a newer boot registered?)");
        }
    }

    private static void requireOk(HttpResponse<byte[]> reply, String what) throws IOException {
        if (reply.statusCode() / 100 != 2) {
            throw new IOException(what + ": HTTP " + reply.statusCode());
        }
    }
}
