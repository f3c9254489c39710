package io.metalboot.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BootIfTest {
    @Test
    void thePxelinuxFormIsTheHardwareTypeThenTheAddress() {
        assertEquals("aa:bb:cc:dd:ee:ff", BootIf.parse("01-aa-bb-cc-dd-ee-ff").toString());
        assertEquals("52:54:00:12:00:01", BootIf.parse("01-52-54-00-12-00-01").toString());
        assertEquals("52:54:00:12:00:01", BootIf.parse("01-52-54-00-12-00-01\n").toString());
    }

    @Test
    void aBareAddressIsTakenAsIronicTakesIt() {
        assertEquals("52:54:00:12:00:01", BootIf.parse("52:54:00:12:00:01").toString());
        assertEquals("52:54:00:12:00:01", BootIf.parse("52-54-00-12-00-01").toString());
        assertEquals("52:54:00:12:00:01", BootIf.parse("525400120001").toString());
    }

    @Test
    void anotherHardwareTypeOrNoAddressIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BootIf.parse("20-52-54-00-12-00-01"));
        assertEquals("BOOTIF '20-52-54-00-12-00-01': hardware type 20 is not 01 (Ethernet)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BootIf.parse("01-52-54-00-12-00-0"));
        assertEquals("BOOTIF '01-52-54-00-12-00-0' is not 01-aa-bb-cc-dd-ee-ff", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BootIf.parse("01-zz-54-00-12-00-01"));
    }

    @Test
    void fromAKernelCommandLineTheLastBootifCounts() {
        assertEquals("52:54:00:12:00:02", BootIf.fromCommandLine(
                "console=ttyS0 BOOTIF=01-52-54-00-12-00-01 quiet BOOTIF=01-52-54-00-12-00-02\n").toString());
        assertNull(BootIf.fromCommandLine("console=ttyS0 ip=dhcp"));
        assertNull(BootIf.fromCommandLine("BOOTIF="));
        assertNull(BootIf.fromCommandLine("XBOOTIF=01-52-54-00-12-00-01"));
    }
}
