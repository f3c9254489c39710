package io.metalboot.cli;

import java.io.Console;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.util.Map;

/**
 * Where a command runs: its output and error streams, the environment it reads
 * ({@code METALBOOT_API}), and whether its output is a terminal, where a progress bar redraws in
 * place; anywhere else progress is plain lines.
 */
record Invocation(PrintWriter out, PrintWriter err, Map<String, String> environment, boolean terminal) {
    static Invocation ofThisProcess() {
        Map<String, String> environment = System.getenv();
        return new Invocation(new PrintWriter(new OutputStreamWriter(System.out, System.out.charset()), true),
                new PrintWriter(new OutputStreamWriter(System.err, System.err.charset()), true), environment,
                terminal(System.console(), environment.getOrDefault("TERM", "")));
    }

    /** A terminal that can take a carriage return: a console on both stdin and stdout, and a TERM that is not dumb. */
    private static boolean terminal(Console console, String term) {
        return console != null && isTerminal(console) && !term.isBlank() && !term.equals("dumb");
    }

    /**
     * From JDK 22 a console may stand for redirected streams too, and {@code Console.isTerminal}
     * (22 and later: by reflection, as this compiles for 21) says whether it is a terminal; on 21 a
     * console exists only for one.
     */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
