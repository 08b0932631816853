package io.zarrfetch.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/** Byte sizes as people write them: 64MiB, 1.5G, 512k, 1000000. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?)(b?)",
            Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /**
     * Parses a size. KiB/MiB/GiB/TiB and the bare K/M/G/T are powers of 1024; KB/MB/GB/TB powers of 1000;
     * a plain number is bytes.
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: write a number of bytes with an optional "
                    + "unit, like 64MiB, 1.5GiB, 512k, 100MB or 1000000");
        }
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        boolean binary = !m.group(3).isEmpty() || m.group(4).isEmpty();
        int power = "kmgt".indexOf(unit) + 1;
        double bytes = Double.parseDouble(m.group(1)) * Math.pow(binary ? 1024 : 1000, unit.isEmpty() ? 0 : power);
        if (bytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
        return Math.round(bytes);
    }

    /** A size for people: 1.5 GiB, 28.0 MiB, 512 B. */
    static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    /** picocli converter for size options. */
    static final class Converter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                // picocli then says "Invalid value for option '--memory-limit': " and this message, nothing else
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
