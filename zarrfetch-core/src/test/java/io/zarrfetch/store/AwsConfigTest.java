package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AWS CLI's settings as {@link AwsConfig} resolves them, from an environment and files of the test's own. */
class AwsConfigTest {
    @TempDir
    Path home;
    Path config;
    Path credentials;

    @BeforeEach
    void paths() {
        config = home.resolve(".aws/config");
        credentials = home.resolve(".aws/credentials");
    }

    Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("HOME", home.toString()));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    void write(Path file, String... lines) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n");
    }

    @Test
    void withNothingConfiguredEverythingIsADefault() {
        AwsConfig c = AwsConfig.load(null, env());
        assertThat(c.profile()).isEqualTo(new AwsProfile("default", config, credentials));
        assertThat(c.region()).isNull();
        assertThat(c.endpoint()).isNull();
        assertThat(c.addressingStyle()).isEqualTo(AddressingStyle.AUTO);
        assertThat(c.caBundle()).isNull();
        assertThat(c.maxAttempts()).isNull();
        assertThat(c.credentials()).isNull();
        StoreOptions o = c.storeOptions();
        assertThat(o.effectiveRegion()).isEqualTo("us-east-1");
        assertThat(o.profile()).isEqualTo(c.profile());
        assertThat(o.maxConnectionsPerHost()).isEqualTo(StoreOptions.builtIn().maxConnectionsPerHost());
    }

    @Test
    void theFilesMayBeElsewhere() throws IOException {
        Path elsewhere = home.resolve("cfg");
        write(elsewhere, "[default]", "region = eu-west-3");
        AwsConfig c = AwsConfig.load(null, env("AWS_CONFIG_FILE", "~/cfg"));
        assertThat(c.region()).isEqualTo("eu-west-3");
        assertThat(c.profile().configFile()).isEqualTo(elsewhere);
    }

    @Test
    void theEnvironmentWinsOverTheProfile() throws IOException {
        write(config, "[profile dev]", "region = eu-west-3", "ca_bundle = ~/profile.pem", "max_attempts = 7");
        Files.writeString(home.resolve("profile.pem"), "x");
        Files.writeString(home.resolve("env.pem"), "x");
        AwsConfig fromProfile = AwsConfig.load("dev", env());
        assertThat(fromProfile.region()).isEqualTo("eu-west-3");
        assertThat(fromProfile.caBundle()).isEqualTo(home.resolve("profile.pem"));
        assertThat(fromProfile.maxAttempts()).isEqualTo(7);
        AwsConfig fromEnv = AwsConfig.load("dev", env("AWS_DEFAULT_REGION", "ca-central-1",
                "AWS_CA_BUNDLE", home.resolve("env.pem").toString(), "AWS_MAX_ATTEMPTS", "2"));
        assertThat(fromEnv.region()).isEqualTo("ca-central-1");
        assertThat(fromEnv.caBundle()).isEqualTo(home.resolve("env.pem"));
        assertThat(fromEnv.maxAttempts()).isEqualTo(2);
        assertThat(AwsConfig.load("dev", env("AWS_DEFAULT_REGION", "ca-central-1", "AWS_REGION", "ap-south-1"))
                .region()).isEqualTo("ap-south-1");
        assertThat(fromEnv.storeOptions().caBundle()).isEqualTo(home.resolve("env.pem"));
        assertThat(fromEnv.storeOptions().region()).isEqualTo("ca-central-1");
    }

    @Test
    void endpointsFollowTheAwsCliOrder() throws IOException {
        write(config, "[default]", "endpoint_url = http://profile:1", "services = mine", "",
                "[services mine]", "s3 =", "  endpoint_url = http://services:2", "dynamodb =",
                "  endpoint_url = http://other:3");
        assertThat(AwsConfig.load(null, env()).endpoint()).isEqualTo(URI.create("http://services:2"));
        assertThat(AwsConfig.load(null, env("AWS_ENDPOINT_URL", "http://global:4")).endpoint())
                .isEqualTo(URI.create("http://global:4"));
        assertThat(AwsConfig.load(null, env("AWS_ENDPOINT_URL", "http://global:4", "AWS_ENDPOINT_URL_S3",
                "https://s3only:5")).endpoint()).isEqualTo(URI.create("https://s3only:5"));
        write(config, "[default]", "endpoint_url = http://profile:1");
        assertThat(AwsConfig.load(null, env()).endpoint()).isEqualTo(URI.create("http://profile:1"));
    }

    @Test
    void configuredEndpointsCanBeIgnored() throws IOException {
        write(config, "[default]", "endpoint_url = http://profile:1", "ignore_configured_endpoint_urls = true");
        assertThat(AwsConfig.load(null, env("AWS_ENDPOINT_URL", "http://global:4")).endpoint()).isNull();
        assertThat(AwsConfig.load(null, env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")).endpoint())
                .isEqualTo(URI.create("http://profile:1"));
        write(config, "[default]", "endpoint_url = http://profile:1");
        assertThat(AwsConfig.load(null, env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE")).endpoint()).isNull();
        assertThatThrownBy(() -> AwsConfig.load(null, env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes")))
                .hasMessage("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is 'yes', not true or false");
    }

    @Test
    void theAddressingStyleIsTheProfilesS3Setting() throws IOException {
        for (AddressingStyle style : AddressingStyle.values()) {
            write(config, "[default]", "s3 =", "  addressing_style = " + style.name().toLowerCase());
            assertThat(AwsConfig.load(null, env()).addressingStyle()).isEqualTo(style);
            assertThat(AwsConfig.load(null, env()).storeOptions().addressingStyle()).isEqualTo(style);
        }
    }

    @Test
    void aChosenProfileMustExist() throws IOException {
        write(config, "[default]", "region = eu-west-3");
        assertThatThrownBy(() -> AwsConfig.load("nosuch", env())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AWS profile 'nosuch' not found: neither " + config + " has a [profile nosuch] section "
                        + "nor " + credentials + " a [nosuch] section");
        assertThatThrownBy(() -> AwsConfig.load(null, env("AWS_PROFILE", "nosuch")))
                .hasMessageStartingWith("AWS profile 'nosuch' not found (AWS_PROFILE names it)");
        // the default profile need not exist, unless chosen by name
        Files.delete(config);
        assertThat(AwsConfig.load(null, env()).profile().name()).isEqualTo("default");
        assertThatThrownBy(() -> AwsConfig.load("default", env())).hasMessageContaining("[default] section");
    }

    @Test
    void credentialsComeFromTheEnvironmentUnlessAProfileIsChosen() throws IOException {
        write(credentials, "[dev]", "aws_access_key_id = AKIDFILE", "aws_secret_access_key = s");
        Map<String, String> env = env("AWS_PROFILE", "dev", "AWS_ACCESS_KEY_ID", "AKIDENV",
                "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token");
        assertThat(AwsConfig.load(null, env).credentials()).isEqualTo(new Credentials("AKIDENV", "secret", "token"));
        assertThat(AwsConfig.load(null, env).storeOptions().credentials().accessKeyId()).isEqualTo("AKIDENV");
        assertThat(AwsConfig.load("dev", env).credentials()).as("looked up in the profile").isNull();
        assertThatThrownBy(() -> AwsConfig.load(null, env("AWS_ACCESS_KEY_ID", "AKID")))
                .hasMessage("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither");
    }

    @Test
    void malformedSettingsAreErrorsSayingWhereTheyAre() throws IOException {
        write(config, "[default]", "region = Eu West", "max_attempts = 0", "endpoint_url = ftp://x");
        assertThatThrownBy(() -> AwsConfig.load(null, env()))
                .hasMessage("region in AWS profile 'default' (" + config + ") is 'Eu West', not a region name like "
                        + "us-east-1 or eu-west-3");
        assertThatThrownBy(() -> AwsConfig.load(null, env("AWS_REGION", "eu-west-1")))
                .hasMessageContaining("endpoint_url in AWS profile 'default'").hasMessageContaining("'ftp://x'");
        assertThatThrownBy(() -> AwsConfig.load(null, env("AWS_REGION", "eu-west-1", "AWS_ENDPOINT_URL",
                "http://ok:1"))).hasMessageContaining("max_attempts in AWS profile 'default'")
                .hasMessageContaining("'0', not a number of attempts");
        write(config, "[default]");
        assertThatThrownBy(() -> AwsConfig.load(null, env("AWS_CA_BUNDLE", "/nonexistent/ca.pem")))
                .hasMessage("AWS_CA_BUNDLE names the CA bundle /nonexistent/ca.pem: no such file");
        write(config, "[default]", "services = missing");
        assertThatThrownBy(() -> AwsConfig.load(null, env()))
                .hasMessageContaining("names [services missing], which is not in the file");
        write(config, "[default", "region = x");
        assertThatThrownBy(() -> AwsConfig.load(null, env()))
                .hasMessageStartingWith("cannot parse the AWS config file " + config + ": ");
    }
}
