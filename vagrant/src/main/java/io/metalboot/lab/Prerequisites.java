package io.metalboot.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the lab needs from the host; each missing thing is named with the Debian package that brings it. */
record Prerequisites(List<String> missing) {

    static Prerequisites check(Path applianceDir) {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root (namespaces, bridges and taps need it)");
        }
        for (Tool tool : Tool.values()) {
            if (tool.find().isEmpty()) {
                missing.add(tool.program() + " (Debian package " + switch (tool) {
                    case IP -> "iproute2";
                    case QEMU -> "qemu-system-x86";
                    case DNSMASQ -> "dnsmasq-base";
                    case TCPDUMP -> "tcpdump";
                } + ")");
            }
        }
        for (Path file : List.of(QemuMachine.OVMF_CODE, QemuMachine.OVMF_VARS)) {
            if (!Files.isRegularFile(file)) {
                missing.add(file + " (Debian package ovmf)");
            }
        }
        if (!Files.isRegularFile(QemuMachine.VIRTIO_ROM)) {
            missing.add(QemuMachine.VIRTIO_ROM + " (Debian package ipxe-qemu)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun (tap devices for the VMs)");
        }
        if (applianceDir != null && !Files.isRegularFile(applianceDir.resolve(ApplianceProcess.JAR))) {
            missing.add(applianceDir.resolve(ApplianceProcess.JAR)
                    + " (build the appliance: ./mvnw -DskipTests package)");
        }
        return new Prerequisites(List.copyOf(missing));
    }

    boolean met() {
        return missing.isEmpty();
    }

    String describe() {
        return "missing: " + String.join("; ", missing);
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .anyMatch(line -> line.split("\\s+")[2].equals("0")); // effective UID
        } catch (IOException e) {
            return false;
        }
    }
}
