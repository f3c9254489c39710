package io.metalboot.appliance.agent;

import io.metalboot.appliance.registry.Deploy;
import io.metalboot.appliance.registry.DeployRequest;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import io.metalboot.machine.agent.AgentActionKind;
import io.metalboot.machine.agent.AgentProtocol;
import io.metalboot.machine.agent.DeployInstructions;
import io.metalboot.machine.agent.DeployProgress;
import io.metalboot.machine.agent.DeployedDisk;
import java.io.IOException;
import java.net.InetAddress;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the appliance knows of each running agent, in memory (it is about this boot only, and an
 * agent that outlives an appliance restart registers its next boot anew): when it last
 * heartbeated, the action it was given, and the actions waiting for it. No HTTP here: the agent
 * API and the operator API are its fronts.
 *
 * <p>An agent whose heartbeats stop for {@code lostAfter} is "lost"; an action it was running
 * then fails the machine with that reason.
 */
public final class AgentSessions {
    private static final System.Logger LOG = System.getLogger("agent");

    /** The longest failure reason an agent's report puts on a machine. */
    static final int MAX_REASON = 300;

    /**
     * An action handed to an agent, by the id it reports back.
     *
     * @param deploy for a deploy: what the agent is told, the same on every answer until it reports; else null
     */
    public record Action(String id, AgentActionKind kind, DeployInstructions deploy) {
        public Action(String id, AgentActionKind kind) {
            this(id, kind, null);
        }
    }

    /** A deploy's latest progress as its agent reported it, and when. */
    public record ProgressSeen(String deployId, DeployProgress progress, Instant at) {
    }

    /** One agent as the operator API shows it. */
    public record AgentView(Instant lastHeartbeat, boolean lost, Optional<Action> action) {
    }

    private static final class Session {
        Instant lastHeartbeat;
        Action current;
        boolean lost;
        /** It acknowledged a reboot or power-off: its heartbeats are expected to stop. */
        boolean departing;
        /** Where its last call came from (registration or heartbeat), if known. */
        InetAddress lastAddress;
        final Deque<AgentActionKind> queued = new ArrayDeque<>();
    }

    private final MachineRegistry registry;
    private final Clock clock;
    private final Duration heartbeat;
    private final Duration lostAfter;
    private final boolean powerOffAfterInspection;
    private final Map<MacAddress, Session> sessions = new HashMap<>();
    /** Each machine's running deploy's latest progress: memory only (no journal write per heartbeat). */
    private final Map<MacAddress, ProgressSeen> progress = new HashMap<>();
    private volatile DeployImages images = DeployImages.NONE;

    public AgentSessions(MachineRegistry registry, Clock clock, Duration heartbeat, Duration lostAfter,
            boolean powerOffAfterInspection) {
        this.registry = registry;
        this.clock = clock;
        this.heartbeat = heartbeat;
        this.lostAfter = lostAfter;
        this.powerOffAfterInspection = powerOffAfterInspection;
    }

    public Duration heartbeat() {
        return heartbeat;
    }

    /** Where deploys' images come from: the image service, once it is built. */
    public void deployImagesFrom(DeployImages source) {
        images = java.util.Objects.requireNonNull(source, "source");
    }

    public DeployImages deployImages() {
        return images;
    }

    /** A new agent session for {@code mac} (registration): an inspecting machine is asked for its inventory first. */
    public synchronized void registered(MacAddress mac, MachineState state) {
        Session session = new Session();
        session.lastHeartbeat = clock.instant();
        if (state == MachineState.INSPECTING) {
            session.queued.add(AgentActionKind.INSPECT);
        }
        sessions.put(mac, session);
    }

    /**
     * A heartbeat, with the agent's report on its current action (null: none): the action it
     * should do now, which is the current one while it runs, else the next one queued, else the
     * deploy its machine is provisioning for, else wait.
     */
    public synchronized Action heartbeat(MacAddress mac, String actionId, String status, String message)
            throws IOException {
        return heartbeat(mac, status == null && actionId == null ? null
                : new AgentProtocol.ActionReport(actionId, status, message, null, null));
    }

