package io.zarrfetch.spark;

import java.net.URI;

/** What of a URL may be shown in plans, logs and the UI: no user info, no query (a presigned URL's signature). */
final class Redact {
    private Redact() {
    }

    static String url(String url) {
        try {
            URI u = new URI(url);
            if (u.getScheme() == null || u.getRawAuthority() == null) {
                return url;
            }
            String host = u.getHost() != null ? u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "")
                    : u.getRawAuthority().replaceFirst("^.*@", "");
            return u.getScheme() + "://" + host + (u.getRawPath() == null ? "" : u.getRawPath())
                    + (u.getRawQuery() != null ? "?..." : "");
        } catch (java.net.URISyntaxException e) {
            int q = url.indexOf('?');
            return q < 0 ? url : url.substring(0, q) + "?...";
        }
    }
}
