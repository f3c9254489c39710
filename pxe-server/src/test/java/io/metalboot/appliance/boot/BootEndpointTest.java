package io.metalboot.appliance.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class BootEndpointTest {
    @Test
    void aRememberedExpansionFollowsThePortOnceBound() throws Exception {
        BootEndpoint endpoint = new BootEndpoint((Inet4Address) InetAddress.getByName("10.0.0.2"), 0);
        String template = "http://{server}:{http-port}/assets/vmlinuz";
        assertEquals("http://10.0.0.2:0/assets/vmlinuz", endpoint.expand(template));
        assertEquals("http://10.0.0.2:0/assets/vmlinuz", endpoint.expand(template), "the same, remembered");
        endpoint.httpBound(18280);
        assertEquals("http://10.0.0.2:18280/assets/vmlinuz", endpoint.expand(template), "not the one remembered");
        for (int i = 0; i < 200; i++) { // more templates than it remembers: each still right
            assertEquals("http://10.0.0.2:18280/" + i, endpoint.expand("http://{server}:{http-port}/" + i));
        }
        assertEquals("http://10.0.0.2:18280/assets/vmlinuz", endpoint.expand(template));
    }
}