    /** As {@link #heartbeat(MacAddress, String, String, String)}, with a deploy's progress and result. */
    public synchronized Action heartbeat(MacAddress mac, AgentProtocol.ActionReport report) throws IOException {
        Session session = sessions.computeIfAbsent(mac, m -> new Session());
        session.lastHeartbeat = clock.instant();
        session.lost = false;
        session.departing = false;
        String actionId = report == null ? null : report.actionId();
        String status = report == null ? null : report.status();
        String message = report == null ? null : report.message();
        if (AgentProtocol.FATAL.equals(status)) {
            // The agent's last word: it stops, so what it was doing and what was queued end here.
            Action stopped = session.current;
            sessions.remove(mac);
            progress.remove(mac);
            registry.advance(mac, MachineState.FAILED, "agent", Optional.of("agent stopped"
                    + (stopped == null ? "" : " during " + stopped.kind().wireName()) + ": "
                    + (message == null ? "no reason given" : bounded(message))));
            return new Action("", AgentActionKind.WAIT);
        }
        if (session.current != null && session.current.id().equals(actionId) && status != null) {
            switch (status) {
                case "succeeded" -> {
                    if (session.current.kind() == AgentActionKind.DEPLOY) {
                        deploySucceeded(mac, session, report);
                    } else {
                        session.departing = session.current.kind() == AgentActionKind.REBOOT
                                || session.current.kind() == AgentActionKind.POWER_OFF;
                        finished(mac, session);
                    }
                }
                case "failed" -> {
                    Action failed = session.current;
                    session.current = null;
                    session.queued.clear();
                    registry.advance(mac, MachineState.FAILED, "agent", Optional.of(failed.kind().wireName()
                            + " failed: " + (message == null ? "no reason given" : bounded(message))));
                }
                default -> {
                    // still running
                    if (session.current.kind() == AgentActionKind.DEPLOY && report.progress() != null) {
                        progress.put(mac, new ProgressSeen(actionId, report.progress(), clock.instant()));
                    }
                }
            }
        } else if (status != null && actionId != null && !actionId.isEmpty()) {
            LOG.log(Level.INFO, "agent on {0} reported {1} for action {2}, which is not its current one: ignored",
                    mac, status, actionId);
        }
        if (session.current != null && session.current.kind() == AgentActionKind.DEPLOY && registry.runningDeploy(mac)
                .filter(d -> d.request().id().equals(session.current.id())).isEmpty()) {
            // The machine left provisioning another way (an operator): the agent hears no more of it.
            LOG.log(Level.INFO, "deploy {0} on {1} no longer runs: the agent is told to wait", session.current.id(), mac);
            session.current = null;
            progress.remove(mac);
        }
        if (session.current == null && !session.queued.isEmpty()) {
            session.current = new Action(UUID.randomUUID().toString(), session.queued.poll());
        }
        if (session.current == null) {
            session.current = deployFor(mac).orElse(null);
        }
        return session.current != null ? session.current : new Action("", AgentActionKind.WAIT);
    }

    /**
     * The deploy action for a machine provisioning for a deploy (its id: the deploy's), with its
     * instructions and a URL minted now; none when it is not, or when the image cannot be had
     * (then the machine fails with that reason).
     */
    private Optional<Action> deployFor(MacAddress mac) throws IOException {
        Optional<Deploy> running = registry.runningDeploy(mac);
        if (running.isEmpty()) {
            return Optional.empty();
        }
        DeployRequest request = running.get().request();
        try {
            DeployInstructions instructions = images.instructions(mac, request);
            LOG.log(Level.INFO, "agent on {0} is told deploy {1}: {2}", mac, request.id(), instructions);
            return Optional.of(new Action(request.id(), AgentActionKind.DEPLOY, instructions));
        } catch (IllegalStateException e) {
            registry.advance(mac, MachineState.FAILED, "appliance", Optional.of("deploy failed: "
                    + bounded(e.getMessage())));
            return Optional.empty();
        }
    }

