package io.zarrfetch.cli;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.zarrfetch.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "zarrfetch", mixinStandardHelpOptions = true, usageHelpWidth = 110, versionProvider = Version.class,
        description = {"Fetches many objects and Zarr arrays from S3, HTTP servers and local folders at the speed of "
                + "the link, in bounded memory."},
        subcommands = {LsCommand.class, CpCommand.class, BenchCommand.class, InfoCommand.class, ReadCommand.class},
        footer = {"", "Run 'zarrfetch help COMMAND' for a command's options."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        // Libraries log warnings only; the commands report what matters themselves.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand("demo", demo());
        cli.addSubcommand("help", new CommandLine.HelpCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("zarrfetch: error: " + message(e));
            if (Boolean.getBoolean("zarrfetch.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli;
    }

    /**
     * The demo lives in the zarrfetch-demo module with its in-process S3 server, dozens of jars no other command
     * needs: the launcher puts it on the class path for {@code demo} only.
     */
    private static Object demo() {
        try {
            return Class.forName("io.zarrfetch.cli.DemoCommand").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new DemoMissing();
        }
    }

    @Command(name = "demo", description = "Runs the seed's race against an S3 server started in this process "
            + "(needs the zarrfetch-demo module: run it with the ./zarrfetch launcher).")
    static final class DemoMissing implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Unmatched
        java.util.List<String> args;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("zarrfetch: error: the demo is not on this class path: run it "
                    + "with the ./zarrfetch launcher, which adds the zarrfetch-demo module for `demo`");
            return 1;
        }
    }

    private static String message(Throwable e) {
        if (e instanceof UncheckedIOException u) {
            e = u.getCause();
        }
        if (e instanceof StoreException || e instanceof IllegalArgumentException || e instanceof IOException
                || e instanceof IndexOutOfBoundsException) {
            return e.getMessage();
        }
        return e.toString();
    }
}
