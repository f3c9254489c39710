package io.metalboot.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.appliance.systemd.NotifySocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appliance process as systemd runs it ({@code Type=notify}, {@code ExecReload=kill -HUP
 * $MAINPID}): its real main as a child JVM, NOTIFY_SOCKET naming a socket this test bound. READY=1
 * comes once it serves; SIGHUP reloads the file (RELOADING=1, then READY=1 with the outcome) in the
 * same process; SIGTERM says STOPPING=1.
 */
class SystemdServiceTest {
    private static final String MAC = "52:54:00:5d:11:01";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void readyOnceServingReloadOnSighupStoppingOnSigterm(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("metalboot.yaml");
        Files.writeString(config, InProcessAppliance.loopbackConfig(dir));
        try (NotifySocket systemd = NotifySocket.bind(dir.resolve("notify").toString());
                ApplianceProcess appliance = ApplianceProcess.start(config, dir.resolve("appliance.log"),
                        Map.of("NOTIFY_SOCKET", systemd.name()))) {
            String ready = systemd.receive();
            // Whatever the appliance had done when systemd heard READY=1 is in the log by now.
            String log = appliance.log();
            assertTrue(log.contains("metalboot started"), "READY=1 only after the started line:\n" + log);
            String boot = "http://127.0.0.1:" + ApplianceProcess.port(ApplianceProcess.BOOT_LISTENING, log);
            assertEquals(200, get(boot + "/readyz").statusCode());
            assertEquals("READY=1\nSTATUS=serving (config: " + config + ")\n", ready);
            String script = boot + "/boot/machine.ipxe?mac=" + MAC;
            String before = get(script).body();
            assertTrue(before.contains("(profile default)") && !before.contains("reloaded-args"), before);

            // The operator adds a profile for the machine, and changes a key a reload cannot apply.
            Files.writeString(config, InProcessAppliance.merged(InProcessAppliance.loopbackConfig(dir), """
                    tftp: {port: 6969}
                    boot:
                      profiles: [{name: reloaded, mac: "%s", args: "console=ttyS1,115200 reloaded-args"}]
                    """.formatted(MAC)));
            hangUp(appliance.process());
            assertTrue(systemd.receive().startsWith("RELOADING=1\nSTATUS=reloading " + config + "\n"));
            assertEquals("READY=1\nSTATUS=serving; reloaded: machines.known, boot.profiles, boot.templates; "
                    + "needs a restart: tftp.port\n", systemd.receive());
            String after = get(script).body();
            assertTrue(after.contains("(profile reloaded)") && after.contains("console=ttyS1,115200 reloaded-args"),
                    after);
            assertTrue(appliance.process().isAlive(), "the same process, pid " + appliance.process().pid());
            log = appliance.log();
            assertTrue(log.contains(" WARN metalboot: reload: not applied, these need a restart: tftp.port\n"), log);
            assertTrue(log.contains(" INFO metalboot: reloaded: machines.known (machines: 0), boot.profiles "
                    + "(profiles: 1, and boot.agent), boot.templates (embedded)\n"), log);

            // A broken file: the error as at start, and everything stays as it was.
            Files.writeString(config, "dhcp: {port: 70000}\n");
            hangUp(appliance.process());
            assertTrue(systemd.receive().startsWith("RELOADING=1\n"));
            String failed = systemd.receive();
            assertTrue(failed.startsWith("READY=1\nSTATUS=reload failed, nothing changed: config error: " + config
                    + ":1:"), failed);
            assertTrue(failed.endsWith(": dhcp.port: must be a port number 1..65535, not 70000\n"), failed);
            log = appliance.log();
            assertTrue(log.contains(" ERROR metalboot: config error: " + config + ":1:"), log);
            assertTrue(log.contains(": dhcp.port: must be a port number 1..65535, not 70000 (reload failed: nothing "
                    + "changed)\n"), log);
            assertTrue(get(script).body().contains("console=ttyS1,115200 reloaded-args"), "still the reloaded profile");

            appliance.process().destroy(); // SIGTERM, as systemctl stop
            assertTrue(systemd.receive().startsWith("STOPPING=1\n"));
            assertTrue(appliance.process().waitFor(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void notifiesAnAbstractSocket(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("metalboot.yaml");
        Files.writeString(config, InProcessAppliance.loopbackConfig(dir));
        try (NotifySocket systemd = NotifySocket.bind("@metalboot-test-" + ProcessHandle.current().pid() + "-"
                        + dir.getFileName());
                ApplianceProcess appliance = ApplianceProcess.start(config, dir.resolve("appliance.log"),
                        Map.of("NOTIFY_SOCKET", systemd.name()))) {
            assertEquals("READY=1\nSTATUS=serving (config: " + config + ")\n", systemd.receive());
            appliance.process().destroy();
            assertTrue(systemd.receive().startsWith("STOPPING=1\n"));
            assertTrue(appliance.process().waitFor(60, TimeUnit.SECONDS));
        }
    }

    /** What systemctl reload does here: ExecReload=kill -HUP $MAINPID. */
    private static void hangUp(Process appliance) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(appliance.pid())).inheritIO().start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -HUP");
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