    /**
     * The agent says its deploy succeeded: with the disk it wrote, whose source checksum is the
     * one it was told, the machine is provisioned and the agent's next action is to reboot (into
     * its disk). Without the disk it is no success: nothing changes (the deploy stays current).
     */
    private void deploySucceeded(MacAddress mac, Session session, AgentProtocol.ActionReport report)
            throws IOException {
        Action deploy = session.current;
        DeployedDisk disk = report.deployed();
        if (disk == null) {
            LOG.log(Level.WARNING, "agent on {0} reported deploy {1} succeeded without the disk it wrote: ignored",
                    mac, deploy.id());
            return;
        }
        if (!sameChecksum(deploy.deploy().checksum(), disk.sourceChecksum())) {
            session.current = null;
            session.queued.clear();
            progress.remove(mac);
            registry.advance(mac, MachineState.FAILED, "agent", Optional.of("deploy failed: the agent reported source"
                    + " checksum " + bounded(String.valueOf(disk.sourceChecksum())) + ", expected "
                    + deploy.deploy().checksum()));
            return;
        }
        try {
            registry.deploySucceeded(mac, deploy.id(), disk);
        } catch (IllegalStateException e) {
            LOG.log(Level.WARNING, "agent on {0} reported deploy {1} succeeded, but {2}: ignored", mac, deploy.id(),
                    e.getMessage());
            session.current = null;
            progress.remove(mac);
            return;
        }
        LOG.log(Level.INFO, "deploy {0} on {1} written and verified: {2}, {3} bytes", deploy.id(), mac, disk.disk(),
                Long.toString(disk.imageBytes()));
        session.current = null;
        progress.remove(mac);
        session.queued.clear();
        session.queued.add(AgentActionKind.REBOOT);
    }

    /** "sha256:ab…" against what the agent reported ("sha256:ab…", or the hex alone), case aside. */
    static boolean sameChecksum(String expected, String reported) {
        if (expected == null || reported == null) {
            return false;
        }
        String want = expected.strip().toLowerCase(java.util.Locale.ROOT);
        String got = reported.strip().toLowerCase(java.util.Locale.ROOT);
        return got.contains(":") ? want.equals(got) : want.substring(want.indexOf(':') + 1).equals(got);
    }

    /**
     * One line of at most {@link #MAX_REASON} characters, bootstrap tokens masked: an agent's reason
     * is stored, and a failing bootstrap's could quote one.
     */
    static String bounded(String message) {
        String line = io.metalboot.machine.agent.BootstrapTokens.mask(message)
                .replaceAll("[\\r\\n\\t]+", " ").strip();
        return line.length() <= MAX_REASON ? line : line.substring(0, MAX_REASON - 1) + "…";
    }

    private void finished(MacAddress mac, Session session) {
        if (session.current.kind() == AgentActionKind.INSPECT && powerOffAfterInspection) {
            session.queued.add(AgentActionKind.POWER_OFF);
        }
        session.current = null;
    }

    /** The latest progress {@code mac}'s agent reported for its running deploy. */
    public synchronized Optional<ProgressSeen> deployProgress(MacAddress mac) {
        return Optional.ofNullable(progress.get(mac));
    }

    /** An operator's request; refused (IllegalStateException) when no agent is running there. */
    public synchronized void request(MacAddress mac, AgentActionKind kind) {
        Session session = sessions.get(mac);
        if (session == null || session.lost) {
            throw new IllegalStateException("no agent is running on " + mac);
        }
        if (kind != AgentActionKind.WAIT) {
            session.queued.add(kind);
        }
    }

