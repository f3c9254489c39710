package io.metalboot.bootstrap;

/**
 * Bootstrap data that should be there and cannot be read. The message names the object (Secret,
 * Machine, BareMetalHost, file) and what is wrong with it, never its content.
 */
public final class BootstrapException extends Exception {
    private static final long serialVersionUID = 1L;

    public BootstrapException(String message) {
        super(message);
    }

    public BootstrapException(String message, Throwable cause) {
        super(message, cause);
    }
}
