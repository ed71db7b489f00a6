package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of
 * the data taken as big-endian 16-bit words, with the IPv4 and IPv6 pseudo-headers and the
 * incremental update of RFC 1624.
 *
 * <p>Sums are carried as non-negative {@code long} accumulators ("partial sums") so that pieces
 * can be added together before folding: {@code finish(add(pseudoHeader, sum(segment, off, len)))}.
 * A partial sum is in big-endian word order. Every piece except the last must start at an even
 * position of the checksummed byte stream and have even length; an odd final byte is padded with
 * a zero, as RFC 1071 says.
 *
 * <h2>How {@link #sum} is fast</h2>
 * The ones' complement sum does not depend on byte order except for a final byte swap (RFC 1071
 * section 2(B)): summing the data as little-endian 16-bit words gives the big-endian sum with its
 * two bytes exchanged. So {@code sum} reads 8 bytes at a time in the machine's own order (no
 * per-load byte swap on x86), adds each 64-bit load as two 32-bit halves into 64-bit accumulators
 * (a half is at most {@code 2^32 - 1}, so the carries pile up in the accumulators' high bits
 * instead of being lost), keeps four accumulators so that consecutive additions do not wait for
 * each other, and folds and swaps once at the end. Alignment plays no part in correctness: the
 * loads are unaligned layouts and word pairing is relative to {@code offset}.
 */
public final class Checksum {
    /** 64-bit loads in the machine's byte order, any alignment. */
    private static final ValueLayout.OfLong NATIVE_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    /** 32-bit loads in the machine's byte order, any alignment (the tail). */
    private static final ValueLayout.OfInt NATIVE_INT = ValueLayout.JAVA_INT_UNALIGNED;
    /** 16-bit loads in the machine's byte order, any alignment (the tail). */
    private static final ValueLayout.OfShort NATIVE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** Whether native-order words must be byte-swapped to become big-endian words at the end. */
    private static final boolean LITTLE_ENDIAN_MACHINE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** Bytes consumed per iteration of the unrolled loop: four 64-bit loads. */
    private static final int UNROLLED_STRIDE_BYTES = 32;
    /**
     * Bytes summed before the accumulators are folded. Each unrolled iteration adds less than
     * {@code 2^33} to each accumulator, so {@code 2^30} bytes ({@code 2^25} iterations) add less
     * than {@code 2^58}: no overflow, and the iteration count fits an {@code int} loop counter,
     * which the JIT compiles better than a {@code long} one.
     */
    private static final long BLOCK_BYTES = 1L << 30;
    private static final long LOW_32_BITS = 0xffff_ffffL;

    private Checksum() {}

