package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides whether the lab scenarios can run here. Missing prerequisites skip them on a developer's
 * machine, but fail them where they must run: {@code CI=true} or {@code -Dmetalboot.lab.required=true}.
 */
final class LabRequirements {
    private LabRequirements() {
    }

    static Path deb() {
        return PackagedAppliance.debFile(Path.of("..").toAbsolutePath().normalize());
    }

    /** The .deb unpacked once per fork into the lab's work root (again only when the .deb changed). */
    static synchronized PackagedAppliance appliance() {
        if (appliance == null) {
            appliance = PackagedAppliance.unpack(deb(), workRoot().resolve("packaged-appliance"));
        }
        return appliance;
    }

    private static PackagedAppliance appliance;

    static Path workRoot() {
        return Path.of(System.getProperty("metalboot.lab.workdir", "target/lab")).toAbsolutePath().normalize();
    }

    static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("metalboot.lab.required");
    }

    /** Skips (or, where required, fails) the calling test unless everything the lab needs is here. */
    static void assumeLabCanRun() {
        var prerequisites = Prerequisites.check(deb());
        if (prerequisites.met()) {
            return;
        }
        skipOrFail("the lab cannot run here, " + prerequisites.describe());
    }

    /** As {@link #assumeLabCanRun()}, and the test kernel and test disks can be built here too. */
    static void assumeHttpBootLabCanRun() {
        assumeLabCanRun();
        var media = Prerequisites.checkBootMedia();
        if (!media.met()) {
            skipOrFail("the lab's boot media cannot be built here, " + media.describe());
        }
    }

    /** As {@link #assumeHttpBootLabCanRun()}; the .deb holds the agent ramdisk (packaging's build, as root). */
    static void assumeAgentLabCanRun() {
        assumeHttpBootLabCanRun();
        var peers = Prerequisites.checkAgentPeers();
        if (!peers.met()) {
            skipOrFail("the agent's real peers cannot run here, " + peers.describe());
        }
        var images = Prerequisites.checkDeployImages();
        if (!images.met()) {
            skipOrFail("the deploy's catalog images cannot be made here, " + images.describe());
        }
    }

    /** Skips (or, where required, fails) the calling test unless {@link IronicService} can run here (no VMs, no .deb). */
    static void assumeIronicCanRun() {
        var prerequisites = Prerequisites.checkIronic();
        if (!prerequisites.met()) {
            skipOrFail("Ironic cannot run here, " + prerequisites.describe());
        }
    }

    /** Skips the calling test for {@code reason}, or fails it where the lab is required. */
    static void skipOrFail(String reason) {
        if (required()) {
            fail(reason + " (required: CI=true or metalboot.lab.required=true)");
        }
        Assumptions.abort(reason);
    }
}
