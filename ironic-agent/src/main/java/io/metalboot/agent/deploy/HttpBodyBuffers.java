package io.metalboot.agent.deploy;

/**
 * The JDK HTTP client hands a response body over in buffers of {@code jdk.httpclient.bufsize}
 * (16 KiB by default), one thread hand-off each: for a many-GiB image that is the deploy's
 * bottleneck (bench/deploy: the qcow2 write 0.78× its peer with 16 KiB, 1.04× with 1 MiB). The
 * property is read once, when the client's classes load, so each program of the agent sets it
 * first thing in its main, unless the command line already did.
 */
public final class HttpBodyBuffers {
    static final String PROPERTY = "jdk.httpclient.bufsize";
    static final String SIZE = Integer.toString(1024 * 1024);

    private HttpBodyBuffers() {
    }

    public static void enlarge() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, SIZE);
        }
    }
}
