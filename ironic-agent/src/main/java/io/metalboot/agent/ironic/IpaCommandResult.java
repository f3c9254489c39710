package io.metalboot.agent.ironic;

import java.util.Objects;

/**
 * One command's state on ironic-python-agent's API ({@code /v1/commands/}), as Ironic's agent client
 * reads it: {@code id, command_name, command_status, command_error, command_result}. The name is the
 * command's part after the extension ({@code execute_deploy_step} for {@code deploy.execute_deploy_step}):
 * Ironic compares it so. Immutable; {@link IpaJson} writes it.
 *
 * @param result what the command returned (a JSON value: map, list, string, number, boolean, null);
 *               null while running and after a failure
 */
public record IpaCommandResult(String id, String commandName, Status status, CommandError error, Object result) {
    public enum Status {
        RUNNING, SUCCEEDED, FAILED
    }

    /**
     * A failed command's error, in IPA's serialized RESTError form; Ironic's {@code last_error} shows
     * {@code details} (or {@code message}).
     *
     * @param type    the error's kind: {@code CommandExecutionError}, {@code InvalidCommandParamsError},
     *                {@code TypeError} for parameters a command does not take (Ironic looks for it)
     */
    public record CommandError(String type, int code, String message, String details) {
        public static CommandError executionFailed(String details) {
            return new CommandError("CommandExecutionError", 500, "Command execution failed", details);
        }
    }

    public IpaCommandResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(commandName, "commandName");
        Objects.requireNonNull(status, "status");
        if ((status == Status.FAILED) != (error != null)) {
            throw new IllegalArgumentException("a failed command has an error, and only a failed one: " + status);
        }
        if (status != Status.SUCCEEDED && result != null) {
            throw new IllegalArgumentException("only a succeeded command has a result");
        }
    }

    static IpaCommandResult running(String id, String name) {
        return new IpaCommandResult(id, name, Status.RUNNING, null, null);
    }

    IpaCommandResult succeeded(Object value) {
        return new IpaCommandResult(id, commandName, Status.SUCCEEDED, null, value);
    }

    IpaCommandResult failed(CommandError why) {
        return new IpaCommandResult(id, commandName, Status.FAILED, why, null);
    }
}
