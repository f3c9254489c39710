package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HttpByteRangeTest {
    @Test
    void singleRanges() {
        assertEquals(new ByteRange(0, 99), ByteRange.parse("bytes=0-99", 1000));
        assertEquals(new ByteRange(100, 999), ByteRange.parse("bytes=100-", 1000));
        assertEquals(new ByteRange(950, 999), ByteRange.parse("bytes=-50", 1000));
        assertEquals(new ByteRange(0, 999), ByteRange.parse("bytes=-5000", 1000));
        assertEquals(new ByteRange(990, 999), ByteRange.parse("bytes=990-5000", 1000));
        assertEquals(new ByteRange(5, 5), ByteRange.parse("Bytes=5-5", 1000));
    }

    @Test
    void unsatisfiable() {
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=1000-", 1000));
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=-0", 1000));
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=0-", 0));
    }

    @Test
    void anythingElseIsTheWholeFile() {
        for (String header : new String[] {"bytes=0-9,20-29", "items=0-9", "bytes=9-0", "bytes=x-", "bytes=",
            "bytes=-", "bytes=99999999999999999999-", "bytes=1", "bytes=--5"}) {
            assertEquals(ByteRange.FULL, ByteRange.parse(header, 1000), header);
        }
    }
}
