package io.zarrfetch.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real HTTP/1.1 server in this process (Jetty) serving a folder's files on 127.0.0.1 and a free port, with
 * ranges, ETags and keep-alive. It counts connections, so tests can check a client's connection cap.
 *
 * <p>Jetty 12.1's resource lookup turns characters outside the Basic Multilingual Plane (emoji) into '?', so
 * files with such names are not found.
 */
public final class HttpFileServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicInteger opened = new AtomicInteger();

    private HttpFileServer(Path folder, Handler.Wrapper wrapper) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setName("http-file-server");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        // Serve any file name a key can hold, %25 and %2F included.
        http.setUriCompliance(UriCompliance.UNSAFE);
        http.setSendServerVersion(false);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                opened.incrementAndGet();
                maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            }

            @Override
            public void onClosed(Connection connection) {
                open.decrementAndGet();
            }
        });
        server.addConnector(connector);
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.of(server).newResource(folder.toAbsolutePath()));
        files.setDirAllowed(false);
        files.setEtags(true);
        files.setAcceptRanges(true);
        if (wrapper != null) {
            wrapper.setHandler(files);
            server.setHandler(wrapper);
        } else {
            server.setHandler(files);
        }
        server.start();
    }

    /** Serves the files under {@code folder}. */
    public static HttpFileServer start(Path folder) throws Exception {
        return new HttpFileServer(folder, null);
    }

    /** Serves the files under {@code folder} through {@code wrapper}, which may alter requests or answers. */
    public static HttpFileServer start(Path folder, Handler.Wrapper wrapper) throws Exception {
        return new HttpFileServer(folder, wrapper);
    }

    /** The base URL, like {@code http://127.0.0.1:41234/}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    /** The most connections that were open at once. */
    public int maxOpenConnections() {
        return maxOpen.get();
    }

    /** How many connections were opened in all. */
    public int connectionsOpened() {
        return opened.get();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
