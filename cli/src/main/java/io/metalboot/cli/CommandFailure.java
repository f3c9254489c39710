package io.metalboot.cli;

/** A command that could not do what it was asked: one line for stderr, and the exit code it ends with. */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ExitCode exit;

    CommandFailure(ExitCode exit, String message) {
        super(message);
        this.exit = exit;
    }

    static CommandFailure failed(String message) {
        return new CommandFailure(ExitCode.FAILED, message);
    }

    ExitCode exit() {
        return exit;
    }
}
