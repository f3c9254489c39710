package io.metalboot.appliance.registry;

import io.metalboot.machine.LabelSyntax;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import io.metalboot.machine.agent.DeployedDisk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The appliance's memory of machines, with its rules: who may boot (auto-discovery or known-only,
 * decided here and nowhere else), the lifecycle, labels, boot tokens. Every change is stored
 * before the call returns (changes of different machines concurrently, so that their journal
 * records share an fsync); a refused change throws {@link IllegalStateException} (or, for a label
 * that is not Kubernetes syntax, {@link IllegalArgumentException}) with a message fit for an API
 * client.
 */
public final class MachineRegistry {
    private final MachineStore store;
    private final BootTokenStore tokens;
    private final boolean autoDiscovery;
    /** The config's machines.known, swapped whole on reload: a decision reads it once. */
    private volatile Set<MacAddress> known;
    private final Duration tokenLifetime;
    private final Clock clock;
    private final int maxUnregistered;
    private final Duration unregisteredExpiry;
    private final SecureRandom random = new SecureRandom();
    /**
     * Changes of one machine are decided and stored under its lock, so they never interleave;
     * those of different machines run, and wait for their journal's fsync, side by side.
     */
    private final MachineLocks locks = new MachineLocks();
    private final Object capCheck = new Object();
    /** New machines past the cap check whose record is not yet stored; guarded by {@link #capCheck}. */
    private int unregisteredInFlight;

    /**
     * @param autoDiscovery record any unknown machine that PXE-boots; else only those in {@code known}
     */
    public MachineRegistry(MachineStore store, BootTokenStore tokens, boolean autoDiscovery, Set<MacAddress> known,
            Duration tokenLifetime, Clock clock) {
        this(store, tokens, autoDiscovery, known, tokenLifetime, clock, Integer.MAX_VALUE, Duration.ofDays(36_500));
    }

    /**
     * @param maxUnregistered at most this many machines discovered and never registered; new ones past it are refused
     * @param unregisteredExpiry how long after its discovery a machine that never registered is forgotten
     */
    public MachineRegistry(MachineStore store, BootTokenStore tokens, boolean autoDiscovery, Set<MacAddress> known,
            Duration tokenLifetime, Clock clock, int maxUnregistered, Duration unregisteredExpiry) {
        this.maxUnregistered = maxUnregistered;
        this.unregisteredExpiry = unregisteredExpiry;
        this.store = store;
        this.tokens = tokens;
        this.autoDiscovery = autoDiscovery;
        this.known = Set.copyOf(known);
        this.tokenLifetime = tokenLifetime;
        this.clock = clock;
    }

    public List<Machine> machines() {
        return store.machines();
    }

    public Optional<Machine> machine(MacAddress mac) {
        return store.machine(mac);
    }

    public List<Transition> history(MacAddress mac) {
        return store.history(mac);
    }

    /**
     * Whether this machine may boot from the network at all: with auto-discovery any machine may;
     * with known-only, a machine the config lists or the registry already has.
     */
    public boolean admits(MacAddress mac) {
        return admits(mac, known);
    }

    private boolean admits(MacAddress mac, Set<MacAddress> listed) {
        return autoDiscovery || listed.contains(mac) || store.machine(mac).isPresent();
    }

    /** The machines the config lists from now on (a reload of machines.known). */
    public void useKnown(Set<MacAddress> listed) {
        known = Set.copyOf(listed);
    }

    /**
     * A machine PXE-booted: an unknown one is recorded {@code discovered} (or, when only known
     * machines boot and it is not listed, ignored: empty); a known one gets its UUID/serial stored
     * where new. Empty too for a new machine past the unregistered cap ({@link #recordBoot} says which).
     */
    public Optional<Machine> pxeBooted(MacAddress mac, Optional<UUID> uuid, Optional<String> serial)
            throws IOException {
        return recordBoot(mac, uuid, serial) instanceof BootAdmission.Recorded(Machine machine)
                ? Optional.of(machine) : Optional.empty();
    }

    /**
     * A machine PXE-booted: as {@link #pxeBooted}, saying why a machine was not recorded. Machines
     * already recorded, or listed in the config, are never held to the unregistered cap.
     */
    public BootAdmission recordBoot(MacAddress mac, Optional<UUID> uuid, Optional<String> serial)
            throws IOException {
        return recordBoot(mac, uuid, serial, false).admission();
    }

