package io.metalboot.http;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * For bench/http/run.sh, not a test: the HTTP server alone on 127.0.0.1:PORT serving ASSETS_DIR,
 * with one small endpoint, /bench/hello, until killed.
 * Usage: {@code java -cp TEST_CLASSPATH io.metalboot.http.HttpBenchServer PORT ASSETS_DIR [IO_THREADS]}
 */
public final class HttpBenchServer {
    private HttpBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path assets = Path.of(args[1]);
        int ioThreads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        HttpServer server = new HttpServer(
                HttpSettings.defaults(InetAddress.getLoopbackAddress(), port).withMount("/assets/", assets).withIoThreads(ioThreads),
                List.of(HttpRoute.exact("/bench/hello", call -> HttpReply.text(200, "#!ipxe\necho hello\n"))));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await();
    }
}
