package io.zarrfetch.store;

import java.security.GeneralSecurityException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.conscrypt.Conscrypt;

/** BoringSSL through Conscrypt 2.5.2: measured against netty-tcnative for docs/decisions/0005-tls.md. */
final class ConscryptTls extends TlsEngines {
    private final SSLContext context;

    ConscryptTls(X509ExtendedTrustManager trust) throws GeneralSecurityException {
        context = SSLContext.getInstance("TLS", Conscrypt.newProvider());
        context.init(null, new TrustManager[] {trust}, null);
    }

    @Override
    String provider() {
        return "conscrypt";
    }

    @Override
    SSLEngine engine(String host, int port) {
        return configure(context.createSSLEngine(host, port));
    }
}
