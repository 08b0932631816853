package io.zarrfetch.testkit.mur;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The synthetic sea surface temperature field: a pure function of (scale, seed, t, row, column) that fills
 * one stored chunk's raw bytes (C order, little-endian int16, as the {@code <i2} Zarr dtype says).
 *
 * <p>Values are stored like MUR's: {@code round((kelvin - 298.15) / 0.001)}. The field is a latitude
 * profile with a seasonal swing, a zonal wave, three drifting meanders, a freezing clamp (sea ice), a land
 * mask (fill value), and +-1 mK noise inside "detail" regions. Only {@link StrictMath}, exact double
 * arithmetic and integer hashing are used, so the values are identical on every JVM and CPU.
 *
 * <p>Why this shape of field: Blosc byte-shuffles int16 into a high-byte and a low-byte stream and LZ4
 * compresses each. A smooth field makes both streams compressible (about 28% of raw); any per-element
 * noise, even +-1, makes the low-byte stream incompressible for LZ4 (about 48% of raw). The real data sits
 * in between (about 43%), so the noise is confined to regions covering most of the ocean, with the
 * region threshold tuned to that ratio. The regions are laid out in degrees (the same share of every
 * chunk at both scales) and drift with time, so chunk sizes vary a little from one time step to the next.
 */
final class SstField {

    static final short FILL = Short.MIN_VALUE;

    /** Sea water freezes at about -1.8 degC; MUR holds ice-covered water there, and so do we (no noise). */
    private static final double FREEZING_C = -1.8;
    /** (-1.8 + 273.15 - 298.15) / 0.001. */
    private static final int FREEZING_VALUE = -26800;

    /** Noise is uniform in [-NOISE, NOISE] thousandths of a kelvin. */
    private static final int NOISE = 1;
    /**
     * Elements whose detail term (sum of two unit sine waves) exceeds this get noise: about 80% of the
     * ocean, which puts a full-scale chunk (7% land) at about 28 MB, 43% of raw; chunks with winter sea
     * ice come out near 25 MB. Measured, not derived: retune (and bump the generator version) if the
     * field changes.
     */
    private static final double DETAIL_THRESHOLD = -0.9;

    /** The real grid: cell centres from -89.99 to 89.99 north and -179.99 to 180.00 east, 0.01 degree apart. */
    private static final double LAT0 = -89.99;
    private static final double LAT_SPAN = 179.98;
    private static final double LON0 = -179.99;
    private static final double LON_SPAN = 359.99;

    private static final int MEANDERS = 3;
    private static final int ISLANDS = 5;

    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final MurDataset.Scale scale;
    private final long noiseKey;
    private final double zonalPhase;
    private final double detailLatPhase;
    private final double detailLonPhase;
    private final double[] meanderAmp = new double[MEANDERS];
    private final double[] meanderRowWave = new double[MEANDERS];
    private final double[] meanderColWave = new double[MEANDERS];
    private final double[] meanderRowPhase = new double[MEANDERS];
    private final double[] meanderColPhase = new double[MEANDERS];
    private final double[] meanderDrift = new double[MEANDERS];
    private final double[] coastPhase = new double[3];
    private final double[] islandLat = new double[ISLANDS];
    private final double[] islandLon = new double[ISLANDS];
    private final double[] islandRadius = new double[ISLANDS];
    private final double[] islandPhase = new double[ISLANDS];

    /** Land mask of the one spatial chunk (y = 1, x = 0) that the data set stores; built on first use. */
    private volatile boolean[] landMask;

