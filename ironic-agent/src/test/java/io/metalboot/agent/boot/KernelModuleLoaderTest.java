package io.metalboot.agent.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelModuleLoaderTest {
    @TempDir
    Path dir;
    private Path sys;
    private ModuleIndex index;
    private final List<String> console = new ArrayList<>();

    /** A kernel in a test: loading a module may make devices appear, as a bus driver's probe does. */
    private class FakeKernel implements ModuleInserter {
        final Set<String> loaded = new HashSet<>();
        final List<String> insmods = new ArrayList<>();
        final Map<String, Runnable> onLoad = new HashMap<>();
        final Map<String, String> failures = new HashMap<>();

        @Override
        public Set<String> loadedModules() {
            return Set.copyOf(loaded);
        }

        @Override
        public Insertion insert(KernelModule module, List<String> parameters) {
            insmods.add(String.join(" ", module.name(), String.join(" ", parameters)).strip());
            if (failures.containsKey(module.name())) {
                return Insertion.failed(failures.get(module.name()));
            }
            if (!loaded.add(module.name())) {
                return Insertion.alreadyLoaded();
            }
            onLoad.getOrDefault(module.name(), () -> { }).run();
            return Insertion.loaded();
        }
    }

    @BeforeEach
    void aKernelWithVirtioAndScsi() throws IOException {
        Path modules = Files.createDirectories(dir.resolve("lib/modules/6.1.0-test"));
        Files.writeString(modules.resolve("modules.alias"), """
                alias pci:v00001AF4d00001000sv*sd*bc*sc*i* virtio_pci
                alias pci:v00001AF4d00001004sv*sd*bc*sc*i* virtio_pci
                alias virtio:d00000001v* virtio_net
                alias virtio:d00000008v* virtio_scsi
                alias scsi:t-0x00* sd_mod
                alias pci:v00008086d00001521sv*sd*bc*sc*i* igb
                """);
        Files.writeString(modules.resolve("modules.dep"), """
                kernel/virtio_pci.ko: kernel/virtio_ring.ko kernel/virtio.ko
                kernel/virtio_ring.ko: kernel/virtio.ko
                kernel/virtio.ko:
                kernel/virtio_net.ko: kernel/virtio_ring.ko kernel/virtio.ko
                kernel/virtio_scsi.ko: kernel/scsi_mod.ko kernel/virtio_ring.ko kernel/virtio.ko
                kernel/scsi_mod.ko:
                kernel/sd_mod.ko: kernel/scsi_mod.ko
                kernel/igb.ko: kernel/dca.ko
                kernel/dca.ko:
                """);
        index = ModuleIndex.read(modules);
        sys = Files.createDirectories(dir.resolve("sys"));
        device("pci", "0000:00:03.0", "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00");
        device("pci", "0000:00:04.0", "pci:v00001AF4d00001004sv00001AF4sd00000008bc01sc00i00");
        device("acpi", "PNP0A03:00", "acpi:PNP0A03:");
        Files.createDirectories(sys.resolve("bus/pci/devices/0000:00:00.0")); // no modalias
    }

    private void device(String bus, String name, String modalias) {
        try {
            Path device = Files.createDirectories(sys.resolve("bus").resolve(bus).resolve("devices").resolve(name));
            Files.writeString(device.resolve("modalias"), modalias + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private KernelModuleLoader loader(FakeKernel kernel, Map<String, List<String>> options) {
        return new KernelModuleLoader(sys, index, kernel, options, Duration.ZERO, console::add);
    }

    @Test
    void modulesThatMakeDevicesBringAnotherPassUntilOneLoadsNothing() throws Exception {
        FakeKernel kernel = new FakeKernel();
        kernel.onLoad.put("virtio_pci", () -> {
            device("virtio", "virtio0", "virtio:d00000001v00001AF4");
            device("virtio", "virtio1", "virtio:d00000008v00001AF4");
        });
        kernel.onLoad.put("virtio_scsi", () -> device("scsi", "0:0:0:0", "scsi:t-0x00"));

        KernelModuleLoader.Report report = loader(kernel, Map.of()).loadForPresentDevices();

        assertEquals(List.of(
                new KernelModuleLoader.Pass(1, List.of("virtio", "virtio_ring", "virtio_pci"), List.of()),
                new KernelModuleLoader.Pass(2, List.of("virtio_net", "scsi_mod", "virtio_scsi"), List.of()),
                new KernelModuleLoader.Pass(3, List.of("sd_mod"), List.of())), report.passes());
        assertEquals(List.of("metalboot-agent: modalias pass 1 loaded: virtio virtio_ring virtio_pci",
                "metalboot-agent: modalias pass 2 loaded: virtio_net scsi_mod virtio_scsi",
                "metalboot-agent: modalias pass 3 loaded: sd_mod"),
                // each line ends in its timing, which the test cannot know: "(N ms; slowest MODULE N ms)"
                console.stream().map(line -> line.replaceFirst(" \\(\\d+ ms; slowest \\S+ \\d+ ms\\)$", "")).toList());
        assertTrue(console.stream().allMatch(line -> line.matches(".* \\(\\d+ ms; slowest \\S+ \\d+ ms\\)")), console.toString());
        assertEquals(7, kernel.insmods.size(), "each module once: " + kernel.insmods);
    }

    @Test
    void whatIsLoadedAlreadyIsNotLoadedAgainAndEexistIsNoError() throws Exception {
        FakeKernel kernel = new FakeKernel();
        kernel.loaded.addAll(List.of("virtio", "virtio_ring"));
        FakeKernel racing = new FakeKernel() {
            @Override
            public Set<String> loadedModules() {
                return Set.of("virtio", "virtio_ring"); // virtio_pci loads behind the loader's back
            }
        };
        racing.loaded.addAll(List.of("virtio", "virtio_ring", "virtio_pci"));

        KernelModuleLoader.Report report = loader(racing, Map.of()).loadForPresentDevices();

        assertEquals(List.of("virtio_pci"), racing.insmods);
        assertEquals(List.of(new KernelModuleLoader.Pass(1, List.of(), List.of())), report.passes());
        assertEquals(List.of(), report.failed());
        assertEquals(List.of(), console);

        loader(kernel, Map.of()).loadForPresentDevices();
        assertEquals(List.of("virtio_pci"), kernel.insmods);
    }

    @Test
    void aFailedModuleIsReportedOnceAndTheOthersStillLoad() throws Exception {
        device("pci", "0000:01:00.0", "pci:v00008086d00001521sv00008086sd00000001bc02sc00i00");
        FakeKernel kernel = new FakeKernel();
        kernel.failures.put("dca", "insmod: can't insert 'dca.ko': Operation not permitted");
        kernel.failures.put("virtio_pci", "insmod: can't insert 'virtio_pci.ko': No such device");

        KernelModuleLoader.Report report = loader(kernel, Map.of()).loadForPresentDevices();

        assertEquals(List.of("virtio", "virtio_ring", "igb"), report.loaded());
        assertEquals(List.of(new KernelModuleLoader.Failure("virtio_pci", "insmod: can't insert 'virtio_pci.ko': No such device"),
                new KernelModuleLoader.Failure("dca", "insmod: can't insert 'dca.ko': Operation not permitted")), report.failed());
        assertEquals(1, report.passes().size(), "a pass that loads nothing new is the last: " + report.passes());
        assertTrue(console.contains("metalboot-agent: modalias pass 1: dca failed to load: insmod: can't insert 'dca.ko': Operation not permitted"),
                console.toString());
        assertEquals(List.of("virtio", "virtio_ring", "virtio_pci", "dca", "igb"), kernel.insmods);
    }

    @Test
    void atMostEightPasses() throws Exception {
        FakeKernel kernel = new FakeKernel() {
            @Override
            public Set<String> loadedModules() {
                return Set.of(); // a kernel that forgets: every pass finds something to load
            }
        };
        // Every module is tried once; give each pass a new one to try.
        List<String> chain = new ArrayList<>();
        StringBuilder alias = new StringBuilder();
        StringBuilder dep = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            chain.add("m" + i);
            alias.append("alias dev:").append(i).append(" m").append(i).append('\n');
            dep.append("m").append(i).append(".ko:\n");
            int next = i + 1;
            kernel.onLoad.put("m" + i, () -> device("dev", "d" + next, "dev:" + next));
        }
        Path modules = Files.createDirectories(dir.resolve("chain"));
        Files.writeString(modules.resolve("modules.alias"), alias);
        Files.writeString(modules.resolve("modules.dep"), dep);
        sys = Files.createDirectories(dir.resolve("chain-sys")); // this test's own devices
        device("dev", "d0", "dev:0");
        KernelModuleLoader.Report report = new KernelModuleLoader(sys, ModuleIndex.read(modules), kernel, Map.of(),
                Duration.ZERO, console::add).loadForPresentDevices();
        assertEquals(KernelModuleLoader.MAX_PASSES, report.passes().size());
        assertEquals(chain.subList(0, KernelModuleLoader.MAX_PASSES), report.loaded());
    }

    @Test
    void parametersComeFromModprobeDOptionsLines() throws Exception {
        Path modprobeD = Files.createDirectories(dir.resolve("etc/modprobe.d"));
        Files.writeString(modprobeD.resolve("metalboot.conf"), """
                # SCSI scans finish before insmod returns: the disks are there for the next pass.
                options scsi_mod scan=sync
                options scsi-mod max_luns=1
                blacklist floppy
                """);
        Files.writeString(modprobeD.resolve("other.txt"), "options virtio_pci force_legacy=1\n");
        Map<String, List<String>> options = KernelModuleLoader.readModprobeOptions(modprobeD);
        assertEquals(Map.of("scsi_mod", List.of("scan=sync", "max_luns=1")), options);
        assertEquals(Map.of(), KernelModuleLoader.readModprobeOptions(dir.resolve("absent")));

        FakeKernel kernel = new FakeKernel();
        kernel.onLoad.put("virtio_pci", () -> device("virtio", "virtio1", "virtio:d00000008v00001AF4"));
        loader(kernel, options).loadForPresentDevices();
        assertTrue(kernel.insmods.contains("scsi_mod scan=sync max_luns=1"), kernel.insmods.toString());
    }

    @Test
    void modaliasesAreReadOnceEachSorted() throws Exception {
        device("pci", "0000:00:05.0", "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00");
        assertEquals(List.of("acpi:PNP0A03:", "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00",
                "pci:v00001AF4d00001004sv00001AF4sd00000008bc01sc00i00"),
                List.copyOf(loader(new FakeKernel(), Map.of()).presentModaliases()));
    }

    @Test
    void aFilesystemLoadsByNameWhenOneOfItsCrcProvidersRefusesTheMachine() throws Exception {
        Path modules = Files.createDirectories(dir.resolve("lib/modules/6.1.0-fs"));
        Files.writeString(modules.resolve("modules.alias"), """
                alias crypto-crc32c crc32c_intel
                alias crc32c crc32c_intel
                alias crypto-crc32c crc32c_generic
                alias crc32c crc32c_generic
                alias fs-ext4 ext4
                """);
        Files.writeString(modules.resolve("modules.dep"), """
                kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko kernel/lib/crc16.ko
                kernel/fs/jbd2/jbd2.ko:
                kernel/lib/crc16.ko:
                kernel/arch/x86/crypto/crc32c-intel.ko:
                kernel/crypto/crc32c_generic.ko:
                """);
        Files.writeString(modules.resolve("modules.softdep"), "softdep ext4 pre: crc32c\n");
        FakeKernel kernel = new FakeKernel();
        kernel.failures.put("crc32c_intel", "No such device"); // TCG: no SSE 4.2
        KernelModuleLoader fs = new KernelModuleLoader(sys, ModuleIndex.read(modules), kernel, Map.of(), Duration.ZERO,
                console::add);
        fs.loadModule("ext4");
        assertTrue(kernel.loaded.containsAll(List.of("ext4", "jbd2", "crc16", "crc32c_generic")), kernel.insmods.toString());
        assertEquals("ext4", kernel.insmods.getLast(), "after all it needs: " + kernel.insmods);
        assertTrue(console.stream().anyMatch(line -> line.contains("crc32c_intel (for ext4) failed to load")), console.toString());
        fs.loadModule("ext4"); // loaded: nothing more
        assertEquals(1, kernel.insmods.stream().filter("ext4"::equals).count());

        kernel.failures.put("crc16", "Unknown symbol");
        kernel.failures.put("jbd2", "Unknown symbol");
        kernel.loaded.clear();
        kernel.failures.put("ext4", "Unknown symbol in module");
        IOException refused = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> fs.loadModule("ext4"));
        assertTrue(refused.getMessage().startsWith("ext4 failed to load: "), refused.getMessage());
        IOException unknown = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> fs.loadModule("btrfs"));
        assertTrue(unknown.getMessage().contains("no module btrfs"), unknown.getMessage());
    }
}
