package io.metalboot.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * What the lab's machines boot besides the appliance's own files: the test kernel and initramfs
 * (a fast stand-in for the agent ramdisk, for scenarios that test the boot path only), the real
 * agent ramdisk (built by packaging into the appliance's assets) and the test disks (what a provisioned
 * machine finds on its local disk). Both are built by scripts of the lab ({@code testkernel/build.sh},
 * {@code testdisk/build.sh}) into {@code target/}; the scripts keep what they built, so only the
 * first scenario of a run pays for it.
 */
record BootMedia(Path kernel, Path initrd, Path biosDisk, Path uefiDisk) {
    /** First line /init of the test kernel prints: {@code METALBOOT-TEST-KERNEL booted mac=M token=present|absent}. */
    static final String KERNEL_MARKER = "METALBOOT-TEST-KERNEL booted";
    /** What each test disk's boot loader prints, followed by {@code bios} or {@code uefi}. */
    static final String DISK_MARKER = "METALBOOT-LOCAL-DISK";
    /** Downloading the kernel .deb and packing the initramfs, once. */
    private static final Duration BUILD = Duration.ofMinutes(5);

    /** Runs both build scripts of the lab module at {@code labHome} (the {@code vagrant} directory). */
    static BootMedia build(Path labHome) {
        Path target = labHome.resolve("target");
        Path kernelDir = target.resolve("testkernel");
        Path diskDir = target.resolve("testdisk");
        Command.run(BUILD, List.of("bash", labHome.resolve("testkernel/build.sh").toString(), kernelDir.toString()));
        Command.run(BUILD, List.of("bash", labHome.resolve("testdisk/build.sh").toString(), diskDir.toString()));
        return new BootMedia(kernelDir.resolve("vmlinuz"), kernelDir.resolve("initrd.img"),
                diskDir.resolve("bios.img"), diskDir.resolve("uefi.img"));
    }

    /** The lab module's directory: {@code metalboot.lab.home}, else {@code vagrant} under the working directory. */
    static Path labHome() {
        String configured = System.getProperty("metalboot.lab.home");
        Path home = configured != null ? Path.of(configured) : Path.of("vagrant");
        if (configured == null && !Files.isDirectory(home.resolve("testkernel"))) {
            home = Path.of(".");
        }
        return home.toAbsolutePath().normalize();
    }

    /** The disk template for a machine with this firmware. */
    Path disk(Firmware firmware) {
        return switch (firmware) {
            case UEFI_OWN_PXE -> uefiDisk;
            case BIOS_IPXE_ROM -> biosDisk;
        };
    }

    /**
     * Puts the test kernel where the appliance's default agent profile looks:
     * {@code ASSETS/agent/vmlinuz} and {@code ASSETS/agent/initrd.img}. Copied, not linked: the
     * appliance refuses links that leave its asset directory.
     */
    void installAgent(Path assets) {
        install(kernel, initrd, assets);
    }

    /** The real agent ramdisk, as the .deb ships it, where {@code assets}' appliance serves it. */
    static void installAgentRamdisk(PackagedAppliance packaged, Path assets) {
        Path built = packaged.agentRamdisk();
        if (!Files.isRegularFile(built.resolve("vmlinuz")) || !Files.isRegularFile(built.resolve("initrd.img"))) {
            throw new LabException("no agent ramdisk in " + built + " (the .deb holds the one packaging's build made)");
        }
        install(built.resolve("vmlinuz"), built.resolve("initrd.img"), assets);
    }

    private static void install(Path kernel, Path initrd, Path assets) {
        Path agent = assets.resolve("agent");
        try {
            Files.createDirectories(agent);
            Files.copy(kernel, agent.resolve("vmlinuz"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(initrd, agent.resolve("initrd.img"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LabException("cannot put " + kernel + " and " + initrd + " into " + agent, e);
        }
    }
}
