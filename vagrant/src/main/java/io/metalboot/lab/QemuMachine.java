package io.metalboot.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of a QEMU VM (always TCG: KVM does not work on the lab machines) started inside the hub
 * namespace with a virtio NIC on a tap of the given segment, booting from the network, its serial
 * port written to a file.
 * <p>
 * A machine keeps what a real one keeps between power cycles: booting the same {@link MachineSpec}
 * again in the same network reuses its UEFI variable store and its disk, and writes its serial
 * console to a new file ({@code serial.log}, then {@code serial-2.log}, ...).
 * <p>
 * Boot order, by {@code bootindex}: the unplugged first NIC if any, the NIC on the segment, then
 * each disk in the spec's order. No {@code -no-reboot}: a guest reboot (the agent's after a deploy)
 * resets the VM in the same QEMU process, and its serial console goes on in the same file.
 */
final class QemuMachine implements AutoCloseable {
    static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
    static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");
    /** QEMU's default ROM for virtio-net (from ipxe-qemu), needed by the BIOS machine. */
    static final Path VIRTIO_ROM = Path.of("/usr/lib/ipxe/qemu/efi-virtio.rom");
    private static final String DEAD_NIC = "nic-dead";

    private final MachineSpec spec;
    private final Path dir;
    private final int run;
    private final ChildProcess qemu;
    private final SerialConsole serial;
    private final QemuMonitor monitor;
    private final long poweredOn = System.nanoTime();

    private QemuMachine(MachineSpec spec, Path dir, int run, ChildProcess qemu, SerialConsole serial, QemuMonitor monitor) {
        this.spec = spec;
        this.dir = dir;
        this.run = run;
        this.qemu = qemu;
        this.serial = serial;
        this.monitor = monitor;
    }

    static QemuMachine boot(LabNetwork network, LabNetwork.Segment segment, MachineSpec spec) {
        return boot(network, segment, spec, List.of());
    }

