package io.metalboot.appliance.tftp.model;

/**
 * One TFTP datagram (RFC 1350, with option extension RFC 2347), as the codec reads and writes
 * it. The server decides what to do with each kind; the records only carry what is on the wire.
 */
public sealed interface TftpPacket
        permits ReadRequest, WriteRequest, DataBlock, Ack, ErrorPacket, OptionAck {

    /** The opcode this packet is sent with. */
    Opcode opcode();
}
