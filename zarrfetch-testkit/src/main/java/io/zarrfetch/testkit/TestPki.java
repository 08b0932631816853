package io.zarrfetch.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made in the test's process, for TLS tests: it issues server certificates for the names
 * a test needs (host names and IP addresses), valid now or for a period given (an expired one, say), and writes its
 * own certificate as PEM for the client to trust. Keys are EC P-256, made fresh for each authority and certificate.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final KeyPair keys;
    private final X509Certificate certificate;
    private volatile Path pemFile;
    private volatile Issued local;

    /** The authority of the machine's test servers (see {@link #local()}): made once per JVM. */
    private static final class Local {
        static final TestPki CA = create("zarrfetch local test CA");
    }

    private TestPki(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new authority named {@code CN=name}, valid from an hour ago for a day. */
    public static TestPki create(String name) {
        try {
            KeyPair keys = ecKeys();
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                    keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new TestPki(keys, sign(b, keys.getPrivate()));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test certificate authority", e);
        }
    }

    /**
     * One authority for the test servers of this JVM that need no other ({@link FaultProxy#startTls(java.net.URI,
     * long)}): clients trust it through {@link #caBundle()}, servers present {@link #localServer()}.
     */
    public static TestPki local() {
        return Local.CA;
    }

    /** A PEM file of this authority's certificate, written once to a temporary file deleted at exit. */
    public Path caBundle() {
        Path p = pemFile;
        if (p == null) {
            synchronized (this) {
                p = pemFile;
                if (p == null) {
                    try {
                        p = Files.createTempFile("zarrfetch-test-ca-", ".pem");
                        p.toFile().deleteOnExit();
                        writePem(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    pemFile = p;
                }
            }
        }
        return p;
    }

    /** A server certificate for 127.0.0.1 and localhost, issued once. */
    public Issued localServer() {
        Issued i = local;
        if (i == null) {
            synchronized (this) {
                i = local;
                if (i == null) {
                    i = issue("127.0.0.1", "localhost");
                    local = i;
                }
            }
        }
        return i;
    }

    /** The authority's own certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The authority's certificate in PEM, as a CA bundle holds it. */
    public String pem() {
        return pem(certificate);
    }

    /** Writes {@link #pem()} to {@code file}, which it returns. */
    public Path writePem(Path file) {
        try {
            return Files.writeString(file, pem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A key store that trusts this authority alone (for clients configured with a trust store). */
    public KeyStore trustStore() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", certificate);
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A server certificate for {@code names} (host names, or IP addresses such as {@code 127.0.0.1}), valid from an
     * hour ago for a day.
     */
    public Issued issue(String... names) {
        Instant now = Instant.now();
        return issue(now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), names);
    }

    /** A server certificate for {@code names}, valid from {@code notBefore} to {@code notAfter}. */
    public Issued issue(Instant notBefore, Instant notAfter, String... names) {
        if (names.length == 0) {
            throw new IllegalArgumentException("a server certificate needs at least one name");
        }
        try {
            KeyPair server = ecKeys();
            GeneralName[] alt = new GeneralName[names.length];
            for (int i = 0; i < names.length; i++) {
                boolean ip = names[i].matches("[0-9.]+") || names[i].contains(":");
                alt[i] = ip ? new GeneralName(GeneralName.iPAddress, InetAddress.ofLiteral(names[i]).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, names[i]);
            }
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + names[0]), server.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(certificate));
            return new Issued(server.getPrivate(), sign(b, keys.getPrivate()), certificate);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    /** A server's key and certificate, with the authority's certificate that completes its chain. */
    public record Issued(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
        private static final char[] PASSWORD = "test".toCharArray();

        /** A key store holding the key and the chain (certificate, then authority), under the password "test". */
        public KeyStore keyStore() {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("server", key, PASSWORD, new Certificate[] {certificate, ca});
                return ks;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The key store's password. */
        public static String password() {
            return new String(PASSWORD);
        }

        /** A server-side TLS context presenting this certificate and its chain. */
        public SSLContext serverContext() {
            try {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore(), PASSWORD);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), null, null);
                return context;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static String pem(X509Certificate c) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
