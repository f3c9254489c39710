package io.metalboot.appliance.evidence;

import io.metalboot.machine.MacAddress;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a script request can be tied to a real PXE boot of the MAC it names, before that MAC
 * gets a boot token: the ProxyDHCP saw the MAC's PXE DISCOVER/REQUEST within the window
 * ({@link EvidenceKind#PXE_DHCP}), and the request's source address is that MAC's in the
 * provisioning interface's neighbour table ({@link EvidenceKind#NEIGHBOUR}). Which of these a
 * request must show depends on its source's network: the first {@link NetworkRule} that contains
 * it, else the default. Refusals are counted by reason and logged with the source and the claimed
 * MAC; nothing here ever sees a token.
 */
public final class BootEvidence {
    /** At most this many MACs' sightings are kept (a DHCP flood must not grow memory without bound). */
    public static final int MAX_SIGHTINGS = 100_000;
    private static final System.Logger LOG = System.getLogger("boot");

    private final Duration pxeWindow;
    private final Set<EvidenceKind> defaultRequire;
    private final List<NetworkRule> networks;
    private final NeighbourTable neighbours;
    private final Clock clock;
    private final PxeSightings sightings;
    private final Map<RefusalReason, AtomicLong> refused = new EnumMap<>(RefusalReason.class);
    private final AtomicLong accepted = new AtomicLong();
    private final RefusalLog log;

    public BootEvidence(Duration pxeWindow, Set<EvidenceKind> defaultRequire, List<NetworkRule> networks,
            NeighbourTable neighbours, Clock clock) {
        this(pxeWindow, defaultRequire, networks, neighbours, clock, MAX_SIGHTINGS);
    }

    BootEvidence(Duration pxeWindow, Set<EvidenceKind> defaultRequire, List<NetworkRule> networks,
            NeighbourTable neighbours, Clock clock, int maxSightings) {
        this.pxeWindow = pxeWindow;
        this.defaultRequire = Set.copyOf(defaultRequire);
        this.networks = List.copyOf(networks);
        this.neighbours = neighbours;
        this.clock = clock;
        this.sightings = new PxeSightings(maxSightings);
        for (RefusalReason reason : RefusalReason.values()) {
            refused.put(reason, new AtomicLong());
        }
        this.log = new RefusalLog(clock);
    }

    /** The ProxyDHCP considered a PXE DISCOVER or REQUEST from {@code mac}. */
    public void pxeSeen(MacAddress mac, boolean relayed) {
        sightings.seen(mac, clock.instant(), relayed);
    }

    /** When the ProxyDHCP last saw {@code mac} PXE-boot (since this process started). */
    public Optional<Instant> lastPxeBoot(MacAddress mac) {
        return sightings.last(mac).map(PxeSightings.Sighting::at);
    }

    /** What a request from {@code source} must show. */
    public Set<EvidenceKind> required(InetAddress source) {
        return networks.stream().filter(rule -> rule.network().contains(source)).findFirst()
                .map(NetworkRule::require).orElse(defaultRequire);
    }

    /** Checks a script request for {@code claimed} from {@code source} (null: unknown) against its network's rule. */
    public EvidenceCheck check(MacAddress claimed, InetAddress source) {
        Set<EvidenceKind> required = required(source);
        Optional<PxeSightings.Sighting> last = sightings.last(claimed);
        // A machine whose PXE DHCP came through a relay is not on the appliance's link: say so,
        // as its network then needs a boot.evidence.networks rule.
        String relayed = last.map(PxeSightings.Sighting::relayed).orElse(false)
                ? " (its PXE DHCP came through a relay: see boot.evidence.networks)" : "";
        if (required.contains(EvidenceKind.PXE_DHCP)) {
            Instant now = clock.instant();
            if (last.isEmpty()) {
                return new EvidenceCheck.Refused(RefusalReason.NO_PXE_DHCP, "no PXE DHCP seen from it");
            }
            if (last.get().at().isBefore(now.minus(pxeWindow))) {
                return new EvidenceCheck.Refused(RefusalReason.NO_PXE_DHCP, "last PXE DHCP seen from it at "
                        + last.get().at() + ", more than " + pxeWindow.toSeconds() + " s ago");
            }
        }
        if (required.contains(EvidenceKind.NEIGHBOUR)) {
            if (!(source instanceof Inet4Address v4)) {
                return new EvidenceCheck.Refused(RefusalReason.NO_NEIGHBOUR_ENTRY, "source is not IPv4" + relayed);
            }
            Optional<MacAddress> entry = neighbours.lookup(v4);
            if (entry.isEmpty()) {
                return new EvidenceCheck.Refused(RefusalReason.NO_NEIGHBOUR_ENTRY, "no neighbour entry for it"
                        + relayed);
            }
            if (!entry.get().equals(claimed)) {
                return new EvidenceCheck.Refused(RefusalReason.NEIGHBOUR_MISMATCH, "the neighbour table has "
                        + entry.get() + " there" + relayed);
            }
        }
        return new EvidenceCheck.Accepted(required);
    }

    /** A boot token was issued on this evidence. */
    public void accepted() {
        accepted.incrementAndGet();
    }

    /** Counts a refusal and logs it (rate-limited per reason, each one counted). */
    public void refused(RefusalReason reason, InetAddress source, MacAddress claimed, String detail) {
        refused.get(reason).incrementAndGet();
        log.refused(reason, source == null ? "unknown" : source.getHostAddress(), claimed, detail);
    }

    /** Counts so far: refusals by reason (every reason, zeros too), tokens issued. */
    public Counts counts() {
        Map<RefusalReason, Long> byReason = new LinkedHashMap<>();
        refused.forEach((reason, n) -> byReason.put(reason, n.get()));
        return new Counts(byReason, accepted.get());
    }

    public record Counts(Map<RefusalReason, Long> refused, long accepted) {
        public Counts {
            refused = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(refused));
        }
    }

    /**
     * The WARNING lines: each evidence refusal (up to {@value #PER_MINUTE} a minute per reason),
     * the unregistered cap once a minute; the count of lines left out comes with the next one.
     */
    static final class RefusalLog {
        static final int PER_MINUTE = 60;
        private final Clock clock;
        private final Map<RefusalReason, Instant> windowStart = new EnumMap<>(RefusalReason.class);
        private final Map<RefusalReason, Integer> logged = new EnumMap<>(RefusalReason.class);
        private final Map<RefusalReason, Long> unlogged = new EnumMap<>(RefusalReason.class);

        RefusalLog(Clock clock) {
            this.clock = clock;
        }

        synchronized void refused(RefusalReason reason, String source, MacAddress claimed, String detail) {
            Instant now = clock.instant();
            Instant start = windowStart.get(reason);
            if (start == null || !now.isBefore(start.plusSeconds(60))) {
                windowStart.put(reason, now);
                logged.put(reason, 0);
            }
            int budget = reason == RefusalReason.UNREGISTERED_CAP ? 1 : PER_MINUTE;
            if (logged.get(reason) >= budget) {
                unlogged.merge(reason, 1L, Long::sum);
                return;
            }
            logged.merge(reason, 1, Integer::sum);
            long left = Optional.ofNullable(unlogged.remove(reason)).orElse(0L);
            LOG.log(Level.WARNING, "no boot token for {0} (request from {1}): {2}: {3}{4}", claimed, source,
                    reason.wireName(), detail, left == 0 ? "" : " (" + left + " more " + reason.wireName()
                            + " refusals not logged)");
        }
    }
}
