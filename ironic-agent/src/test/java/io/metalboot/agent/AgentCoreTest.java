package io.metalboot.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.agent.core.ActionOutcome;
import io.metalboot.agent.core.AgentCore;
import io.metalboot.machine.agent.AgentActionKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentCoreTest {
    private final List<String> powered = new ArrayList<>();
    private final AgentCore.PowerControl power = new AgentCore.PowerControl() {
        @Override
        public void powerOff() {
            powered.add("off");
        }

        @Override
        public void reboot() {
            powered.add("reboot");
        }
    };

    @Test
    void eachActionEndsWithAnOutcomeNeverAnException() {
        AgentCore core = new AgentCore(() -> "{\"hostname\":\"n\"}", power);
        assertEquals(ActionOutcome.inventory("{\"hostname\":\"n\"}"), core.perform(AgentActionKind.INSPECT));
        assertTrue(core.perform(AgentActionKind.REBOOT).succeeded());
        assertTrue(core.perform(AgentActionKind.POWER_OFF).succeeded());
        assertEquals(List.of("reboot", "off"), powered);

        AgentCore broken = new AgentCore(() -> {
            throw new java.io.IOException("/sys/block unreadable");
        }, power);
        ActionOutcome failed = broken.perform(AgentActionKind.INSPECT);
        assertFalse(failed.succeeded());
        assertEquals("inspect: /sys/block unreadable", failed.message());
    }
}
