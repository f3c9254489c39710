package io.metalboot.agent.front;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.metalboot.agent.core.AgentCore;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.agent.AgentProtocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An appliance that fails two heartbeats in a row (503, as a restarting proxy answers) does not
 * end the agent: the front tries again, says so on the console, and goes on with what the third
 * heartbeat tells it. A stand-in appliance on loopback (the JDK's HTTP server): the point is the
 * failures, which the real appliance does not make on demand.
 */
class HeartbeatRetryTest {
    @Test
    void twoFailedHeartbeatsAreTriedAgain() throws Exception {
        AtomicInteger heartbeats = new AtomicInteger();
        AtomicInteger powerOffs = new AtomicInteger();
        HttpServer appliance = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        appliance.createContext(AgentProtocol.REGISTER, exchange -> reply(exchange, 200,
                "{\"credential\":\"c-0123456789abcdef0123456789abcdef\",\"heartbeatSeconds\":1}"));
        appliance.createContext(AgentProtocol.HEARTBEAT, exchange -> {
            int n = heartbeats.incrementAndGet();
            if (n <= 2) {
                reply(exchange, 503, "");
            } else {
                reply(exchange, 200, "{\"actionId\":\"a1\",\"kind\":\"power-off\",\"heartbeatSeconds\":1}");
            }
        });
        appliance.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            AgentCore core = new AgentCore(() -> "{}", new AgentCore.PowerControl() {
                public void powerOff() {
                    powerOffs.incrementAndGet();
                }

                public void reboot() {
                }
            });
            MetalbootFront front = new MetalbootFront("http://127.0.0.1:" + appliance.getAddress().getPort(),
                    MacAddress.parse("52:54:00:12:34:56"), core, console);
            front.register("t-0123456789abcdef0123456789abcdef", 1);
            front.serve();
        } finally {
            appliance.stop(0);
        }
        String said = out.toString(StandardCharsets.UTF_8);
        assertEquals(2, said.split("heartbeat failed \\(heartbeat: HTTP 503\\)", -1).length - 1, said);
        assertEquals(1, powerOffs.get(), "the third heartbeat's action ran: " + said);
        assertTrue(heartbeats.get() >= 4, "the power-off was reported too: " + heartbeats.get());
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
