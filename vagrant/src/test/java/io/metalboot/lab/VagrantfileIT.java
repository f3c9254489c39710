package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * vagrant/Vagrantfile passes {@code vagrant validate} (Vagrant's and vagrant-libvirt's checks of
 * every machine, with no libvirtd: libvirt VMs cannot run here), and validation refuses what it
 * must: {@code validate-vagrantfile.sh}'s checks, each reported passed, in order, so a check the
 * script stopped making fails here. Needs no root; without Debian's {@code vagrant} and
 * {@code vagrant-libvirt} it skips, except where the lab is required (CI=true).
 */
class VagrantfileIT {
    private static final long TIMEOUT_SECONDS = 120;
    /** The script's exit status when vagrant or its libvirt provider is missing. */
    private static final int PREREQUISITE_MISSING = 2;
    /** What the script reports passed, in its order (each an "ok: " line's start). */
    private static final List<String> CHECKS = List.of(
            "the default settings (2 machines: machine-1 UEFI, machine-2 BIOS; 3 disks each): valid",
            "5 machines, 2 of them UEFI, 2 disks each, 192.168.56.0/24: valid",
            "more UEFI machines than machines: refused",
            "a .deb that is not there: refused",
            "a copy whose UEFI machines have nvram but no loader: refused",
            "a copy with a misspelt libvirt setting: refused");

    @Test
    void vagrantValidatesTheVagrantfileAndRefusesEachBrokenSetting() throws Exception {
        Path script = BootMedia.labHome().resolve("validate-vagrantfile.sh");
        Path log = Files.createDirectories(LabRequirements.workRoot()).resolve("validate-vagrantfile.log");
        Process process = new ProcessBuilder("bash", script.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            fail(script + " ran longer than " + TIMEOUT_SECONDS + " s; its output: " + log);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() == PREREQUISITE_MISSING) {
            LabRequirements.skipOrFail("vagrant validate cannot run here: " + output.strip());
        }
        assertEquals(0, process.exitValue(), script + ":\n" + output);
        List<String> passed = output.lines().filter(line -> line.startsWith("ok: ")).map(line -> line.substring(4)).toList();
        assertEquals(CHECKS.size(), passed.size(), "the checks reported passed:\n" + output);
        for (int i = 0; i < CHECKS.size(); i++) {
            assertTrue(passed.get(i).startsWith(CHECKS.get(i)), "check " + (i + 1) + " is \"" + CHECKS.get(i) + "\":\n" + output);
        }
    }
}
