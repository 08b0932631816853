package io.zarrfetch.cli;

import static io.zarrfetch.cli.CliTest.data;
import static io.zarrfetch.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zarrfetch.cli.CliTest.Run;
import io.zarrfetch.store.AddressingStyle;
import io.zarrfetch.store.StoreOptions;
import io.zarrfetch.testkit.FaultProxy;
import io.zarrfetch.testkit.FaultProxy.Fault;
import io.zarrfetch.testkit.FaultProxy.Rule;
import io.zarrfetch.testkit.S3Server;
import picocli.CommandLine;

/**
 * The AWS CLI's conventions, through the CLI: profiles of the shared config files (written to temporary files, never
 * the machine's ~/.aws), environment variables, and their precedence, against an S3 server that checks SigV4
 * signatures, behind a proxy that records what each request carried.
 */
class AwsConfigCliTest {
    static final String KEY_ID = "AKIDZARRFETCHTEST";
    static final String SECRET = "zarrfetch-test-secret";
    static S3Server s3;
    static FaultProxy proxy;
    /** A port nothing listens on: a configured endpoint that must lose to a higher one. */
    static String dead;
    @TempDir
    Path tmp;
    Path config;
    Path credentials;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.startWithCredentials(KEY_ID, SECRET);
        s3.createBucket("bkt");
        s3.put("bkt", "arr/0.1.0", data(100_000, 1));
        s3.put("bkt", "arr/1.1.0", data(1_000, 2));
        proxy = FaultProxy.start(s3.endpoint(), 1);
        try (ServerSocket s = new ServerSocket(0)) {
            dead = "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        s3.close();
    }

    @BeforeEach
    void files() {
        config = tmp.resolve("config");
        credentials = tmp.resolve("credentials");
        proxy.clearRules();
    }

    /** The environment of a user whose AWS files are this test's, plus {@code more} (name, value, ...). */
    Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>(Map.of("HOME", tmp.toString(), "AWS_CONFIG_FILE", config.toString(),
                "AWS_SHARED_CREDENTIALS_FILE", credentials.toString()));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    void write(Path file, String... lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n");
    }

    /** The credential scope of the last request the proxy saw: {@code KEYID/DATE/REGION/s3/aws4_request}. */
    static String lastScope() {
        List<FaultProxy.Request> requests = proxy.requests();
        String auth = requests.getLast().header("Authorization");
        assertThat(auth).as("the last request was signed").isNotNull().contains("Credential=");
        String scope = auth.substring(auth.indexOf("Credential=") + 11);
        return scope.substring(0, scope.indexOf(','));
    }

    void devProfile(String... settings) throws IOException {
        String[] lines = new String[settings.length + 1];
        lines[0] = "[profile dev]";
        System.arraycopy(settings, 0, lines, 1, settings.length);
        write(config, lines);
        write(credentials, "[dev]", "aws_access_key_id = " + KEY_ID, "aws_secret_access_key = " + SECRET);
    }

    @Test
    void theProfileGivesRegionEndpointAndCredentials() throws Exception {
        devProfile("region = eu-west-3", "endpoint_url = " + proxy.endpoint());
        Run r = run(env(), "ls", "--profile", "dev", "s3://bkt/arr/");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.outLines()).hasSize(2);
        assertThat(lastScope()).startsWith(KEY_ID + "/").endsWith("/eu-west-3/s3/aws4_request");

