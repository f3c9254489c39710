package io.metalboot.machine.inventory;

import java.util.HexFormat;
import java.util.Objects;

/**
 * One LLDP TLV as IPA reports it in an interface's {@code lldp} list: the pair
 * {@code [type, "hex of the value"]} that {@code GenericHardwareManager.collect_lldp_data}
 * ({@code ironic_python_agent/hardware.py}) makes with {@code binascii.hexlify(data).decode()}.
 * In JSON it is that two-element array (the agent's codec says so), not an object.
 *
 * @param type  the TLV type, 0 to 127 (7 bits); 0 is the End of LLDPDU TLV, which IPA lists too
 * @param value the value's bytes in lowercase hex, two digits a byte, at most 511 bytes (9 bits of
 *              length); "" for an empty value
 */
public record LldpTlvHex(int type, String value) {
    private static final HexFormat HEX = HexFormat.of();

    public LldpTlvHex {
        if (type < 0 || type > 127) {
            throw new IllegalArgumentException("an LLDP TLV type has 7 bits, not " + type);
        }
        Objects.requireNonNull(value, "an LLDP TLV has a value, if empty");
        byte[] bytes = HEX.parseHex(value); // checks the digits and the even length
        if (bytes.length > 511) {
            throw new IllegalArgumentException("an LLDP TLV value has at most 511 bytes, not " + bytes.length);
        }
        value = HEX.formatHex(bytes);
    }

    /** The value's bytes. */
    public byte[] bytes() {
        return HEX.parseHex(value);
    }
}
