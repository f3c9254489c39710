package io.metalboot.appliance.agent;

import io.metalboot.machine.testing.SteppedClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.appliance.registry.InMemoryBootTokenStore;
import io.metalboot.appliance.registry.InMemoryMachineStore;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import io.metalboot.machine.agent.AgentActionKind;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentSessionsTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:a6:e1:01");

    private final SteppedClock clock = new SteppedClock();
    private final MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(),
            new InMemoryBootTokenStore(), true, Set.of(), Duration.ofHours(1), clock);

    private AgentSessions sessions(boolean powerOff) throws Exception {
        registry.pxeBooted(MAC, Optional.empty(), Optional.empty());
        registry.registerAgent(MAC, registry.issueBootToken(MAC)).orElseThrow();
        AgentSessions sessions = new AgentSessions(registry, clock, Duration.ofSeconds(10), Duration.ofSeconds(60),
                powerOff);
        sessions.registered(MAC, MachineState.INSPECTING);
        return sessions;
    }

    @Test
    void anAgentLostDuringAnActionFailsItsMachineWithThatReason() throws Exception {
        AgentSessions sessions = sessions(false);
        assertEquals(AgentActionKind.INSPECT, sessions.heartbeat(MAC, null, null, null).kind());
        clock.advance(Duration.ofSeconds(60));
        assertEquals(0, sessions.checkForLostAgents(), "60 s is not yet more than lost-after");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, sessions.checkForLostAgents());
        assertEquals(0, sessions.checkForLostAgents(), "lost once");
        assertTrue(sessions.view(MAC).orElseThrow().lost());
        assertEquals(MachineState.FAILED, registry.machine(MAC).orElseThrow().state());
        assertEquals(Optional.of("agent lost during inspect"), registry.machine(MAC).orElseThrow().failureReason());
        assertThrows(IllegalStateException.class, () -> sessions.request(MAC, AgentActionKind.REBOOT));
    }

    @Test
    void anAgentThatRebootedAsToldIsGoneNotLost() throws Exception {
        AgentSessions sessions = sessions(false);
        String inspect = sessions.heartbeat(MAC, null, null, null).id();
        sessions.heartbeat(MAC, inspect, "succeeded", null);
        sessions.request(MAC, AgentActionKind.REBOOT);
        AgentSessions.Action reboot = sessions.heartbeat(MAC, null, null, null);
        assertEquals(AgentActionKind.REBOOT, reboot.kind());
        sessions.heartbeat(MAC, reboot.id(), "succeeded", null); // the front says so, then reboots
        clock.advance(Duration.ofSeconds(61));
        assertEquals(0, sessions.checkForLostAgents(), "not counted (nor logged) as lost");
        assertTrue(sessions.view(MAC).orElseThrow().lost(), "but no longer running");
        assertEquals(MachineState.INSPECTING, registry.machine(MAC).orElseThrow().state());
    }

    @Test
    void anIdleAgentLostOnlyShowsAsLost() throws Exception {
        AgentSessions sessions = sessions(false);
        String id = sessions.heartbeat(MAC, null, null, null).id();
        sessions.heartbeat(MAC, id, "succeeded", null);
        clock.advance(Duration.ofSeconds(61));
        assertEquals(1, sessions.checkForLostAgents());
        assertEquals(MachineState.INSPECTING, registry.machine(MAC).orElseThrow().state(), "nothing was running");
        sessions.heartbeat(MAC, null, null, null);
        assertEquals(false, sessions.view(MAC).orElseThrow().lost(), "a heartbeat brings it back");
    }

    @Test
    void anAgentThatStopsFailsItsMachineWithItsReasonAndItsSessionEnds() throws Exception {
        AgentSessions sessions = sessions(false);
        String id = sessions.heartbeat(MAC, null, null, null).id();
        assertEquals(AgentActionKind.WAIT, sessions.heartbeat(MAC, id, "fatal", "out of memory").kind());
        assertEquals(MachineState.FAILED, registry.machine(MAC).orElseThrow().state());
        assertEquals(Optional.of("agent stopped during inspect: out of memory"),
                registry.machine(MAC).orElseThrow().failureReason());
        assertThrows(IllegalStateException.class, () -> sessions.request(MAC, AgentActionKind.REBOOT), "no agent runs there now");
    }

    @Test
    void aFailedActionFailsTheMachineWithTheAgentsMessage() throws Exception {
        AgentSessions sessions = sessions(false);
        String id = sessions.heartbeat(MAC, null, null, null).id();
        assertEquals(AgentActionKind.WAIT, sessions.heartbeat(MAC, id, "failed", "no disks").kind());
        assertEquals(Optional.of("inspect failed: no disks"), registry.machine(MAC).orElseThrow().failureReason());
    }

    @Test
    void powerOffAfterInspectionWhenConfigured() throws Exception {
        AgentSessions sessions = sessions(true);
        String id = sessions.heartbeat(MAC, null, null, null).id();
        assertEquals(AgentActionKind.POWER_OFF, sessions.heartbeat(MAC, id, "succeeded", null).kind());
    }

    @Test
    void operatorRequestsAreHandedOutInOrderAfterTheCurrentOne() throws Exception {
        AgentSessions sessions = sessions(false);
        sessions.request(MAC, AgentActionKind.REBOOT);
        AgentSessions.Action inspect = sessions.heartbeat(MAC, null, null, null);
        assertEquals(AgentActionKind.INSPECT, inspect.kind());
        assertEquals(inspect, sessions.heartbeat(MAC, inspect.id(), "running", null), "the same action while it runs");
        assertEquals(AgentActionKind.REBOOT, sessions.heartbeat(MAC, inspect.id(), "succeeded", null).kind());
    }

    @Test
    void theLastAddressAnAgentCalledFromIsWhereTheApplianceKnowsItIs() throws Exception {
        AgentSessions sessions = sessions(false);
        java.net.InetAddress first = java.net.InetAddress.getByName("10.0.0.21");
        java.net.InetAddress second = java.net.InetAddress.getByName("10.0.0.22");
        assertEquals(Set.of(), sessions.machinesAt(first));
        sessions.calledFrom(MAC, first);
        assertEquals(Optional.of(first), sessions.lastAddress(MAC));
        assertEquals(Set.of(MAC), sessions.machinesAt(first));
        sessions.calledFrom(MAC, second);
        assertEquals(Set.of(), sessions.machinesAt(first), "moved on (DHCP gave it another address)");
        assertEquals(Set.of(MAC), sessions.machinesAt(second));
        sessions.calledFrom(MacAddress.parse("52:54:00:a6:e1:09"), first);
        assertEquals(Set.of(), sessions.machinesAt(first), "no session, no address");
        clock.advance(Duration.ofSeconds(61));
        sessions.checkForLostAgents();
        assertEquals(Set.of(), sessions.machinesAt(second), "a lost agent's address is not known to be its");
    }
}
