package io.metalboot.appliance.tftp.codec;

/** A datagram that is not a TFTP packet. The only exception {@link TftpPacketCodec#decode} throws. */
public final class TftpDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public TftpDecodeException(String message) {
        super(message);
    }
}
