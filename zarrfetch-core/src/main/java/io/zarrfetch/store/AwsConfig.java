package io.zarrfetch.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * The S3 settings of the AWS CLI's environment variables and shared config files, resolved for one profile as the
 * AWS CLI v2 resolves them: the environment over the profile, the profile over the defaults. (Command-line options
 * come first; apply them over {@link #storeOptions()}.) The files are parsed by the AWS SDK.
 *
 * <table>
 *   <caption>Where each setting comes from, first match wins</caption>
 *   <tr><th>setting</th><th>environment</th><th>profile</th></tr>
 *   <tr><td>profile</td><td>{@code AWS_PROFILE}</td><td>({@code default})</td></tr>
 *   <tr><td>region</td><td>{@code AWS_REGION}, {@code AWS_DEFAULT_REGION}</td><td>{@code region}</td></tr>
 *   <tr><td>endpoint</td><td>{@code AWS_ENDPOINT_URL_S3}, {@code AWS_ENDPOINT_URL}</td>
 *       <td>{@code s3 = endpoint_url} in the {@code [services NAME]} section that {@code services} names, then
 *       {@code endpoint_url}</td></tr>
 *   <tr><td>(no endpoint from the two columns above)</td><td>{@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true}</td>
 *       <td>{@code ignore_configured_endpoint_urls = true}</td></tr>
 *   <tr><td>addressing style</td><td></td><td>{@code s3 = addressing_style} (auto, path, virtual)</td></tr>
 *   <tr><td>CA bundle</td><td>{@code AWS_CA_BUNDLE}</td><td>{@code ca_bundle}</td></tr>
 *   <tr><td>max attempts</td><td>{@code AWS_MAX_ATTEMPTS}</td><td>{@code max_attempts}</td></tr>
 *   <tr><td>credentials</td><td>{@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 *       {@code AWS_SESSION_TOKEN} (not when a profile is chosen explicitly)</td>
 *       <td>{@code aws_access_key_id} ..., {@code credential_process}; then container and instance metadata</td></tr>
 *   <tr><td>proxies</td><td>{@code HTTPS_PROXY}, {@code HTTP_PROXY}, {@code NO_PROXY} (or their lower-case
 *       names, which win)</td><td></td></tr>
 * </table>
 *
 * <p>The config file is {@code AWS_CONFIG_FILE} or {@code ~/.aws/config}, the credentials file
 * {@code AWS_SHARED_CREDENTIALS_FILE} or {@code ~/.aws/credentials}; a missing file counts as empty. A profile
 * chosen explicitly (by name, or by {@code AWS_PROFILE}) must exist in one of them.
 *
 * @param profile the profile the settings came from, which also supplies credentials
 * @param region the region, or {@code null} for the default ({@code us-east-1})
 * @param endpoint the S3 endpoint, or {@code null} for AWS
 * @param addressingStyle how buckets are put in request URLs
 * @param caBundle the PEM file of certificate authorities to trust, or {@code null} for the JDK's
 * @param maxAttempts the attempts a request gets (the first included), or {@code null} for the default; in
 *     {@link #storeOptions()}'s {@link RetryPolicy}
 * @param credentials the credentials the environment gives, or {@code null} to look them up through the profile
 * @param proxies the proxies of {@code HTTPS_PROXY}, {@code HTTP_PROXY} and {@code NO_PROXY}
 *     ({@link Proxies#fromEnvironment})
 */
public record AwsConfig(AwsProfile profile, String region, URI endpoint, AddressingStyle addressingStyle,
        Path caBundle, Integer maxAttempts, Credentials credentials, Proxies proxies) {

    /** Resolves the settings from this process's environment, for the profile {@code AWS_PROFILE} names. */
    public static AwsConfig load() {
        return load(null, System.getenv());
    }

    /**
     * Resolves the settings from this process's environment.
     *
     * @param profile the profile to use, as the AWS CLI's {@code --profile}; {@code null} for {@code AWS_PROFILE},
     *     else {@code default}
     * @throws IllegalArgumentException when the profile does not exist, a file cannot be parsed or a setting is
     *     malformed, saying which and where
     */
    public static AwsConfig load(String profile) {
        return load(profile, System.getenv());
    }

    /**
     * Resolves the settings from the given environment variables (and {@code HOME} from them, else the
     * {@code user.home} system property).
     *
     * @param profile the profile to use, or {@code null} for {@code AWS_PROFILE}, else {@code default}
     * @param environment the environment variables to read instead of this process's
     * @throws IllegalArgumentException when the profile does not exist, a file cannot be parsed or a setting is
     *     malformed, saying which and where
     */
    public static AwsConfig load(String profile, Map<String, String> environment) {
        return new Resolver(environment).resolve(profile);
    }

    /** {@link StoreOptions}: these settings, and the defaults for the rest. */
    public StoreOptions storeOptions() {
        StoreOptions o = StoreOptions.builtIn().withEndpoint(endpoint).withRegion(region)
                .withAddressingStyle(addressingStyle).withCaBundle(caBundle).withCredentials(credentials)
                .withProfile(profile).withProxies(proxies);
        return maxAttempts == null ? o : o.withRetry(o.retry().withMaxAttempts(maxAttempts));
    }

    /** Reads one environment and one profile. */
    private static final class Resolver {
        private final Map<String, String> env;
        private final Path home;
        private AwsProfile profile;
        private Profile settings;
        private ProfileFile files;

        Resolver(Map<String, String> env) {
            this.env = env;
            this.home = Path.of(Optional.ofNullable(env("HOME")).orElse(System.getProperty("user.home")));
        }

        AwsConfig resolve(String chosen) {
            Path config = file("AWS_CONFIG_FILE", "config");
            Path credentialsFile = file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
            String fromEnv = env("AWS_PROFILE");
            String name = chosen != null ? chosen : fromEnv != null ? fromEnv : "default";
            if (name.isBlank()) {
                throw new IllegalArgumentException("the AWS profile name is empty");
            }
            profile = new AwsProfile(name, config, credentialsFile);
            files = profile.read();
            settings = files.profile(name).orElse(null);
            if (settings == null && (chosen != null || fromEnv != null)) {
                throw new IllegalArgumentException("AWS profile '" + name + "' not found"
                        + (chosen == null ? " (AWS_PROFILE names it)" : "") + ": neither " + config + " has a ["
                        + (name.equals("default") ? "default" : "profile " + name) + "] section nor "
                        + credentialsFile + " a [" + name + "] section");
            }
            return new AwsConfig(profile, region(), endpoint(), addressingStyle(), caBundle(), maxAttempts(),
                    credentials(chosen != null), Proxies.fromEnvironment(env));
        }

        private Path file(String variable, String name) {
            String v = env(variable);
            return v != null ? expandHome(v) : home.resolve(".aws").resolve(name);
        }

        private Path expandHome(String path) {
            return path.equals("~") ? home : path.startsWith("~/") ? home.resolve(path.substring(2)) : Path.of(path);
        }

        /** An environment variable, or {@code null} when unset or blank. */
        private String env(String name) {
            String v = env.get(name);
            return v == null || v.isBlank() ? null : v.strip();
        }

        /** A property of the profile, or {@code null}. */
        private String property(String key) {
            return settings == null ? null : settings.property(key).map(String::strip).filter(s -> !s.isEmpty())
                    .orElse(null);
        }

        private String where(String key) {
            return key + " in AWS profile '" + profile.name() + "' (" + profile.configFile() + ")";
        }

        private String region() {
            Setting s = env("AWS_REGION") != null ? new Setting(env("AWS_REGION"), "AWS_REGION")
                    : setting("AWS_DEFAULT_REGION", "region");
            return s == null ? null : checkRegion(s.value(), s.source());
        }

        private static String checkRegion(String region, String source) {
            // it becomes part of host names
            if (!region.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                throw new IllegalArgumentException(source + " is '" + region
                        + "', not a region name like us-east-1 or eu-west-3");
            }
            return region;
        }

        private URI endpoint() {
            if (ignoreConfiguredEndpoints()) {
                return null;
            }
            for (String variable : new String[] {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
                if (env(variable) != null) {
                    return checkEndpoint(env(variable), variable);
                }
            }
            String services = property("services");
            if (services != null) {
                Profile section = files.getSection("services", services).orElseThrow(() ->
                        new IllegalArgumentException(where("services") + " names [services " + services
                                + "], which is not in the file"));
                String url = section.property("s3.endpoint_url").map(String::strip).orElse("");
                if (!url.isEmpty()) {
                    return checkEndpoint(url, "s3.endpoint_url in [services " + services + "] ("
                            + profile.configFile() + ")");
                }
            }
            String url = property("endpoint_url");
            return url == null ? null : checkEndpoint(url, where("endpoint_url"));
        }

        private boolean ignoreConfiguredEndpoints() {
            Setting s = setting("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls");
            return s != null && bool(s.value(), s.source());
        }

        private static boolean bool(String v, String source) {
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException(source + " is '" + v + "', not true or false");
            };
        }

        private static URI checkEndpoint(String url, String source) {
            try {
                URI u = new URI(url);
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
                    return u;
                }
            } catch (URISyntaxException e) {
                // said below
            }
            throw new IllegalArgumentException(source + " is '" + url
                    + "', not an http:// or https:// URL like http://127.0.0.1:9000");
        }

        private AddressingStyle addressingStyle() {
            String v = property("s3.addressing_style");
            if (v == null) {
                return AddressingStyle.AUTO;
            }
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "auto" -> AddressingStyle.AUTO;
                case "path" -> AddressingStyle.PATH;
                case "virtual" -> AddressingStyle.VIRTUAL;
                default -> throw new IllegalArgumentException(where("s3.addressing_style") + " is '" + v
                        + "', not auto, path or virtual");
            };
        }

        /** A setting's value and where it came from, for messages. */
        private record Setting(String value, String source) {
        }

        /** The environment variable's value, else the profile's property's, else {@code null}. */
        private Setting setting(String variable, String key) {
            String v = env(variable);
            if (v != null) {
                return new Setting(v, variable);
            }
            v = property(key);
            return v == null ? null : new Setting(v, where(key));
        }

        private Path caBundle() {
            Setting s = setting("AWS_CA_BUNDLE", "ca_bundle");
            if (s == null) {
                return null;
            }
            Path p = expandHome(s.value());
            String problem = !Files.exists(p) ? "no such file" : Files.isDirectory(p) ? "a folder, not a file"
                    : !Files.isReadable(p) ? "permission denied" : null;
            if (problem != null) {
                throw new IllegalArgumentException(s.source() + " names the CA bundle " + p + ": " + problem);
            }
            return p;
        }

        private Integer maxAttempts() {
            Setting s = setting("AWS_MAX_ATTEMPTS", "max_attempts");
            if (s == null) {
                return null;
            }
            try {
                int n = Integer.parseInt(s.value());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException(s.source() + " is '" + s.value()
                    + "', not a number of attempts (1 or more)");
        }

        private Credentials credentials(boolean profileChosen) {
            if (profileChosen) {
                return null; // as the AWS CLI: --profile wins over credentials in the environment
            }
            String id = env("AWS_ACCESS_KEY_ID");
            String secret = env("AWS_SECRET_ACCESS_KEY");
            if (id == null && secret == null) {
                return null;
            }
            if (id == null || secret == null) {
                throw new IllegalArgumentException((id == null ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID")
                        + " is set but " + (id == null ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY")
                        + " is not: set both, or neither");
            }
            return new Credentials(id, secret, env("AWS_SESSION_TOKEN"));
        }
    }
}
