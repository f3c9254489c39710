package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.lab.storm.StormReport;
import io.metalboot.lab.storm.StormScope;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A small boot storm (the bench's, at N = 50) against the packaged appliance: 50 machines at once,
 * each through OVMF's DHCP and TFTP, iPXE's DHCP, the entry and machine scripts and the agent
 * ramdisk; every byte of every machine's downloads checked (at this size every machine is among the
 * hashed ones). Then a storm nobody answers, which the generator must end by itself at its
 * deadline. No timing is asserted: the generator's deadline only bounds the run.
 */
class StormIT {
    private static final int MACHINES = 50;
    /** The generator stops itself then; it is a bound on the run, not a figure under test. */
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeLabCanRun();
        var packaged = LabRequirements.appliance();
        if (!Files.isRegularFile(packaged.agentRamdisk().resolve("initrd.img"))) {
            LabRequirements.skipOrFail("the .deb holds no agent ramdisk (packaging's build, as root, makes it)");
        }
    }

    @Test
    void fiftyMachinesBootingAtOnceAreAllServedExactly() throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
        try (BootStormRun lab = BootStormRun.create(LabRequirements.workRoot().resolve("storm-" + stamp),
                LabRequirements.appliance())) {
            BootStormRun.Result result = lab.appliance(MACHINES, StormScope.FULL, List.of(), DEADLINE);
            StormReport report = result.report();
            System.out.printf("lab: storm of %d: all served in %.1f s; RSS idle %.0f MiB, peak %.0f MiB%n", MACHINES,
                    report.servedSeconds(), result.idle().rssMib(), result.peak().peakMib());
            assertEquals(List.of(), report.failures(), "machines whose boot failed (logs in " + result.runDir() + ")");
            assertEquals(MACHINES, report.succeeded());
            assertEquals(MACHINES, report.checksummed(), "every machine's ramdisk hashed");
            long ramdisk = Files.size(lab.agentFile("vmlinuz")) + Files.size(lab.agentFile("initrd.img"));
            assertEquals(MACHINES * ramdisk, report.bytesHashed(), "bytes hashed and found equal to the files'");
            assertEquals(0, report.bytesCounted(), "no download only counted");
            for (var step : report.steps()) {
                assertEquals(MACHINES, step.completed(), "machines that completed " + step.step());
            }
            assertTrue(report.steps().size() == 7, "every step ran: " + report.steps());
            assertEquals(MACHINES, result.registered(), "machines in the registry (GET /api/v1/machines)");

            // With no server at all, the generator ends by its own deadline, naming where each machine was.
            StormReport unanswered = lab.unanswered(3, Duration.ofSeconds(6));
            assertEquals(3, unanswered.failed(), "machines nobody answered");
            for (var failure : unanswered.failures()) {
                assertEquals("dhcp", failure.step(), failure.toString());
                assertTrue(failure.error().contains("deadline"), failure.toString());
            }
        }
    }
}
