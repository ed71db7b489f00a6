package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;

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
 */
public final class Checksum {
    private Checksum() {}

    /** Partial sum of {@code length} bytes at {@code offset}. */
    public static long sum(MemorySegment segment, long offset, long length) {
        long acc = 0;
        long i = 0;
        for (; i + 1 < length; i += 2) {
            acc += NetworkOrder.u16(segment, offset + i);
        }
        if (i < length) {
            acc += NetworkOrder.u8(segment, offset + i) << 8;
        }
        return fold32(acc);
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
     */
    public static int update16(int oldChecksum, int oldWord, int newWord) {
        long s = (~oldChecksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return ~fold(s) & 0xffff;
    }

    /** RFC 1624 update for a 32-bit field (an IPv4 address, a sequence number) changing. */
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
