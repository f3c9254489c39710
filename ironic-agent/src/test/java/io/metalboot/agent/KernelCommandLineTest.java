package io.metalboot.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.MacAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KernelCommandLineTest {
    /** As the appliance's agent script writes it (initrd= first, for UEFI), with the token. */
    private static final String CMDLINE = "initrd=initrd.img console=tty0 console=ttyS0 "
            + "metalboot.url=http://10.203.0.3:8080 metalboot.mac=52:54:00:12:00:01 "
            + "metalboot.token=s3cr3t-t0k3n-value BOOTIF=01-52-54-00-12-00-01 quiet\n";

    @Test
    void readsWhatTheApplianceWrote() {
        KernelCommandLine cmdline = KernelCommandLine.parse(CMDLINE);
        assertEquals(Optional.of("http://10.203.0.3:8080"), cmdline.applianceUrl());
        assertEquals(Optional.of("s3cr3t-t0k3n-value"), cmdline.bootToken());
        assertEquals(Optional.of(MacAddress.parse("52:54:00:12:00:01")), cmdline.bootMac());
        assertEquals(Optional.of(""), cmdline.get("quiet"));
        assertEquals(Optional.of("ttyS0"), cmdline.get("console"), "the last of a repeated key, as the kernel's console=");
    }

    @Test
    void bootifWinsOverMetalbootMac() {
        assertEquals(Optional.of(MacAddress.parse("52:54:00:12:00:02")),
                KernelCommandLine.parse("metalboot.mac=52:54:00:12:00:01 BOOTIF=01-52-54-00-12-00-02").bootMac());
        assertEquals(Optional.of(MacAddress.parse("52:54:00:12:00:01")),
                KernelCommandLine.parse("metalboot.mac=52:54:00:12:00:01").bootMac());
    }

    @Test
    void theTokenNeverPrints() {
        String printed = KernelCommandLine.parse(CMDLINE).toString();
        assertFalse(printed.contains("s3cr3t"), printed);
        assertTrue(printed.contains("metalboot.token=(hidden)"), printed);
        assertTrue(printed.contains("BOOTIF=01-52-54-00-12-00-01"), printed);
    }

    @Test
    void quotesGroupAValue() {
        assertEquals(Optional.of("a b"), KernelCommandLine.parse("x=\"a b\" y=1").get("x"));
        assertEquals(Optional.empty(), KernelCommandLine.parse("metalboot.token=").bootToken());
    }

    @Test
    void lldpSecondsDefaultToTenZeroIsOffNonsenseIsAnError() {
        assertEquals(Duration.ofSeconds(10), KernelCommandLine.parse("quiet").lldpWait());
        assertEquals(Duration.ofSeconds(3), KernelCommandLine.parse("metalboot.lldp-seconds=3").lldpWait());
        assertEquals(Duration.ZERO, KernelCommandLine.parse("metalboot.lldp-seconds=0").lldpWait());
        for (String wrong : new String[] {"-1", "ten", "", "601", "99999"}) {
            assertThrows(IllegalArgumentException.class,
                    () -> KernelCommandLine.parse("metalboot.lldp-seconds=" + wrong).lldpWait(), wrong);
        }
    }
}
