package dev.attnstudio.engine.io;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * Conversions between float32 and the two 16-bit float formats safetensors files use, and the widening of a
 * buffer of stored elements to float32.
 *
 * <ul>
 *   <li>IEEE 754 half (F16): 1 sign, 5 exponent (bias 15), 10 fraction bits; value
 *       {@code (-1)^s × 2^(e-15) × 1.f}, subnormals {@code (-1)^s × 2^-14 × 0.f}.</li>
 *   <li>bfloat16 (BF16): the upper 16 bits of a float32 (1 sign, 8 exponent, 7 fraction bits), so widening is
 *       {@code bits << 16}.</li>
 * </ul>
 * Every half and bfloat16 value has an exact float32 equivalent, so widening loses nothing.
 */
final class HalfPrecision {

    /** float32 value of every float16 bit pattern, indexed by the unsigned 16 bits. */
    private static final float[] HALF_TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < HALF_TO_FLOAT.length; h++) {
            HALF_TO_FLOAT[h] = halfToFloat((short) h);
        }
    }

    /** Elements converted per bulk read: 8 Ki (16 KiB in, 32 KiB out). */
    private static final int BLOCK = 1 << 13;

    private HalfPrecision() {
    }

    /**
     * Widens {@code count} stored elements read from {@code from} (little-endian, at its position) into
     * {@code into} (at its position) as float32. F32 elements are copied bit for bit.
     */
    static void widen(SafeTensors.DType dtype, ByteBuffer from, FloatBuffer into, int count) {
        if (dtype == SafeTensors.DType.F32) {
            FloatBuffer floats = from.asFloatBuffer();
            floats.limit(count);
            into.put(floats);
            from.position(from.position() + 4 * count);
            return;
        }
        // Bulk reads and writes through small scratch arrays: a loop over arrays the JIT compiles tightly, rather than
        // a buffer call per element.
        ShortBuffer halves = from.asShortBuffer();
        short[] bits = new short[Math.min(BLOCK, count)];
        float[] floats = new float[bits.length];
        for (int done = 0; done < count; done += bits.length) {
            int n = Math.min(bits.length, count - done);
            halves.get(bits, 0, n);
            if (dtype == SafeTensors.DType.BF16) {
                for (int i = 0; i < n; i++) {
                    floats[i] = Float.intBitsToFloat((bits[i] & 0xFFFF) << 16);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    floats[i] = HALF_TO_FLOAT[bits[i] & 0xFFFF];
                }
            }
            into.put(floats, 0, n);
        }
        from.position(from.position() + 2 * count);
    }

    /** Narrows one float32 to its stored form and puts it in {@code into} (little-endian). */
    static void put(SafeTensors.DType dtype, ByteBuffer into, float v) {
        switch (dtype) {
            case F32 -> into.putInt(Float.floatToRawIntBits(v));
            case F16 -> into.putShort(floatToHalf(v));
            case BF16 -> into.putShort(floatToBf16(v));
            default -> throw new AssertionError(dtype);
        }
    }

    /**
     * Converts IEEE 754 half-precision bits to float32, exactly: zeros keep their sign, subnormals become the
     * equal normal float32, infinities stay infinite, and NaN stays NaN with its payload shifted into place.
     */
    static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int fraction = h & 0x3FF;
        if (exponent == 0) {
            // Zero or subnormal: fraction × 2^-24, exact in float32.
            float magnitude = fraction * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (fraction << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (fraction << 13));
    }

    /**
     * Converts float32 to IEEE 754 half-precision bits, rounding to nearest with ties to even. Values beyond the
     * half range become infinity, values below half the smallest subnormal become a signed zero, NaN stays a
     * (quiet) NaN.
     */
    static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int fraction = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            return (short) (fraction == 0 ? sign | 0x7C00 : sign | 0x7E00 | (fraction >>> 13));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            // Half subnormal (or zero): the value in units of 2^-24, from the 24-bit significand.
            if (e < -10) {
                return (short) sign; // below 2^-25: rounds to zero
            }
            int significand = fraction | 0x800000;
            int shift = 14 - e;                      // 14..24
            int result = significand >>> shift;
            int rest = significand & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (result & 1) != 0)) {
                result++;                            // may carry into the smallest normal, which is correct
            }
            return (short) (sign | result);
        }
        int result = (e << 10) | (fraction >>> 13);
        int rest = fraction & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (result & 1) != 0)) {
            result++;                                // may carry into the exponent, up to infinity: correct
        }
        return (short) (sign | result);
    }

    /** Converts float32 to bfloat16 bits: the top 16 bits, rounded to nearest with ties to even; NaN stays NaN. */
    static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}
