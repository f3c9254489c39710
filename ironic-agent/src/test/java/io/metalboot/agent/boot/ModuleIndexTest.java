package io.metalboot.agent.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleIndexTest {
    @TempDir
    Path dir;

    private ModuleIndex index(String alias, String dep, String softdep, String builtin) throws IOException {
        Files.writeString(dir.resolve("modules.alias"), alias);
        Files.writeString(dir.resolve("modules.dep"), dep);
        if (softdep != null) {
            Files.writeString(dir.resolve("modules.softdep"), softdep);
        }
        if (builtin != null) {
            Files.writeString(dir.resolve("modules.builtin"), builtin);
        }
        return ModuleIndex.read(dir);
    }

    private static List<String> names(List<KernelModule> modules) {
        return modules.stream().map(KernelModule::name).toList();
    }

    @Test
    void aPciModaliasResolvesToTheDriverAfterItsDependenciesLastListedFirst() throws IOException {
        // As depmod writes it: ahci's closure, the one to load first last.
        ModuleIndex index = index("""
                # Aliases extracted from modules themselves.
                alias pci:v*d*sv*sd*bc01sc06i01* ahci
                alias pci:v00008086d00002922sv*sd*bc*sc*i* ahci
                """, """
                kernel/drivers/ata/ahci.ko: kernel/drivers/ata/libahci.ko kernel/drivers/ata/libata.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko
                kernel/drivers/ata/libahci.ko: kernel/drivers/ata/libata.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko
                kernel/drivers/ata/libata.ko: kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko
                kernel/drivers/scsi/scsi_mod.ko: kernel/drivers/scsi/scsi_common.ko
                kernel/drivers/scsi/scsi_common.ko:
                """, null, null);
        List<KernelModule> chain = index.resolve("pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01");
        assertEquals(List.of("scsi_common", "scsi_mod", "libata", "libahci", "ahci"), names(chain));
        assertEquals(dir.resolve("kernel/drivers/ata/ahci.ko"), chain.get(4).path());
    }

    @Test
    void directDependenciesOnlyStillLoadInDependencyOrder() throws IOException {
        // A hand-written modules.dep with direct dependencies: each one's own line is followed.
        ModuleIndex index = index("alias virtio:d00000001v* virtio_net\n", """
                virtio_net.ko: net_failover.ko virtio_ring.ko
                net_failover.ko: failover.ko
                failover.ko:
                virtio_ring.ko: virtio.ko
                virtio.ko:
                """, null, null);
        assertEquals(List.of("virtio", "virtio_ring", "failover", "net_failover", "virtio_net"),
                names(index.resolve("virtio:d00000001v00001AF4")));
    }

    @Test
    void globsMatchAsFnmatchDoes() throws IOException {
        ModuleIndex index = index("""
                alias usb:v0BDAp8153d*dc*dsc*dp*ic*isc*ip*in* r8152
                alias scsi:t-0x0[0e]* sd_mod
                alias scsi:t-0x0[!0-7e]* st
                alias char-major-10-? misc_one
                alias fs-ext4 ext4
                """, """
                r8152.ko:
                sd_mod.ko:
                st.ko:
                misc_one.ko:
                ext4.ko:
                """, null, null);
        assertEquals(List.of("r8152"), index.matchingModules("usb:v0BDAp8153d3000dc00dsc00dp00icFFisc00ip00in00"));
        assertEquals(List.of(), index.matchingModules("usb:v0BDAp8152d3000dc00dsc00dp00icFFisc00ip00in00"));
        assertEquals(List.of("sd_mod"), index.matchingModules("scsi:t-0x00"));
        assertEquals(List.of("sd_mod"), index.matchingModules("scsi:t-0x0e"));
        assertEquals(List.of("st"), index.matchingModules("scsi:t-0x08"));
        assertEquals(List.of(), index.matchingModules("scsi:t-0x05"));
        assertEquals(List.of("misc_one"), index.matchingModules("char-major-10-7"));
        assertEquals(List.of(), index.matchingModules("char-major-10-77"));
        assertEquals(List.of("ext4"), index.matchingModules("fs-ext4"));
        assertEquals(List.of(), index.matchingModules("fs-ext"));
    }

    @Test
    void everyModuleWhoseAliasMatchesIsWantedEachOnceInAliasFileOrder() throws IOException {
        ModuleIndex index = index("""
                alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e
                alias pci:v00008086d*sv*sd*bc02sc00i* intel_nic_helper
                alias pci:v00008086d000010D3sv*sd*bc02sc*i* e1000e
                """, """
                kernel/e1000e.ko: kernel/ptp.ko
                kernel/ptp.ko:
                kernel/intel-nic-helper.ko: kernel/ptp.ko
                """, null, null);
        String modalias = "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00";
        assertEquals(List.of("e1000e", "intel_nic_helper"), index.matchingModules(modalias));
        assertEquals(List.of("ptp", "e1000e", "intel_nic_helper"), names(index.resolve(modalias)));
    }

    @Test
    void softdepsPreLoadBeforeAndPostAfterWithTheirOwnChainsByNameOrAlias() throws IOException {
        ModuleIndex index = index("""
                alias scsi:t-0x00* sd_mod
                alias crct10dif crct10dif_pclmul
                alias crct10dif crct10dif_generic
                """, """
                kernel/sd_mod.ko: kernel/t10-pi.ko kernel/crc-t10dif.ko kernel/crct10dif_common.ko
                kernel/t10-pi.ko: kernel/crc-t10dif.ko kernel/crct10dif_common.ko
                kernel/crc-t10dif.ko: kernel/crct10dif_common.ko
                kernel/crct10dif_common.ko:
                kernel/crct10dif-pclmul.ko: kernel/crct10dif_common.ko
                kernel/crct10dif_generic.ko: kernel/crct10dif_common.ko
                kernel/sd_trace.ko:
                """, """
                # Soft dependencies extracted from modules themselves.
                softdep crc_t10dif pre: crct10dif
                softdep sd_mod post: sd-trace
                softdep sd_mod some words kmod ignores
                """, null);
        assertEquals(List.of("crct10dif_common", "crct10dif_pclmul", "crct10dif_generic", "crc_t10dif", "t10_pi",
                "sd_mod", "sd_trace"), names(index.resolve("scsi:t-0x00")));
    }

    @Test
    void aBuiltinModuleResolvesToNothingAndIsNoDependencyToLoad() throws IOException {
        ModuleIndex index = index("""
                alias pci:v*d*sv*sd*bc0Csc03i30* xhci_pci
                alias virtio:d00000002v* virtio_blk
                """, """
                kernel/drivers/usb/host/xhci-pci.ko: kernel/drivers/usb/host/xhci-hcd.ko
                kernel/drivers/usb/host/xhci-hcd.ko:
                kernel/drivers/block/virtio_blk.ko:
                """, "softdep virtio_blk pre: virtio_ring\n", """
                kernel/drivers/usb/host/xhci-hcd.ko
                kernel/drivers/virtio/virtio_ring.ko
                kernel/drivers/block/virtio_blk.ko
                """);
        assertEquals(List.of(), index.resolve("virtio:d00000002v00001AF4"));
        assertTrue(index.isBuiltin("virtio-blk"));
        assertEquals(List.of("xhci_pci"), names(index.resolve("pci:v00001033d00000194sv00000000sd00000000bc0Csc03i30")));
    }

    @Test
    void namesReadMinusAsUnderscoreAndCompressedModulesKeepTheirPath() throws IOException {
        ModuleIndex index = index("alias nvme-fabrics-x nvme-core\n", """
                kernel/drivers/nvme/host/nvme-core.ko.xz: kernel/lib/crc64-rocksoft.ko.zst
                kernel/lib/crc64-rocksoft.ko.zst:
                """, null, null);
        List<KernelModule> chain = index.resolve("nvme-fabrics-x");
        assertEquals(List.of("crc64_rocksoft", "nvme_core"), names(chain));
        assertEquals(dir.resolve("kernel/lib/crc64-rocksoft.ko.zst"), chain.get(0).path());
        assertEquals(names(chain), names(index.loadOrder("nvme_core")));
        assertTrue(index.module("crc64-rocksoft").isPresent());
    }

    @Test
    void softdepCyclesEnd() throws IOException {
        ModuleIndex index = index("alias a-device a\n", "a.ko:\nb.ko:\n", "softdep a pre: b\nsoftdep b pre: a\n", null);
        assertEquals(List.of("b", "a"), names(index.resolve("a-device")));
    }

    @Test
    void unknownModalisesAndModulesResolveToNothing() throws IOException {
        ModuleIndex index = index("alias pci:v00001234d* gone\n", "present.ko:\n", null, null);
        assertEquals(List.of(), index.resolve("pci:v00001234d00001111sv00000000sd00000000bc03sc00i00"));
        assertEquals(List.of(), index.resolve("acpi:PNP0A03:"));
        assertFalse(index.module("gone").isPresent());
    }

    @Test
    void modulesAliasAndModulesDepAreNeeded() throws IOException {
        Files.writeString(dir.resolve("modules.dep"), "");
        assertThrows(NoSuchFileException.class, () -> ModuleIndex.read(dir));
    }
}
