package io.metalboot.appliance.evidence;

import io.metalboot.machine.testing.SteppedClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.metalboot.machine.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BootEvidenceTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress OTHER = MacAddress.parse("52:54:00:12:34:99");
    static final Set<EvidenceKind> BOTH = Set.of(EvidenceKind.PXE_DHCP, EvidenceKind.NEIGHBOUR);

    final SteppedClock clock = new SteppedClock();

    static Inet4Address ip(String text) throws Exception {
        return (Inet4Address) InetAddress.getByName(text);
    }

    BootEvidence evidence(Set<EvidenceKind> require, List<NetworkRule> networks, Map<Inet4Address, MacAddress> arp) {
        return new BootEvidence(Duration.ofSeconds(300), require, networks, new FixedNeighbourTable(arp), clock);
    }

    static RefusalReason refusal(EvidenceCheck check) {
        return check instanceof EvidenceCheck.Refused(RefusalReason reason, String detail) ? reason : null;
    }

    @Test
    void bothKindsHoldForAnHonestBootOnTheSameLink() throws Exception {
        BootEvidence evidence = evidence(BOTH, List.of(), Map.of(ip("10.0.0.17"), MAC));
        evidence.pxeSeen(MAC, false);
        assertEquals(new EvidenceCheck.Accepted(BOTH), evidence.check(MAC, ip("10.0.0.17")));
    }

    @Test
    void aSightingCountsForThePxeWindowToTheInstantAndNoLonger() throws Exception {
        BootEvidence evidence = evidence(Set.of(EvidenceKind.PXE_DHCP), List.of(), Map.of());
        assertEquals(RefusalReason.NO_PXE_DHCP, refusal(evidence.check(MAC, ip("10.0.0.17"))), "never seen");
        evidence.pxeSeen(MAC, false);
        clock.advance(Duration.ofSeconds(300));
        assertEquals(new EvidenceCheck.Accepted(Set.of(EvidenceKind.PXE_DHCP)), evidence.check(MAC, ip("10.0.0.17")),
                "exactly the window");
        clock.advance(Duration.ofNanos(1));
        assertEquals(RefusalReason.NO_PXE_DHCP, refusal(evidence.check(MAC, ip("10.0.0.17"))));
        assertEquals(RefusalReason.NO_PXE_DHCP, refusal(evidence.check(OTHER, ip("10.0.0.17"))),
                "another MAC's sighting is not this one's");
        evidence.pxeSeen(MAC, false);
        assertEquals(new EvidenceCheck.Accepted(Set.of(EvidenceKind.PXE_DHCP)), evidence.check(MAC, ip("10.0.0.17")),
                "a new sighting renews it");
    }

    @Test
    void theNeighbourEntryMustBeThereAndBeTheClaimedMac() throws Exception {
        BootEvidence evidence = evidence(Set.of(EvidenceKind.NEIGHBOUR), List.of(), Map.of(ip("10.0.0.17"), OTHER));
        assertEquals(RefusalReason.NEIGHBOUR_MISMATCH, refusal(evidence.check(MAC, ip("10.0.0.17"))));
        assertEquals(RefusalReason.NO_NEIGHBOUR_ENTRY, refusal(evidence.check(MAC, ip("10.0.0.18"))));
        assertEquals(RefusalReason.NO_NEIGHBOUR_ENTRY, refusal(evidence.check(MAC, InetAddress.getByName("::1"))),
                "IPv6 neighbours are out of scope");
        assertEquals(RefusalReason.NO_NEIGHBOUR_ENTRY, refusal(evidence.check(MAC, null)), "no source known");
        assertEquals(new EvidenceCheck.Accepted(Set.of(EvidenceKind.NEIGHBOUR)), evidence.check(OTHER, ip("10.0.0.17")));
    }

    @Test
    void aRefusedRequestWhosePxeCameThroughARelaySaysSo() throws Exception {
        BootEvidence evidence = evidence(BOTH, List.of(), Map.of());
        evidence.pxeSeen(MAC, true);
        EvidenceCheck.Refused refused = (EvidenceCheck.Refused) evidence.check(MAC, ip("10.20.0.5"));
        assertEquals(RefusalReason.NO_NEIGHBOUR_ENTRY, refused.reason());
        assertEquals(true, refused.detail().contains("relay"), refused.detail());
    }

    @Test
    void theFirstMatchingNetworkSaysWhatIsRequiredAndEmptyTrustsIt() throws Exception {
        List<NetworkRule> networks = List.of(
                new NetworkRule(Ipv4Cidr.parse("10.20.0.0/16"), Set.of(EvidenceKind.PXE_DHCP)),
                new NetworkRule(Ipv4Cidr.parse("10.0.0.0/8"), Set.of()),
                new NetworkRule(Ipv4Cidr.parse("10.20.30.0/24"), BOTH));
        BootEvidence evidence = evidence(BOTH, networks, Map.of());
        assertEquals(RefusalReason.NO_PXE_DHCP, refusal(evidence.check(MAC, ip("10.20.30.4"))),
                "relayed network: DHCP evidence only (the later /24 never matches)");
        evidence.pxeSeen(MAC, true);
        assertEquals(new EvidenceCheck.Accepted(Set.of(EvidenceKind.PXE_DHCP)), evidence.check(MAC, ip("10.20.30.4")),
                "no neighbour entry needed there");
        assertEquals(new EvidenceCheck.Accepted(Set.of()), evidence.check(OTHER, ip("10.9.9.9")), "trusted outright");
        assertEquals(RefusalReason.NO_PXE_DHCP, refusal(evidence.check(OTHER, ip("192.168.0.5"))),
                "elsewhere: the default, both");
    }

    @Test
    void refusalsAreCountedByReasonAndAcceptancesToo() throws Exception {
        BootEvidence evidence = evidence(BOTH, List.of(), Map.of());
        evidence.refused(RefusalReason.NO_PXE_DHCP, ip("10.0.0.17"), MAC, "test");
        evidence.refused(RefusalReason.NO_PXE_DHCP, ip("10.0.0.17"), MAC, "test");
        evidence.refused(RefusalReason.UNREGISTERED_CAP, null, MAC, "test");
        evidence.accepted();
        BootEvidence.Counts counts = evidence.counts();
        assertEquals(Map.of(RefusalReason.NO_PXE_DHCP, 2L, RefusalReason.NO_NEIGHBOUR_ENTRY, 0L,
                RefusalReason.NEIGHBOUR_MISMATCH, 0L, RefusalReason.UNREGISTERED_CAP, 1L), counts.refused());
        assertEquals(1, counts.accepted());
    }

    @Test
    void sightingsAreBoundedAndTheOldestGoesFirst() throws Exception {
        BootEvidence evidence = new BootEvidence(Duration.ofSeconds(300), Set.of(EvidenceKind.PXE_DHCP), List.of(),
                FixedNeighbourTable.EMPTY, clock, 3);
        MacAddress a = MacAddress.parse("52:54:00:00:00:0a");
        MacAddress b = MacAddress.parse("52:54:00:00:00:0b");
        MacAddress c = MacAddress.parse("52:54:00:00:00:0c");
        MacAddress d = MacAddress.parse("52:54:00:00:00:0d");
        evidence.pxeSeen(a, false);
        evidence.pxeSeen(b, false);
        evidence.pxeSeen(c, false);
        evidence.pxeSeen(a, false); // seen again: now the newest
        evidence.pxeSeen(d, false);
        assertEquals(Optional.empty(), evidence.lastPxeBoot(b), "the one seen longest ago is dropped");
        assertEquals(Optional.of(clock.instant()), evidence.lastPxeBoot(a));
        assertEquals(Optional.of(clock.instant()), evidence.lastPxeBoot(d));
    }

    @Test
    void cidrsParseAndMatchAndBadOnesSayWhy() throws Exception {
        Ipv4Cidr net = Ipv4Cidr.parse("10.20.0.0/16");
        assertEquals("10.20.0.0/16", net.toString());
        assertEquals(true, net.contains(ip("10.20.255.1")));
        assertEquals(false, net.contains(ip("10.21.0.1")));
        assertEquals(true, Ipv4Cidr.parse("0.0.0.0/0").contains(ip("192.0.2.1")));
        assertEquals(true, Ipv4Cidr.parse("127.0.0.1/32").contains(ip("127.0.0.1")));
        for (String bad : List.of("10.20.0.0", "10.20.0.1/16", "10.20.0.0/33", "10.256.0.0/16", "fe80::/10",
                "10.20.0.0/x", "")) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse(bad), bad);
        }
    }
}
