package io.metalboot.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {
    @ParameterizedTest
    @ValueSource(strings = {"52:54:00:12:34:ab", "52-54-00-12-34-AB", "5254001234Ab", " 52:54:00:12:34:ab\n"})
    void theFormsToolsPrintAreOneAddress(String text) {
        assertEquals("52:54:00:12:34:ab", MacAddress.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "52:54:00:12:34", "52:54:00-12:34:ab", "52:54:00:12:34:zz", "5254:0012:34ab",
        "52:54:00:12:34:ab:cd", "+2:54:00:12:34:ab"})
    void anythingElseIsRefusedWithTheText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
        assertEquals("not a MAC address: '" + text + "'", e.getMessage());
    }

    @Test
    void bytesRoundTripInWireOrder() {
        byte[] wire = {(byte) 0xfe, 0x54, 0x00, 0x12, 0x34, (byte) 0xab};
        MacAddress mac = MacAddress.of(wire);
        assertEquals("fe:54:00:12:34:ab", mac.toString());
        assertArrayEquals(wire, mac.toByteArray());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
    }
}
