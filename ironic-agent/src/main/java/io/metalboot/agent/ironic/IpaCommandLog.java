package io.metalboot.agent.ironic;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The commands this agent ran since it started, in order, as {@code GET /v1/commands/} lists them.
 * One command runs at a time: a command asked for while the last one still runs is refused
 * ({@link BusyException}, HTTP 409 "Agent is busy"), as IPA refuses it. Asynchronous commands run
 * on a virtual thread of their own; synchronous ones on the caller's.
 */
final class IpaCommandLog {
    /** What a command does; its return value is the command's {@code command_result}. */
    @FunctionalInterface
    interface Body {
        Object run() throws Exception;
    }

    /** Refused: the last command has not finished. */
    static final class BusyException extends Exception {
        private static final long serialVersionUID = 1L;

        BusyException(String running) {
            super("Agent is busy: command " + running + " is still running");
        }
    }

    /** A command's failure whose reason is said as it is (the body's other exceptions say their message). */
    static final class CommandFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient IpaCommandResult.CommandError error;

        CommandFailure(IpaCommandResult.CommandError error) {
            super(error.details());
            this.error = error;
        }
    }

    private final class Entry {
        private volatile IpaCommandResult state;
        private final CompletableFuture<IpaCommandResult> done = new CompletableFuture<>();

        Entry(IpaCommandResult state) {
            this.state = state;
        }

        void finish(IpaCommandResult end) {
            state = end;
            done.complete(end);
            finished.accept(end);
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    /** Commands of earlier Ironic sessions: no longer listed, kept for the system logs. */
    private final List<IpaCommandResult> earlier = new ArrayList<>();
    private final Consumer<IpaCommandResult> finished;
    private final Consumer<String> log;

    /**
     * @param finished told when a command ends (the front heartbeats at once, so Ironic need not
     *                 wait a whole interval to see it)
     */
    IpaCommandLog(Consumer<IpaCommandResult> finished, Consumer<String> log) {
        this.finished = finished;
        this.log = log;
    }

    /**
     * Runs a command: a synchronous one to its end, an asynchronous one started.
     *
     * @param name the command's name after the extension ({@code execute_deploy_step})
     * @return its state now (running, for an asynchronous command)
     */
    IpaCommandResult start(String name, boolean async, Body body) throws BusyException {
        Entry entry;
        synchronized (this) {
            if (!entries.isEmpty()) {
                IpaCommandResult last = entries.getLast().state;
                if (last.status() == IpaCommandResult.Status.RUNNING) {
                    throw new BusyException(last.commandName());
                }
            }
            entry = new Entry(IpaCommandResult.running(UUID.randomUUID().toString(), name));
            entries.add(entry);
        }
        if (async) {
            Thread.ofVirtual().name("ipa-command-" + name).start(() -> run(entry, body));
        } else {
            run(entry, body);
        }
        return entry.state;
    }

    private void run(Entry entry, Body body) {
        IpaCommandResult start = entry.state;
        IpaCommandResult end;
        try {
            end = start.succeeded(body.run());
        } catch (CommandFailure e) {
            end = start.failed(e.error);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end = start.failed(IpaCommandResult.CommandError.executionFailed(start.commandName() + ": interrupted"));
        } catch (Exception | Error e) {
            String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                    : e.getMessage();
            end = start.failed(IpaCommandResult.CommandError.executionFailed(message));
        }
        // a result that is a sentence (write_image's, install_bootloader's) is worth the console's line too
        log.accept("command " + end.commandName() + " " + end.id() + ": " + end.status()
                + (end.error() == null ? "" : " (" + end.error().details() + ")")
                + (end.result() instanceof String sentence ? ": " + sentence : ""));
        entry.finish(end);
    }

    /**
     * A new session with Ironic (a new token, after Ironic wiped the last): the finished commands
     * leave the list, as after an agent's reboot. Ironic reads a list of only {@code get_*_steps}
     * (or none) as a freshly booted agent; an older {@code execute_*_step} last would look to it
     * like an out-of-band step still running.
     */
    synchronized void startOver() {
        for (var it = entries.iterator(); it.hasNext(); ) {
            IpaCommandResult state = it.next().state;
            if (state.status() != IpaCommandResult.Status.RUNNING) {
                earlier.add(state);
                it.remove();
            }
        }
    }

    /** Every command since the agent started, earlier sessions' first (the system logs). */
    synchronized List<IpaCommandResult> history() {
        List<IpaCommandResult> all = new ArrayList<>(earlier);
        all.addAll(list());
        return all;
    }

    synchronized List<IpaCommandResult> list() {
        return entries.stream().map(entry -> entry.state).toList();
    }

    synchronized Optional<IpaCommandResult> get(String id) {
        return entries.stream().filter(entry -> entry.state.id().equals(id)).map(entry -> entry.state).findFirst();
    }

    /** The command's state once it has ended (now, if it has). */
    IpaCommandResult await(String id) throws InterruptedException {
        Entry entry;
        synchronized (this) {
            entry = entries.stream().filter(e -> e.state.id().equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no command " + id));
        }
        try {
            return entry.done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a command's completion cannot fail", e);
        }
    }
}
