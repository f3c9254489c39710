package io.metalboot.lab;

import java.time.Duration;

/** One time budget shared by several waits (e.g. everything one VM must do under TCG). */
record Deadline(long nanoTime) {

    static Deadline in(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos());
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, nanoTime - System.nanoTime()));
    }

    /** Sleeps between two looks at something the lab waits for; an interrupt ends the wait as a LabException. */
    static void pause(Duration pause, String waitingFor) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while " + waitingFor, e);
        }
    }
}
