package io.metalboot.dhcp.codec;

/** The one failure the decoders throw: the bytes are not a DHCP message this codec accepts. */
public final class DhcpDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public DhcpDecodeException(String message, int offset) {
        super(message + " (at byte " + offset + ")");
    }
}
