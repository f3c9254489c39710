package io.metalboot.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BmcLanReader} against ipmitool 1.8.19's outputs from openipmi's ipmi_sim as the lab's BMC
 * (src/test/fixtures/ipmitool: {@code NAME.stdout}, {@code NAME.stderr}, {@code NAME.rc}; how they
 * were captured is in that directory's README.md).
 */
class BmcLanReaderTest {
    @TempDir
    Path root;

    /** Answers as the lab's ipmi_sim did: channel 1 is its LAN channel, every other is invalid. */
    private final List<List<String>> calls = new ArrayList<>();

    private Ipmitool.Run recorded(String name) {
        Path dir = Fixtures.directory().resolve("ipmitool");
        try {
            return new Ipmitool.Exited(Integer.parseInt(Files.readString(dir.resolve(name + ".rc")).strip()),
                    Files.readString(dir.resolve(name + ".stdout")), Files.readString(dir.resolve(name + ".stderr")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Ipmitool labBmc() {
        return args -> {
            calls.add(args);
            String command = String.join(" ", args.subList(2, args.size()));
            return switch (command) {
                case "lan print 1" -> recorded("lan-print-1");
                case "lan6 print 1" -> recorded("lan6-print-1");
                default -> recorded(args.get(2).equals("lan") ? "lan-print-2" : "lan6-print-1-enables");
            };
        };
    }

    private void ipmiDevice(String path) throws IOException {
        Path device = root.resolve(path);
        Files.createDirectories(device.getParent());
        Files.writeString(device, "");
    }

    @Test
    void theLabBmcsAddressAndMacAreWhatIpmiSimIsConfiguredWith() throws IOException {
        ipmiDevice("dev/ipmi0");
        BmcAddresses addresses = new BmcLanReader(root, labBmc()).read();
        // vagrant/ipmi/lan-parameters.sh
        assertEquals(new BmcAddresses("192.0.2.77", null, "52:54:00:be:ef:01"), addresses);
        // No IPv6 on channel 1 (ipmi_sim has no IPv6 parameters), so every channel is asked for it.
        assertEquals(List.of("-I", "open", "lan", "print", "1"), calls.get(0));
        assertEquals(List.of("-I", "open", "lan6", "print", "1"), calls.get(1));
        assertEquals(List.of("-I", "open", "lan", "print", "11"), calls.get(calls.size() - 1));
        assertEquals(12, calls.size());
    }

    @Test
    void devIpmiAndDevIpmidevCountAsDevices() throws IOException {
        ipmiDevice("dev/ipmi/0");
        assertEquals("192.0.2.77", new BmcLanReader(root, labBmc()).read().address());
        Path other = Files.createTempDirectory(root, "other");
        Files.createDirectories(other.resolve("dev/ipmidev"));
        Files.writeString(other.resolve("dev/ipmidev/0"), "");
        assertEquals("192.0.2.77", new BmcLanReader(other, labBmc()).read().address());
    }

    @Test
    void noDeviceNoCallsNoFields() throws IOException {
        Files.createDirectories(root.resolve("dev/ipmi")); // an empty directory is no device
        assertEquals(BmcAddresses.NONE, new BmcLanReader(root, labBmc()).read());
        assertEquals(BmcAddresses.NONE, new BmcLanReader(root.resolve("absent"), labBmc()).read());
        assertEquals(List.of(), calls);
    }

    @Test
    void aTimeoutEndsTheAskingWithoutAnError() throws IOException {
        ipmiDevice("dev/ipmi0");
        Ipmitool hung = args -> {
            calls.add(args);
            return new Ipmitool.TimedOut("ipmitool " + String.join(" ", args));
        };
        assertEquals(BmcAddresses.NONE, new BmcLanReader(root, hung).read());
        assertEquals(1, calls.size());
        Ipmitool missing = args -> new Ipmitool.NotStarted("ipmitool: not found");
        assertEquals(BmcAddresses.NONE, new BmcLanReader(root, missing).read());
    }

    @Test
    void unsetAddressesAreNull() {
        String unset = recorded("lan-print-1") instanceof Ipmitool.Exited e
                ? e.stdout().replace("192.0.2.77", "0.0.0.0").replace("52:54:00:be:ef:01", "00:00:00:00:00:00") : "";
        assertNull(BmcLanReader.configuredV4(unset));
        assertNull(BmcLanReader.configuredMac(unset));
        assertNull(BmcLanReader.configuredV6(""));
        assertNull(BmcLanReader.configuredV6(null));
    }

    @Test
    void aMacIsReportedOnlyForAChannelWithAnAddress() throws IOException {
        ipmiDevice("dev/ipmi0");
        Ipmitool unconfigured = args -> {
            Ipmitool.Run run = labBmc().run(args);
            return run instanceof Ipmitool.Exited e && e.status() == 0 ? new Ipmitool.Exited(0,
                    e.stdout().replace("192.0.2.77", "0.0.0.0"), e.stderr()) : run;
        };
        assertEquals(BmcAddresses.NONE, new BmcLanReader(root, unconfigured).read());
    }

    /**
     * ipmitool's lan6 print sections, written as its lib/ipmi_lan6.c prints them (ipmi_sim has no
     * IPv6 parameters to capture): unset ({@code ::}), link-local and inactive addresses are skipped.
     */
    @Test
    void theFirstActiveGlobalIpv6AddressWithoutItsPrefix() {
        String lan6 = """
                IPv6/IPv4 Support:
                    IPv6 only: no
                    IPv6 and IPv4: yes
                IPv6/IPv4 Addressing Enables: both
                IPv6 Static Address 0:
                    Enabled:        yes
                    Address:        ::/255
                    Status:         disabled
                IPv6 Static Address 1:
                    Enabled:        yes
                    Address:        2001:db8::99/64
                    Status:         disabled
                IPv6 Dynamic Address 0:
                    Source/Type:    SLAAC
                    Address:        fe80::5054:ff:febe:ef01/64
                    Status:         active
                IPv6 Dynamic Address 1:
                    Source/Type:    SLAAC
                    Address:        2001:DB8::5054:ff:febe:ef01/64
                    Status:         active
                IPv6 Router Address 0:
                    Address:        2001:db8::1
                """;
        assertEquals("2001:db8::5054:ff:febe:ef01", BmcLanReader.configuredV6(lan6));
    }
}
