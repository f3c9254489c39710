package io.metalboot.agent.inventory.smbios;

/** The SMBIOS entry point or structure table is not as DSP0134 lays it out; the message says where. */
public final class SmbiosFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SmbiosFormatException(String message) {
        super(message);
    }
}
