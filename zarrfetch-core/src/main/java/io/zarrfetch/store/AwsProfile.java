package io.zarrfetch.store;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import software.amazon.awssdk.profiles.ProfileFile;

/**
 * A profile of the AWS shared config files, as the AWS CLI names them: the source of the settings {@link AwsConfig}
 * reads and of credentials (static keys, {@code credential_process}) when the environment gives none.
 *
 * @param name the profile's name: {@code default}, or one chosen with {@code --profile} or {@code AWS_PROFILE}
 * @param configFile the shared config file ({@code [default]} and {@code [profile NAME]} sections), which need not
 *     exist
 * @param credentialsFile the shared credentials file ({@code [NAME]} sections), which need not exist
 */
public record AwsProfile(String name, Path configFile, Path credentialsFile) {
    public AwsProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(credentialsFile, "credentialsFile");
    }

    /**
     * Both files, parsed by the AWS SDK, the credentials file's settings over the config file's (as the AWS CLI
     * merges them). Files that do not exist count as empty.
     *
     * @throws IllegalArgumentException naming the file that cannot be read or parsed, and why
     */
    ProfileFile read() {
        ProfileFile.Aggregator files = ProfileFile.aggregator();
        add(files, configFile, ProfileFile.Type.CONFIGURATION);
        add(files, credentialsFile, ProfileFile.Type.CREDENTIALS);
        return files.build();
    }

    private static void add(ProfileFile.Aggregator files, Path file, ProfileFile.Type type) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            files.addFile(ProfileFile.builder().content(file).type(type).build());
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read the AWS "
                    + (type == ProfileFile.Type.CONFIGURATION ? "config" : "credentials") + " file "
                    + FileErrors.describe(file, e.getCause()), e);
        } catch (RuntimeException e) {
            // the SDK's parser says what is wrong and on which line
            throw new IllegalArgumentException("cannot parse the AWS "
                    + (type == ProfileFile.Type.CONFIGURATION ? "config" : "credentials") + " file " + file + ": "
                    + e.getMessage(), e);
        }
    }
}
