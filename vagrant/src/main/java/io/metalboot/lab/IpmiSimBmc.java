package io.metalboot.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * One VM's BMC: Debian's openipmi {@code ipmi_sim} in the hub namespace, where QEMU runs, with the
 * system interface QEMU's {@code ipmi-bmc-extern} connects to (the guest sees it through
 * {@code isa-ipmi-kcs}) and a LAN channel whose configuration parameters — the address and MAC a
 * real BMC has on the management network — come from a fixed answer ({@code lan_config_program}).
 * QEMU's built-in {@code ipmi-bmc-sim} cannot answer LAN configuration queries; ipmi_sim can.
 * Everything is on 127.0.0.1 of the hub namespace: the addresses it reports are set nowhere.
 * This is the per-VM form of vagrant/ipmi (its README: how the configuration was worked out).
 *
 * @param address the BMC's LAN IPv4 address, what {@code bmc_address} must say
 * @param mac     its MAC, what {@code bmc_mac} must say
 */
record IpmiSimBmc(String address, String mac, int systemPort, ChildProcess process) implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(20);

    /** The BMC of the VM whose MAC ends in byte {@code n}: 192.0.2.n (TEST-NET-1), 52:54:03:00:00:n. */
    static IpmiSimBmc start(LabNetwork network, MachineSpec spec) {
        int n = Integer.parseInt(spec.mac().substring(15), 16);
        String address = "192.0.2." + n;
        String mac = "52:54:03:00:00:%02x".formatted(n);
        int systemPort = 9100 + n;
        int lanPort = 9300 + n;
        Path dir = network.workDir().resolve(spec.name()).resolve("bmc").toAbsolutePath();
        try {
            Files.createDirectories(dir.resolve("state"));
            Path parameters = dir.resolve("lan-parameters.sh");
            Files.writeString(parameters, """
                    #!/bin/sh
                    # ipmi_sim's lan_config_program: "get PARM..." prints PARM:VALUE; set/check are accepted, not kept.
                    [ "$1" = get ] || exit 0
                    shift
                    for parm in "$@"; do
                        case "$parm" in
                            ip_addr) echo "ip_addr:%1$s" ;;
                            ip_addr_src) echo "ip_addr_src:static" ;;
                            mac_addr) echo "mac_addr:%2$s" ;;
                            subnet_mask) echo "subnet_mask:255.255.255.0" ;;
                            default_gw_ip_addr) echo "default_gw_ip_addr:192.0.2.1" ;;
                            default_gw_mac_addr) echo "default_gw_mac_addr:52:54:03:00:00:fe" ;;
                            backup_gw_ip_addr) echo "backup_gw_ip_addr:0.0.0.0" ;;
                            backup_gw_mac_addr) echo "backup_gw_mac_addr:00:00:00:00:00:00" ;;
                            *) echo "$parm:" ;;
                        esac
                    done
                    """.formatted(address, mac), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(parameters, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(dir.resolve("lan.conf"), """
                    name "lab-bmc-%1$s"
                    set_working_mc 0x20
                      startlan 1
                        addr 127.0.0.1 %2$d
                        priv_limit admin
                        allowed_auths_callback none md2 md5 straight
                        allowed_auths_user none md2 md5 straight
                        allowed_auths_operator none md2 md5 straight
                        allowed_auths_admin none md2 md5 straight
                        guid a123456789abcdefa123456789ab%3$04x
                        lan_config_program "%4$s"
                      endlan
                      serial 15 127.0.0.1 %5$d codec VM
                      user 1 true  ""      "test"     user     10 none md2 md5 straight
                      user 2 true  "admin" "lab-pass" admin    10 none md2 md5 straight
                    """.formatted(spec.name(), lanPort, n, parameters, systemPort), StandardCharsets.US_ASCII);
            Files.writeString(dir.resolve("lab-bmc.emu"), """
                    mc_setbmc 0x20
                    mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
                    sel_enable 0x20 1000 0x0a
                    mc_enable 0x20
                    """, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new LabException("cannot write the BMC's files in " + dir, e);
        }
        List<String> argv = network.hub().exec(List.of(Tool.IPMI_SIM.path(), "-n", "-c", dir.resolve("lan.conf").toString(),
                "-f", dir.resolve("lab-bmc.emu").toString(), "-s", dir.resolve("state").toString()));
        var bmc = network.adopt(new IpmiSimBmc(address, mac, systemPort,
                ChildProcess.start("ipmi_sim-" + spec.name(), argv, dir.resolve("ipmi_sim.log"))));
        bmc.awaitListening(network);
        return bmc;
    }

    /** Until the system-interface port accepts (probed from the hub namespace, where QEMU connects). */
    private void awaitListening(LabNetwork network) {
        Deadline deadline = Deadline.in(READY);
        while (true) {
            try {
                // ss in the hub namespace: the port is bound there, not in the test's namespace.
                String listening = Command.run(network.hub().exec(List.of("ss", "-Hltn", "sport", "= :" + systemPort)));
                if (!listening.isBlank()) {
                    return;
                }
            } catch (LabException e) {
                // ss said nothing useful yet
            }
            if (deadline.remaining().isZero() || !process.isAlive()) {
                throw new LabException("ipmi_sim did not listen on 127.0.0.1:" + systemPort + ":\n" + process.lines().tail(15));
            }
            Deadline.pause(Duration.ofMillis(200), "waiting for ipmi_sim");
        }
    }

    /** QEMU's side: the extern BMC on this socket, seen by the guest as a KCS interface. */
    List<String> qemuArguments() {
        return List.of("-chardev", "socket,id=ipmi0,host=127.0.0.1,port=" + systemPort + ",reconnect=2",
                "-device", "ipmi-bmc-extern,id=bmc0,chardev=ipmi0",
                "-device", "isa-ipmi-kcs,bmc=bmc0");
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "ipmi_sim " + address + " (" + mac + ")";
    }
}
