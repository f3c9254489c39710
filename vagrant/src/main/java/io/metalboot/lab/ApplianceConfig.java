package io.metalboot.lab;

/**
 * The few keys of the appliance's YAML config a scenario sets; everything else keeps the
 * appliance's defaults (it advertises the IPv4 of {@code dhcp.interface}).
 */
record ApplianceConfig(String logLevel, String dhcpInterface, DhcpMode mode) {

    static ApplianceConfig debug(String dhcpInterface, DhcpMode mode) {
        return new ApplianceConfig("debug", dhcpInterface, mode);
    }

    String yaml() {
        return """
                log-level: %s
                dhcp:
                  interface: %s
                  mode: %s
                """.formatted(logLevel, dhcpInterface, mode.configValue());
    }
}
