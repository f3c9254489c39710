package io.metalboot.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SmbiosUuidTest {
    /** QEMU ran with {@code -uuid 11223344-5566-7788-99aa-bbccddeeff02} when the OVMF captures were taken. */
    private static final String PRINTED = "11223344-5566-7788-99aa-bbccddeeff02";

    /** Option 97 of dhcp-proxy's vector ovmf-pxe-discover.bin, after its type byte 0. */
    private static final byte[] OPTION_97 = HexFormat.of().parseHex("443322116655887799aabbccddeeff02");

    /**
     * An SMBIOS type 1 (System Information) structure as DSP0134 3.x lays it out: type 1, length
     * 0x1b, handle 0x0100, manufacturer/product/version/serial string numbers 1..4, the UUID at
     * offset 08h, wake-up type 06h (power switch), SKU and family string numbers, then the strings.
     */
    private static final byte[] SMBIOS_TYPE_1 = HexFormat.of().parseHex(
            "011b0001" + "01020304" + "443322116655887799aabbccddeeff02" + "06" + "0506"
                    + HexFormat.of().formatHex("QEMU\0Standard PC\0pc\0LAB-0002\0sku\0family\0\0".getBytes()));

    @Test
    void oneMachineGivesOneUuidFromOption97IpxeAndSmbios() {
        SmbiosUuid fromDhcp = SmbiosUuid.fromSmbiosBytes(OPTION_97);
        SmbiosUuid fromIpxe = SmbiosUuid.parse(PRINTED);
        SmbiosUuid fromSmbios = SmbiosUuid.fromSmbiosBytes(Arrays.copyOfRange(SMBIOS_TYPE_1, 8, 24));
        assertEquals(fromIpxe, fromDhcp);
        assertEquals(fromIpxe, fromSmbios);
        assertEquals(PRINTED, fromSmbios.toString());
    }

    @Test
    void onlyTheFirstThreeFieldsAreSwapped() {
        SmbiosUuid uuid = SmbiosUuid.parse("00010203-0405-0607-0809-0a0b0c0d0e0f");
        assertEquals("03020100050407060809" + "0a0b0c0d0e0f", HexFormat.of().formatHex(uuid.toSmbiosBytes()));
        assertArrayEquals(OPTION_97, SmbiosUuid.parse(PRINTED).toSmbiosBytes());
    }

    @Test
    void theUpperCaseFormIsTheSameMachine() {
        assertEquals(SmbiosUuid.parse(PRINTED), SmbiosUuid.parse(PRINTED.toUpperCase(java.util.Locale.ROOT)));
    }

    @Test
    void whatIsNotAUuidIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SmbiosUuid.parse("11223344556677889900aabbccddeeff"));
        assertEquals("not a UUID: '11223344556677889900aabbccddeeff'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SmbiosUuid.fromSmbiosBytes(new byte[15]));
    }
}