    SstField(MurDataset.Scale scale, long seed) {
        this.scale = scale;
        SplittableRandom random = new SplittableRandom(seed);
        this.noiseKey = random.nextLong();
        this.zonalPhase = random.nextDouble(0, 2 * StrictMath.PI);
        this.detailLatPhase = random.nextDouble(0, 2 * StrictMath.PI);
        this.detailLonPhase = random.nextDouble(0, 2 * StrictMath.PI);
        // Meanders are sized in grid cells, not degrees: their per-cell gradient (under 2 mK) is what keeps
        // the high-byte stream compressible, and it must not grow 20-fold on the coarse SMALL grid.
        for (int m = 0; m < MEANDERS; m++) {
            meanderAmp[m] = random.nextDouble(0.2, 0.5);
            meanderRowWave[m] = random.nextDouble(600, 1600);
            meanderColWave[m] = random.nextDouble(800, 2400);
            meanderRowPhase[m] = random.nextDouble(0, 2 * StrictMath.PI);
            meanderColPhase[m] = random.nextDouble(0, 2 * StrictMath.PI);
            meanderDrift[m] = random.nextDouble(1, 5);
        }
        for (int i = 0; i < coastPhase.length; i++) {
            coastPhase[i] = random.nextDouble(0, 2 * StrictMath.PI);
        }
        // Islands inside the stored chunk's footprint (about -72..-54 N, -180..-144 E).
        for (int i = 0; i < ISLANDS; i++) {
            islandLat[i] = random.nextDouble(-68.0, -56.0);
            islandLon[i] = random.nextDouble(-177.0, -147.0);
            islandRadius[i] = random.nextDouble(0.2, 0.9);
            islandPhase[i] = random.nextDouble(0, 2 * StrictMath.PI);
        }
    }

    /** Latitude (degrees north) of array row {@code row}: the real grid at FULL scale, stretched at SMALL. */
    static double lat(MurDataset.Scale scale, long row) {
        return LAT0 + row * (LAT_SPAN / (scale.arrayShape()[1] - 1));
    }

    /** Longitude (degrees east) of array column {@code col}. */
    static double lon(MurDataset.Scale scale, long col) {
        return LON0 + col * (LON_SPAN / (scale.arrayShape()[2] - 1));
    }

    /**
     * Fills the first {@code scale.chunkBytes()} bytes of {@code out} with chunk (timeChunk, 1, 0).
     * Time steps past the end of the array hold the fill value, as zarr pads edge chunks.
     */
    void fillChunk(int timeChunk, byte[] out) {
        int[] chunk = scale.chunkShape();
        int ct = chunk[0];
        int cy = chunk[1];
        int cx = chunk[2];
        long nt = scale.arrayShape()[0];
        long ny = scale.arrayShape()[1];
        long nx = scale.arrayShape()[2];
        long row0 = cy; // first row of spatial chunk y = 1
        boolean[] land = landMask();

        double[] rowTerm = new double[cy];
        double[] colTerm = new double[cx];
        double[] detailRow = new double[cy];
        double[] detailCol = new double[cx];
        double[][] meanderRow = new double[MEANDERS][cy];
        double[][] meanderCol = new double[MEANDERS][cx];

        int offset = 0;
        for (int dt = 0; dt < ct; dt++) {
            long t = (long) timeChunk * ct + dt;
            if (t >= nt) {
                for (int p = 0; p < cy * cx; p++, offset += 2) {
                    SHORT_LE.set(out, offset, FILL);
                }
                continue;
            }
            buildTables(t, row0, rowTerm, colTerm, detailRow, detailCol, meanderRow, meanderCol);
            double[] m0 = meanderCol[0];
            double[] m1 = meanderCol[1];
            double[] m2 = meanderCol[2];
            for (int y = 0; y < cy; y++) {
                double base = rowTerm[y];
                double a0 = meanderRow[0][y];
                double a1 = meanderRow[1][y];
                double a2 = meanderRow[2][y];
                double detail = detailRow[y];
                long linear = (t * ny + row0 + y) * nx; // index of (t, row, column 0) in the whole array
                int maskRow = y * cx;
                for (int x = 0; x < cx; x++, offset += 2) {
                    int value;
                    if (land[maskRow + x]) {
                        value = FILL;
                    } else {
                        double celsius = base + colTerm[x] + a0 * m0[x] + a1 * m1[x] + a2 * m2[x];
                        if (celsius <= FREEZING_C) {
                            value = FREEZING_VALUE;
                        } else {
                            // (celsius + 273.15 - 298.15) / 0.001, with the offsets folded exactly.
                            value = (int) StrictMath.rint((celsius - 25.0) * 1000.0);
                            if (detail + detailCol[x] > DETAIL_THRESHOLD) {
                                value = StrictMath.max(FREEZING_VALUE, value + noise(linear + x));
                            }
                        }
                    }
                    SHORT_LE.set(out, offset, (short) value);
                }
            }
        }
    }

