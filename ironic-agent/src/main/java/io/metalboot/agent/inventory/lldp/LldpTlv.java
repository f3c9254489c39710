package io.metalboot.agent.inventory.lldp;

import io.metalboot.machine.inventory.LldpTlvHex;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One type-length-value of an LLDPDU (IEEE 802.1AB-2016 8.4): a 7-bit type and up to 511 bytes of
 * value. The array is copied in and out: a record never changes after it is built.
 */
public record LldpTlv(int type, byte[] value) {
    public static final int END = 0;
    public static final int CHASSIS_ID = 1;
    public static final int PORT_ID = 2;
    public static final int TIME_TO_LIVE = 3;
    public static final int PORT_DESCRIPTION = 4;
    public static final int SYSTEM_NAME = 5;
    public static final int ORGANIZATIONALLY_SPECIFIC = 127;
    public static final int MAX_VALUE_LENGTH = 511;

    public LldpTlv {
        if (type < 0 || type > 127) {
            throw new IllegalArgumentException("an LLDP TLV type has 7 bits, not " + type);
        }
        Objects.requireNonNull(value, "value");
        if (value.length > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("an LLDP TLV value has at most 511 bytes, not " + value.length);
        }
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** IPA's form of it, {@code [type, "hex"]}. */
    public LldpTlvHex toHex() {
        return new LldpTlvHex(type, HexFormat.of().formatHex(value));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LldpTlv tlv && tlv.type == type && Arrays.equals(tlv.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "LldpTlv[" + type + ", " + HexFormat.of().formatHex(value) + "]";
    }
}
