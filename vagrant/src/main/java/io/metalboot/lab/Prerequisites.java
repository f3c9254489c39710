package io.metalboot.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the lab needs from the host; each missing thing is named with the Debian package that brings it. */
record Prerequisites(List<String> missing) {

    /** @param deb the appliance's .deb (null: a scenario that runs no appliance) */
    static Prerequisites check(Path deb) {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root (namespaces, bridges and taps need it)");
        }
        for (Tool tool : List.of(Tool.IP, Tool.QEMU, Tool.DNSMASQ, Tool.TCPDUMP, Tool.CURL)) {
            if (tool.find().isEmpty()) {
                missing.add(tool.program() + " (Debian package " + switch (tool) {
                    case IP -> "iproute2";
                    case QEMU -> "qemu-system-x86";
                    case DNSMASQ -> "dnsmasq-base";
                    case TCPDUMP -> "tcpdump";
                    case CURL -> "curl";
                    default -> throw new IllegalStateException(tool + " is not a tool every scenario needs");
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
        if (deb != null && !Files.isRegularFile(deb)) {
            missing.add(deb + " (the appliance's .deb: ./mvnw -DskipTests package, as root)");
        }
        if (deb != null && !Files.isExecutable(Path.of("/usr/bin/dpkg-deb"))) {
            missing.add("dpkg-deb (Debian package dpkg)");
        }
        return new Prerequisites(List.copyOf(missing));
    }

    /**
     * What building {@link BootMedia} needs besides the Debian archive (the test kernel's .deb is
     * downloaded with apt-get): the programs and GRUB module trees its two scripts use.
     */
    static Prerequisites checkBootMedia() {
        List<String> missing = new ArrayList<>();
        record Need(Path file, String packageName) {
        }
        for (Need need : List.of(
                new Need(Path.of("/bin/busybox"), "busybox-static"),
                new Need(Path.of("/usr/bin/cpio"), "cpio"),
                new Need(Path.of("/usr/bin/grub-mkimage"), "grub-common"),
                new Need(Path.of("/usr/lib/grub/i386-pc/boot.img"), "grub-pc-bin"),
                new Need(Path.of("/usr/lib/grub/x86_64-efi/kernel.img"), "grub-efi-amd64-bin"),
                new Need(Path.of("/usr/sbin/sfdisk"), "fdisk"),
                new Need(Path.of("/usr/bin/mcopy"), "mtools"))) {
            if (!Files.exists(need.file())) {
                missing.add(need.file() + " (Debian package " + need.packageName() + ")");
            }
        }
        return new Prerequisites(List.copyOf(missing));
    }

    /** The real peers the agent's inventory is checked against: an LLDP switch and a BMC. */
    static Prerequisites checkAgentPeers() {
        List<String> missing = new ArrayList<>();
        for (Tool tool : List.of(Tool.LLDPD, Tool.LLDPCLI, Tool.IPMI_SIM)) {
            if (tool.find().isEmpty()) {
                missing.add(tool.program() + " (Debian package " + (tool == Tool.IPMI_SIM ? "openipmi" : "lldpd") + ")");
            }
        }
        return new Prerequisites(List.copyOf(missing));
    }

    /** What the deploy scenarios need to make their catalog images ({@link DeployImage}) and read the result. */
    static Prerequisites checkDeployImages() {
        List<String> missing = new ArrayList<>();
        for (Tool tool : List.of(Tool.QEMU_IMG, Tool.ZSTD, Tool.SFDISK)) {
            if (tool.find().isEmpty()) {
                missing.add(tool.program() + " (Debian package " + switch (tool) {
                    case QEMU_IMG -> "qemu-utils";
                    case ZSTD -> "zstd";
                    default -> "fdisk";
                } + ")");
            }
        }
        return new Prerequisites(List.copyOf(missing));
    }

    /**
     * What {@link IronicService} needs: root (namespaces), ip, curl and the Debian packages of
     * OpenStack Ironic (ironic-common, which ironic-api and ironic-conductor pull in, brings {@code /usr/bin/ironic} and
     * {@code ironic-dbsync}), ironic-inspector and python3-ironicclient ({@code baremetal}).
     */
    static Prerequisites checkIronic() {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root (namespaces and veths need it)");
        }
        for (Tool tool : List.of(Tool.IP, Tool.CURL)) {
            if (tool.find().isEmpty()) {
                missing.add(tool.program() + " (Debian package " + (tool == Tool.IP ? "iproute2" : "curl") + ")");
            }
        }
        record Need(Path file, String packageName) {
        }
        for (Need need : List.of(
                new Need(IronicService.IRONIC, "ironic-common, from ironic-api and ironic-conductor"),
                new Need(IronicService.IRONIC_DBSYNC, "ironic-common, from ironic-api and ironic-conductor"),
                new Need(IronicService.INSPECTOR, "python3-ironic-inspector, from ironic-inspector"),
                new Need(IronicService.INSPECTOR_DBSYNC, "python3-ironic-inspector, from ironic-inspector"),
                new Need(IronicService.BAREMETAL, "python3-ironicclient"))) {
            if (!Files.isExecutable(need.file())) {
                missing.add(need.file() + " (Debian package " + need.packageName() + ")");
            }
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