    /**
     * An operator's delete ({@link MachineRegistry#delete}): refused (IllegalStateException) while
     * the machine's agent runs a deploy, even one the machine has left (its next heartbeat would
     * tell it to stop). Its session here ends with it; the token store forgets its credential, so
     * the agent's next call is refused.
     */
    public synchronized void deleteMachine(MacAddress mac) throws IOException {
        Session session = sessions.get(mac);
        if (session != null && !session.lost && session.current != null
                && session.current.kind() == AgentActionKind.DEPLOY) {
            throw new IllegalStateException("the agent on " + mac + " is running deploy " + session.current.id()
                    + ": wait for it to end");
        }
        registry.delete(mac);
        sessions.remove(mac);
        progress.remove(mac);
    }

    /**
     * An operator's reprovision ({@link MachineRegistry#reprovision}); an agent still running there
     * (a failed deploy leaves it waiting) is asked to inspect now, so the machine gets to
     * {@code available} without a reboot. Any other machine's agent inspects at its next boot.
     */
    public synchronized Machine reprovision(MacAddress mac, Optional<String> reason) throws IOException {
        Machine machine = registry.reprovision(mac, reason);
        Session session = sessions.get(mac);
        if (session != null && !session.lost && !session.departing) {
            session.queued.add(AgentActionKind.INSPECT);
        }
        return machine;
    }

    /** The address {@code mac}'s agent called from just now (its registration or a heartbeat). */
    public synchronized void calledFrom(MacAddress mac, InetAddress address) {
        Session session = sessions.get(mac);
        if (session != null && address != null) {
            session.lastAddress = address;
        }
    }

    /** The address {@code mac}'s running agent last called from. */
    public synchronized Optional<InetAddress> lastAddress(MacAddress mac) {
        Session session = sessions.get(mac);
        return session == null ? Optional.empty() : Optional.ofNullable(session.lastAddress);
    }

    /**
     * The machines whose agents (running this boot, not lost) last called from {@code address}:
     * who the appliance knows is at that address.
     */
    public synchronized java.util.Set<MacAddress> machinesAt(InetAddress address) {
        java.util.Set<MacAddress> at = new java.util.HashSet<>();
        sessions.forEach((mac, session) -> {
            if (!session.lost && address.equals(session.lastAddress)) {
                at.add(mac);
            }
        });
        return at;
    }

    public synchronized Optional<AgentView> view(MacAddress mac) {
        Session session = sessions.get(mac);
        return session == null ? Optional.empty()
                : Optional.of(new AgentView(session.lastHeartbeat, session.lost, Optional.ofNullable(session.current)));
    }

    /**
     * Marks agents lost whose heartbeats stopped; an action one was running fails its machine with
     * that reason. Called periodically; returns how many agents it found lost now.
     */
    public synchronized int checkForLostAgents() {
        Instant now = clock.instant();
        int lost = 0;
        for (Map.Entry<MacAddress, Session> entry : sessions.entrySet()) {
            Session session = entry.getValue();
            if (session.lost || session.lastHeartbeat == null
                    || !now.isAfter(session.lastHeartbeat.plus(lostAfter))) {
                continue;
            }
            session.lost = true;
            if (session.departing && session.current == null) {
                // it rebooted or powered off, as it was told: gone, not lost
                LOG.log(Level.DEBUG, "agent on {0} gone after its reboot or power-off", entry.getKey());
                continue;
            }
            lost++;
            LOG.log(Level.WARNING, "agent on {0} lost: no heartbeat since {1}", entry.getKey(), session.lastHeartbeat);
            if (session.current != null) {
                Action running = session.current;
                session.current = null;
                session.queued.clear();
                progress.remove(entry.getKey());
                try {
                    registry.advance(entry.getKey(), MachineState.FAILED, "appliance",
                            Optional.of("agent lost during " + running.kind().wireName()));
                } catch (IOException | IllegalStateException e) {
                    LOG.log(Level.WARNING, "could not fail {0}: {1}", entry.getKey(), e.getMessage());
                }
            }
        }
        return lost;
    }
}
