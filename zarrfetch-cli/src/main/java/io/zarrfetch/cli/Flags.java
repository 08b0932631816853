package io.zarrfetch.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.zarrfetch.fetch.FetchOptions;
import io.zarrfetch.fetch.HedgePolicy;
import io.zarrfetch.store.AwsConfig;
import io.zarrfetch.store.StoreOptions;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options shared by the commands. */
final class Flags {
    private Flags() {
    }

    /**
     * Bad input found after parsing (a URL that names no store, a missing profile, a selection that does not fit):
     * exit status 2, like a parse error, but without the hint to read --help.
     */
    static final class BadInput extends CommandLine.ParameterException {
        private static final long serialVersionUID = 1L;

        BadInput(CommandSpec spec, String message) {
            super(spec.commandLine(), message);
        }
    }

    /** Where objects are and how to reach them. */
    static final class Store {
        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

        @Option(names = "--profile", paramLabel = "NAME",
                description = "The AWS profile whose settings and credentials to use (default: $AWS_PROFILE, else "
                        + "default), from ~/.aws/config and ~/.aws/credentials.")
        String profile;

        @Option(names = {"--endpoint", "--endpoint-url"}, paramLabel = "URL",
                description = "S3-compatible endpoint, like http://127.0.0.1:9000 (default: $AWS_ENDPOINT_URL_S3, "
                        + "$AWS_ENDPOINT_URL, the profile's endpoint_url, else AWS). Buckets are then addressed "
                        + "path-style, unless the profile's s3 addressing_style is virtual.")
        URI endpoint;

        @Option(names = "--region", paramLabel = "REGION",
                description = "S3 region (default: $AWS_REGION, the profile's region, else us-east-1; a bucket in "
                        + "another region is followed there).")
        String region;

        @Option(names = "--no-sign-request", description = "Send S3 requests unsigned, for public buckets.")
        boolean noSignRequest;

        @Option(names = "--ca-bundle", paramLabel = "FILE", converter = ReadableFile.class,
                description = "Trust the certificate authorities in this PEM file for HTTPS (default: "
                        + "$AWS_CA_BUNDLE, the profile's ca_bundle, else the JDK's).")
        Path caBundle;

        @Option(names = "--connect-timeout", paramLabel = "TIME", converter = Seconds.class,
                description = "Give up a connection attempt after TIME, like 10s or 500ms (default: 10s); the "
                        + "request is then retried.")
        Duration connectTimeout;

        @Option(names = "--read-timeout", paramLabel = "TIME", converter = Seconds.class,
                description = "Give up a request when its answer's first byte, or any next byte of its body, takes "
                        + "longer than TIME (default: 30s); the request is then retried, resuming the body.")
        Duration readTimeout;

        @Option(names = "--max-attempts", paramLabel = "N",
                description = "Try a failing request (any: listings, metadata, objects) at most N times, the first "
                        + "included (default: $AWS_MAX_ATTEMPTS, the profile's max_attempts, else 5).")
        Integer maxAttempts;

        private AwsConfig aws;

        /**
         * The settings of the AWS CLI's environment variables and shared config files, for --profile.
         *
         * @throws BadInput when the profile does not exist or a setting is malformed
         */
        AwsConfig aws() {
            if (aws == null) {
                try {
                    aws = AwsConfig.load(profile, Main.environment(command));
                } catch (IllegalArgumentException e) {
                    throw new BadInput(command, e.getMessage());
                }
            }
            return aws;
        }

        /** The options: these flags, then the environment and the profile ({@link #aws()}), then the defaults. */
        StoreOptions options(int connectionsPerHost) {
            StoreOptions o = aws().storeOptions().withMaxConnectionsPerHost(connectionsPerHost);
            if (connectTimeout != null) {
                o = o.withConnectTimeout(connectTimeout);
            }
            if (readTimeout != null) {
                o = o.withReadTimeout(readTimeout);
            }
            if (region != null) {
                o = o.withRegion(region);
            }
            if (caBundle != null) {
                o = o.withCaBundle(caBundle);
            }
            if (maxAttempts != null) {
                if (maxAttempts < 1) {
                    throw new BadInput(command, "--max-attempts must be 1 or more, was " + maxAttempts);
                }
                o = o.withRetry(o.retry().withMaxAttempts(maxAttempts));
            }
            try {
                if (endpoint != null) {
                    o = o.withEndpoint(endpoint);
                }
            } catch (IllegalArgumentException e) {
                throw new BadInput(command, "--endpoint: " + e.getMessage());
            }
            return o.withAnonymous(noSignRequest || o.anonymous());
        }
    }

    /** How fetching is bounded. */
    static final class Fetch {
        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

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


        // '%%': picocli formats descriptions, and a lone '%' is a broken format specifier
        @Option(names = "--no-hedging", description = "Never send a stalled request again (default: a request that "
                + "gets nothing for 3 times the usual wait for an answer, and at least 1 s, is sent again on another "
                + "connection, and the first to complete wins; at most 5%% of requests).")
        boolean noHedging;

        /**
         * The options: these flags, then the defaults.
         *
         * @throws BadInput when a value is out of its range
         */
        FetchOptions options() {
            FetchOptions o = FetchOptions.defaults();
            o = set(o, "--concurrency", concurrency, FetchOptions::withConcurrency);
            o = set(o, "--part-size", partSize, FetchOptions::withPartSize);
            o = set(o, "--memory-limit", memoryLimit, FetchOptions::withMemoryLimit);
            if (noHedging) {
                o = o.withHedging(HedgePolicy.off());
            }
            return o;
        }

        /** {@code with.apply(o, value)} when the option was given, its range error a usage error naming it. */
        private <T> FetchOptions set(FetchOptions o, String option, T value,
                BiFunction<FetchOptions, T, FetchOptions> with) {
            if (value == null) {
                return o;
            }
            try {
                return with.apply(o, value);
            } catch (IllegalArgumentException e) {
                throw new BadInput(command, option + ": " + e.getMessage());
            }
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

    /** A file that exists and can be read. */
    static final class ReadableFile implements CommandLine.ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path p = Path.of(value);
            String problem = !Files.exists(p) ? "no such file" : Files.isDirectory(p) ? "a folder, not a file"
                    : !Files.isReadable(p) ? "permission denied" : null;
            if (problem != null) {
                throw new CommandLine.TypeConversionException(value + ": " + problem);
            }
            return p;
        }
    }
}
