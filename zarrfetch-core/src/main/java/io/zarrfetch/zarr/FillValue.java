package io.zarrfetch.zarr;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** A fill value from metadata, as the bytes of one element in the array's stored representation. */
final class FillValue {
    private FillValue() {
    }

    /**
     * Encodes a metadata {@code fill_value} for type {@code t}. {@code null} (Zarr v2's "no fill value") gives
     * zeros.
     *
     * @param v3 whether the value follows Zarr v3's rules (bytes and raw types as arrays of integers, floats as
     *     hexadecimal bit patterns allowed) rather than v2's (bytes as base64)
     * @throws IllegalArgumentException saying why the value does not fit the type
     */
    static byte[] encode(Object value, DataType t, boolean v3) {
        ByteBuffer b = ByteBuffer.allocate(t.size()).order(t.order());
        if (value == null) {
            return b.array();
        }
        try {
            switch (t.kind()) {
                case BOOL -> {
                    if (!(value instanceof Boolean bool)) {
                        throw new IllegalArgumentException("not a boolean");
                    }
                    b.put((byte) (bool ? 1 : 0));
                }
                case INT, UINT, DATETIME, TIMEDELTA -> putInteger(b, t, integer(value));
                case FLOAT -> putFloat(b, t.size(), value);
                case COMPLEX -> {
                    if (!(value instanceof List<?> pair) || pair.size() != 2) {
                        throw new IllegalArgumentException("a complex fill value is a [real, imaginary] pair");
                    }
                    putFloat(b, t.size() / 2, pair.get(0));
                    putFloat(b, t.size() / 2, pair.get(1));
                }
                case BYTES, RAW -> {
                    byte[] raw;
                    if (value instanceof String s) {
                        raw = Base64.getDecoder().decode(s);
                    } else if (v3 && value instanceof List<?> list) {
                        raw = new byte[list.size()];
                        for (int i = 0; i < raw.length; i++) {
                            long x = integer(list.get(i)).longValueExact();
                            if (x < 0 || x > 255) {
                                throw new IllegalArgumentException("byte " + x + " is not in 0..255");
                            }
                            raw[i] = (byte) x;
                        }
                    } else {
                        throw new IllegalArgumentException("expected base64 text or a list of bytes");
                    }
                    if (raw.length > t.size()) {
                        throw new IllegalArgumentException(raw.length + " bytes for a " + t.size() + "-byte type");
                    }
                    b.put(raw);
                }
                case UNICODE -> {
                    if (!(value instanceof String s)) {
                        throw new IllegalArgumentException("not text");
                    }
                    int[] cps = s.codePoints().toArray();
                    if (cps.length * 4 > t.size()) {
                        throw new IllegalArgumentException("longer than " + t.size() / 4 + " characters");
                    }
                    for (int cp : cps) {
                        b.putInt(cp);
                    }
                }
                default -> throw new IllegalArgumentException("no fill value rules for this type");
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException("fill_value " + value + " does not fit data type " + t.numpyDescr()
                    + ": " + e.getMessage(), e);
        }
        return b.array();
    }

    private static BigInteger integer(Object value) {
        return switch (value) {
            case Long l -> BigInteger.valueOf(l);
            case BigInteger bi -> bi;
            case Double d when d == Math.rint(d) && !d.isInfinite() -> BigInteger.valueOf(d.longValue());
            case String s when s.equals("NaT") -> BigInteger.valueOf(Long.MIN_VALUE);
            case null, default -> throw new IllegalArgumentException("not an integer");
        };
    }

    private static void putInteger(ByteBuffer b, DataType t, BigInteger v) {
        int bits = t.size() * 8;
        BigInteger min = t.kind() == DataType.Kind.UINT ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits - 1).negate();
        BigInteger max = t.kind() == DataType.Kind.UINT ? BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new IllegalArgumentException("out of range " + min + ".." + max);
        }
        long x = v.longValue();
        switch (t.size()) {
            case 1 -> b.put((byte) x);
            case 2 -> b.putShort((short) x);
            case 4 -> b.putInt((int) x);
            default -> b.putLong(x);
        }
    }

    private static void putFloat(ByteBuffer b, int size, Object value) {
        if (value instanceof String s && s.startsWith("0x")) {
            long bits = Long.parseUnsignedLong(s.substring(2), 16);
            switch (size) {
                case 2 -> b.putShort((short) bits);
                case 4 -> b.putInt((int) bits);
                default -> b.putLong(bits);
            }
            return;
        }
        double d = switch (value) {
            case Double x -> x;
            case Long x -> x.doubleValue();
            case BigInteger x -> x.doubleValue();
            case String s when s.equals("NaN") -> Double.NaN;
            case String s when s.equals("Infinity") -> Double.POSITIVE_INFINITY;
            case String s when s.equals("-Infinity") -> Double.NEGATIVE_INFINITY;
            case null, default -> throw new IllegalArgumentException("not a number");
        };
        switch (size) {
            case 2 -> b.putShort(Float.floatToFloat16((float) d));
            case 4 -> b.putFloat((float) d);
            default -> b.putDouble(d);
        }
    }

    /**
     * The text of one element's fill value for people and JSON: a number, true/false, a complex number as NumPy
     * prints it ({@code 1.5-2j}), text, or base64 for bytes.
     */
    static Object describe(byte[] fill, DataType t) {
        ByteBuffer b = ByteBuffer.wrap(fill).order(t.order());
        return switch (t.kind()) {
            case BOOL -> fill[0] != 0;
            case INT, DATETIME, TIMEDELTA -> switch (t.size()) {
                case 1 -> (long) b.get();
                case 2 -> (long) b.getShort();
                case 4 -> (long) b.getInt();
                default -> b.getLong();
            };
            case UINT -> switch (t.size()) {
                case 1 -> (long) (b.get() & 0xff);
                case 2 -> (long) (b.getShort() & 0xffff);
                case 4 -> b.getInt() & 0xffffffffL;
                default -> new BigInteger(Long.toUnsignedString(b.getLong()));
            };
            case FLOAT -> switch (t.size()) {
                case 2 -> (double) Float.float16ToFloat(b.getShort());
                case 4 -> (double) b.getFloat();
                default -> b.getDouble();
            };
            case COMPLEX -> {
                double re = t.size() == 8 ? b.getFloat() : b.getDouble();
                double im = t.size() == 8 ? b.getFloat() : b.getDouble();
                yield complex(re, im, t.size() == 8);
            }
            case UNICODE -> {
                StringBuilder sb = new StringBuilder();
                while (b.remaining() >= 4) {
                    int cp = b.getInt();
                    if (cp != 0) {
                        sb.appendCodePoint(cp);
                    }
                }
                yield sb.toString();
            }
            default -> Base64.getEncoder().encodeToString(fill);
        };
    }

    /**
     * A complex number as Python and NumPy print one: {@code 1.5-2j}, {@code 2j} (no real part when it is +0),
     * {@code nan+infj}; each part in the shortest form that reads back to the same float (as Python's repr), without
     * a trailing {@code .0}. The surrounding parentheses of Python's repr are left out.
     */
    static String complex(double re, double im, boolean single) {
        String imag = pythonFloat(im, single);
        if (re == 0 && Math.copySign(1.0, re) > 0) {
            return imag + "j";
        }
        return pythonFloat(re, single) + (imag.startsWith("-") ? "" : "+") + imag + "j";
    }

    /** Python's repr of a float without its ".0": positional from 1e-4 up to 1e16, scientific beyond. */
    private static String pythonFloat(double d, boolean single) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return Math.copySign(1.0, d) < 0 ? "-0" : "0";
        }
        // the shortest decimal that reads back as the same float (float32 parts as NumPy prints them)
        java.math.BigDecimal v = new java.math.BigDecimal(single ? Float.toString((float) d) : Double.toString(d))
                .stripTrailingZeros();
        int exponent = v.precision() - v.scale() - 1; // of the first digit
        if (exponent < -4 || exponent >= 16) {
            String digits = v.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (v.signum() < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        }
        return v.toPlainString();
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static ByteOrder order(String endian) {
        return switch (endian) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new IllegalArgumentException("endian must be \"little\" or \"big\", was " + endian);
        };
    }
}
