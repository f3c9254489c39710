package io.metalboot.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The provisioning segment's switch speaking LLDP: Debian's lldpd in the hub namespace on br0
 * (the bridge itself, {@code -I br0}), sending every second as {@code lab-switch}. br0's
 * {@code group_fwd_mask} lets LLDP's link-local group address (01:80:c2:00:00:0e, bit 14) through
 * the bridge, as a switch that forwards LLDP would. lldpd's files stay in the scenario's directory
 * and a private /run (its control socket given with {@code -u}), so it never meets a host lldpd.
 */
final class LldpSwitch implements AutoCloseable {
    static final String SYSTEM_NAME = "lab-switch";
    private static final Duration READY = Duration.ofSeconds(20);

    private final ChildProcess lldpd;
    private final Namespace hub;
    private final Path control;

    private LldpSwitch(ChildProcess lldpd, Namespace hub, Path control) {
        this.lldpd = lldpd;
        this.hub = hub;
        this.control = control;
    }

    static LldpSwitch start(LabNetwork network) {
        Namespace hub = network.hub();
        String bridge = LabNetwork.PROVISIONING.bridge();
        hub.ip("link", "set", bridge, "type", "bridge", "group_fwd_mask", "0x4000");
        Path dir = network.workDir().resolve("lldpd");
        Path config = dir.resolve("lldpd.conf");
        try {
            Files.createDirectories(dir);
            // lldpd runs lldpcli on this file unprivileged (user _lldpd): readable by all.
            Files.writeString(config, "configure system hostname " + SYSTEM_NAME + "\nconfigure lldp tx-interval 1\n",
                    StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new LabException("cannot write " + config, e);
        }
        Path control = dir.resolve("lldpd.ctl");
        List<String> argv = hub.exec(List.of("sh", "-c", "mount -t tmpfs tmpfs /run && exec " + Tool.LLDPD.path()
                + " -d -I " + bridge + " -u " + control + " -O " + config));
        var lldpSwitch = network.adopt(new LldpSwitch(ChildProcess.start("lldpd", argv, dir.resolve("lldpd.log")), hub, control));
        Deadline deadline = Deadline.in(READY);
        while (!lldpSwitch.show("chassis").contains(SYSTEM_NAME)) {
            if (deadline.remaining().isZero() || !lldpSwitch.lldpd.isAlive()) {
                throw new LabException("lldpd did not come up as " + SYSTEM_NAME + ":\n" + lldpSwitch.lldpd.lines().tail(15));
            }
            Deadline.pause(Duration.ofMillis(200), "waiting for lldpd");
        }
        return lldpSwitch;
    }

    /** The chassis id lldpd sends (br0's MAC, lowercase). */
    String chassisId() {
        return value(show("chassis"), "\"id\"\\s*:\\s*\\{[^}]*\"value\"\\s*:\\s*\"([^\"]+)\"");
    }

    /** The port id lldpd sends on br0. */
    String portId() {
        return value(show("interfaces"), "\"port\"\\s*:\\s*\\{\\s*\"id\"\\s*:\\s*\\{[^}]*\"value\"\\s*:\\s*\"([^\"]+)\"");
    }

    private String show(String what) {
        List<String> argv = new ArrayList<>(List.of(Tool.LLDPCLI.path(), "-u", control.toString(), "-f", "json", "show", what));
        try {
            return Command.run(Duration.ofSeconds(10), hub.exec(argv));
        } catch (LabException e) {
            return ""; // not up yet
        }
    }

    private String value(String json, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(json);
        if (!matcher.find()) {
            throw new LabException("lldpcli said no " + pattern + " in: " + json);
        }
        return matcher.group(1).toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void close() {
        lldpd.close();
    }

    @Override
    public String toString() {
        return "lldpd on " + LabNetwork.PROVISIONING.bridge();
    }
}
