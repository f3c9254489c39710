package io.metalboot.appliance.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.metalboot.appliance.config.ConfigLoader;
import org.junit.jupiter.api.Test;

class ProxyDhcpServiceTest {
    @Test
    void theScriptUrlFollowsBootBaseUrlUnlessSetItself() throws Exception {
        assertEquals("http://{server}:{http-port}/boot.ipxe?mac={mac}",
                ProxyDhcpService.ipxeScriptUrl(ConfigLoader.defaults().config()), "the embedded default");
        assertEquals("https://boot.example:8443/metalboot/boot.ipxe?mac={mac}",
                ProxyDhcpService.ipxeScriptUrl(ConfigLoader.load("""
                        boot: {base-url: "https://boot.example:8443/metalboot/"}
                        """, "moved.yaml").config()), "one edit moves both");
        assertEquals("http://{server}:8081/chain.ipxe?mac={mac}&arch={arch}",
                ProxyDhcpService.ipxeScriptUrl(ConfigLoader.load("""
                        boot: {base-url: "https://boot.example:8443"}
                        dhcp: {ipxe-script-url: "http://{server}:8081/chain.ipxe?mac={mac}&arch={arch}"}
                        """, "own.yaml").config()), "set explicitly, it wins");
    }
}
