package io.zarrfetch.cli;

import picocli.CommandLine;

/** The version from the jar's manifest, for --version. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"zarrfetch " + (v != null ? v : "0.1.0-SNAPSHOT")};
    }
}
