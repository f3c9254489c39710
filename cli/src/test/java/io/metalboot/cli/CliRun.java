package io.metalboot.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The CLI run in this JVM as a shell would run it, its output and errors captured and readable
 * while it runs (a test waits on what it has printed so far), never a terminal.
 */
final class CliRun {
    /** What a run ended with. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private CliRun() {
    }

    /** Runs {@code args} to its end. */
    static Result run(String... args) throws Exception {
        return start(Map.of(), args).await();
    }

    /** Starts {@code args} on a thread of its own, with {@code environment} as its environment. */
    static CliRun start(Map<String, String> environment, String... args) {
        CliRun run = new CliRun();
        Invocation invocation = new Invocation(new PrintWriter(run.out, true), new PrintWriter(run.err, true),
                environment, false);
        Thread.ofVirtual().name("cli").start(() -> {
            try {
                run.exit.complete(MetalbootCli.run(args, invocation));
            } catch (RuntimeException | Error e) {
                run.exit.completeExceptionally(e);
            }
        });
        return run;
    }

    /** What it printed on stdout so far. */
    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    /** Waits (generously) until what it printed (stdout, then stderr) shows what {@code until} looks for. */
    String awaitPrinted(Predicate<String> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String now = out() + "\n" + err();
            if (until.test(now)) {
                return now;
            }
            if (exit.isDone()) {
                throw new AssertionError("it ended first: " + await());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not within 60 s:\n" + out() + "\n--- err:\n" + err());
    }

    Result await() throws Exception {
        int code = exit.get(120, TimeUnit.SECONDS);
        return new Result(code, out(), err());
    }
}
