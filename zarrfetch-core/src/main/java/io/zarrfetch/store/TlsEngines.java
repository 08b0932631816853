package io.zarrfetch.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Locale;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the {@link SSLEngine}s of HTTPS connections, all configured alike: TLS 1.3 and 1.2, the server's
 * certificate checked against the trusted authorities and its host name always verified, SNI, ALPN
 * {@code http/1.1}, sessions resumed per host and port.
 *
 * <p>The engine is BoringSSL's (through netty-tcnative) where its native library loads, else the JDK's; the choice
 * and its measurements are docs/decisions/0005-tls.md. {@code -Dzarrfetch.tls=jsse} forces the JDK's.
 *
 * <p>Trust: the PEM bundle of {@link StoreOptions#caBundle()} when set (it replaces the default authorities, as
 * {@code AWS_CA_BUNDLE} does for the AWS CLI), else the JDK's ({@code cacerts}, or
 * {@code javax.net.ssl.trustStore}).
 */
abstract class TlsEngines {
    private static final Logger LOG = LoggerFactory.getLogger(TlsEngines.class);
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    static final String[] ALPN = {"http/1.1"};

    /** The engine's provider as reports name it: "boringssl" or "jdk". */
    abstract String provider();

    /** A client engine for a connection to {@code host:port}, its handshake not begun. */
    abstract SSLEngine engine(String host, int port);

    /** Frees what an engine holds outside the heap; called once, by the connection's owner, when it closes. */
    void release(SSLEngine engine) {
    }

    /** Which engine to use: {@code -Dzarrfetch.tls=auto|boringssl|jsse}. */
    enum Provider {
        /** BoringSSL where it loads, else the JDK's, with one line of warning. */
        AUTO,
        /** BoringSSL or an error. */
        BORINGSSL,
        /** The JDK's (JSSE). */
        JDK;

        static Provider fromSystemProperty() {
            String p = System.getProperty("zarrfetch.tls", "auto").strip().toLowerCase(Locale.ROOT);
            return switch (p) {
                case "auto", "" -> AUTO;
                case "boringssl", "openssl" -> BORINGSSL;
                case "jsse", "jdk" -> JDK;
                default -> throw new IllegalArgumentException(
                        "-Dzarrfetch.tls must be auto, boringssl or jsse, was " + p);
            };
        }
    }

    /** The engines for these options, from the provider {@code -Dzarrfetch.tls} names. */
    static TlsEngines create(StoreOptions options) {
        return create(options, Provider.fromSystemProperty());
    }

    /**
     * The engines for these options.
     *
     * @throws IllegalArgumentException when the CA bundle cannot be read or holds no certificate, naming it
     */
    static TlsEngines create(StoreOptions options, Provider provider) {
        X509ExtendedTrustManager trust = trustManager(options.caBundle());
        return switch (provider) {
            case JDK -> new Jdk(trust);
            case BORINGSSL -> {
                try {
                    yield BoringSsl.create(trust);
                } catch (Exception | LinkageError e) {
                    throw new IllegalStateException("BoringSSL could not load here: " + rootMessage(e), e);
                }
            }
            case AUTO -> {
                try {
                    yield BoringSsl.create(trust);
                } catch (Exception | LinkageError e) {
                    LOG.warn(fallbackWarning(e, c1Only()));
                    yield new Jdk(trust);
                }
            }
        };
    }

    /** The warning of a fallback to the JDK's engine: why BoringSSL did not load, and what to do about it. */
    static String fallbackWarning(Throwable e, boolean c1Only) {
        return "TLS falls back to the JDK's engine, which costs more CPU: BoringSSL could not load here ("
                + rootMessage(e) + ")"
                + (mentions(e, "noexec", 0) ? "; the folder Netty unpacks it into does not allow running code (mounted "
                        + "noexec?): name one that does with -Dio.netty.native.workdir=DIR" : "")
                + (c1Only ? "; and this JVM runs the C1 compiler only (-XX:TieredStopAtLevel=1), under which the "
                        + "JDK's TLS is about 30 times slower: add -XX:TieredStopAtLevel=4 to its options "
                        + "(ZARRFETCH_JAVA_OPTS)" : "");
    }

    /** Whether a message of {@code e}, its causes or what they suppressed holds {@code text}. */
    private static boolean mentions(Throwable e, String text, int depth) {
        if (e == null || depth > 8) {
            return false;
        }
        if (e.getMessage() != null && e.getMessage().contains(text)) {
            return true;
        }
        for (Throwable s : e.getSuppressed()) {
            if (mentions(s, text, depth + 1)) {
                return true;
            }
        }
        return e.getCause() != e && mentions(e.getCause(), text, depth + 1);
    }

    /** Applies what every engine shares. */
    static SSLEngine configure(SSLEngine engine) {
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setApplicationProtocols(ALPN);
        p.setProtocols(PROTOCOLS);
        engine.setSSLParameters(p);
        return engine;
    }

    /** The JDK's engine (JSSE). */
    static final class Jdk extends TlsEngines {
        private final SSLContext context;

        Jdk(X509ExtendedTrustManager trust) {
            try {
                context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {trust}, null);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK offers no TLS: " + e.getMessage(), e);
            }
        }

        @Override
        String provider() {
            return "jdk";
        }

        @Override
        SSLEngine engine(String host, int port) {
            return configure(context.createSSLEngine(host, port));
        }
    }

    /** The JDK's trust manager over a CA bundle's certificates, or over the JDK's defaults. */
    static X509ExtendedTrustManager trustManager(Path caBundle) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(caBundle == null ? null : keyStore(caBundle));
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x; // the engines check host names through it, given the connection's engine
                }
            }
            throw new IllegalStateException("the JDK's trust manager factory made no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up certificate checks: " + e.getMessage(), e);
        }
    }

    private static KeyStore keyStore(Path caBundle) throws GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caBundle)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("CA bundle " + caBundle + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the CA bundle " + caBundle + ": " + e.getMessage());
        } catch (CertificateException e) {
            throw new IllegalArgumentException("the CA bundle " + caBundle + " is not a PEM file of certificates ("
                    + rootMessage(e) + ")");
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("the CA bundle " + caBundle + " holds no certificate (a PEM file of "
                    + "-----BEGIN CERTIFICATE----- blocks is expected)");
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int i = 0;
        for (Certificate c : certificates) {
            ks.setCertificateEntry("ca-" + i++, c);
        }
        return ks;
    }

    /** Whether this JVM compiles with C1 alone, where the JDK's AES-GCM has no intrinsics. */
    static boolean c1Only() {
        try {
            return "1".equals(java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("TieredStopAtLevel").getValue());
        } catch (RuntimeException | LinkageError e) {
            return false; // not HotSpot: nothing to say
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
