package io.metalboot.machine.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that stands still until a test moves it (read by the appliance's threads too, hence
 * volatile): the one test clock of every module whose code takes a {@link Clock}.
 */
public final class SteppedClock extends Clock {
    private volatile Instant now;

    public SteppedClock() {
        this(Instant.parse("2026-12-01T10:00:00Z"));
    }

    public SteppedClock(Instant start) {
        this.now = start;
    }

    public void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
