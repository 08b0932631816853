package io.zarrfetch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.zarrfetch.store.FileErrors;
import io.zarrfetch.store.KeyPaths;
import io.zarrfetch.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "zarrfetch", mixinStandardHelpOptions = true, usageHelpWidth = 110, versionProvider = Version.class,
        description = {"Fetches many objects and Zarr arrays from S3, HTTP servers and local folders at the speed of "
                + "the link, in bounded memory."},
        footer = {"", "Run 'zarrfetch help COMMAND' for a command's options."})
public final class Main implements Callable<Integer> {
    /**
     * The commands, in the order the usage lists them. Each is made only when a command line needs it: picocli builds
     * a command's model (reflection over its options and mix-ins) as it is added, and building all of them cost
     * {@code --version} 37-54 ms of its start (docs/decisions/0006-start-up.md).
     */
    private static final List<String> COMMANDS = List.of("ls", "cp", "bench", "info", "read", "demo", "help");

    @CommandLine.Spec
    CommandSpec spec;

    /** The environment variables the commands read (AWS_PROFILE, AWS_REGION, ...): the process's, or a test's. */
    private final Map<String, String> environment;

    Main(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** Without a command: the usage, on stderr, and the status of bad usage. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.exitCodeOnInvalidInput();
    }

    public static void main(String[] args) {
        // Libraries log warnings only, as short plain lines ("WARN no AWS credentials found; ..."); the commands
        // report what matters themselves.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
        // Netty serves only BoringSSL here. Its default allocator (4.2's adaptive one) emits JFR events, and their
        // classes make the JVM load JFR's event metadata when BoringSSL loads: ~330 more methods for C1 to compile
        // at the start of every https run (docs/decisions/0005-tls.md). TLS allocates little: unpooled will do.
        if (System.getProperty("io.netty.allocator.type") == null) {
            System.setProperty("io.netty.allocator.type", "unpooled");
        }
        String training = System.getProperty("zarrfetch.training");
        if (training != null) {
            System.exit(Training.run(Path.of(training)));
        }
        System.exit(commandLine(System.getenv(), args).execute(args));
    }

    private static Object command(String name) {
        return switch (name) {
            case "ls" -> new LsCommand();
            case "cp" -> new CpCommand();
            case "bench" -> new BenchCommand();
            case "info" -> new InfoCommand();
            case "read" -> new ReadCommand();
            case "demo" -> demo();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException("no command " + name);
        };
    }

    /** The command line over {@code environment} with every command. */
    static CommandLine commandLine(Map<String, String> environment) {
        return commandLine(environment, new String[0]);
    }

    /**
     * The command line over {@code environment} that runs {@code args}, as {@link #main} runs it: with only the
     * command {@code args} names ({@code ls ...}), with none for {@code --version} alone, else (the usage, help,
     * bad usage) with all of them. The command runs as it would among all the others.
     */
    static CommandLine commandLine(Map<String, String> environment, String[] args) {
        CommandLine cli = new CommandLine(new Main(environment));
        String first = args.length > 0 ? args[0] : "";
        if (COMMANDS.contains(first) && !first.equals("help")) { // help looks up the others
            cli.addSubcommand(first, command(first));
        } else if (!(args.length == 1 && (first.equals("--version") || first.equals("-V")))) {
            for (String name : COMMANDS) {
                cli.addSubcommand(name, command(name));
            }
        }
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("zarrfetch: error: " + printable(message(e)));
            if (Boolean.getBoolean("zarrfetch.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli;
    }

    /** The environment variables of the command line that runs {@code command}. */
    static Map<String, String> environment(CommandSpec command) {
        return ((Main) command.root().userObject()).environment;
    }

    /** Bad usage: the message, a pointer to --help where the command line itself was wrong, status 2. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("zarrfetch: error: " + printable(e.getMessage()));
        if (!(e instanceof Flags.BadInput) && !CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for its usage.");
        }
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** A message safe to print: control characters escaped, but its own line breaks kept. */
    static String printable(String message) {
        return message == null ? "" : String.join("\n", Arrays.stream(message.split("\n", -1))
                .map(KeyPaths::escaped).toList());
    }

    /**
     * The demo lives in the zarrfetch-demo module with its in-process S3 server, dozens of jars no other command
     * needs: the source tree's launcher puts it on the class path for {@code demo} only, and the distribution leaves
     * it out.
     */
    private static Object demo() {
        try {
            return Class.forName("io.zarrfetch.cli.DemoCommand").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new DemoMissing();
        }
    }

    @Command(name = "demo", description = "Runs the seed's race against an S3 server started in this process "
            + "(from zarrfetch's source tree: ./zarrfetch demo).")
    static final class DemoMissing implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Unmatched
        java.util.List<String> args;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("zarrfetch: error: the demo is not on this class path (an "
                    + "installation leaves out its S3 server, dozens of jars): run it from zarrfetch's source tree, "
                    + "whose ./zarrfetch launcher adds the zarrfetch-demo module for `demo`");
            return 1;
        }
    }

    private static String message(Throwable e) {
        if (e instanceof UncheckedIOException u) {
            e = u.getCause();
        }
        if (e instanceof FileSystemException) {
            return FileErrors.describe(e); // its message is often the path alone
        }
        if (e instanceof StoreException || e instanceof IllegalArgumentException || e instanceof IOException
                || e instanceof IndexOutOfBoundsException) {
            return e.getMessage();
        }
        return e.toString();
    }
}