    /** Uniform integer in [-NOISE, NOISE] from a stateless hash (SplitMix64 finaliser) of the position. */
    private int noise(long linearIndex) {
        long z = noiseKey + linearIndex * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) (((z >>> 32) * (2 * NOISE + 1)) >>> 32) - NOISE;
    }

    /** Per-row and per-column terms for day t, so the per-element work is a few multiply-adds. */
    private void buildTables(long t, long row0, double[] rowTerm, double[] colTerm, double[] detailRow,
            double[] detailCol, double[][] meanderRow, double[][] meanderCol) {
        double season = StrictMath.cos(2 * StrictMath.PI * (t - 80) / 365.2422); // day 0 = 2002-06-01
        for (int y = 0; y < rowTerm.length; y++) {
            long row = row0 + y;
            double lat = lat(scale, row);
            double latRad = StrictMath.toRadians(lat);
            double cos = StrictMath.cos(latRad);
            // Warm tropics, cold poles; the seasonal swing has opposite signs in the two hemispheres
            // (southern summer peaks around day 260, mid February).
            rowTerm[y] = 30.5 * cos * cos - 3.0 + 2.0 * StrictMath.sin(latRad) * season;
            detailRow[y] = StrictMath.sin(2 * StrictMath.PI * lat / 9.0 + detailLatPhase + 0.03 * t);
            for (int m = 0; m < MEANDERS; m++) {
                meanderRow[m][y] = meanderAmp[m]
                        * StrictMath.sin(2 * StrictMath.PI * row / meanderRowWave[m] + meanderRowPhase[m] + 0.004 * t);
            }
        }
        for (int x = 0; x < colTerm.length; x++) {
            double lon = lon(scale, x);
            colTerm[x] = 0.8 * StrictMath.sin(2 * StrictMath.toRadians(lon) + zonalPhase);
            detailCol[x] = StrictMath.sin(2 * StrictMath.PI * lon / 17.0 + detailLonPhase - 0.02 * t);
            for (int m = 0; m < MEANDERS; m++) {
                // Drifts westward by a few cells a day.
                double drifted = x + meanderDrift[m] * t;
                meanderCol[m][x] = StrictMath.sin(2 * StrictMath.PI * drifted / meanderColWave[m] + meanderColPhase[m]);
            }
        }
    }

    /** Row-major (y, x) mask of the stored spatial chunk: true where land (a wavy coast and a few islands). */
    boolean[] landMask() {
        boolean[] mask = landMask;
        if (mask == null) {
            synchronized (this) {
                mask = landMask;
                if (mask == null) {
                    mask = buildLandMask();
                    landMask = mask;
                }
            }
        }
        return mask;
    }

    private boolean[] buildLandMask() {
        int cy = scale.chunkShape()[1];
        int cx = scale.chunkShape()[2];
        long row0 = cy;
        double[] lons = new double[cx];
        double[] coastLat = new double[cx];
        for (int x = 0; x < cx; x++) {
            double lon = lon(scale, x);
            lons[x] = lon;
            // Coast between about -73 and -69 N: a few percent of the chunk's southern rows are land.
            coastLat[x] = -71.2
                    + 1.1 * StrictMath.sin(2 * StrictMath.PI * lon / 23.0 + coastPhase[0])
                    + 0.5 * StrictMath.sin(2 * StrictMath.PI * lon / 7.1 + coastPhase[1])
                    + 0.25 * StrictMath.sin(2 * StrictMath.PI * lon / 1.9 + coastPhase[2]);
        }
        boolean[] mask = new boolean[cy * cx];
        for (int y = 0; y < cy; y++) {
            double lat = lat(scale, row0 + y);
            for (int x = 0; x < cx; x++) {
                mask[y * cx + x] = lat < coastLat[x];
            }
            for (int i = 0; i < ISLANDS; i++) {
                double radius = islandRadius[i];
                double dLat = (lat - islandLat[i]) / radius;
                if (dLat <= -1.5 || dLat >= 1.5) {
                    continue;
                }
                // A degree of longitude shrinks with latitude; widen so islands are round on the ground.
                double lonRadius = radius / StrictMath.cos(StrictMath.toRadians(islandLat[i]));
                for (int x = 0; x < cx; x++) {
                    double dLon = (lons[x] - islandLon[i]) / lonRadius;
                    if (dLon <= -1.5 || dLon >= 1.5) {
                        continue;
                    }
                    double ragged = 1.0 + 0.3 * StrictMath.sin(5 * dLat + islandPhase[i]) * StrictMath.cos(4 * dLon);
                    if (dLat * dLat + dLon * dLon < ragged) {
                        mask[y * cx + x] = true;
                    }
                }
            }
        }
        return mask;
    }
}
