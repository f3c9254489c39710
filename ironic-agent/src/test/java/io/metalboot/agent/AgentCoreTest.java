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

    private static final io.metalboot.machine.agent.DeployInstructions INSTRUCTIONS =
            new io.metalboot.machine.agent.DeployInstructions("d-1", "http://10.0.0.1:8080/images/base?machine=m&sig=SECRET",
                    "sha256:" + "a".repeat(64), "raw", java.util.Map.of(), false);

    @Test
    void aDeployEndsWithTheDiskOrOneLineOfReasonWithoutTheUrlsQuery() {
        io.metalboot.machine.agent.DeployedDisk disk = new io.metalboot.machine.agent.DeployedDisk("/dev/vdc", null,
                "sha256:" + "a".repeat(64), 4096, "none", null, List.of(), null);
        List<io.metalboot.machine.agent.DeployProgress> seen = new ArrayList<>();
        AgentCore writes = new AgentCore(() -> "{}", power, (instructions, progress) -> {
            progress.accept(new io.metalboot.machine.agent.DeployProgress(4096, 4096, 1, 0));
            return disk;
        });
        assertEquals(ActionOutcome.deployed(disk), writes.deploy(INSTRUCTIONS, seen::add));
        assertEquals(1, seen.size());

        AgentCore fails = new AgentCore(() -> "{}", power, (instructions, progress) -> {
            throw new java.io.IOException("short write to /dev/vdc after 512 bytes of " + instructions.imageUrl()
                    + "\nand https://mirror.example/x.qcow2?X-Amz-Signature=abc too");
        });
        ActionOutcome failed = fails.deploy(INSTRUCTIONS, seen::add);
        assertFalse(failed.succeeded());
        assertEquals(null, failed.deployed());
        assertEquals("deploy: short write to /dev/vdc after 512 bytes of http://10.0.0.1:8080/images/base?… "
                + "and https://mirror.example/x.qcow2?… too", failed.message());

        assertFalse(new AgentCore(() -> "{}", power, (i, p) -> null).deploy(INSTRUCTIONS, seen::add).succeeded(),
                "no disk, no success");
        assertEquals("deploy: this agent has no image writer",
                new AgentCore(() -> "{}", power).deploy(INSTRUCTIONS, seen::add).message());
        assertEquals(500, AgentCore.safeLine("x".repeat(2000), null).length());
    }
}
