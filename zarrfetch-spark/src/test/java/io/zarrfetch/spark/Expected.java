package io.zarrfetch.spark;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.sql.Row;

/**
 * The test's own reading of expected elements (NumPy .npy files, zarrita's JSON) and of Spark's values, into one
 * canonical text per element, so the two can be compared element for element; and the rule for which elements
 * read as NULL. Written independently of the connector's conversions.
 */
final class Expected {
    private static final Pattern DESCR = Pattern.compile("'descr': '([^']+)'");

    private Expected() {
    }

    /** A float's value, kept apart from integers so that NULL masking compares it numerically. */
    record Real(double v) {
    }

    /** A complex value. */
    record Complex(double re, double im) {
    }

    /** The elements of a .npy file, C order, and its descr. */
    static List<Object> npy(Path p, String[] descrOut) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        int major = b.get(6);
        int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(b.array(), start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        if (!d.find()) {
            throw new IOException("no descr in " + header);
        }
        descrOut[0] = d.group(1);
        ByteBuffer data = b.position(start + headerLen).slice();
        return decodeAll(data, d.group(1));
    }

    /** Elements of {@code descr} (a NumPy type string) from bytes. */
    static List<Object> decodeAll(ByteBuffer data, String descr) {
        int size = itemSize(descr);
        List<Object> out = new ArrayList<>();
        for (int at = 0; at + size <= data.limit(); at += size) {
            out.add(decode(data, at, descr));
        }
        return out;
    }

    static int itemSize(String descr) {
        int n = Integer.parseInt(descr.replaceAll("^[<>|=]?[a-zA-Z]+(\\d+).*$", "$1"));
        return descr.contains("U") ? 4 * n : n;
    }

    static Object decode(ByteBuffer data, int at, String descr) {
        ByteBuffer b = data.duplicate().order(descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        char kind = descr.replaceAll("^[<>|=]", "").charAt(0);
        int size = itemSize(descr);
        switch (kind) {
            case 'b':
                return b.get(at) != 0;
            case 'i':
                return switch (size) {
                    case 1 -> (long) b.get(at);
                    case 2 -> (long) b.getShort(at);
                    case 4 -> (long) b.getInt(at);
                    default -> b.getLong(at);
                };
            case 'u':
                return switch (size) {
                    case 1 -> (long) (b.get(at) & 0xff);
                    case 2 -> (long) (b.getShort(at) & 0xffff);
                    case 4 -> b.getInt(at) & 0xffffffffL;
                    default -> new BigInteger(Long.toUnsignedString(b.getLong(at)));
                };
            case 'f':
                return new Real(switch (size) {
                    case 2 -> Float.float16ToFloat(b.getShort(at));
                    case 4 -> b.getFloat(at);
                    default -> b.getDouble(at);
                });
            case 'c':
                return size == 8 ? new Complex(b.getFloat(at), b.getFloat(at + 4))
                        : new Complex(b.getDouble(at), b.getDouble(at + 8));
            case 'S': {
                int n = size;
                while (n > 0 && b.get(at + n - 1) == 0) {
                    n--;
                }
                byte[] x = new byte[n];
                b.get(at, x);
                return HexFormat.of().formatHex(x);
            }
            case 'U': {
                StringBuilder s = new StringBuilder();
                for (int c = 0; c < size / 4; c++) {
                    int cp = b.getInt(at + 4 * c);
                    if (cp != 0) {
                        s.appendCodePoint(cp);
                    }
                }
                return s.toString();
            }
            case 'M': {
                long v = b.getLong(at);
                if (v == Long.MIN_VALUE) {
                    return null; // NaT
                }
                if (!descr.endsWith("[s]")) {
                    throw new IllegalArgumentException("test decodes datetime64[s] only: " + descr);
                }
                return LocalDateTime.ofEpochSecond(v, 0, ZoneOffset.UTC);
            }
            default:
                throw new IllegalArgumentException("no test decoding for " + descr);
        }
    }

    /** zarrita's JSON value of an element of {@code descr}. */
    static Object json(Object v, String descr) {
        char kind = descr.replaceAll("^[<>|=]", "").charAt(0);
        return switch (kind) {
            case 'b' -> (Boolean) v;
            case 'i', 'u' -> {
                BigInteger x = new BigInteger(String.valueOf(v));
                yield x.bitLength() < 64 ? (Object) x.longValue() : x;
            }
            case 'f' -> new Real(switch (v) {
                case String s when s.equals("NaN") -> Double.NaN;
                case String s when s.equals("Infinity") -> Double.POSITIVE_INFINITY;
                case String s when s.equals("-Infinity") -> Double.NEGATIVE_INFINITY;
                case Number n -> n.doubleValue();
                default -> throw new IllegalArgumentException("not a float: " + v);
            });
            default -> throw new IllegalArgumentException("no JSON decoding for " + descr);
        };
    }

    /** Whether an element reads as NULL when the array's fill is {@code fill}. */
    static boolean masked(Object element, Object fill) {
        if (element == null) {
            return true;
        }
        if (fill == null) {
            return false;
        }
        if (element instanceof Real e && fill instanceof Real f) {
            return Double.isNaN(f.v()) ? Double.isNaN(e.v()) : e.v() == f.v();
        }
        if (element instanceof Complex e && fill instanceof Complex f) {
            return masked(new Real(e.re()), new Real(f.re())) && masked(new Real(e.im()), new Real(f.im()));
        }
        return canonical(element).equals(canonical(fill));
    }

    /** One text per value, the same for an expected element and for Spark's value of it. */
    static String canonical(Object v) {
        return switch (v) {
            case null -> "NULL";
            case Real r -> Double.toString(r.v());
            case Complex c -> "(" + c.re() + "," + c.im() + ")";
            case Float f -> Double.toString((double) f);
            case Double d -> Double.toString(d);
            case Byte x -> Long.toString(x);
            case Short x -> Long.toString(x);
            case Integer x -> Long.toString(x);
            case BigDecimal x -> x.toBigIntegerExact().toString();
            case byte[] x -> HexFormat.of().formatHex(x);
            case Row r -> "(" + Double.toString(((Number) r.get(0)).doubleValue()) + ","
                    + Double.toString(((Number) r.get(1)).doubleValue()) + ")";
            default -> v.toString();
        };
    }
}
