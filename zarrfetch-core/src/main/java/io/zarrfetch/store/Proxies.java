package io.zarrfetch.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP proxies that requests go through, as the AWS CLI and curl take them from {@code HTTPS_PROXY},
 * {@code HTTP_PROXY} and {@code NO_PROXY}. An https URL is reached through a tunnel the proxy opens ({@code CONNECT}),
 * so TLS, its certificate checks and the pooling of connections stay end to end; an http URL is asked of the proxy
 * itself. Credentials in a proxy's URL ({@code http://user:password@host:port}) go to it as Basic authentication;
 * {@link #toString()} never shows them.
 *
 * @param http the proxy of {@code http://} URLs ({@code http://host[:port]}, port 80 by default), or {@code null} to
 *     connect directly
 * @param https the proxy of {@code https://} URLs, or {@code null} to connect directly
 * @param noProxy the hosts reached directly, lower case: a name is itself and its subdomains ({@code example.com}
 *     and {@code .example.com} alike), an IP address itself, {@code *} every host
 */
public record Proxies(URI http, URI https, List<String> noProxy) {

    public Proxies {
        check(http, "the http proxy");
        check(https, "the https proxy");
        List<String> hosts = new ArrayList<>();
        for (String h : noProxy == null ? List.<String>of() : noProxy) {
            String s = h == null ? "" : h.strip().toLowerCase(Locale.ROOT);
            if (s.startsWith("[") && s.contains("]")) {
                s = s.substring(1, s.indexOf(']')); // an IPv6 address, with or without a port
            } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
                s = s.substring(0, s.indexOf(':')); // host:port: the host
            }
            if (s.startsWith(".")) {
                s = s.substring(1);
            }
            if (!s.isEmpty()) {
                hosts.add(s);
            }
        }
        noProxy = List.copyOf(hosts);
    }

    /** No proxy: every host is reached directly. */
    public static Proxies none() {
        return new Proxies(null, null, List.of());
    }

    /**
     * The proxies of these environment variables: {@code https_proxy}, else {@code HTTPS_PROXY}; {@code http_proxy},
     * else {@code HTTP_PROXY}; {@code no_proxy}, else {@code NO_PROXY} (hosts separated by commas). A proxy without a
     * scheme ({@code proxy.example.com:3128}) is an {@code http://} one.
     *
     * @throws IllegalArgumentException when a proxy is not an {@code http://host[:port]} URL, naming its variable
     */
    public static Proxies fromEnvironment(Map<String, String> environment) {
        List<String> noProxy = new ArrayList<>();
        String list = variable(environment, "no_proxy");
        if (list != null) {
            noProxy.addAll(List.of(list.split(",")));
        }
        return new Proxies(proxy(environment, "http_proxy"), proxy(environment, "https_proxy"), noProxy);
    }

    /** The proxy of a request to {@code host} over http or https, or {@code null} to connect directly. */
    URI forTarget(boolean https, String host) {
        URI proxy = https ? this.https : http;
        if (proxy == null) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (String entry : noProxy) {
            if (entry.equals("*") || h.equals(entry) || h.endsWith("." + entry)) {
                return null;
            }
        }
        return proxy;
    }

    @Override
    public String toString() {
        return "Proxies[http=" + shown(http) + ", https=" + shown(https) + ", noProxy=" + noProxy + "]";
    }

    private static String shown(URI proxy) {
        return proxy == null ? "none" : "http://" + (proxy.getRawUserInfo() != null ? "****@" : "") + describe(proxy);
    }

    /** The {@code Proxy-Authorization} value for a proxy's URL, or {@code null} when it holds no credentials. */
    static String authorization(URI proxy) {
        String user = proxy.getRawUserInfo();
        if (user == null) {
            return null;
        }
        String decoded = java.net.URLDecoder.decode(user.replace("+", "%2B"), StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
    }

    /** The proxy's {@code host:port}, as messages name it (never its credentials). */
    static String describe(URI proxy) {
        return proxy.getHost() + ":" + port(proxy);
    }

    static int port(URI proxy) {
        return proxy.getPort() < 0 ? 80 : proxy.getPort();
    }

    /** The variable that holds the setting: the lower-case name, else the upper-case one; null if neither does. */
    private static String name(Map<String, String> environment, String lowerCase) {
        for (String name : List.of(lowerCase, lowerCase.toUpperCase(Locale.ROOT))) {
            String v = environment.get(name);
            if (v != null && !v.isBlank()) {
                return name;
            }
        }
        return null;
    }

    private static String variable(Map<String, String> environment, String lowerCase) {
        String name = name(environment, lowerCase);
        return name == null ? null : environment.get(name).strip();
    }

    private static URI proxy(Map<String, String> environment, String lowerCase) {
        String name = name(environment, lowerCase);
        if (name == null) {
            return null;
        }
        String v = environment.get(name).strip();
        URI uri;
        try {
            uri = new URI(v.contains("://") ? v : "http://" + v);
        } catch (URISyntaxException e) {
            // the reason, not the value: it may hold a password
            throw new IllegalArgumentException(name + " is not a URL (" + e.getReason() + "): a proxy is "
                    + "http://host:port, with credentials http://user:password@host:port", e);
        }
        check(uri, name);
        return uri;
    }

    private static void check(URI proxy, String what) {
        if (proxy == null) {
            return;
        }
        if (!"http".equalsIgnoreCase(proxy.getScheme())) {
            throw new IllegalArgumentException(what + ": only http:// proxies are supported, not " + proxy.getScheme()
                    + "://");
        }
        if (proxy.getHost() == null) {
            throw new IllegalArgumentException(what + ": no host");
        }
        if (proxy.getRawPath() != null && !proxy.getRawPath().isEmpty() && !proxy.getRawPath().equals("/")
                || proxy.getRawQuery() != null) {
            throw new IllegalArgumentException(what + ": a proxy's URL has no path");
        }
    }
}
