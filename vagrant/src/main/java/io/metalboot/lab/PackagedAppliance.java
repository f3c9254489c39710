package io.metalboot.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The appliance as its .deb ships it ({@code packaging/target/metalboot_amd64.deb}), unpacked with
 * {@code dpkg-deb -x} into a directory of the lab's: the lab runs the packaged runtime, jar, agent
 * ramdisk and iPXE, never the development class path.
 */
record PackagedAppliance(Path deb, Path root) {

    /** Where packaging's build puts the .deb, relative to the repository. */
    static final String DEB = "packaging/target/metalboot_amd64.deb";
    private static final String UNPACKED = ".unpacked-from";

    /** The .deb's own Java runtime. */
    Path java() {
        return root.resolve("usr/lib/metalboot/runtime/bin/java");
    }

    Path jar() {
        return root.resolve("usr/share/metalboot/metalboot-pxe-server.jar");
    }

    /** The agent ramdisk: {@code vmlinuz} and {@code initrd.img}. */
    Path agentRamdisk() {
        return root.resolve("usr/lib/metalboot/assets/agent");
    }

    /** Debian's iPXE binaries as the .deb carries them (its {@code tftp.root}). */
    Path ipxe() {
        return root.resolve("usr/lib/metalboot/ipxe");
    }

    /** The .deb named by {@code metalboot.deb.file} (default: {@value #DEB} under {@code repo}). */
    static Path debFile(Path repo) {
        return Path.of(System.getProperty("metalboot.deb.file", repo.resolve(DEB).toString())).toAbsolutePath().normalize();
    }

    /** Unpacks {@code deb} into {@code dir}, unless this very file (path, size, time) was unpacked there last. */
    static PackagedAppliance unpack(Path deb, Path dir) {
        if (!Files.isRegularFile(deb)) {
            throw new LabException("the appliance's .deb is not built: " + deb + " is missing (./mvnw -DskipTests package, as root)");
        }
        try {
            String identity = deb + " " + Files.size(deb) + " " + Files.getLastModifiedTime(deb).toMillis();
            Path marker = dir.resolve(UNPACKED);
            if (!Files.isRegularFile(marker) || !Files.readString(marker, StandardCharsets.UTF_8).equals(identity)) {
                Command.run(List.of("rm", "-rf", dir.toString()));
                Files.createDirectories(dir);
                Command.run(Duration.ofMinutes(2), List.of("dpkg-deb", "-x", deb.toString(), dir.toString()));
                Files.writeString(marker, identity, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new LabException("cannot unpack " + deb + " into " + dir, e);
        }
        var appliance = new PackagedAppliance(deb, dir);
        if (!Files.isExecutable(appliance.java()) || !Files.isRegularFile(appliance.jar())) {
            throw new LabException(deb + " holds no " + appliance.java() + " or " + appliance.jar());
        }
        return appliance;
    }
}
