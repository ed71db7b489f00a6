package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Big-endian (network byte order) field access on a {@link MemorySegment}, the one place the wire
 * layer reads and writes multi-byte integers.
 *
 * <p>Unsigned 8-, 16- and 32-bit fields come back widened ({@code int}, {@code int}, {@code long})
 * except {@link #u32AsInt}, which keeps the raw bits for sequence numbers and IPv4 addresses, where
 * modular arithmetic on {@code int} is what callers want. Offsets are absolute within the segment;
 * bounds are checked by the segment itself, so a flyweight that skipped its length check fails
 * loudly in tests rather than reading a neighbour's bytes.
 */
public final class NetworkOrder {
    /** 16-bit big-endian, any alignment. */
    public static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** 32-bit big-endian, any alignment. */
    public static final ValueLayout.OfInt U32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** 64-bit big-endian, any alignment. */
    public static final ValueLayout.OfLong U64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private NetworkOrder() {}

    public static int u8(MemorySegment segment, long offset) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, offset));
    }

    public static void u8(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }

    public static int u16(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(U16, offset));
    }

    public static void u16(MemorySegment segment, long offset, int value) {
        segment.set(U16, offset, (short) value);
    }

    /** A 32-bit field as its raw bits (sequence numbers, IPv4 addresses). */
    public static int u32AsInt(MemorySegment segment, long offset) {
        return segment.get(U32, offset);
    }

    /** A 32-bit field widened to an unsigned value. */
    public static long u32(MemorySegment segment, long offset) {
        return Integer.toUnsignedLong(segment.get(U32, offset));
    }

    public static void u32(MemorySegment segment, long offset, int value) {
        segment.set(U32, offset, value);
    }

    /** 64 bits as read in network order (the high or low half of an IPv6 address). */
    public static long u64(MemorySegment segment, long offset) {
        return segment.get(U64, offset);
    }

    public static void u64(MemorySegment segment, long offset, long value) {
        segment.set(U64, offset, value);
    }
}
