package io.metalboot.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.metalboot.machine.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkSetupTest {
    private static void nic(Path net, String name, String mac, int type) throws Exception {
        Path dir = Files.createDirectories(net.resolve(name));
        Files.writeString(dir.resolve("address"), mac + "\n");
        Files.writeString(dir.resolve("type"), type + "\n");
    }

    @Test
    void theBootNicFirstThenTheOtherEthernetNicsByName(@TempDir Path net) throws Exception {
        nic(net, "lo", "00:00:00:00:00:00", 772);
        nic(net, "eth0", "52:54:00:12:00:01", 1);
        nic(net, "eth1", "52:54:00:12:00:02", 1);
        nic(net, "eth2", "52:54:00:12:00:03", 1);
        NetworkSetup setup = new NetworkSetup(net, List.of("udhcpc"), line -> { });
        assertEquals(List.of("eth1", "eth0", "eth2"), setup.candidates(Optional.of(MacAddress.parse("52:54:00:12:00:02"))));
        assertEquals(List.of("eth0", "eth1", "eth2"), setup.candidates(Optional.of(MacAddress.parse("52:54:00:99:99:99"))),
                "a boot MAC that is not here: every NIC, by name");
    }
}