    /**
     * A machine asks for its boot script: its boot recorded as {@link #recordBoot} does and, if
     * the machine as recorded boots the agent, a fresh boot token for it ({@link #issueBootToken}).
     * For a new machine the token's record is written beside the machine's first one, not after
     * it: it is queued to its journal first ({@link BootTokenStore#beginIssue}) and waited for
     * last, so the two journals' fsyncs run side by side and the request waits for one, not two
     * in a row, on its own thread. The token is returned only once both are stored; one stored for a machine whose own
     * record then failed was never handed out, and its next boot's token revokes it.
     */
    public AgentBoot recordAgentBoot(MacAddress mac, Optional<UUID> uuid, Optional<String> serial)
            throws IOException {
        return recordBoot(mac, uuid, serial, true);
    }

    private AgentBoot recordBoot(MacAddress mac, Optional<UUID> uuid, Optional<String> serial, boolean withToken)
            throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            Instant now = clock.instant();
            Set<MacAddress> listed = known;
            String newMachineToken = null;
            BootTokenStore.IssueInProgress tokenStored = null;
            if (store.machine(mac).isEmpty()) {
                if (!admits(mac, listed)) {
                    return new AgentBoot(new BootAdmission.NotAdmitted(), Optional.empty());
                }
                boolean capped = !listed.contains(mac);
                if (capped && !reserveUnregistered()) {
                    return new AgentBoot(new BootAdmission.OverUnregisteredCap(maxUnregistered), Optional.empty());
                }
                try {
                    if (withToken && MachineState.DISCOVERED.bootsAgent()) {
                        // queued first, awaited last: its fsync runs beside the machine record's
                        newMachineToken = newSecret();
                        tokenStored = tokens.beginIssue(mac, sha256(newMachineToken), now, now.plus(tokenLifetime));
                    }
                    store.record(new Transition(mac, Optional.empty(), MachineState.DISCOVERED, now, "pxe-boot",
                            Optional.empty()));
                } catch (IOException | RuntimeException | Error e) {
                    awaitAfterFailure(tokenStored, e);
                    throw e;
                } finally {
                    if (capped) {
                        releaseUnregistered();
                    }
                }
            }
            Machine machine;
            try {
                machine = store.identify(mac, uuid, serial, now);
            } catch (IOException | RuntimeException | Error e) {
                awaitAfterFailure(tokenStored, e);
                throw e;
            }
            Optional<String> token = Optional.empty();
            if (tokenStored != null) {
                awaitToken(tokenStored);
                token = Optional.of(newMachineToken);
            } else if (withToken && machine.state().bootsAgent()) {
                token = Optional.of(issueBootToken(mac));
            }
            return new AgentBoot(new BootAdmission.Recorded(machine), token);
        } finally {
            lock.unlock();
        }
    }

    private static void awaitToken(BootTokenStore.IssueInProgress stored) throws IOException {
        try {
            stored.await();
        } catch (IOException e) {
            throw new IOException("boot token not stored: " + e.getMessage(), e);
        }
    }

    /**
     * The machine's own write failed after its token's began: the token's is still waited for (it
     * must end before the lock is let go), and never handed out; its failure, if any, rides along.
     */
    private static void awaitAfterFailure(BootTokenStore.IssueInProgress stored, Throwable failure) {
        if (stored == null) {
            return;
        }
        try {
            stored.await();
        } catch (IOException | RuntimeException | Error e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * A place under the unregistered cap for a new machine whose record is being written. New
     * machines are recorded concurrently (each under its own lock), so the ones in flight are
     * counted with those stored. One stored but not yet released counts twice for a moment, so
     * a machine that would be refused while others are in flight waits for them and asks again:
     * the cap refuses on the exact count, never early (a rack of exactly the cap boots whole).
     */
    private boolean reserveUnregistered() {
        synchronized (capCheck) {
            while (unregistered() + unregisteredInFlight >= maxUnregistered) {
                if (unregisteredInFlight == 0) {
                    return false;
                }
                try {
                    capCheck.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            unregisteredInFlight++;
            return true;
        }
    }

    private void releaseUnregistered() {
        synchronized (capCheck) {
            unregisteredInFlight--;
            capCheck.notifyAll();
        }
    }

    /** Machines discovered whose agent never registered (registration makes them inspecting). */
    public int unregistered() {
        return store.count(MachineState.DISCOVERED);
    }

    public int maxUnregistered() {
        return maxUnregistered;
    }

    /**
     * Forgets the machines discovered longer than the unregistered expiry ago whose agent never
     * registered (journaled). Called periodically; the MACs forgotten.
     */
    public List<MacAddress> forgetExpiredUnregistered() throws IOException {
        Instant now = clock.instant();
        Instant cutoff = now.minus(unregisteredExpiry);
        List<MacAddress> forgotten = new ArrayList<>();
        for (Machine candidate : store.machines()) {
            if (candidate.state() != MachineState.DISCOVERED) {
                continue;
            }
            MacAddress mac = candidate.mac();
            ReentrantLock lock = locks.of(mac);
            lock.lock();
            try {
                // again under its lock: it may have registered, or been deleted, since the list was read
                if (store.machine(mac).filter(m -> m.state() == MachineState.DISCOVERED && m.since().isBefore(cutoff))
                        .isPresent()) {
                    forget(mac, now);
                    forgotten.add(mac);
                }
            } finally {
                lock.unlock();
            }
        }
        return forgotten;
    }

    /**
     * An operator deletes a machine: everything of it, as {@link MachineStore#forget} and
     * {@link BootTokenStore#forget} say, stored before this returns. Refused
     * (IllegalStateException) while a deploy runs on it: its agent is writing the disk, or will be
     * told to at its next heartbeat. If it PXE-boots again it is a new machine.
     */
    public void delete(MacAddress mac) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            requireMachine(mac);
            Optional<Deploy> running = runningDeploy(mac);
            if (running.isPresent()) {
                throw new IllegalStateException(mac + " is provisioning (deploy " + running.get().request().id()
                        + " runs): wait for it to end, or send the machine to inspecting first");
            }
            forget(mac, clock.instant());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The credentials first: a crash between the two writes leaves a machine without credentials
     * (its agent registers again at its next boot), never the credentials of a machine gone.
     */
    private void forget(MacAddress mac, Instant now) throws IOException {
        tokens.forget(mac, now);
        store.forget(mac, now);
    }

    /** An operator's action through the API. */
    public Machine operatorSets(MacAddress mac, MachineState to, Optional<String> reason)
            throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            Machine machine = requireMachine(mac);
            if (!MachineLifecycle.operatorAllows(to)) {
                throw new IllegalStateException("an operator may set " + MachineLifecycle.operatorTargets()
                        .stream().map(MachineState::wireName).sorted().toList() + ", not " + to.wireName());
            }
            return store.record(new Transition(mac, Optional.of(machine.state()), to, clock.instant(), "operator", reason));
        } finally {
            lock.unlock();
        }
    }

    /**
     * An operator's reprovision of a machine whose deploy came to an end (provisioned, joined, or
     * failed): back to {@code inspecting}, so that its next boot runs the agent, which inspects it
     * again; once {@code available} it takes a new deploy (the operator's, or its BareMetalHost's).
     * Its node credential is spent: the old OS's report is no longer waited for. Refused
     * (IllegalStateException) from any other state.
     */
    public Machine reprovision(MacAddress mac, Optional<String> reason) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            Machine machine = requireMachine(mac);
            if (!MachineLifecycle.reprovisionAllowedFrom(machine.state())) {
                throw new IllegalStateException(mac + " is " + machine.state().wireName() + "; a reprovision starts from "
                        + MachineLifecycle.reprovisionSources().stream().map(MachineState::wireName).sorted().toList()
                        + (machine.state() == MachineState.AVAILABLE ? " (an available machine takes a deploy as it is)"
                        : ""));
            }
            Instant now = clock.instant();
            tokens.revokeNodeCredential(mac, now);
            return store.record(new Transition(mac, Optional.of(machine.state()), MachineState.INSPECTING, now, "operator",
                    Optional.of("reprovision" + reason.map(r -> ": " + r).orElse(""))));
        } finally {
            lock.unlock();
        }
    }

    /** Sets one label; a selector that names it then matches the machine. */
    public Machine setLabel(MacAddress mac, String key, String value) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            LabelSyntax.requireKey(key);
            LabelSyntax.requireValue(value);
            requireMachine(mac);
            return store.setLabel(mac, key, value, clock.instant());
        } finally {
            lock.unlock();
        }
    }

    public Machine removeLabel(MacAddress mac, String key) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            LabelSyntax.requireKey(key);
            requireMachine(mac);
            return store.removeLabel(mac, key, clock.instant());
        } finally {
            lock.unlock();
        }
    }

    private Machine requireMachine(MacAddress mac) {
        return store.machine(mac).orElseThrow(() -> new IllegalStateException("no machine " + mac));
    }

    /**
     * An operator's deploy: the machine, {@code available}, becomes {@code provisioning} for it,
     * stored with the request before this returns. Refused (IllegalStateException) from any other state.
     */
    public Machine startDeploy(MacAddress mac, DeployRequest deploy) throws IOException {
        return startDeploy(mac, deploy, "operator");
    }

    /** As {@link #startDeploy(MacAddress, DeployRequest)}, asked by {@code cause} (the operator, Metal³'s host). */
    public Machine startDeploy(MacAddress mac, DeployRequest deploy, String cause) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            Machine machine = requireMachine(mac);
            if (!MachineLifecycle.deployAllowedFrom(machine.state())) {
                throw new IllegalStateException(mac + " is " + machine.state().wireName()
                        + "; a deploy starts only from available");
            }
            return store.startDeploy(new Transition(mac, Optional.of(machine.state()), MachineState.PROVISIONING,
                    clock.instant(), cause, Optional.of("deploy " + deploy.id() + " of " + deploy.imageForDisplay())),
                    deploy);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The agent reported deploy {@code deployId}'s verified write: stored with the machine's move
     * to {@code provisioned}. Refused (IllegalStateException) unless that deploy is the running one.
     */
    public Machine deploySucceeded(MacAddress mac, String deployId, DeployedDisk disk) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            Machine machine = requireMachine(mac);
            Optional<Deploy> running = runningDeploy(mac);
            if (machine.state() != MachineState.PROVISIONING || running.isEmpty()
                    || !running.get().request().id().equals(deployId)) {
                throw new IllegalStateException("deploy " + deployId + " is not running on " + mac);
            }
            return store.deployed(new Transition(mac, Optional.of(MachineState.PROVISIONING), MachineState.PROVISIONED,
                    clock.instant(), "agent", Optional.of("deploy " + deployId + " written to " + disk.disk())), deployId,
                    disk);
        } finally {
            lock.unlock();
        }
    }

    /** The machine's latest deploy, running or ended. */
    public Optional<Deploy> deploy(MacAddress mac) {
        return store.deploy(mac);
    }

    /** The deploy the machine is provisioning for, if it is. */
    public Optional<Deploy> runningDeploy(MacAddress mac) {
        return store.machine(mac).filter(m -> m.state() == MachineState.PROVISIONING)
                .flatMap(m -> store.deploy(mac)).filter(d -> d.outcome() == Deploy.Outcome.RUNNING);
    }

    /** A step along the boot flow (agent, bootstrap), or a failure. */
    public Machine advance(MacAddress mac, MachineState to, String cause, Optional<String> reason)
            throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            Machine machine = requireMachine(mac);
            if (!MachineLifecycle.flowAllows(machine.state(), to)) {
                throw new IllegalStateException(mac + " is " + machine.state().wireName() + "; it cannot become "
                        + to.wireName());
            }
            return store.record(new Transition(mac, Optional.of(machine.state()), to, clock.instant(), cause, reason));
        } finally {
            lock.unlock();
        }
    }

    /**
     * A fresh single-use token for one agent boot of {@code mac}. Only its SHA-256 is stored;
     * the token itself goes into the kernel command line and nowhere else (never a log).
     */
    public String issueBootToken(MacAddress mac) throws IOException {
        String token = newSecret();
        Instant now = clock.instant();
        tokens.issue(mac, sha256(token), now, now.plus(tokenLifetime));
        return token;
    }

    /**
     * The agent on {@code mac} registers with this boot's token: the token is used up, a session
     * credential for this boot is returned (only its hash is stored; a newer session of the
     * machine ends this one), and a discovered machine becomes {@code inspecting}. Empty, and
     * nothing changed, for an unknown machine or an unknown, used, expired or other machine's token.
     */
    public Optional<String> registerAgent(MacAddress mac, String bootToken) throws IOException {
        return registerAgent(mac, bootToken, Optional.empty());
    }

    /**
     * As {@link #registerAgent(MacAddress, String)}, knowing when the machine last PXE-booted: if
     * its current session was opened after that, this is a second registration in the same boot
     * (someone else holds a token for it): refused, the token left as it was, and an alert added to
     * the machine's record. With no PXE boot known (no ProxyDHCP, or a restart since) a reboot
     * cannot be told from a second registration, and registration goes ahead.
     */
    public Optional<String> registerAgent(MacAddress mac, String bootToken, Optional<Instant> lastPxeBoot)
            throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            Optional<Machine> machine = store.machine(mac);
            if (machine.isEmpty() || bootToken == null) {
                return Optional.empty();
            }
            Instant now = clock.instant();
            String tokenSha256 = sha256(bootToken);
            if (!tokens.exchangeable(mac, tokenSha256, now)) {
                return Optional.empty();
            }
            Optional<Instant> opened = tokens.sessionOpened(mac);
            if (opened.isPresent() && lastPxeBoot.isPresent() && opened.get().isAfter(lastPxeBoot.get())) {
                store.alert(mac, "a second agent registration in one boot was refused: the agent registered at "
                        + opened.get() + ", after the last PXE boot seen at " + lastPxeBoot.get(), now);
                return Optional.empty();
            }
            String credential = newSecret();
            if (!tokens.exchange(mac, tokenSha256, sha256(credential), now)) {
                return Optional.empty();
            }
            if (machine.get().state() == MachineState.DISCOVERED) {
                store.record(new Transition(mac, Optional.of(MachineState.DISCOVERED), MachineState.INSPECTING,
                        clock.instant(), "agent", Optional.of("agent registered")));
            }
            return Optional.of(credential);
        } finally {
            lock.unlock();
        }
    }

    /** The machine whose current agent session {@code credential} is. */
    public Optional<MacAddress> agentSession(String credential) {
        return credential == null ? Optional.empty() : tokens.session(sha256(credential));
    }

    /**
     * The agent sent the machine's inventory (JSON, as the agent API defines it): stored, and an
     * inspecting machine becomes {@code available}.
     */
    public Machine inventoried(MacAddress mac, String inventoryJson) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            Machine machine = requireMachine(mac);
            store.storeInventory(mac, inventoryJson, clock.instant());
            if (machine.state() == MachineState.INSPECTING) {
                return store.record(new Transition(mac, Optional.of(MachineState.INSPECTING), MachineState.AVAILABLE,
                        clock.instant(), "agent", Optional.of("inventory stored")));
            }
            return requireMachine(mac);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A fresh node credential for the written OS of {@code mac}'s running deploy {@code deployId}:
     * it reports with it once it has run its bootstrap ({@link #nodeReported}). Only its SHA-256
     * is stored; it replaces the machine's earlier one. Empty unless that deploy is running.
     */
    public Optional<String> issueNodeCredential(MacAddress mac, String deployId) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            if (runningDeploy(mac).filter(d -> d.request().id().equals(deployId)).isEmpty()) {
                return Optional.empty();
            }
            String credential = newSecret();
            tokens.issueNodeCredential(mac, sha256(credential), clock.instant());
            return Optional.of(credential);
        } finally {
            lock.unlock();
        }
    }

    /** The machine whose live node credential {@code credential} is. */
    public Optional<MacAddress> node(String credential) {
        return credential == null ? Optional.empty() : tokens.nodeCredential(sha256(credential));
    }

    /**
     * The written OS reported: a provisioned machine becomes {@code joined}, or {@code failed}
     * with {@code reason} (already redacted); its node credential is spent either way. Refused
     * (IllegalStateException) unless the machine is provisioned and has a live node credential.
     */
    public Machine nodeReported(MacAddress mac, boolean joined, Optional<String> reason)
            throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            Machine machine = requireMachine(mac);
            if (machine.state() != MachineState.PROVISIONED || tokens.nodeCredentialIssued(mac).isEmpty()) {
                throw new IllegalStateException(mac + " is " + machine.state().wireName() + " and waits for no report");
            }
            Instant now = clock.instant();
            tokens.revokeNodeCredential(mac, now);
            return store.record(new Transition(mac, Optional.of(MachineState.PROVISIONED),
                    joined ? MachineState.JOINED : MachineState.FAILED, now, "node", reason));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Provisioned machines holding a node credential whose report has not come within
     * {@code timeout} of their move to provisioned: failed("no report"), the credential spent.
     */
    public List<MacAddress> failUnreported(Duration timeout) throws IOException {
        Instant now = clock.instant();
        List<MacAddress> late = new ArrayList<>();
        for (Machine candidate : store.machines()) {
            if (candidate.state() != MachineState.PROVISIONED) {
                continue;
            }
            MacAddress mac = candidate.mac();
            ReentrantLock lock = locks.of(mac);
            lock.lock();
            try {
                // read again under its lock: it may have reported since the list was read
                if (store.machine(mac).filter(m -> m.state() == MachineState.PROVISIONED
                        && m.since().plus(timeout).isBefore(now)).isPresent()
                        && tokens.nodeCredentialIssued(mac).isPresent()) {
                    tokens.revokeNodeCredential(mac, now);
                    store.record(new Transition(mac, Optional.of(MachineState.PROVISIONED), MachineState.FAILED, now,
                            "node", Optional.of("no report within " + timeout.toMinutes() + " min of the deploy")));
                    late.add(mac);
                }
            } finally {
                lock.unlock();
            }
        }
        return late;
    }

    /** The last inventory the machine's agent sent (JSON). */
    public Optional<String> inventory(MacAddress mac) {
        return store.inventory(mac);
    }

    private String newSecret() {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
