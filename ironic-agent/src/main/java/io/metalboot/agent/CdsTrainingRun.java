package io.metalboot.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.agent.boot.ModuleIndex;
import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.front.MetalbootFront;
import io.metalboot.agent.inventory.InventoryCollector;
import io.metalboot.agent.inventory.InventoryJson;
import io.metalboot.agent.inventory.lldp.PacketSocketListener;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.agent.AgentProtocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The run the ramdisk's CDS class list is recorded from ({@code build-ramdisk.sh --write-class-list}):
 * the agent's own code paths, harmless on the build host, where it runs as root in the ramdisk's
 * root with no {@code /sys}. It reads the ramdisk kernel's module index (loading nothing), parses a
 * command line, collects an inventory of whatever is there,
 * and goes through register, inspect, report and power-off against a canned appliance on a
 * loopback port of its own, with a power control that does nothing. Classes it loads are the
 * ones the archive holds; a class it misses still loads at boot, only slower.
 */
public final class CdsTrainingRun {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:00:00:01");

    private CdsTrainingRun() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream console = System.out;
        console.println("cds-training: for " + AgentMain.class.getName()); // the main class itself is archived too
        KernelCommandLine cmdline = KernelCommandLine.parse(
                "console=ttyS0 metalboot.url=http://127.0.0.1:1 metalboot.token=training BOOTIF=01-52-54-00-00-00-01");
        console.println("cds-training: " + cmdline + " (boot NIC " + cmdline.bootMac().orElseThrow() + ")");
        // The module index of the ramdisk's own kernel, resolved but never loaded (this is the build host).
        try (var releases = java.nio.file.Files.list(java.nio.file.Path.of("/lib/modules"))) {
            for (var release : releases.toList()) {
                ModuleIndex index = ModuleIndex.read(release);
                console.println("cds-training: " + index.moduleCount() + " modules in " + release + "; virtio-net needs "
                        + index.resolve("virtio:d00000001v00001AF4"));
            }
        } catch (java.io.IOException e) {
            console.println("cds-training: no module index: " + e.getMessage());
        }
        // The LLDP capture's classes (jnr-ffi, jffi): a short listen on loopback, where no LLDP comes
        // and nothing is sent; a failure (no native library here) only leaves them out of the list.
        console.println("cds-training: LLDP on lo: " + new PacketSocketListener(Duration.ofMillis(200)).listen(List.of("lo")).size()
                + " frames");
        String inventory = InventoryJson.write(InventoryCollector.ofThisMachine().collect(MAC));
        InventoryJson.read(inventory);
        try (CannedAppliance appliance = new CannedAppliance()) {
            Thread server = Thread.ofVirtual().start(appliance::serve);
            AgentCore core = new AgentCore(() -> inventory, new AgentCore.PowerControl() {
                @Override
                public void powerOff() {
                    // the training run powers nothing off
                }

                @Override
                public void reboot() {
                    // nor reboots anything
                }
            });
            MetalbootFront front = new MetalbootFront("http://127.0.0.1:" + appliance.port(), MAC, core, console);
            front.register("training", 1);
            front.serve();
            server.interrupt();
        }
        console.println("cds-training: done");
    }

    /** Answers register, then inspect, then power-off, over plain HTTP/1.1, one request per connection. */
    private static final class CannedAppliance implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        private final ObjectMapper json = JsonMapper.builder().build();
        private final Deque<String> actions = new ArrayDeque<>(List.of("inspect", "power-off"));

        CannedAppliance() throws IOException {
        }

        int port() {
            return socket.getLocalPort();
        }

        void serve() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    answer(connection);
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void answer(Socket connection) throws IOException {
            BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
            String requestLine = in.readLine();
            int length = 0;
            for (String header; (header = in.readLine()) != null && !header.isEmpty(); ) {
                if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(header.substring(15).strip());
                }
            }
            for (long left = length; left > 0; ) { // ISO-8859-1: a char per byte
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    break;
                }
                left -= skipped;
            }
            String path = requestLine == null ? "" : requestLine.split(" ")[1];
            byte[] body = switch (path) {
                case AgentProtocol.REGISTER -> json.writeValueAsBytes(new AgentProtocol.RegisterResponse("training", 1));
                case AgentProtocol.HEARTBEAT -> json.writeValueAsBytes(new AgentProtocol.HeartbeatResponse(
                        "a" + actions.size(), actions.isEmpty() ? "wait" : actions.pop(), 1, null));
                default -> new byte[0];
            };
            OutputStream out = connection.getOutputStream();
            out.write(("HTTP/1.1 " + (body.length == 0 ? "204 No Content" : "200 OK") + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
