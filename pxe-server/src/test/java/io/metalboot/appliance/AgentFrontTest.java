package io.metalboot.appliance;

import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.front.MetalbootFront;
import io.metalboot.machine.MacAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's own protocol client ({@link MetalbootFront}, from ironic-agent) against the real
 * appliance over loopback: registered with the token from the machine's script, asked for the
 * inventory, then powered off by an operator; and refused when its token is used again. The
 * console it prints to never shows the token or the credential.
 */
class AgentFrontTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:a6:f0:01");
    private static final Pattern TOKEN = Pattern.compile("metalboot\\.token=(\\S+)");

    private static String bootToken(InProcessAppliance appliance) throws Exception {
        Matcher token = TOKEN.matcher(appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC), 200));
        assertTrue(token.find());
        return token.group(1);
    }

    @Test
    void theAgentRegistersSendsItsInventoryAndPowersOffWhenAsked(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "agents: {heartbeat-seconds: 1, lost-after-seconds: 30}\n")) {
            String token = bootToken(appliance);
            CountDownLatch poweredOff = new CountDownLatch(1);
            AgentCore core = new AgentCore(() -> "{\"hostname\":\"node-7\",\"boot\":{\"current_boot_mode\":\"bios\"}}",
                    new AgentCore.PowerControl() {
                        @Override
                        public void powerOff() {
                            poweredOff.countDown();
                        }

                        @Override
                        public void reboot() {
                            throw new AssertionError("not asked to reboot");
                        }
                    });
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            MetalbootFront front = new MetalbootFront(appliance.bootBase(), MAC, core,
                    new PrintStream(console, true, StandardCharsets.UTF_8));
            front.register(token, 1);
            Thread serving = Thread.ofVirtual().start(() -> {
                try {
                    front.serve();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            String machine = appliance.operatorBase() + "/api/v1/machines/" + MAC;
            String inventory = awaitInventory(appliance, machine);
            assertEquals("{\"hostname\":\"node-7\",\"boot\":{\"current_boot_mode\":\"bios\"}}", inventory);
            appliance.operator(get(machine + "/actions").POST(HttpRequest.BodyPublishers.ofString("{\"kind\": \"power-off\"}")),
                    200);
            assertTrue(poweredOff.await(30, TimeUnit.SECONDS), "the agent powered off when asked");
            serving.join(java.time.Duration.ofSeconds(30));
            assertFalse(serving.isAlive(), "serve() returns after powering off");
            assertTrue(appliance.operator(get(machine), 200).contains("\"state\":\"available\""));

            String printed = console.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("metalboot-agent: inventory sent"), printed);
            assertFalse(printed.contains(token), "the token never reaches the console");

            MetalbootFront again = new MetalbootFront(appliance.bootBase(), MAC, core, new PrintStream(console, true,
                    StandardCharsets.UTF_8));
            assertThrows(MetalbootFront.RefusedException.class, () -> again.register(token, 1), "a used token");
        }
    }

    @Test
    void anAgentThatStopsTellsTheApplianceWhyAndTheMachineShowsIt(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            AgentCore core = new AgentCore(() -> "{}", new AgentCore.PowerControl() {
                @Override
                public void powerOff() {
                    throw new AssertionError("not asked to power off");
                }

                @Override
                public void reboot() {
                    throw new AssertionError("not asked to reboot");
                }
            });
            PrintStream console = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            MetalbootFront front = new MetalbootFront(appliance.bootBase(), MAC, core, console);
            assertFalse(front.reportFatal("before registering"), "nobody to tell before registration");
            front.register(bootToken(appliance), 1);
            assertTrue(front.reportFatal("no disk answers"), "the appliance took the report");
            String machine = appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + MAC), 200);
            assertTrue(machine.contains("\"state\":\"failed\""), machine);
            assertTrue(machine.contains("agent stopped") && machine.contains("no disk answers"), machine);
        }
    }

    /** Polls the operator API until the agent's inventory is there (its heartbeat is 1 s). */
    private static String awaitInventory(InProcessAppliance appliance, String machine) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            HttpRequest.Builder request = get(machine + "/inventory").header("Authorization", "Bearer " + appliance.token());
            var reply = java.net.http.HttpClient.newHttpClient().send(request.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (reply.statusCode() == 200) {
                return reply.body();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the agent sent no inventory within 30 s");
    }
}
