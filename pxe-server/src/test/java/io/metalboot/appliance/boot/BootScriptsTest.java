package io.metalboot.appliance.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.appliance.evidence.BootEvidence;
import io.metalboot.appliance.evidence.FixedNeighbourTable;
import io.metalboot.appliance.registry.InMemoryBootTokenStore;
import io.metalboot.appliance.registry.JournalMachineStore;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootScriptsTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:4d:42:01");
    private static final String UUID_TEXT = "11223344-5566-7788-99aa-bbccddeeff01";
    private static final BootProfile DEFAULT = new BootProfile("default", MachineSelector.ANY,
            "http://10.0.0.2:8080/assets/agent/vmlinuz", "http://10.0.0.2:8080/assets/agent/initrd.img",
            "console=ttyS0");
    private static final BootProfile RACK7 = new BootProfile("rack7", new MachineSelector(Optional.empty(),
            Optional.empty(), Optional.of("RACK7-01"), Map.of()), "http://10.0.0.2:8080/assets/r7/vmlinuz",
            "http://10.0.0.2:8080/assets/r7/initrd.img", "console=ttyS1");

    private static final java.net.InetAddress TRUSTED = java.net.InetAddress.getLoopbackAddress();

    @TempDir
    Path stateDir;
    private JournalMachineStore store;
    private MachineRegistry registry;

    @BeforeEach
    void open() throws IOException {
        store = JournalMachineStore.open(stateDir);
        registry = new MachineRegistry(store, new InMemoryBootTokenStore(), true, java.util.Set.of(), Duration.ofHours(1), Clock.systemUTC());
    }

    @AfterEach
    void close() throws IOException {
        store.close();
    }

    private BootScripts scripts(Optional<Path> templates) throws IOException {
        return new BootScripts(new BootSettings("http://10.0.0.2:8080", 5, "exit 1",
                "sanboot --no-describe --drive 0x80", List.of(RACK7, DEFAULT), templates), registry,
                new BootEndpoint((java.net.Inet4Address) java.net.InetAddress.getByName("10.0.0.2"), 8080),
                // Nothing required: these cases are about the scripts; BootEvidenceTest has the rules.
                new BootEvidence(Duration.ofMinutes(5), java.util.Set.of(), List.of(), FixedNeighbourTable.EMPTY,
                        Clock.systemUTC()));
    }

    private static BootRequest request(String platform, String serial) {
        return BootRequest.fromQuery(Map.of("mac", List.of("52:54:00:4D:42:01"), "uuid", List.of(UUID_TEXT),
                "serial", List.of(serial), "buildarch", List.of("x86_64"), "platform", List.of(platform)));
    }

    @Test
    void entryScriptChainsTheMachineScriptWithIpxesOwnVariables() throws IOException {
        String entry = scripts(Optional.empty()).entry();
        assertTrue(entry.startsWith("#!ipxe\n"));
        assertTrue(entry.contains("set metalboot http://10.0.0.2:8080\n"));
        assertTrue(entry.contains("chain --replace ${metalboot}/boot/machine.ipxe?mac=${mac}&uuid=${uuid}"
                + "&serial=${serial:uristring}&buildarch=${buildarch}&platform=${platform} ||"));
        assertTrue(entry.contains("iseq ${tries} 5 && goto giveup ||"));
        assertTrue(entry.contains("exit 1"), "gives up to the next boot device, never a prompt");
    }

    @Test
    void anUnknownMachineIsDiscoveredAndGetsTheAgentWithAFreshToken() throws IOException {
        BootScripts scripts = scripts(Optional.empty());
        String first = scripts.forMachine(request("efi", "SER-1"), TRUSTED);

        assertEquals(MachineState.DISCOVERED, registry.machine(MAC).orElseThrow().state());
        assertEquals(UUID.fromString(UUID_TEXT), registry.machine(MAC).orElseThrow().uuid().orElseThrow());
        assertEquals("SER-1", registry.machine(MAC).orElseThrow().serial().orElseThrow());
        assertTrue(first.contains("kernel http://10.0.0.2:8080/assets/agent/vmlinuz initrd=initrd.img quiet console=ttyS0 "
                + "metalboot.url=http://10.0.0.2:8080 metalboot.mac=52:54:00:4d:42:01 metalboot.token="));
        assertTrue(first.contains("initrd http://10.0.0.2:8080/assets/agent/initrd.img && boot ||"));
        String token = token(first);
        assertTrue(token.length() >= 43);
        assertTrue(registry.registerAgent(MAC, token).isPresent(), "the token in the script is the machine's");
        assertFalse(token(scripts.forMachine(request("efi", "SER-1"), TRUSTED)).equals(token), "each boot, a new token");
    }

    @Test
    void aProfileIsChosenBySelectorElseTheDefault() throws IOException {
        assertTrue(scripts(Optional.empty()).forMachine(request("pcbios", "RACK7-01"), TRUSTED)
                .contains("kernel http://10.0.0.2:8080/assets/r7/vmlinuz initrd=initrd.img quiet console=ttyS1 "));
        assertTrue(scripts(Optional.empty()).forMachine(request("pcbios", "RACK7-01"), TRUSTED).contains("(profile rack7)"));
    }

    @Test
    void aProvisionedMachineBootsItsDiskAndNeverTheAgent() throws IOException {
        BootScripts scripts = scripts(Optional.empty());
        scripts.forMachine(request("efi", "SER-1"), TRUSTED);
        registry.operatorSets(MAC, MachineState.PROVISIONED, Optional.of("installed"));

        String efi = scripts.forMachine(request("efi", "SER-1"), TRUSTED);
        String bios = scripts.forMachine(request("pcbios", "SER-1"), TRUSTED);

        assertEquals("#!ipxe\n# metalboot: 52:54:00:4d:42:01 is provisioned: boot from the local disk\nexit 1\nexit 1\n",
                efi);
        assertTrue(bios.contains("\nsanboot --no-describe --drive 0x80\n"));
        for (String script : List.of(efi, bios)) {
            assertFalse(script.contains("kernel"));
            assertFalse(script.contains("token"));
        }
    }

    @Test
    void knownMachinesOnlyLeavesAnUnknownOneToItsNextBootDevice() throws IOException {
        registry = new MachineRegistry(store, new InMemoryBootTokenStore(), false, java.util.Set.of(), Duration.ofHours(1), Clock.systemUTC());
        String script = scripts(Optional.empty()).forMachine(request("efi", "SER-1"), TRUSTED);
        assertTrue(script.contains("not a known machine"));
        assertTrue(script.endsWith("exit 1\n"));
        assertTrue(registry.machines().isEmpty());
    }

    @Test
    void operatorTemplatesOverrideAndTyposFailAtStart(@TempDir Path templates) throws IOException {
        Files.writeString(templates.resolve("local.ipxe"), "#!ipxe\necho {{mac}} stays local\n{{local-boot}}\n");
        BootScripts scripts = scripts(Optional.of(templates));
        scripts.forMachine(request("efi", "SER-1"), TRUSTED);
        registry.operatorSets(MAC, MachineState.PROVISIONED, Optional.empty());
        assertEquals("#!ipxe\necho 52:54:00:4d:42:01 stays local\nexit 1\n", scripts.forMachine(request("efi", "SER-1"), TRUSTED));

        Files.writeString(templates.resolve("agent.ipxe"), "#!ipxe\nkernel {{kernal}}\n");
        IOException typo = assertThrows(IOException.class, () -> scripts(Optional.of(templates)));
        assertTrue(typo.getMessage().contains("[kernal]"), typo.getMessage());
        Files.writeString(templates.resolve("agent.ipxe"), "kernel {{kernel}}\n");
        assertThrows(IOException.class, () -> scripts(Optional.of(templates)));
    }

    @Test
    void badRequestsAreRefusedByName() {
        IllegalArgumentException noMac = assertThrows(IllegalArgumentException.class,
                () -> BootRequest.fromQuery(Map.of()));
        assertTrue(noMac.getMessage().contains("mac"));
        IllegalArgumentException badUuid = assertThrows(IllegalArgumentException.class,
                () -> BootRequest.fromQuery(Map.of("mac", List.of("52:54:00:00:00:01"), "uuid", List.of("x"))));
        assertTrue(badUuid.getMessage().contains("uuid"));
        assertTrue(BootRequest.fromQuery(Map.of("mac", List.of("52:54:00:00:00:01"), "uuid", List.of(""),
                "serial", List.of(" "))).uuid().isEmpty(), "iPXE sends empty variables for what it lacks");
    }

    private static String token(String script) {
        Matcher matcher = Pattern.compile("metalboot\\.token=(\\S+)").matcher(script);
        assertTrue(matcher.find());
        return matcher.group(1);
    }
}
