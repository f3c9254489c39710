package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a handler in the pipeline that must see the bytes, assets go out in chunks, not by sendfile. */
class HttpChunkedFallbackTest {
    @TempDir
    Path root;

    @Test
    void compressorInThePipelineMeansChunksWithTheSameBytes() throws Exception {
        byte[] file = new byte[200_000];
        new Random(7).nextBytes(file);
        Files.write(root.resolve("initrd.img"), file);
        RouteTable table = new RouteTable(List.of(), Map.of("/assets/", new AssetDirectory(root)));
        EmbeddedChannel channel = new EmbeddedChannel(new HttpContentCompressor(), new ChunkedWriteHandler(),
                new HttpRequestRouter(table, List.of(), new StaticAssetHandler(), Runnable::run, 1 << 20));
        assertFalse(StaticAssetHandler.zeroCopy(channel.pipeline()));

        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/assets/initrd.img",
                Unpooled.EMPTY_BUFFER));
        channel.runPendingTasks();
        HttpResponse response = channel.readOutbound();
        assertEquals(200, response.status().code());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int chunks = 0;
        for (Object out; (out = channel.readOutbound()) != null; ) {
            assertFalse(out instanceof FileRegion, "no sendfile past a compressor");
            ByteBuf content = ((HttpContent) out).content();
            content.readBytes(body, content.readableBytes());
            ((HttpContent) out).release();
            chunks++;
            if (out instanceof LastHttpContent) {
                break;
            }
        }
        assertTrue(chunks > 1, "chunks: " + chunks);
        assertArrayEquals(file, body.toByteArray());
        channel.finishAndReleaseAll();
    }
}
