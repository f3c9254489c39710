package io.metalboot.appliance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a reload compares and takes over: the changed keys, and the reloadable ones among them. */
class ChangedKeysTest {
    /** Every reloadable key changed, and some that are not. */
    private static final String CHANGED = """
            log-level: debug
            machines: {known: ["52:54:00:00:00:01"]}
            dhcp: {local-boot-only: ["52:54:00:00:00:02"], interface: eth1}
            tftp: {port: 6969}
            http: {mounts: {"/images/": /srv/images}}
            boot:
              agent: {args: "console=ttyS1"}
              profiles: [{name: rack7, serial: RACK7-01}]
              templates: /etc/metalboot/templates
            """;

    @Test
    void namesEachChangedKeyAsTheFileSpellsIt() throws Exception {
        ApplianceConfig running = ConfigLoader.defaults().config();
        ApplianceConfig file = ConfigLoader.load(CHANGED, "changed.yaml").config();

        assertEquals(List.of("log-level", "machines.known", "dhcp.interface", "dhcp.local-boot-only", "tftp.port",
                "http.mounts", "boot.agent.args", "boot.profiles", "boot.templates"),
                ChangedKeys.between(running, file), "in the config's order; a list or a map is one value");
        assertEquals(List.of(), ChangedKeys.between(file, ConfigLoader.load(CHANGED, "again.yaml").config()));
    }

    @Test
    void aReloadTakesOverTheReloadableKeysAndNothingElse() throws Exception {
        ApplianceConfig running = ConfigLoader.defaults().config();
        ApplianceConfig file = ConfigLoader.load(CHANGED, "changed.yaml").config();

        ApplianceConfig reloaded = running.withReloadable(file);

        List<String> taken = ChangedKeys.between(running, reloaded);
        assertEquals(List.of("machines.known", "dhcp.local-boot-only", "boot.agent.args", "boot.profiles",
                "boot.templates"), taken);
        assertTrue(taken.stream().allMatch(ApplianceConfig::reloadable), taken.toString());
        List<String> left = ChangedKeys.between(reloaded, file);
        assertEquals(List.of("log-level", "dhcp.interface", "tftp.port", "http.mounts"), left);
        assertFalse(left.stream().anyMatch(ApplianceConfig::reloadable), left.toString());
    }
}
