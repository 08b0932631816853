package io.zarrfetch.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The few command-line options the peers share: --from FILE (one URL a line) and --name value pairs. */
final class PeerArgs {
    final List<String> urls = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();

    private PeerArgs() {}

    static PeerArgs parse(String[] args, String usage, String... known) throws IOException {
        PeerArgs a = new PeerArgs();
        List<String> names = List.of(known);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println(usage);
                System.exit(0);
            }
            if (!arg.startsWith("--")) {
                a.urls.add(arg);
                continue;
            }
            String name = arg.substring(2);
            if (!name.equals("from") && !names.contains(name)) {
                throw new IllegalArgumentException("unknown option " + arg + "\n" + usage);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value\n" + usage);
            }
            String value = args[++i];
            if (name.equals("from")) {
                for (String line : Files.readAllLines(Path.of(value))) {
                    if (!line.isBlank()) {
                        a.urls.add(line.strip());
                    }
                }
            } else {
                a.options.put(name, value);
            }
        }
        if (a.urls.isEmpty()) {
            throw new IllegalArgumentException("no URLs given\n" + usage);
        }
        return a;
    }

    String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    String require(String name) {
        String v = options.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    static String json(long objects, long bytes, long failed, double wallSeconds, String extra) {
        return String.format(java.util.Locale.ROOT,
                "{\"objects\": %d, \"bytes\": %d, \"failed\": %d, \"wall_seconds\": %.3f%s}",
                objects, bytes, failed, wallSeconds, extra.isEmpty() ? "" : ", " + extra);
    }
}