    /**
     * Partial sum of {@code length} bytes at {@code offset}: the ones' complement sum of the bytes
     * as big-endian 16-bit words, already folded to 16 bits (so in {@code 0..0xffff}).
     *
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not describe a
     *         range inside the segment
     */
    public static long sum(MemorySegment segment, long offset, long length) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        return sumInBlocks(segment, offset, length, BLOCK_BYTES);
    }

    /**
     * {@link #sum} with the fold interval as a parameter, so that tests can cross block boundaries
     * without gigabyte buffers. {@code maximumBlockBytes} must be a positive multiple of 32.
     */
    static long sumInBlocks(MemorySegment segment, long offset, long length, long maximumBlockBytes) {
        long position = offset;
        long remaining = length;
        long total = 0;
        while (remaining >= UNROLLED_STRIDE_BYTES) {
            long blockBytes = Math.min(remaining, maximumBlockBytes) & -UNROLLED_STRIDE_BYTES;
            total += sumUnrolled(segment, position, (int) (blockBytes / UNROLLED_STRIDE_BYTES));
            total = fold32(total);
            position += blockBytes;
            remaining -= blockBytes;
        }
        // At most 31 bytes left: whole 64-bit words, then a 4-, 2- and 1-byte tail.
        for (; remaining >= 8; remaining -= 8, position += 8) {
            long word = segment.get(NATIVE_LONG, position);
            total += (word & LOW_32_BITS) + (word >>> 32);
        }
        if (remaining >= 4) {
            total += Integer.toUnsignedLong(segment.get(NATIVE_INT, position));
            position += 4;
            remaining -= 4;
        }
        if (remaining >= 2) {
            total += Short.toUnsignedInt(segment.get(NATIVE_SHORT, position));
            position += 2;
            remaining -= 2;
        }
        if (remaining == 1) {
            // The odd final byte is the first byte of a zero-padded word: its high byte in
            // big-endian order, its low byte in little-endian order.
            int lastByte = Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, position));
            total += LITTLE_ENDIAN_MACHINE ? lastByte : lastByte << 8;
        }
        int folded = fold(total);
        return LITTLE_ENDIAN_MACHINE ? Integer.reverseBytes(folded) >>> 16 : folded;
    }

    /**
     * Native-order sum of {@code iterations * 32} bytes at {@code position}, not yet folded (below
     * {@code 2^60} for one block). Four independent accumulators so that the adds of consecutive
     * loads overlap in the pipeline instead of forming one dependency chain.
     */
    private static long sumUnrolled(MemorySegment segment, long position, int iterations) {
        long accumulator0 = 0;
        long accumulator1 = 0;
        long accumulator2 = 0;
        long accumulator3 = 0;
        for (int i = 0; i < iterations; i++) {
            long at = position + (long) i * UNROLLED_STRIDE_BYTES;
            long word0 = segment.get(NATIVE_LONG, at);
            long word1 = segment.get(NATIVE_LONG, at + 8);
            long word2 = segment.get(NATIVE_LONG, at + 16);
            long word3 = segment.get(NATIVE_LONG, at + 24);
            accumulator0 += (word0 & LOW_32_BITS) + (word0 >>> 32);
            accumulator1 += (word1 & LOW_32_BITS) + (word1 >>> 32);
            accumulator2 += (word2 & LOW_32_BITS) + (word2 >>> 32);
            accumulator3 += (word3 & LOW_32_BITS) + (word3 >>> 32);
        }
        return (accumulator0 + accumulator1) + (accumulator2 + accumulator3);
    }

    /** Adds two partial sums. */
    public static long add(long partialA, long partialB) {
        return fold32(partialA + partialB);
    }

    /** Folds a partial sum to 16 bits with end-around carry (the sum, not yet complemented). */
    public static int fold(long partial) {
        long s = partial;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** The checksum field value for a partial sum: its folded ones' complement. */
    public static int finish(long partial) {
        return ~fold(partial) & 0xffff;
    }

    /**
     * Partial sum of the IPv4 pseudo-header (RFC 793 3.1, RFC 9293 3.1): source, destination, zero,
     * protocol, upper-layer length.
     */
    public static long pseudoHeaderIpv4(int sourceAddress, int destinationAddress, int protocol, int upperLayerLength) {
        long acc = (sourceAddress >>> 16) + (sourceAddress & 0xffff)
                + (destinationAddress >>> 16) + (destinationAddress & 0xffff)
                + protocol + upperLayerLength;
        return fold32(acc);
    }

    /**
     * Partial sum of the IPv6 pseudo-header (RFC 8200 8.1): source and destination (16 bytes each,
     * read from the segment), 32-bit upper-layer length, next header.
     */
    public static long pseudoHeaderIpv6(MemorySegment sourceSegment, long sourceOffset,
                                        MemorySegment destinationSegment, long destinationOffset,
                                        int nextHeader, long upperLayerLength) {
        long acc = sum(sourceSegment, sourceOffset, 16) + sum(destinationSegment, destinationOffset, 16)
                + (upperLayerLength >>> 16) + (upperLayerLength & 0xffff) + nextHeader;
        return fold32(acc);
    }

    /** Whether data whose sum (including its checksum field) is {@code partial} verifies: folds to 0xffff. */
    public static boolean verifies(long partial) {
        return fold(partial) == 0xffff;
    }

    /**
     * RFC 1624 eqn. 3: the new checksum after one 16-bit word changes from {@code oldWord} to
     * {@code newWord}, without re-summing the data: {@code HC' = ~(~HC + ~m + m')}.
     *
     * <p>Eqn. 3, not eqn. 2 ({@code HC - ~m - m'}): eqn. 2 can produce 0xffff (-0) where a full
     * recomputation gives 0x0000 (RFC 1624 section 4). Eqn. 3 equals a full recomputation
     * whenever the rest of the header is not all zero, which holds for every IP, TCP and UDP header.
     */
    public static int update16(int oldChecksum, int oldWord, int newWord) {
        long s = (~oldChecksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return ~fold(s) & 0xffff;
    }

    /**
     * RFC 1624 eqn. 3 for a 32-bit field (an IPv4 address, a sequence number) changing: both of its
     * 16-bit words replaced at once. The field must start at an even position of the checksummed data.
     */
    public static int update32(int oldChecksum, int oldValue, int newValue) {
        long s = (~oldChecksum & 0xffff)
                + (~(oldValue >>> 16) & 0xffff) + (~oldValue & 0xffff)
                + (newValue >>> 16) + (newValue & 0xffff);
        return ~fold(s) & 0xffff;
    }

    private static long fold32(long acc) {
        // Keep accumulators small enough that callers can add many without overflow.
        return (acc & 0xffffffffL) + (acc >>> 32);
    }
}
