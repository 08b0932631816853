package io.zarrfetch.zarr;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class NpyTest {
    @Test
    void headersAreWhatNumpyWrites() {
        byte[] h = Npy.header(new DataType(DataType.Kind.INT, 2, ByteOrder.LITTLE_ENDIAN, "i2"),
                new long[] {5, 1799, 3600});
        assertThat(h.length % 64).as("data aligned to 64 bytes").isZero();
        assertThat(h[0] & 0xff).isEqualTo(0x93);
        assertThat(new String(h, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        assertThat(h[6]).isEqualTo((byte) 1);
        String text = new String(h, 10, h.length - 10, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("{'descr': '<i2', 'fortran_order': False, 'shape': (5, 1799, 3600), }")
                .endsWith("\n");
        assertThat(((h[9] & 0xff) << 8 | (h[8] & 0xff))).isEqualTo(h.length - 10);
        assertThat(new String(Npy.header(DataType.v2(">f8"), new long[] {7}), StandardCharsets.US_ASCII))
                .contains("'descr': '>f8'").contains("'shape': (7,)");
        assertThat(new String(Npy.header(DataType.v2("|b1"), new long[0]), StandardCharsets.US_ASCII))
                .contains("'descr': '|b1'").contains("'shape': ()");
    }
}
