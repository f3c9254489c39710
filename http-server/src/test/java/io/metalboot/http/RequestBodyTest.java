package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** RequestBody and HttpCall.body() without a network: the queue bound, the 100-continue go-ahead, failures. */
class RequestBodyTest {
    private final AtomicInteger resumes = new AtomicInteger();
    private final AtomicInteger goAheads = new AtomicInteger();

    private RequestBody body(long declaredLength, boolean expectsContinue) {
        return new RequestBody(declaredLength, resumes::incrementAndGet, expectsContinue ? goAheads::incrementAndGet : null);
    }

    private static ByteBuf chunk(int length, int fill) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) fill);
        return Unpooled.wrappedBuffer(bytes);
    }

    private static HttpCall call(RequestBody body, int maxBodyBytes) {
        return new HttpCall("POST", "/x", Map.of(), Map.of(), Map.of(), body, maxBodyBytes, null);
    }

    @Test
    void pausesAtTheMarkAndAsksToResumeOnlyOnceDrainedToTheOther() throws IOException {
        RequestBody body = body(-1, false);
        int added = 0;
        while (!body.paused()) {
            ByteBuf chunk = chunk(8192, 1);
            assertTrue(body.add(chunk));
            chunk.release();
            added += 8192;
        }
        assertEquals(RequestBody.PAUSE_AT, added, "paused exactly at the mark");
        assertEquals(1, body.pauses());
        byte[] buffer = new byte[4096];
        long left = added;
        while (left - 4096 > RequestBody.RESUME_AT) {
            assertEquals(4096, body.read(buffer));
            left -= 4096;
            assertEquals(0, resumes.get(), "still above the resume mark: " + left);
            assertTrue(body.paused());
        }
        assertEquals(4096, body.read(buffer));
        assertEquals(1, resumes.get());
        assertFalse(body.paused());
        assertEquals(RequestBody.PAUSE_AT, body.peakQueuedBytes());
    }

    @Test
    void readsSpanChunksAndEndWithTheBody() throws IOException {
        RequestBody body = body(6, false);
        body.add(Unpooled.wrappedBuffer(new byte[] {1, 2}));
        body.add(Unpooled.wrappedBuffer(new byte[] {3, 4, 5, 6}));
        body.end();
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, body.readAllBytes());
        assertEquals(-1, body.read());
    }

    @Test
    void whatArrivedIsReadBeforeTheFailure() throws IOException {
        RequestBody body = body(-1, false);
        body.add(Unpooled.wrappedBuffer(new byte[] {7, 8, 9}));
        body.fail(new IOException("malformed request body"));
        byte[] buffer = new byte[10];
        assertEquals(3, body.read(buffer));
        IOException failure = assertThrows(IOException.class, () -> body.read(buffer));
        assertTrue(failure.getMessage().contains("malformed"), failure.getMessage());
    }

    @Test
    void detachReleasesWhatIsQueuedRefusesMoreAndFailsReads() {
        RequestBody body = body(-1, false);
        List<ByteBuf> chunks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ByteBuf chunk = chunk(100, i);
            body.add(chunk);
            chunk.release();
            chunks.add(chunk);
        }
        body.detach();
        assertTrue(chunks.stream().allMatch(c -> c.refCnt() == 0), "released");
        ByteBuf late = chunk(10, 0);
        assertFalse(body.add(late), "the router drops what comes after");
        late.release();
        assertThrows(IOException.class, () -> body.read(new byte[1]));
    }

    @Test
    void connectionClosedFailsAnUnfinishedBodyNotARead() throws IOException {
        RequestBody unfinished = body(100, false);
        unfinished.add(Unpooled.wrappedBuffer(new byte[10]));
        unfinished.connectionClosed();
        assertThrows(IOException.class, () -> unfinished.read(new byte[100]));

        RequestBody whole = body(2, false);
        whole.add(Unpooled.wrappedBuffer(new byte[] {1, 2}));
        whole.end();
        assertEquals(2, whole.read(new byte[2]));
        whole.connectionClosed();
        assertEquals(-1, whole.read(new byte[2]), "read whole before the close: nothing was lost");
    }

    @Test
    void theFirstReadAsksForTheBodyOnce() throws IOException {
        RequestBody body = body(3, true);
        // Clients may send without waiting for the go-ahead.
        body.add(Unpooled.wrappedBuffer(new byte[] {1, 2}));
        assertEquals(0, goAheads.get(), "nothing asked before anyone reads");
        body.read();
        body.read();
        assertEquals(1, goAheads.get());

        RequestBody arrived = body(1, true);
        arrived.add(Unpooled.wrappedBuffer(new byte[] {1}));
        arrived.end();
        arrived.read();
        assertEquals(1, goAheads.get(), "no go-ahead for a body that has all arrived");
    }

    @Test
    void wholeBodyOverADeclaredLimitIsRefusedWithoutAskingForIt() {
        RequestBody body = body(1001, true);
        RequestBodyTooLargeException refused = assertThrows(RequestBodyTooLargeException.class,
                () -> call(body, 1000).body());
        assertEquals(1000, refused.limit());
        assertEquals(0, goAheads.get(), "no 100 Continue: the client never sends the body");
    }

    @Test
    void wholeChunkedBodyIsReadToOnePastTheLimit() {
        RequestBody over = body(-1, false);
        over.add(Unpooled.wrappedBuffer(new byte[1001]));
        over.end();
        assertThrows(RequestBodyTooLargeException.class, () -> call(over, 1000).body());

        RequestBody at = body(-1, false);
        at.add(Unpooled.wrappedBuffer(new byte[600]));
        at.add(Unpooled.wrappedBuffer(new byte[400]));
        at.end();
        HttpCall call = call(at, 1000);
        assertEquals(1000, call.body().length);
        assertTrue(call.body() == call.body(), "read once, the same array after");
        assertEquals(1000, assertDoesNotThrowReadAll(call));
    }

    private static int assertDoesNotThrowReadAll(HttpCall call) {
        try {
            return call.bodyStream().readAllBytes().length;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void bodyAfterTheStreamIsRefused() {
        HttpCall call = call(body(0, false), 1000);
        call.bodyStream();
        assertThrows(IllegalStateException.class, call::body);
    }

    @Test
    void aCallBuiltFromBytesHasThemBothWays() throws IOException {
        HttpCall call = new HttpCall("PUT", "/x", Map.of(), Map.of(), Map.of(), new byte[] {4, 5}, null);
        assertArrayEquals(new byte[] {4, 5}, call.body());
        assertArrayEquals(new byte[] {4, 5}, call.bodyStream().readAllBytes());
        assertEquals(0, new HttpCall("GET", "/x", Map.of(), Map.of(), Map.of(), null, null).body().length);
    }
}