    /** As {@link #boot(LabNetwork, LabNetwork.Segment, MachineSpec)}, with more devices (e.g. a BMC's). */
    static QemuMachine boot(LabNetwork network, LabNetwork.Segment segment, MachineSpec spec, List<String> devices) {
        Path dir = network.workDir().resolve(spec.name()).toAbsolutePath();
        int run = nextRun(dir);
        String suffix = run == 1 ? "" : "-" + run;
        Path serialFile = dir.resolve("serial" + suffix + ".log");
        List<String> argv = new ArrayList<>(List.of(Tool.QEMU.path(),
                "-name", spec.name(),
                "-accel", "tcg",
                "-m", Integer.toString(spec.memoryMiB()),
                "-display", "none",
                "-serial", "file:" + serialFile,
                "-uuid", spec.uuid().toString(),
                "-smbios", "type=1,serial=" + spec.serial() + ",uuid=" + spec.uuid()));
        // UEFI: romfile= keeps QEMU's iPXE EFI ROM off the NIC, so OVMF's own PXE runs. BIOS: the
        // default ROM is QEMU's iPXE, the PXE client under test.
        String rom = spec.firmware() == Firmware.UEFI_OWN_PXE ? ",romfile=" : "";
        int bootIndex = 1;
        QemuMonitor monitor = null;
        try {
            Files.createDirectories(dir);
            if (spec.deadFirstNic()) {
                // Unplugged twice over: a tap on no bridge, and the link reported down to the guest
                // (set before the guest runs, through the monitor), so firmware sees "no media".
                monitor = QemuMonitor.create();
                argv.addAll(List.of("-S", "-monitor", "unix:" + monitor.socket() + ",server=on,wait=off",
                        "-netdev", "tap,id=dead0,ifname=" + network.addUnpluggedTap() + ",script=no,downscript=no",
                        "-device", "virtio-net-pci,id=" + DEAD_NIC + ",netdev=dead0,mac=" + spec.deadNicMac()
                                + ",bootindex=" + bootIndex++ + rom));
            } else {
                argv.addAll(List.of("-monitor", "none"));
            }
            argv.addAll(List.of(
                    "-netdev", "tap,id=net0,ifname=" + network.addTap(segment) + ",script=no,downscript=no",
                    "-device", "virtio-net-pci,netdev=net0,mac=" + spec.mac() + ",bootindex=" + bootIndex++ + rom
                            // What the NIC tells the guest it negotiated (VIRTIO_NET_F_SPEED_DUPLEX).
                            + (spec.agentHardware() ? ",speed=" + MachineSpec.BOOT_NIC_SPEED_MBPS + ",duplex=full" : "")));
            if (spec.secondNicMac() != null) {
                // No bootindex: firmware never boots from it; its cable is out (a tap on no bridge).
                argv.addAll(List.of("-netdev", "tap,id=net1,ifname=" + network.addUnpluggedTap() + ",script=no,downscript=no",
                        "-device", "virtio-net-pci,netdev=net1,mac=" + spec.secondNicMac() + rom));
            }
            // Every disk boots after the NICs, in order: the firmware tries the next one when the
            // appliance's local-boot script gives up (UEFI: exit) or hands over (BIOS: sanboot 0x80,
            // the first disk in SeaBIOS's boot order).
            for (int index = 0; index < spec.diskCount(); index++) {
                Path disk = diskFile(dir, index);
                if (!Files.exists(disk)) {
                    long blank = spec.blankDiskBytes(index);
                    if (blank < 0) {
                        Files.copy(spec.disk(), disk);
                    } else {
                        try (var file = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
                            file.setLength(blank); // sparse: blank, and no space taken
                        }
                    }
                }
                argv.addAll(List.of("-drive", "file=" + disk + ",format=raw,if=none,id=disk" + index,
                        "-device", "virtio-blk-pci,drive=disk" + index + ",serial=" + spec.diskSerial(index)
                                + ",bootindex=" + bootIndex++));
            }
            argv.addAll(devices);
            switch (spec.firmware()) {
                case UEFI_OWN_PXE -> {
                    Path vars = dir.resolve("OVMF_VARS.fd");
                    if (!Files.exists(vars)) {
                        Files.copy(OVMF_VARS, vars);
                    }
                    argv.addAll(List.of(
                            "-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                            "-drive", "if=pflash,format=raw,file=" + vars,
                            // No PXE or HTTP boot over IPv6 (IPv6Support=no leaves OVMF without an
                            // IPv6 stack, so no HTTPv6 boot entry either): the lab serves IPv4 only,
                            // and each IPv6 entry waits for DHCPv6 (the HTTPv6 one about 85 s under
                            // TCG) before OVMF moves on to the next entry, the disks.
                            "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n",
                            "-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=no"));
                }
                case BIOS_IPXE_ROM -> {
                    // SeaBIOS and iPXE print to VGA only, unless told to mirror to COM1 (0x3f8).
                    Path sercon = dir.resolve("sercon-port");
                    Files.write(sercon, new byte[] {(byte) 0xf8, 0x03});
                    argv.addAll(List.of("-fw_cfg", "name=etc/sercon-port,file=" + sercon));
                }
            }
        } catch (IOException e) {
            if (monitor != null) {
                monitor.close();
            }
            throw new LabException("cannot prepare " + dir, e);
        }
        var process = ChildProcess.start("qemu-" + spec.name() + suffix, network.hub().exec(argv),
                dir.resolve("qemu" + suffix + ".log"));
        var machine = network.adopt(new QemuMachine(spec, dir, run, process, new SerialConsole(serialFile), monitor));
        if (monitor != null) {
            monitor.command("set_link " + DEAD_NIC + " off");
            monitor.command("cont");
        }
        return machine;
    }

    private static Path diskFile(Path dir, int index) {
        return dir.resolve("disk-" + index + ".img");
    }

    /** 1 for a machine's first boot in this network, then 2, 3 ... */
    private static int nextRun(Path dir) {
        int run = 1;
        while (Files.exists(dir.resolve(run == 1 ? "serial.log" : "serial-" + run + ".log"))) {
            run++;
        }
        return run;
    }

    /** Time since QEMU was started: the power-on, for the boot times the lab prints. */
    Duration sincePowerOn() {
        return Duration.ofNanos(System.nanoTime() - poweredOn);
    }

    MachineSpec spec() {
        return spec;
    }

    int run() {
        return run;
    }

    /**
     * The file behind disk {@code index} (0 the first, as {@link MachineSpec#diskSerial}): a copy of
     * the template or a sparse blank file, kept across the machine's boots.
     */
    Path diskFile(int index) {
        if (index < 0 || index >= spec.diskCount()) {
            throw new IllegalArgumentException(this + " has no disk " + index);
        }
        return diskFile(dir, index);
    }

    SerialConsole serial() {
        return serial;
    }

    boolean isAlive() {
        return qemu.isAlive();
    }

    /** Waits until the guest powers the VM off (QEMU exits); false when it still runs at the timeout. */
    boolean awaitPowerOff(Duration timeout) {
        return qemu.awaitExit(timeout);
    }

    /** QEMU's own messages (bad arguments, tap errors). */
    Journal<String> qemuLog() {
        return qemu.lines();
    }

    /** Stops the VM at once: there is nothing on it to save (its disk is written through). */
    @Override
    public void close() {
        qemu.close();
        serial.close();
        if (monitor != null) {
            monitor.close();
        }
    }

    @Override
    public String toString() {
        return "VM " + spec.name() + (run == 1 ? "" : " run " + run) + " (" + spec.mac() + ")";
    }
}
