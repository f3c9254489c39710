package io.metalboot.lab.storm;

/** A step got something other than what it should have, or nothing in time: the machine's boot ends there. */
final class StepFailure extends Exception {
    private static final long serialVersionUID = 1L;

    StepFailure(String message) {
        super(message);
    }

    StepFailure(String message, Throwable cause) {
        super(message + ": " + cause, cause);
    }
}
