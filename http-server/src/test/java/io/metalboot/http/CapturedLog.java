package io.metalboot.http;

import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/** A log handler for tests: each record as "LEVEL message" into a list the test reads. */
final class CapturedLog extends Handler {
    private final List<String> into;

    CapturedLog(List<String> into) {
        this.into = into;
    }

    @Override
    public void publish(LogRecord record) {
        into.add(record.getLevel() + " " + new SimpleFormatter().formatMessage(record));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
