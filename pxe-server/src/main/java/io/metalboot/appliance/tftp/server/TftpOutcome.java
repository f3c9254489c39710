package io.metalboot.appliance.tftp.server;

/** How one request ended. */
public enum TftpOutcome {
    /** Every block acknowledged. */
    SERVED,
    /** No such file in the root: error 1. */
    NOT_FOUND,
    /** Write request, unsafe name, outside the root, not a regular file, unknown mode: error 2/4. */
    REFUSED,
    /** No ACK after every retry. */
    TIMED_OUT,
    /** The client sent an ERROR (OVMF refuses the OACK on purpose, to learn the size). */
    CLIENT_ABORTED,
    /** Past tftp.max-transfers: error 0 "server busy". */
    BUSY,
    /** The server could not read the file or send: error 0. */
    FAILED
}