        Run byEnv = run(env("AWS_PROFILE", "dev"), "ls", "s3://bkt/arr/");
        assertThat(byEnv.exit()).as(byEnv.err()).isZero();
        assertThat(lastScope()).endsWith("/eu-west-3/s3/aws4_request");
    }

    @Test
    void regionPrecedenceIsOptionThenEnvironmentThenProfile() throws Exception {
        devProfile("region = eu-west-3", "endpoint_url = " + proxy.endpoint());
        assertThat(run(env("AWS_PROFILE", "dev", "AWS_DEFAULT_REGION", "ca-central-1"), "ls", "s3://bkt/arr/").exit())
                .isZero();
        assertThat(lastScope()).endsWith("/ca-central-1/s3/aws4_request");
        assertThat(run(env("AWS_PROFILE", "dev", "AWS_DEFAULT_REGION", "ca-central-1", "AWS_REGION", "ap-south-1"),
                "ls", "s3://bkt/arr/").exit()).isZero();
        assertThat(lastScope()).endsWith("/ap-south-1/s3/aws4_request");
        assertThat(run(env("AWS_PROFILE", "dev", "AWS_REGION", "ap-south-1"), "ls", "--region", "sa-east-1",
                "s3://bkt/arr/").exit()).isZero();
        assertThat(lastScope()).endsWith("/sa-east-1/s3/aws4_request");
    }

    @Test
    void environmentCredentialsWinUnlessAProfileIsChosenOnTheCommandLine() throws Exception {
        devProfile("region = eu-west-3", "endpoint_url = " + proxy.endpoint());
        String[] wrongKeys = {"AWS_PROFILE", "dev", "AWS_ACCESS_KEY_ID", "AKIDWRONG", "AWS_SECRET_ACCESS_KEY", "x"};
        Run envKeys = run(env(wrongKeys), "ls", "s3://bkt/arr/");
        assertThat(envKeys.exit()).isEqualTo(1);
        assertThat(envKeys.err()).contains("access denied to bucket bkt").contains("credentials are wrong");
        assertThat(lastScope()).startsWith("AKIDWRONG/");

        Run chosen = run(env(wrongKeys), "ls", "--profile", "dev", "s3://bkt/arr/");
        assertThat(chosen.exit()).as(chosen.err()).isZero();
        assertThat(lastScope()).startsWith(KEY_ID + "/");
    }

    @Test
    void endpointPrecedenceFollowsTheAwsCli() throws Exception {
        // the profile's endpoint_url loses to its [services] section's s3 endpoint_url
        write(config, "[default]", "endpoint_url = " + dead, "services = local", "",
                "[services local]", "s3 =", "  endpoint_url = " + proxy.endpoint());
        write(credentials, "[default]", "aws_access_key_id = " + KEY_ID, "aws_secret_access_key = " + SECRET);
        int before = proxy.requests().size();
        Run services = run(env(), "ls", "s3://bkt/arr/");
        assertThat(services.exit()).as(services.err()).isZero();
        assertThat(proxy.requests()).hasSizeGreaterThan(before);

        // both lose to AWS_ENDPOINT_URL, which loses to AWS_ENDPOINT_URL_S3, which loses to --endpoint-url
        write(config, "[default]", "endpoint_url = " + proxy.endpoint());
        Run global = run(env("AWS_ENDPOINT_URL", dead), "ls", "s3://bkt/arr/");
        assertThat(global.exit()).isEqualTo(1);
        assertThat(global.err()).contains("connection refused");
        Run s3Only = run(env("AWS_ENDPOINT_URL", dead, "AWS_ENDPOINT_URL_S3", proxy.endpoint().toString()), "ls",
                "s3://bkt/arr/");
        assertThat(s3Only.exit()).as(s3Only.err()).isZero();
        Run option = run(env("AWS_ENDPOINT_URL_S3", dead), "ls", "--endpoint-url", proxy.endpoint().toString(),
                "s3://bkt/arr/");
        assertThat(option.exit()).as(option.err()).isZero();

        // ignoring configured endpoints ignores the environment's and the profile's, never the option
        Run ignored = run(env("AWS_ENDPOINT_URL", dead, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"), "ls",
                "--endpoint-url", proxy.endpoint().toString(), "s3://bkt/arr/");
        assertThat(ignored.exit()).as(ignored.err()).isZero();
    }

    @Test
    void aProfileThatDoesNotExistIsAnErrorNamingIt() throws Exception {
        devProfile("region = eu-west-3");
        int before = proxy.requests().size();
        Run option = run(env(), "ls", "--profile", "nosuch", "--endpoint", proxy.endpoint().toString(),
                "s3://bkt/arr/");
        assertThat(option.exit()).isEqualTo(2);
        assertThat(option.err()).contains("AWS profile 'nosuch' not found").contains(config.toString())
                .contains(credentials.toString()).doesNotContain("unsigned");
        Run variable = run(env("AWS_PROFILE", "nosuch"), "cp", "--endpoint", proxy.endpoint().toString(),
                "s3://bkt/arr/", tmp.resolve("out").toString());
        assertThat(variable.exit()).isEqualTo(2);
        assertThat(variable.err()).contains("AWS profile 'nosuch' not found (AWS_PROFILE names it)");
        assertThat(proxy.requests()).as("nothing was sent").hasSize(before);
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void aProfileOnlyInTheCredentialsFileExists() throws Exception {
        write(credentials, "[ci]", "aws_access_key_id = " + KEY_ID, "aws_secret_access_key = " + SECRET,
                "region = us-west-2");
        Run r = run(env(), "ls", "--profile", "ci", "--endpoint", proxy.endpoint().toString(), "s3://bkt/arr/");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(lastScope()).startsWith(KEY_ID + "/").endsWith("/us-west-2/s3/aws4_request");
    }

    @Test
    void maxAttemptsComesFromTheOptionTheEnvironmentOrTheProfile() throws Exception {
        devProfile("endpoint_url = " + proxy.endpoint(), "max_attempts = 2");
        Path out = tmp.resolve("out");
        proxy.add(Rule.first(1, Fault.INTERNAL_500).onMethod("GET").onPath("/bkt/arr/1.1.0"));
        Run profile = run(env("AWS_PROFILE", "dev"), "cp", "s3://bkt/arr/1.1.0", out.resolve("a").toString());
        assertThat(profile.exit()).as(profile.err()).isZero();
        assertThat(out.resolve("a")).hasBinaryContent(data(1_000, 2));

        proxy.clearRules();
        proxy.add(Rule.first(1, Fault.INTERNAL_500).onMethod("GET").onPath("/bkt/arr/1.1.0"));
        Run env = run(env("AWS_PROFILE", "dev", "AWS_MAX_ATTEMPTS", "1"), "cp", "s3://bkt/arr/1.1.0",
                out.resolve("b").toString());
        assertThat(env.exit()).isEqualTo(1);
        assertThat(env.err()).contains("s3://bkt/arr/1.1.0").contains("HTTP 500").contains("(after 1 attempt)");
        assertThat(out.resolve("b")).doesNotExist();

        proxy.clearRules();
        proxy.add(Rule.first(1, Fault.INTERNAL_500).onMethod("GET").onPath("/bkt/arr/1.1.0"));
        Run option = run(env("AWS_PROFILE", "dev", "AWS_MAX_ATTEMPTS", "1"), "cp", "--max-attempts", "3",
                "s3://bkt/arr/1.1.0", out.resolve("c").toString());
        assertThat(option.exit()).as(option.err()).isZero();

        Run bad = run(env("AWS_PROFILE", "dev", "AWS_MAX_ATTEMPTS", "many"), "cp", "s3://bkt/arr/1.1.0",
                out.resolve("d").toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("AWS_MAX_ATTEMPTS is 'many', not a number of attempts");
    }

    /** The store options a command would use, parsed as the CLI parses them. */
    static StoreOptions storeOptions(Map<String, String> env, String... args) {
        CommandLine cli = Main.commandLine(env);
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        LsCommand ls = (LsCommand) parsed.subcommand().commandSpec().userObject();
        return ls.store.options(8);
    }

    @Test
    void theCaBundleComesFromTheOptionTheEnvironmentOrTheProfile() throws Exception {
        Path fromProfile = Files.writeString(tmp.resolve("profile.pem"), "x");
        Path fromEnv = Files.writeString(tmp.resolve("env.pem"), "x");
        Path fromOption = Files.writeString(tmp.resolve("option.pem"), "x");
        write(config, "[default]", "ca_bundle = " + fromProfile);
        assertThat(storeOptions(env(), "ls", "s3://bkt/").caBundle()).isEqualTo(fromProfile);
        assertThat(storeOptions(env("AWS_CA_BUNDLE", fromEnv.toString()), "ls", "s3://bkt/").caBundle())
                .isEqualTo(fromEnv);
        assertThat(storeOptions(env("AWS_CA_BUNDLE", fromEnv.toString()), "ls", "--ca-bundle",
                fromOption.toString(), "s3://bkt/").caBundle()).isEqualTo(fromOption);

        Run missingOption = run(env(), "ls", "--ca-bundle", tmp.resolve("none.pem").toString(), "s3://bkt/");
        assertThat(missingOption.exit()).isEqualTo(2);
        assertThat(missingOption.err()).contains("--ca-bundle").contains("none.pem: no such file");
        Run folder = run(env(), "ls", "--ca-bundle", tmp.toString(), "s3://bkt/");
        assertThat(folder.exit()).isEqualTo(2);
        assertThat(folder.err()).contains("a folder, not a file");
        Run missingEnv = run(env("AWS_CA_BUNDLE", tmp.resolve("gone.pem").toString()), "ls", "s3://bkt/");
        assertThat(missingEnv.exit()).isEqualTo(2);
        assertThat(missingEnv.err()).contains("AWS_CA_BUNDLE names the CA bundle").contains("gone.pem: no such file");
    }

    @Test
    void theAddressingStyleComesFromTheProfile() throws Exception {
        write(config, "[default]", "s3 =", "  addressing_style = virtual");
        assertThat(storeOptions(env(), "ls", "s3://bkt/").addressingStyle()).isEqualTo(AddressingStyle.VIRTUAL);
        write(config, "[default]", "s3 =", "  addressing_style = sideways");
        Run bad = run(env(), "ls", "s3://bkt/");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("s3.addressing_style in AWS profile 'default'").contains("'sideways'")
                .contains("not auto, path or virtual");
    }

    @Test
    void aMalformedConfigFileIsAnErrorNamingIt() throws Exception {
        write(config, "[default]", "region eu-west-3");
        Run r = run(env(), "ls", "s3://bkt/");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("cannot parse the AWS config file " + config);
    }
}
