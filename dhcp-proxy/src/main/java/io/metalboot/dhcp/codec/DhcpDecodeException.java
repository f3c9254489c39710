package io.metalboot.dhcp.codec;

/** The one failure the decoders throw: the bytes are not a DHCP message this codec accepts. */
public final class DhcpDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int offset;

    public DhcpDecodeException(String message, int offset) {
        super(message + " (at byte " + offset + ")");
        this.offset = offset;
    }

    /** Where in the input the problem was found. */
    public int offset() {
        return offset;
    }
}
