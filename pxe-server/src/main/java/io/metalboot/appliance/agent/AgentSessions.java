package io.metalboot.appliance.agent;

import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import io.metalboot.machine.agent.AgentActionKind;
import io.metalboot.machine.agent.AgentProtocol;
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

    /** An action handed to an agent, by the id it reports back. */
    public record Action(String id, AgentActionKind kind) {
    }

    /** One agent as the operator API shows it. */
    public record AgentView(Instant lastHeartbeat, boolean lost, Optional<Action> action) {
    }

    private static final class Session {
        Instant lastHeartbeat;
        Action current;
        boolean lost;
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
     * should do now, which is the current one while it runs, else the next one queued, else wait.
     */
    public synchronized Action heartbeat(MacAddress mac, String actionId, String status, String message)
            throws IOException {
        Session session = sessions.computeIfAbsent(mac, m -> new Session());
        session.lastHeartbeat = clock.instant();
        session.lost = false;
        if (AgentProtocol.FATAL.equals(status)) {
            // The agent's last word: it stops, so what it was doing and what was queued end here.
            Action stopped = session.current;
            sessions.remove(mac);
            registry.advance(mac, MachineState.FAILED, "agent", Optional.of("agent stopped"
                    + (stopped == null ? "" : " during " + stopped.kind().wireName()) + ": "
                    + (message == null ? "no reason given" : message)));
            return new Action("", AgentActionKind.WAIT);
        }
        if (session.current != null && session.current.id().equals(actionId) && status != null) {
            switch (status) {
                case "succeeded" -> finished(mac, session);
                case "failed" -> {
                    Action failed = session.current;
                    session.current = null;
                    session.queued.clear();
                    registry.advance(mac, MachineState.FAILED, "agent", Optional.of(failed.kind().wireName()
                            + " failed: " + (message == null ? "no reason given" : message)));
                }
                default -> {
                    // still running
                }
            }
        }
        if (session.current == null && !session.queued.isEmpty()) {
            session.current = new Action(UUID.randomUUID().toString(), session.queued.poll());
        }
        return session.current != null ? session.current : new Action("", AgentActionKind.WAIT);
    }

    private void finished(MacAddress mac, Session session) {
        if (session.current.kind() == AgentActionKind.INSPECT && powerOffAfterInspection) {
            session.queued.add(AgentActionKind.POWER_OFF);
        }
        session.current = null;
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
            lost++;
            LOG.log(Level.WARNING, "agent on {0} lost: no heartbeat since {1}", entry.getKey(), session.lastHeartbeat);
            if (session.current != null) {
                Action running = session.current;
                session.current = null;
                session.queued.clear();
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
