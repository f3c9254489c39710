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
        assertEquals("join with [redacted] failed; abcdef.0123456789abcdefg is no token",
                AgentCore.safeLine("join with t6ce1o.wkyg0xd1di0itgau failed; abcdef.0123456789abcdefg is no token", null),
                "bootstrap tokens never reach a reason");
    }

    @Test
    void aDeploysBootstrapIsPlacedAfterTheWriteAndItsFailureLeavesNoBootableDisk() {
        io.metalboot.machine.agent.DeployedDisk disk = new io.metalboot.machine.agent.DeployedDisk("/dev/vdc", null,
                "sha256:" + "a".repeat(64), 4096, "gpt", null, List.of(), "/dev/vdc2");
        io.metalboot.machine.agent.BootstrapDelivery delivery = new io.metalboot.machine.agent.BootstrapDelivery(
                "cloud-config", "I2Nsb3VkLWNvbmZpZwo=", java.util.Map.of(), null, "file /b", "node-secret", "http://h/r",
                null);
        List<String> steps = new ArrayList<>();
        AgentCore.Deployer writer = new AgentCore.Deployer() {
            @Override
            public io.metalboot.machine.agent.DeployedDisk deploy(io.metalboot.machine.agent.DeployInstructions i,
                    java.util.function.Consumer<io.metalboot.machine.agent.DeployProgress> p) {
                steps.add("write");
                return disk;
            }

            @Override
            public void makeUnbootable(io.metalboot.machine.agent.DeployedDisk written) {
                steps.add("unbootable " + written.disk());
            }
        };
        AgentCore places = new AgentCore(() -> "{}", power, writer, (written, data) -> {
            steps.add("place " + written.rootPartition() + " " + data.origin());
            return written;
        });
        assertEquals(ActionOutcome.deployed(disk), places.deploy(INSTRUCTIONS, p -> { }, id -> {
            steps.add("fetch " + id);
            return java.util.Optional.of(delivery);
        }));
        assertEquals(List.of("write", "fetch " + INSTRUCTIONS.deployId(), "place /dev/vdc2 file /b"), steps);

        steps.clear();
        assertEquals(ActionOutcome.deployed(disk), places.deploy(INSTRUCTIONS, p -> { }, id -> java.util.Optional.empty()));
        assertEquals(List.of("write"), steps, "no bootstrap data: nothing placed");

        steps.clear();
        AgentCore refuses = new AgentCore(() -> "{}", power, writer, (written, data) -> {
            throw new java.io.IOException("bootstrap: write_files[1].encoding: 'base32' is not supported");
        });
        ActionOutcome failed = refuses.deploy(INSTRUCTIONS, p -> { }, id -> java.util.Optional.of(delivery));
        assertEquals("deploy: bootstrap: write_files[1].encoding: 'base32' is not supported", failed.message());
        assertEquals(List.of("write", "unbootable /dev/vdc"), steps, "a node that cannot join never boots as one");
        assertFalse(failed.message().contains("node-secret"));

        steps.clear();
        ActionOutcome unreachable = places.deploy(INSTRUCTIONS, p -> { }, id -> {
            throw new java.io.IOException("bootstrap: HTTP 503");
        });
        assertEquals("deploy: bootstrap: HTTP 503", unreachable.message());
        assertEquals(List.of("write", "unbootable /dev/vdc"), steps);
        assertEquals("deploy: bootstrap: this agent cannot place bootstrap data", new AgentCore(() -> "{}", power, writer)
                .deploy(INSTRUCTIONS, p -> { }, id -> java.util.Optional.of(delivery)).message());
    }
}
