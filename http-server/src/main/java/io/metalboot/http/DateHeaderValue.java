package io.metalboot.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;
import java.util.Date;

/**
 * The Date header of replies, formatted at most once a second: formatting an RFC 1123 date for
 * every small reply showed in the profile under load. Any thread may ask; a stale second is
 * replaced by whichever thread sees it first.
 */
final class DateHeaderValue {
    /** An AsciiString: Netty's header encoder copies it in one go, a String char by char. */
    private record Formatted(long second, AsciiString value) {
    }

    private static volatile Formatted last = new Formatted(Long.MIN_VALUE, AsciiString.EMPTY_STRING);

    private DateHeaderValue() {
    }

    /** Now, as a Date header value ("Wed, 02 Dec 2026 03:27:15 GMT"). */
    static AsciiString now() {
        long millis = System.currentTimeMillis();
        long second = Math.floorDiv(millis, 1000);
        Formatted formatted = last;
        if (formatted.second() != second) {
            formatted = new Formatted(second, AsciiString.of(DateFormatter.format(new Date(second * 1000))));
            last = formatted;
        }
        return formatted.value();
    }
}
