package io.metalboot.appliance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    @Test
    void embeddedDefaultsWork() throws Exception {
        ApplianceConfig config = ConfigLoader.defaults().config();
        assertEquals("info", config.logLevel());
        assertNull(config.serverAddress());
        assertEquals(8080, config.http().port());
        assertEquals("/var/lib/metalboot", config.stateDir());
        assertFalse(config.machines().knownOnly());
        assertEquals("http://{server}:{http-port}", config.boot().baseUrl());
        assertEquals("exit 1", config.boot().localBoot().efi());
        assertEquals(67, config.dhcp().port());
        assertEquals(4011, config.dhcp().pxePort());
        assertEquals("offer", config.dhcp().mode());
        assertEquals("undionly.kpxe", config.dhcp().bootFiles().bios());
        assertEquals("snponly.efi", config.dhcp().bootFiles().uefiX64());
        assertNull(config.dhcp().bootFiles().uefiArm64());
        assertNull(config.dhcp().ipxeScriptUrl(), "derived from boot.base-url (ProxyDhcpServiceTest)");
        assertEquals(300, config.boot().evidence().pxeWindowSeconds());
        assertEquals(List.of("pxe-dhcp", "neighbour"), config.boot().evidence().require());
        assertEquals(List.of(), config.boot().evidence().networks());
        assertEquals(1000, config.machines().maxUnregistered());
        assertEquals(1440, config.machines().unregisteredExpireMinutes());
    }

    @Test
    void aFileOverridesOnlyWhatItNames() throws Exception {
        ApplianceConfig config = ConfigLoader.load("""
                dhcp:
                  interface: eno1
                  mode: menu
                  boot-files:
                    uefi-arm64: arm64/snponly.efi
                  local-boot-only: ["52:54:00:00:00:01"]
                """, "test.yaml").config();
        assertEquals("eno1", config.dhcp().interfaceName());
        assertEquals("menu", config.dhcp().mode());
        assertEquals("arm64/snponly.efi", config.dhcp().bootFiles().uefiArm64());
        assertEquals("undionly.kpxe", config.dhcp().bootFiles().bios(), "siblings keep their defaults");
        assertEquals(List.of("52:54:00:00:00:01"), config.dhcp().localBootOnly());
        assertEquals(67, config.dhcp().port());
    }

    @Test
    void anEmptyFileMeansDefaults() throws Exception {
        assertEquals(ConfigLoader.defaults().config(), ConfigLoader.load("", "empty.yaml").config());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "out-of-range port   | 'http:\n  port: 80\ndhcp:\n  port: 70000\n'| 'bad.yaml:4:3: dhcp.port: must be a port number 1..65535, not 70000'",
        "misspelt key        | 'dhcp:\n  mode: offer\n  intreface: eth0\n'  | 'bad.yaml:3:3: dhcp.intreface: Unrecognized field \"intreface\"'",
        "wrong type          | 'dhcp:\n  enabled: maybe\n'                   | 'bad.yaml:2:3: dhcp.enabled: Cannot coerce String value (\"maybe\") to `boolean` value'",
        "unknown mode        | 'log-level: debug\ndhcp:\n  mode: pxe\n'     | 'bad.yaml:3:3: dhcp.mode: must be offer or menu, not ''pxe'''",
        "null where required | 'dhcp:\n  mode: null\n'                      | 'bad.yaml:2:3: dhcp.mode: must be set'",
        "not a MAC           | 'machines:\n  known: [52:54:00:00:00:01, x]\n' | 'bad.yaml:2:30: machines.known[1]: not a MAC address: ''x'''",
        "unknown placeholder | 'boot:\n  base-url: http://{host}\n'       | 'bad.yaml:2:3: boot.base-url: ''http://{host}'': unknown placeholder {host}'",
        "bad profile label   | 'boot:\n  profiles:\n  - {name: a, labels: {-x: y}}\n' | 'bad.yaml:3:24: boot.profiles[0].labels.-x: label key ''-x'''",
        "bad log level       | 'log-level: loud\n'                         | 'bad.yaml:1:1: log-level: must be info or debug'",
        "not a mapping       | '- a\n- b\n'                                | 'bad.yaml: the config must be a mapping of keys'",
        "broken YAML         | 'dhcp:\n  mode: [offer\n'                   | 'bad.yaml:2:15: not valid YAML'",
        "unknown evidence    | 'boot:\n  evidence:\n    require: [pxe-dhcp, arp]\n' | 'bad.yaml:3:25: boot.evidence.require[1]: unknown evidence ''arp''; known: [pxe-dhcp, neighbour]'",
        "bad evidence CIDR   | 'boot:\n  evidence:\n    networks:\n    - {cidr: 10.20.0.1/16, require: []}\n' | 'bad.yaml:4:8: boot.evidence.networks[0].cidr: host bits set for /16 in ''10.20.0.1/16'''",
        "not a CIDR          | 'boot:\n  evidence:\n    networks:\n    - {cidr: 10.20.0.0, require: []}\n' | 'bad.yaml:4:8: boot.evidence.networks[0].cidr: not a CIDR (ADDRESS/PREFIX): ''10.20.0.0'''",
        "network's evidence  | 'boot:\n  evidence:\n    networks:\n    - {cidr: 10.20.0.0/16, require: [dns]}\n' | 'bad.yaml:4:38: boot.evidence.networks[0].require[0]: unknown evidence ''dns'''",
        "zero window         | 'boot:\n  evidence:\n    pxe-window-seconds: 0\n' | 'bad.yaml:3:5: boot.evidence.pxe-window-seconds: must be 1..86400, not 0'",
        "negative cap        | 'machines:\n  max-unregistered: -1\n' | 'bad.yaml:2:3: machines.max-unregistered: must be 0..10000000, not -1'",
    })
    void errorsNameTheFileLineAndKey(String why, String yaml, String expectedStart) {
        ConfigLoader.ConfigLoadException error = assertThrows(ConfigLoader.ConfigLoadException.class,
                () -> ConfigLoader.load(yaml.replace("\\n", "\n"), "bad.yaml"), why);
        String message = error.getMessage();
        assertEquals(expectedStart, message.substring(0, Math.min(message.length(), expectedStart.length())),
                message);
    }

    @Test
    void aValueFoundUnusableLaterIsStillPlaced() throws Exception {
        ConfigLoader.LoadedConfig loaded = ConfigLoader.load("""
                log-level: info
                dhcp:
                  enabled: true
                  interface: no-such-nic0
                """, "later.yaml");
        // What only the host can tell (is there such an interface?) is found at start, not by the loader.
        ConfigException atStart = assertThrows(ConfigException.class,
                () -> InterfaceAddress.ipv4("dhcp.interface", loaded.config().dhcp().interfaceName(), ""));
        assertEquals("later.yaml:4:3: dhcp.interface: no network interface named 'no-such-nic0'",
                loaded.describe(atStart));
    }

    @Test
    void aMacIsCheckedByTheLoaderAndPlacedAtItsLine() {
        ConfigLoader.ConfigLoadException error = assertThrows(ConfigLoader.ConfigLoadException.class,
                () -> ConfigLoader.load("""
                        log-level: info
                        machines:
                          known:
                            - 52:54:00:00:00:01
                            - not-a-mac
                        """, "later.yaml"));
        assertEquals("later.yaml:5:7: machines.known[1]: not a MAC address: 'not-a-mac'", error.getMessage());
    }

    @Test
    void theImageCatalogIsReadAndItsErrorsNameTheEntrysKey() throws Exception {
        String sha = "sha256:" + "ab".repeat(32);
        ApplianceConfig config = ConfigLoader.load("""
                images:
                  cache-max-bytes: 1073741824
                  catalog:
                    - {name: ubuntu, url: "https://h.example/u.qcow2", format: qcow2, checksum: "%s", ca-bundle: /etc/ca.pem}
                    - {name: legacy, path: /srv/l.raw, checksum: "md5:%s", allow-md5: true}
                """.formatted(sha, "0".repeat(32)), "images.yaml").config();
        assertEquals(1073741824L, config.images().cacheMaxBytes());
        assertNull(config.images().cacheDir());
        assertEquals(86400, config.images().signedUrlMaxLifetimeSeconds());
        assertEquals(List.of("ubuntu", "legacy"), config.images().catalog().stream()
                .map(e -> e.image().name()).toList());
        assertEquals(io.metalboot.images.catalog.CatalogImage.DefinedBy.CONFIG,
                config.images().catalog().get(0).image().definedBy());
        for (String[] bad : new String[][] {
            {"- {name: a, url: \"http://h/a\", checksum: \"md5:" + "0".repeat(32) + "\"}",
                "images.catalog[0].checksum: md5 is refused unless allow-md5 is true"},
            {"- {name: a, url: \"http://h/a\", checksum: \"" + sha + "\", ca-bundle: /ca.pem}",
                "images.catalog[0].ca-bundle: only applies to an https URL"},
            {"- {name: a, path: rel.raw, checksum: \"" + sha + "\"}", "images.catalog[0].path: must be an absolute path"},
            {"- {name: a, path: /a.raw}", "images.catalog[0].checksum: must be set"},
            {"- {name: \"a/b\", path: /a.raw, checksum: \"" + sha + "\"}", "images.catalog[0].name: an image name"},
            {"- {name: a, path: /a.raw, format: vhd, checksum: \"" + sha + "\"}", "images.catalog[0].format: unknown"},
            {"- {name: a, path: /a.raw, checksum: \"" + sha + "\"}\n    - {name: a, path: /b.raw, checksum: \""
                + sha + "\"}", "images.catalog[1].name: image 'a' is defined twice"},
        }) {
            ConfigLoader.ConfigLoadException error = assertThrows(ConfigLoader.ConfigLoadException.class,
                    () -> ConfigLoader.load("images:\n  catalog:\n    " + bad[0] + "\n", "bad.yaml"), bad[0]);
            assertTrue(error.getMessage().startsWith("bad.yaml:") && error.getMessage().contains(bad[1]),
                    error.getMessage());
        }
    }
}
