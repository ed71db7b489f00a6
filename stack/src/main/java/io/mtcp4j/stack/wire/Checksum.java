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
 * per-load byte swap on x86) and adds each load as two 32-bit halves into a 64-bit accumulator: a
 * half is below {@code 2^32}, so the carries pile up in the accumulator's high bits instead of
 * being lost, and are folded back once at the end, followed by one byte swap. Alignment plays no
 * part in correctness: the loads use unaligned layouts and word pairing is relative to
 * {@code offset}.
 *
 * <p>The loop is deliberately the plainest possible one (one accumulator, an {@code int} counter)
 * because that is the shape C2's auto-vectorizer recognises as a reduction: measured on JDK 25 it
 * runs several times faster than a hand-unrolled loop with four accumulators, which C2 leaves
 * scalar. Below 32 bytes (an IPv4 header, a pseudo-header address) a loop-free path skips the
 * vector loop's setup, which otherwise costs more than the few loads themselves.
 * See {@code bench/.../ChecksumBenchmark}.
 *
 * <h2>Why there are three copies of the loop</h2>
 * The JDK code behind {@code MemorySegment.get} is shared by every segment access in the JVM, and
 * so is its type profile. Once a JVM has read longs from both heap and native segments anywhere,
 * C2 can no longer tell whether the Unsafe base is {@code null} and compiles every access in the
 * pessimistic mixed form, which blocks vectorization: measured, 1500-byte sums fell from about
 * 70 GB/s to under 6 GB/s. Casting the segment to its concrete implementation class first (a
 * constant {@code Class.cast}, which C2 folds into a type) removes the guesswork: native memory
 * and {@code byte[]} heap memory each get a loop that knows its kind. The cast has to sit in the
 * method that holds the loop, because a sharpened type only reaches a callee that C2 inlines, and
 * C2 refuses to inline a callee that is already compiled into a large body.
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

    /** The JDK's class for native segments (mapped ones are a subclass); {@code NULL} is one. */
    private static final Class<? extends MemorySegment> NATIVE_SEGMENT_CLASS = MemorySegment.NULL.getClass();
    /** The JDK's class for segments over a {@code byte[]}. */
    private static final Class<? extends MemorySegment> BYTE_ARRAY_SEGMENT_CLASS =
            MemorySegment.ofArray(new byte[0]).getClass();

    /**
     * Bytes summed in one pass before folding. Each 8-byte load adds less than {@code 2^33}, so
     * {@code 2^30} bytes ({@code 2^27} loads) add less than {@code 2^60}: no overflow, and the
     * load count fits the {@code int} loop counter C2 needs to vectorize. Even, so that every
     * chunk starts at an even position and chunk sums can be added.
     */
    private static final long CHUNK_BYTES = 1L << 30;
    private static final long LOW_32_BITS = 0xffff_ffffL;

    private Checksum() {}

    /**
     * Partial sum of {@code length} bytes at {@code offset}: the ones' complement sum of the bytes
     * as big-endian 16-bit words, already folded to 16 bits (so in {@code 0..0xffff}). It is
     * {@code 0} only if every byte is zero.
     *
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not describe a
     *         range inside the segment
     */
    public static long sum(MemorySegment segment, long offset, long length) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        if (length > CHUNK_BYTES) {
            return sumInChunks(segment, offset, length, CHUNK_BYTES);
        }
        return sumChunk(segment, offset, length);
    }

    /**
     * {@link #sum} of a range longer than one pass can accumulate, chunk by chunk; the chunk size
     * is a parameter so that tests can cross chunk boundaries without gigabyte buffers.
     * {@code chunkBytes} must be positive and even.
     */
    static long sumInChunks(MemorySegment segment, long offset, long length, long chunkBytes) {
        long total = 0;
        for (long done = 0; done < length; done += chunkBytes) {
            total = add(total, sumChunk(segment, offset + done, Math.min(chunkBytes, length - done)));
        }
        return fold(total);
    }

    /** {@link #sum} of at most {@link #CHUNK_BYTES}, range already checked. */
    private static long sumChunk(MemorySegment segment, long offset, long length) {
        long nativeOrderSum;
        if (length < 32) {
            nativeOrderSum = sumShort(segment, offset, (int) length);
        } else if (NATIVE_SEGMENT_CLASS.isInstance(segment)) {
            nativeOrderSum = sumNativeMemory(segment, offset, length);
        } else if (segment.getClass() == BYTE_ARRAY_SEGMENT_CLASS) {
            nativeOrderSum = sumByteArray(segment, offset, length);
        } else {
            nativeOrderSum = sumAnySegment(segment, offset, length);
        }
        int folded = fold(nativeOrderSum);
        return LITTLE_ENDIAN_MACHINE ? Integer.reverseBytes(folded) >>> 16 : folded;
    }

    // The three loops below are identical except for the cast; see the class comment for why.

    private static long sumNativeMemory(MemorySegment anySegment, long offset, long length) {
        MemorySegment segment = NATIVE_SEGMENT_CLASS.cast(anySegment);
        long accumulator = 0;
        int words = (int) (length >>> 3);
        for (int i = 0; i < words; i++) {
            long word = segment.get(NATIVE_LONG, offset + ((long) i << 3));
            accumulator += (word & LOW_32_BITS) + (word >>> 32);
        }
        return accumulator + sumTail(segment, offset + ((long) words << 3), (int) length & 7);
    }

    private static long sumByteArray(MemorySegment anySegment, long offset, long length) {
        MemorySegment segment = BYTE_ARRAY_SEGMENT_CLASS.cast(anySegment);
        long accumulator = 0;
        int words = (int) (length >>> 3);
        for (int i = 0; i < words; i++) {
            long word = segment.get(NATIVE_LONG, offset + ((long) i << 3));
            accumulator += (word & LOW_32_BITS) + (word >>> 32);
        }
        return accumulator + sumTail(segment, offset + ((long) words << 3), (int) length & 7);
    }

    /** Heap segments over other array types ({@code long[]}, ...): correct, not specialised. */
    private static long sumAnySegment(MemorySegment segment, long offset, long length) {
        long accumulator = 0;
        int words = (int) (length >>> 3);
        for (int i = 0; i < words; i++) {
            long word = segment.get(NATIVE_LONG, offset + ((long) i << 3));
            accumulator += (word & LOW_32_BITS) + (word >>> 32);
        }
        return accumulator + sumTail(segment, offset + ((long) words << 3), (int) length & 7);
    }

    /** Native-order sum of fewer than 32 bytes without a loop (a header, a pseudo-header address). */
    private static long sumShort(MemorySegment segment, long position, int length) {
        long sum = 0;
        if ((length & 16) != 0) {
            long word0 = segment.get(NATIVE_LONG, position);
            long word1 = segment.get(NATIVE_LONG, position + 8);
            sum += (word0 & LOW_32_BITS) + (word0 >>> 32) + (word1 & LOW_32_BITS) + (word1 >>> 32);
            position += 16;
        }
        if ((length & 8) != 0) {
            long word = segment.get(NATIVE_LONG, position);
            sum += (word & LOW_32_BITS) + (word >>> 32);
            position += 8;
        }
        return sum + sumTail(segment, position, length & 7);
    }

    /** Native-order sum of the last {@code 0..7} bytes: a 4-, a 2- and a 1-byte piece as present. */
    private static long sumTail(MemorySegment segment, long position, int tailBytes) {
        long sum = 0;
        if ((tailBytes & 4) != 0) {
            sum += Integer.toUnsignedLong(segment.get(NATIVE_INT, position));
            position += 4;
        }
        if ((tailBytes & 2) != 0) {
            sum += Short.toUnsignedInt(segment.get(NATIVE_SHORT, position));
            position += 2;
        }
        if ((tailBytes & 1) != 0) {
            // The odd final byte is the first byte of a zero-padded word: its high byte in
            // big-endian order, its low byte in little-endian order.
            int lastByte = Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, position));
            sum += LITTLE_ENDIAN_MACHINE ? lastByte : lastByte << 8;
        }
        return sum;
    }

    /** Adds two partial sums. */
    public static long add(long partialA, long partialB) {
        return fold32(partialA + partialB);
    }

    /** Folds a partial sum to 16 bits with end-around carry (the sum, not yet complemented). */
    public static int fold(long partial) {
        // Two 32-bit folds bring any 64-bit value below 2^32 (the first leaves at most 2^33 - 2,
        // whose halves cannot both be full); two 16-bit folds then bring it below 2^16 the same way.
        long s = (partial & LOW_32_BITS) + (partial >>> 32);
        s = (s & LOW_32_BITS) + (s >>> 32);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
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
