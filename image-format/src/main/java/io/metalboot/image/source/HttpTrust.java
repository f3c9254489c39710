package io.metalboot.image.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** Which servers an HTTPS image source trusts: stated per image, as Metal³ and Ironic state it. */
public sealed interface HttpTrust {
    /** The JDK's CA certificates. */
    record SystemDefault() implements HttpTrust {
    }

    /** Only the CA certificates in this PEM bundle. */
    record CaBundle(Path pemFile) implements HttpTrust {
    }

    /**
     * No verification of the server's certificate or name ("insecure", Ironic's
     * {@code ipa-insecure}); the checksum still verifies the bytes.
     */
    record Insecure() implements HttpTrust {
    }

    static HttpTrust systemDefault() {
        return new SystemDefault();
    }

    /** The SSL context a client uses for this trust. */
    default SSLContext sslContext() throws IOException {
        try {
            return switch (this) {
                case SystemDefault d -> SSLContext.getDefault();
                case CaBundle bundle -> {
                    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                    store.load(null, null);
                    try (InputStream in = Files.newInputStream(bundle.pemFile())) {
                        int n = 0;
                        for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                            store.setCertificateEntry("ca-" + n++, certificate);
                        }
                        if (n == 0) {
                            throw new IOException("CA bundle " + bundle.pemFile() + " holds no certificate");
                        }
                    }
                    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    factory.init(store);
                    SSLContext context = SSLContext.getInstance("TLS");
                    context.init(null, factory.getTrustManagers(), null);
                    yield context;
                }
                case Insecure i -> {
                    SSLContext context = SSLContext.getInstance("TLS");
                    context.init(null, new TrustManager[] {new TrustingEveryone()}, null);
                    yield context;
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS setup for " + this + ": " + e.getMessage(), e);
        }
    }

    /**
     * Accepts any chain and any name. An extended trust manager: the JDK checks the server's
     * name inside the default one, so replacing it is what turns the name check off too.
     */
    final class TrustingEveryone extends X509ExtendedTrustManager {
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
