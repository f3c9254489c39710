package io.metalboot.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A QEMU VM (always TCG: KVM does not work on the lab machines) started inside the hub namespace
 * with one virtio NIC on a tap of the given segment, booting from the network, its serial port
 * written to a file.
 */
final class QemuMachine implements AutoCloseable {
    static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
    static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");
    /** QEMU's default ROM for virtio-net (from ipxe-qemu), needed by the BIOS machine. */
    static final Path VIRTIO_ROM = Path.of("/usr/lib/ipxe/qemu/efi-virtio.rom");

    private final MachineSpec spec;
    private final ChildProcess qemu;
    private final SerialConsole serial;

    private QemuMachine(MachineSpec spec, ChildProcess qemu, SerialConsole serial) {
        this.spec = spec;
        this.qemu = qemu;
        this.serial = serial;
    }

    static QemuMachine boot(LabNetwork network, LabNetwork.Segment segment, MachineSpec spec) {
        Path dir = network.workDir().resolve(spec.name()).toAbsolutePath();
        Path serialFile = dir.resolve("serial.log");
        String tap = network.addTap(segment);
        List<String> argv = new ArrayList<>(List.of(Tool.QEMU.path(),
                "-name", spec.name(),
                "-accel", "tcg",
                "-m", Integer.toString(spec.firmware().memoryMiB()),
                "-display", "none",
                "-monitor", "none",
                "-serial", "file:" + serialFile,
                "-uuid", spec.uuid().toString(),
                "-netdev", "tap,id=net0,ifname=" + tap + ",script=no,downscript=no"));
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(serialFile);
            switch (spec.firmware()) {
                case UEFI_OWN_PXE -> {
                    Path vars = dir.resolve("OVMF_VARS.fd");
                    Files.copy(OVMF_VARS, vars, StandardCopyOption.REPLACE_EXISTING);
                    argv.addAll(List.of(
                            "-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                            "-drive", "if=pflash,format=raw,file=" + vars,
                            // romfile= keeps QEMU's iPXE EFI ROM off the NIC: OVMF's own PXE runs.
                            "-device", "virtio-net-pci,netdev=net0,mac=" + spec.mac() + ",bootindex=1,romfile="));
                }
                case BIOS_IPXE_ROM -> {
                    // SeaBIOS and iPXE print to VGA only, unless told to mirror to COM1 (0x3f8).
                    Path sercon = dir.resolve("sercon-port");
                    Files.write(sercon, new byte[] {(byte) 0xf8, 0x03});
                    argv.addAll(List.of(
                            "-boot", "n",
                            "-fw_cfg", "name=etc/sercon-port,file=" + sercon,
                            "-device", "virtio-net-pci,netdev=net0,mac=" + spec.mac()));
                }
            }
        } catch (IOException e) {
            throw new LabException("cannot prepare " + dir, e);
        }
        var process = ChildProcess.start("qemu-" + spec.name(), network.hub().exec(argv), dir.resolve("qemu.log"));
        var machine = new QemuMachine(spec, process, new SerialConsole(serialFile));
        return network.adopt(machine);
    }

    MachineSpec spec() {
        return spec;
    }

    SerialConsole serial() {
        return serial;
    }

    boolean isAlive() {
        return qemu.isAlive();
    }

    /** QEMU's own messages (bad arguments, tap errors). */
    Journal<String> qemuLog() {
        return qemu.lines();
    }

    /** Stops the VM at once: there is nothing on it to save. */
    @Override
    public void close() {
        qemu.close();
        serial.close();
    }

    @Override
    public String toString() {
        return "VM " + spec.name() + " (" + spec.mac() + ")";
    }
}
