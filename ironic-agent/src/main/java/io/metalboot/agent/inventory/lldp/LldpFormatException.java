package io.metalboot.agent.inventory.lldp;

/** A frame is no LLDP frame, or its LLDPDU is not as IEEE 802.1AB lays it out; the message says where. */
public final class LldpFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LldpFormatException(String message) {
        super(message);
    }
}
