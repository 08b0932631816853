package io.zarrfetch.cli;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.HedgePolicy;
import io.zarrfetch.store.StoreOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options shared by the commands. */
final class Flags {
    private Flags() {
    }

    /** Where objects are and how to reach them. */
    static final class Store {
        @Option(names = "--endpoint", paramLabel = "URL",
                description = "S3-compatible endpoint, like http://127.0.0.1:9000 (default: $AWS_ENDPOINT_URL, "
                        + "else AWS). Buckets are then addressed path-style.")
        URI endpoint;

        @Option(names = "--region", paramLabel = "REGION",
                description = "S3 region (default: $AWS_REGION, else us-east-1; a bucket in another region is "
                        + "followed there).")
        String region;

        @Option(names = "--no-sign-request", description = "Send S3 requests unsigned, for public buckets.")
        boolean noSignRequest;

        @Option(names = "--connect-timeout", paramLabel = "TIME", converter = Seconds.class,
                description = "Give up a connection attempt after TIME, like 10s or 500ms (default: 10s); the "
                        + "request is then retried.")
        Duration connectTimeout;

        @Option(names = "--read-timeout", paramLabel = "TIME", converter = Seconds.class,
                description = "Give up a request when its answer's first byte, or any next byte of its body, takes "
                        + "longer than TIME (default: 30s); the request is then retried, resuming the body.")
        Duration readTimeout;

        StoreOptions options(int connectionsPerHost) {
            StoreOptions o = StoreOptions.defaults().withMaxConnectionsPerHost(connectionsPerHost);
            if (connectTimeout != null) {
                o = o.withConnectTimeout(connectTimeout);
            }
            if (readTimeout != null) {
                o = o.withReadTimeout(readTimeout);
            }
            if (endpoint != null) {
                o = o.withEndpoint(endpoint);
            }
            if (region != null) {
                o = o.withRegion(region);
            }
            return o.withAnonymous(noSignRequest || o.anonymous());
        }
    }

    /** How fetching is bounded. */
    static final class Fetch {
        @Option(names = "--concurrency", paramLabel = "N",
                description = "Keep exactly N requests in flight, over at most N connections per host (default: "
                        + "adaptive, from " + FetchOptions.START_CONCURRENCY + " up to "
                        + FetchOptions.DEFAULT_CONCURRENCY + ", adding requests while they add throughput).")
        Integer concurrency;

        @Option(names = "--part-size", paramLabel = "SIZE", converter = Sizes.Converter.class,
                description = "Objects larger than this are fetched as parallel ranged GETs of this size "
                        + "(default: 8MiB).")
        Long partSize;

        @Option(names = "--memory-limit", paramLabel = "SIZE", converter = Sizes.Converter.class,
                description = "Most bytes of buffers held at once, whatever the number or size of objects "
                        + "(default: 512MiB).")
        Long memoryLimit;

        @Option(names = "--no-hedging", description = "Never send a stalled request again (default: a request that "
                + "gets nothing for 3 times the usual wait for an answer, and at least 1 s, is sent again on another "
                + "connection, and the first to complete wins; at most 5% of requests).")
        boolean noHedging;

        FetchOptions options() {
            FetchOptions o = FetchOptions.defaults();
            if (concurrency != null) {
                o = o.withConcurrency(concurrency);
            }
            if (partSize != null) {
                o = o.withPartSize(partSize);
            }
            if (memoryLimit != null) {
                o = o.withMemoryLimit(memoryLimit);
            }
            if (noHedging) {
                o = o.withHedging(HedgePolicy.off());
            }
            return o;
        }
    }

    /** How results are printed. */
    static final class Output {
        @Option(names = "--json", description = "Print machine-readable JSON, one object a line.")
        boolean json;

        @Option(names = {"-q", "--quiet"}, description = "Print no progress and no summary; failures still go "
                + "to stderr.")
        boolean quiet;
    }

    /** A duration like {@code 30s}, {@code 500ms}, {@code 2m} or a plain number of seconds; more than zero. */
    static final class Seconds implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern TIME = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|)");

        @Override
        public Duration convert(String value) {
            Matcher m = TIME.matcher(value.strip().toLowerCase(java.util.Locale.ROOT));
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("not a time like 30s, 500ms or 2m: '" + value + "'");
            }
            double n = Double.parseDouble(m.group(1));
            double millis = switch (m.group(2)) {
                case "ms" -> n;
                case "m" -> n * 60_000;
                default -> n * 1000;
            };
            if (millis < 1 || millis > 86_400_000) {
                throw new CommandLine.TypeConversionException("a time from 1ms to 24h, not '" + value + "'");
            }
            return Duration.ofMillis(Math.round(millis));
        }
    }
}
