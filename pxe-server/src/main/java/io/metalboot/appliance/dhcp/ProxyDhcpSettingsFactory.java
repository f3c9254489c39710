package io.metalboot.appliance.dhcp;

import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.dhcp.proxy.BootFilePolicy;
import io.metalboot.dhcp.proxy.ProxyDhcpSettings;
import io.metalboot.dhcp.proxy.ProxyMode;
import java.net.Inet4Address;
import java.util.Locale;

/** Turns the appliance config into what the ProxyDHCP needs. */
public final class ProxyDhcpSettingsFactory {
    private ProxyDhcpSettingsFactory() {
    }

    /** @param server the advertised address ({@link AdvertisedAddress#resolve}) */
    public static ProxyDhcpSettings from(ApplianceConfig config, Inet4Address server) {
        ApplianceConfig.Dhcp dhcp = config.dhcp();
        ApplianceConfig.BootFiles files = dhcp.bootFiles();
        String interfaceName = dhcp.interfaceName() != null ? dhcp.interfaceName()
                : AdvertisedAddress.interfaceOwning(server).orElse(null);
        return new ProxyDhcpSettings(
                server,
                interfaceName,
                dhcp.port(),
                dhcp.pxePort(),
                ProxyMode.valueOf(dhcp.mode().toUpperCase(Locale.ROOT)),
                new BootFilePolicy(files.bios(), files.uefiX64(), files.uefiIa32(), files.uefiArm64(),
                        files.httpX64(), files.httpArm64()),
                dhcp.ipxeScriptUrl(),
                config.http().port());
    }
}
