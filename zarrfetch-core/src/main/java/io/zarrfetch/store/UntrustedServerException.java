package io.zarrfetch.store;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;

import javax.net.ssl.SSLHandshakeException;

/**
 * An HTTPS server whose certificate is not trusted, or not for the host name asked for; or trust that cannot be set
 * up (an unreadable CA bundle). Trying again cannot help, so it is never retried; the message says how to trust a
 * certificate authority.
 */
final class UntrustedServerException extends IOException {
    private static final long serialVersionUID = 1L;
    private static final String HOW = "if the server's certificate comes from a private certificate authority, "
            + "trust it with --ca-bundle FILE or AWS_CA_BUNDLE=FILE (a PEM file of its certificate)";

    UntrustedServerException(String host, SSLHandshakeException cause, Path caBundle) {
        super("the TLS certificate of " + host + " is not accepted: " + reason(host, cause)
                + (caBundle != null ? " (trusting only the certificate authorities in " + caBundle + ")" : "")
                + "; " + advice(cause) + HOW, cause);
    }

    /** Trust that could not be set up, as the message says. */
    UntrustedServerException(String message) {
        super(message);
    }

    /** Whether a handshake failed over the server's certificate rather than the connection. */
    static boolean isTrustFailure(SSLHandshakeException e) {
        return find(e, CertificateException.class) != null;
    }

    private static String reason(String host, SSLHandshakeException e) {
        if (find(e, CertificateExpiredException.class) != null) {
            return "it has expired (" + find(e, CertificateExpiredException.class).getMessage() + ")";
        }
        if (find(e, CertificateNotYetValidException.class) != null) {
            return "it is not valid yet (" + find(e, CertificateNotYetValidException.class).getMessage() + ")";
        }
        String root = TlsEngines.rootMessage(e);
        if (isHostNameMismatch(root)) {
            return "it is not for the host name " + host + " (" + root + ")";
        }
        if (root.contains("certification path") || root.contains("PKIX") || root.contains("trust anchor")) {
            return "no trusted certificate authority signed it (" + root + ")";
        }
        return root;
    }

    /** What to check first where trusting another authority would not help. */
    private static String advice(SSLHandshakeException e) {
        if (find(e, CertificateExpiredException.class) != null
                || find(e, CertificateNotYetValidException.class) != null) {
            return "check this machine's clock and the server's certificate; ";
        }
        return isHostNameMismatch(TlsEngines.rootMessage(e))
                ? "use a host name the certificate is for (in the URL, or --endpoint for S3); " : "";
    }

    private static boolean isHostNameMismatch(String root) {
        return root.contains("subject alternative") || root.contains("No name matching");
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
