package io.metalboot.appliance.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.config.ConfigException;
import io.metalboot.appliance.config.ConfigLoader;
import io.metalboot.appliance.tftp.server.TftpSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tftp section of the config file: defaults, overlay, errors with line and key, settings. */
class TftpConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDocumentedOnes() throws Exception {
        ApplianceConfig.Tftp tftp = ConfigLoader.defaults().config().tftp();
        assertEquals(new ApplianceConfig.Tftp(true, null, 69, "/usr/lib/ipxe", Map.of(), 1468, 64, 1000, 5, 4096, 64),
                tftp);
    }

    @Test
    void aFileSetsTftpKeysAndTheSettingsFollow() throws Exception {
        String yaml = """
                tftp:
                  port: 6969
                  root: %s
                  aliases:
                    autoexec.ipxe: snponly.efi
                    "pxelinux.cfg/": boot.ipxe
                  max-block-size: 1024
                  retransmit-timeout-ms: 250
                """.formatted(dir);
        ApplianceConfig config = ConfigLoader.load(yaml, "test.yaml").config();
        TftpSettings settings = TftpService.settings(config);
        assertEquals(6969, settings.port());
        assertTrue(settings.bindAddress().isAnyLocalAddress());
        assertEquals(dir, settings.root());
        assertEquals(Map.of("autoexec.ipxe", "snponly.efi", "pxelinux.cfg/", "boot.ipxe"), settings.aliases());
        assertEquals(1024, settings.maxBlockSize());
        assertEquals(64, settings.maxWindowSize(), "a default kept");
        assertEquals(Duration.ofMillis(250), settings.retransmitTimeout());
    }

    @Test
    void badValuesNameTheLineAndKey() {
        String yaml = "log-level: info\ntftp:\n  max-block-size: 70000\n";
        ConfigLoader.ConfigLoadException error = assertThrows(ConfigLoader.ConfigLoadException.class,
                () -> ConfigLoader.load(yaml, "bad.yaml"));
        assertEquals("bad.yaml:3:3: tftp.max-block-size: must be 8..65464, not 70000", error.getMessage());
        assertThrows(ConfigLoader.ConfigLoadException.class,
                () -> ConfigLoader.load("tftp:\n  port: 0\n", "bad.yaml"));
        assertThrows(ConfigLoader.ConfigLoadException.class,
                () -> ConfigLoader.load("tftp:\n  aliases:\n    x: ''\n", "bad.yaml"));
    }

    @Test
    void aMissingRootOrInterfaceIsAConfigError() throws Exception {
        ApplianceConfig noRoot = ConfigLoader.load("tftp:\n  root: " + dir.resolve("absent") + "\n", "t.yaml").config();
        assertEquals("tftp.root", assertThrows(ConfigException.class, () -> TftpService.settings(noRoot)).key());
        ApplianceConfig noNic = ConfigLoader.load("tftp:\n  root: " + dir + "\n  interface: nosuchnic0\n", "t.yaml")
                .config();
        assertEquals("tftp.interface", assertThrows(ConfigException.class, () -> TftpService.settings(noNic)).key());
    }
}
