package io.metalboot.lab;

/** Something in the lab did not happen as it must (a command failed, a peer never got ready). */
public final class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
