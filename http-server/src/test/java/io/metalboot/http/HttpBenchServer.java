package io.metalboot.http;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * For bench/http/run.sh, not a test: the HTTP server alone on 127.0.0.1:PORT serving ASSETS_DIR,
 * with two small endpoints until killed: /bench/hello (non-blocking, on the event loop) and
 * /bench/hello-vt (an ordinary endpoint, on a virtual thread), the same 18-byte reply.
 * Usage: {@code java -cp TEST_CLASSPATH io.metalboot.http.HttpBenchServer PORT ASSETS_DIR [IO_THREADS]}
 */
public final class HttpBenchServer {
    private static final String HELLO = "#!ipxe\necho hello\n";

    private HttpBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path assets = Path.of(args[1]);
        int ioThreads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        HttpServer server = new HttpServer(
                HttpSettings.defaults(InetAddress.getLoopbackAddress(), port).withMount("/assets/", assets).withIoThreads(ioThreads),
                List.of(
                        // Like the appliance's /boot.ipxe: a non-blocking endpoint, answered on the event loop.
                        HttpRoute.exact("/bench/hello", HttpEndpoint.nonBlocking(call -> HttpReply.text(200, HELLO))),
                        // Like a per-machine script or an API call: a virtual thread per request.
                        HttpRoute.exact("/bench/hello-vt", call -> HttpReply.text(200, HELLO))));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await();
    }
}
