package io.zarrfetch.store;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;

/**
 * BoringSSL's engine through netty-tcnative (its statically linked native library, shipped for Linux, macOS and
 * Windows on x86-64 and ARM64). Only this class names Netty, so that a missing native library or jar fails here and
 * {@link TlsEngines} can fall back to the JDK's engine.
 */
final class BoringSsl extends TlsEngines {
    private final SslContext context;

    private BoringSsl(SslContext context) {
        this.context = context;
    }

    static BoringSsl create(X509ExtendedTrustManager trust) throws SSLException {
        OpenSsl.ensureAvailability(); // throws, with the loader's reason, where the native library cannot load
        return new BoringSsl(SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL)
                .trustManager(trust)
                .protocols(PROTOCOLS)
                .endpointIdentificationAlgorithm("HTTPS")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ALPN))
                .build());
    }

    @Override
    String provider() {
        return "boringssl";
    }

    @Override
    SSLEngine engine(String host, int port) {
        // Host and port key the session cache and give SNI and the host name to verify. The engine comes by way of
        // a handler (never added to a pipeline) because only that way is it made out of the JDK's compatibility
        // mode: an unwrap then decrypts every whole record it is given, not one (a result object per 16 KB record
        // was ~2 MB of garbage per GB, and each call crosses JNI several times). TlsChannel expects either.
        return context.newHandler(ByteBufAllocator.DEFAULT, host, port).engine();
    }

    @Override
    void release(SSLEngine engine) {
        ReferenceCountUtil.release(engine);
    }
}
