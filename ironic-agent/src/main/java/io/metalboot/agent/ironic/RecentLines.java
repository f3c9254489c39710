package io.metalboot.agent.ironic;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/** The console's last lines, kept for the system logs Ironic collects (bounded: the ramdisk's memory is the machine's). */
public final class RecentLines implements Consumer<String> {
    private final int limit;
    private final Deque<String> lines = new ArrayDeque<>();
    private final Consumer<String> next;

    /** @param next where each line goes too (the serial console) */
    public RecentLines(int limit, Consumer<String> next) {
        this.limit = limit;
        this.next = next;
    }

    @Override
    public void accept(String line) {
        next.accept(line);
        synchronized (lines) {
            lines.addLast(line);
            while (lines.size() > limit) {
                lines.removeFirst();
            }
        }
    }

    public String text() {
        synchronized (lines) {
            return String.join("\n", lines) + (lines.isEmpty() ? "" : "\n");
        }
    }
}
