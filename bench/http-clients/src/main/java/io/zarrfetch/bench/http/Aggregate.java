package io.zarrfetch.bench.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the JSON lines written by run.sh (one flat object per run) and prints a markdown table of
 * medians per (concurrency, client, destination, options).
 *
 * <p>Usage: Aggregate results.jsonl
 */
public final class Aggregate {
    public static void main(String[] args) throws IOException {
        Map<String, List<Map<String, String>>> groups = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, String> r = parse(line);
            if ("true".equals(r.get("verify")) || "true".equals(r.get("discarded"))) {
                continue;
            }
            String key = String.format("%03d|%s|%s|%s", Integer.parseInt(r.get("conc")), r.get("client"),
                    r.get("dest"), r.getOrDefault("opts", "{}"));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        System.out.println("| conc | client | dest | options | runs | wall s | GB/s | CPU s/GB fetch phase"
                + " | CPU s/GB whole process | server CPU s/GB | client fetch + server CPU s/GB | alloc bytes/GB | alloc % of bytes | GCs | peak RSS MB"
                + " | conns | other CPU s |");
        System.out.println("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (var e : groups.entrySet()) {
            List<Map<String, String>> runs = e.getValue();
            Map<String, String> first = runs.getFirst();
            String opts = first.getOrDefault("opts", "{}");
            opts = opts.equals("{}") ? "" : opts.substring(1, opts.length() - 1);
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %d | %.2f | %.2f | %s | %.3f | %.3f | %.3f | %s | %s | %s | %.0f | %s | %s |%n",
                    first.get("conc"), first.get("client"), first.get("dest"), opts, runs.size(),
                    median(runs, r -> d(r, "wall_s")),
                    median(runs, r -> d(r, "gbps")),
                    fmt("%.3f", median(runs, r -> d(r, "cpu_fetch_s_per_gb"))),
                    median(runs, r -> d(r, "time_cpu_s") / gbAll(r)),
                    median(runs, r -> d(r, "server_cpu_s") / gbAll(r)),
                    median(runs, r -> d(r, "cpu_fetch_s_per_gb") + d(r, "server_cpu_s") / gbAll(r)),
                    fmtBytes(median(runs, r -> d(r, "alloc_bytes_per_gb"))),
                    fmt("%.3f%%", median(runs, r -> d(r, "alloc_bytes_per_gb") / 1e9 * 100)),
                    fmt("%.0f", median(runs, r -> d(r, "gc_count"))),
                    median(runs, r -> d(r, "peak_rss_kb") / 1024),
                    distinct(runs, "conns"),
                    fmt("%.2f", median(runs, r -> d(r, "other_cpu_s"))));
        }
    }

    /** GB this process fetched in all, warm-up included (whole-process and server figures cover it). */
    static double gbAll(Map<String, String> r) {
        double w = d(r, "warmup_bytes");
        return (d(r, "bytes") + (Double.isNaN(w) ? 0 : w)) / 1e9;
    }

    interface Metric {
        double of(Map<String, String> r);
    }

    static double d(Map<String, String> r, String k) {
        String v = r.get(k);
        return v == null || v.isEmpty() || v.equals("null") ? Double.NaN : Double.parseDouble(v);
    }

    static double median(List<Map<String, String>> runs, Metric m) {
        double[] v = runs.stream().mapToDouble(m::of).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static String fmt(String f, double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, f, v);
    }

    static String fmtBytes(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v >= 1e9) {
            return String.format(Locale.ROOT, "%.2f GB", v / 1e9);
        }
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.1f MB", v / 1e6);
        }
        return String.format(Locale.ROOT, "%.0f kB", v / 1e3);
    }

    static String distinct(List<Map<String, String>> runs, String k) {
        return String.join("/", runs.stream().map(r -> r.getOrDefault(k, "?")).distinct().sorted().toList());
    }

    /** Parses one flat JSON object of string, number and boolean values. */
    static Map<String, String> parse(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        int i = s.indexOf('{') + 1;
        while (true) {
            i = skip(s, i);
            if (s.charAt(i) == '}') {
                return m;
            }
            int[] end = new int[1];
            String key = str(s, i, end);
            i = skip(s, end[0]);
            i = skip(s, i + 1); // ':'
            String val;
            if (s.charAt(i) == '"') {
                val = str(s, i, end);
                i = end[0];
            } else {
                int j = i;
                while (",}".indexOf(s.charAt(j)) < 0) {
                    j++;
                }
                val = s.substring(i, j).trim();
                i = j;
            }
            m.put(key, val);
            i = skip(s, i);
            if (s.charAt(i) == ',') {
                i++;
            }
        }
    }

    private static int skip(String s, int i) {
        while (Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String str(String s, int i, int[] end) {
        StringBuilder b = new StringBuilder();
        for (int j = i + 1; ; j++) {
            char c = s.charAt(j);
            if (c == '\\') {
                b.append(s.charAt(++j));
            } else if (c == '"') {
                end[0] = j + 1;
                return b.toString();
            } else {
                b.append(c);
            }
        }
    }
}
