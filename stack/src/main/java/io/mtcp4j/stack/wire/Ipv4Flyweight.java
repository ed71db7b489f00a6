package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * An IPv4 header (RFC 791 3.1; the type of service byte as RFC 2474 DSCP and RFC 3168 ECN).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  Flags: bit 0 reserved (zero), bit 1 DF (don't fragment), bit 2 MF (more fragments).
 *  IHL counts 32-bit words (5-15); Fragment Offset counts 8-byte units.
 * </pre>
 *
 * <p>Options are not interpreted: {@link #headerLength()} skips them and {@link #optionsOffset()} /
 * {@link #optionsLength()} say where they are.
 *
 * <p>The wrap does not verify the header checksum: a device may already have verified it, and the
 * frame parser decides whether to call {@link #checksumValid()}. The packet ends at
 * {@link #totalLength()}, not at the end of the frame, which may carry Ethernet padding after it.
 */
public final class Ipv4Flyweight {
    public static final int VERSION_AND_HEADER_LENGTH_OFFSET = 0;
    public static final int TYPE_OF_SERVICE_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_AND_FRAGMENT_OFFSET_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int HEADER_CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;
    public static final int OPTIONS_OFFSET = 20;
    /** Header length without options. */
    public static final int MINIMUM_HEADER_LENGTH = 20;
    /** Header length with 40 bytes of options (IHL 15). */
    public static final int MAXIMUM_HEADER_LENGTH = 60;
    public static final int VERSION = 4;

    /** The reserved flag, which must be zero (RFC 791). */
    public static final int FLAG_RESERVED = 0b100;
    public static final int FLAG_DONT_FRAGMENT = 0b010;
    public static final int FLAG_MORE_FRAGMENTS = 0b001;

    // IANA protocol numbers.
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    private static final int FRAGMENT_OFFSET_MASK = 0x1fff;
    private static final int FLAGS_SHIFT = 13;
    private static final int FRAGMENT_OFFSET_UNIT_BYTES = 8;

    private MemorySegment segment;
    private long offset;
    private long available;

    /**
     * Checked ingress wrap of the {@code available} bytes at {@code offset} (the Ethernet payload,
     * padding included).
     *
     * @return {@link Malformed#IPV4_TRUNCATED}, {@link Malformed#IPV4_BAD_VERSION},
     *     {@link Malformed#IPV4_BAD_HEADER_LENGTH}, {@link Malformed#IPV4_TOTAL_LENGTH_TOO_SHORT},
     *     {@link Malformed#IPV4_TOTAL_LENGTH_EXCEEDS_FRAME} or {@link Malformed#NONE}
     * @throws IndexOutOfBoundsException if {@code offset} and {@code available} are not within the segment
     */
    public Malformed wrap(MemorySegment segment, long offset, long available) {
        Malformed header = wrapQuoted(segment, offset, available);
        if (header != Malformed.NONE) {
            return header;
        }
        if (totalLength() > available) {
            return Malformed.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME;
        }
        return Malformed.NONE;
    }

    /**
     * Checked wrap of an IPv4 header quoted in an ICMP error (RFC 792): the header and the first
     * bytes of the datagram that caused the error. The same checks as {@link #wrap} except the
     * total length, which describes the original datagram, not the quote; {@link #payloadLength()}
     * is then what the quote holds of it (RFC 792 promises 8 bytes, enough for both ports).
     */
    public Malformed wrapQuoted(MemorySegment segment, long offset, long available) {
        Objects.checkFromIndexSize(offset, available, segment.byteSize());
        this.segment = segment;
        this.offset = offset;
        this.available = available;
        if (available < MINIMUM_HEADER_LENGTH) {
            return Malformed.IPV4_TRUNCATED;
        }
        if (version() != VERSION) {
            return Malformed.IPV4_BAD_VERSION;
        }
        int headerLength = headerLength();
        if (headerLength < MINIMUM_HEADER_LENGTH) {
            return Malformed.IPV4_BAD_HEADER_LENGTH;
        }
        if (headerLength > available) {
            return Malformed.IPV4_TRUNCATED;
        }
        if (totalLength() < headerLength) {
            return Malformed.IPV4_TOTAL_LENGTH_TOO_SHORT;
        }
        return Malformed.NONE;
    }

    /** Points at a header being built; writes nothing. */
    public Ipv4Flyweight wrapForWrite(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        this.available = segment.byteSize() - offset;
        return this;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    public int version() {
        return NetworkOrder.u8(segment, offset + VERSION_AND_HEADER_LENGTH_OFFSET) >>> 4;
    }

    public Ipv4Flyweight version(int version) {
        int both = NetworkOrder.u8(segment, offset + VERSION_AND_HEADER_LENGTH_OFFSET);
        NetworkOrder.u8(segment, offset + VERSION_AND_HEADER_LENGTH_OFFSET, (version & 0xf) << 4 | (both & 0xf));
        return this;
    }

    /** The header length in bytes: IHL times 4, options included. */
    public int headerLength() {
        return (NetworkOrder.u8(segment, offset + VERSION_AND_HEADER_LENGTH_OFFSET) & 0xf) * 4;
    }

    /**
     * Sets IHL from a length in bytes.
     *
     * @throws IllegalArgumentException unless {@code bytes} is a multiple of 4 in 0-60 (below 20 only
     *     to craft malformed headers)
     */
    public Ipv4Flyweight headerLength(int bytes) {
        if (bytes < 0 || bytes > MAXIMUM_HEADER_LENGTH || bytes % 4 != 0) {
            throw new IllegalArgumentException("IPv4 header length is a multiple of 4 bytes up to 60: " + bytes);
        }
        int both = NetworkOrder.u8(segment, offset + VERSION_AND_HEADER_LENGTH_OFFSET);
        NetworkOrder.u8(segment, offset + VERSION_AND_HEADER_LENGTH_OFFSET, (both & 0xf0) | bytes / 4);
        return this;
    }

    /** The whole second byte: DSCP in the upper 6 bits, ECN in the lower 2. */
    public int typeOfService() {
        return NetworkOrder.u8(segment, offset + TYPE_OF_SERVICE_OFFSET);
    }

    public Ipv4Flyweight typeOfService(int typeOfService) {
        NetworkOrder.u8(segment, offset + TYPE_OF_SERVICE_OFFSET, typeOfService);
        return this;
    }

    /** Differentiated services code point (RFC 2474), 0-63. */
    public int dscp() {
        return typeOfService() >>> 2;
    }

    public Ipv4Flyweight dscp(int dscp) {
        return typeOfService((dscp & 0x3f) << 2 | (typeOfService() & 0x3));
    }

    /** Explicit congestion notification codepoint (RFC 3168), 0-3. */
    public int ecn() {
        return typeOfService() & 0x3;
    }

    public Ipv4Flyweight ecn(int ecn) {
        return typeOfService((typeOfService() & 0xfc) | (ecn & 0x3));
    }

    /** Header plus data, in bytes. */
    public int totalLength() {
        return NetworkOrder.u16(segment, offset + TOTAL_LENGTH_OFFSET);
    }

    public Ipv4Flyweight totalLength(int bytes) {
        NetworkOrder.u16(segment, offset + TOTAL_LENGTH_OFFSET, bytes);
        return this;
    }

    public int identification() {
        return NetworkOrder.u16(segment, offset + IDENTIFICATION_OFFSET);
    }

    public Ipv4Flyweight identification(int identification) {
        NetworkOrder.u16(segment, offset + IDENTIFICATION_OFFSET, identification);
        return this;
    }

    /** The three flag bits: {@link #FLAG_RESERVED}, {@link #FLAG_DONT_FRAGMENT}, {@link #FLAG_MORE_FRAGMENTS}. */
    public int flags() {
        return NetworkOrder.u16(segment, offset + FLAGS_AND_FRAGMENT_OFFSET_OFFSET) >>> FLAGS_SHIFT;
    }

    public Ipv4Flyweight flags(int flags) {
        int word = NetworkOrder.u16(segment, offset + FLAGS_AND_FRAGMENT_OFFSET_OFFSET);
        NetworkOrder.u16(segment, offset + FLAGS_AND_FRAGMENT_OFFSET_OFFSET,
                (flags & 0x7) << FLAGS_SHIFT | (word & FRAGMENT_OFFSET_MASK));
        return this;
    }

    public boolean dontFragment() {
        return (flags() & FLAG_DONT_FRAGMENT) != 0;
    }

    public boolean moreFragments() {
        return (flags() & FLAG_MORE_FRAGMENTS) != 0;
    }

    /** Where this fragment's data belongs in the original datagram, in bytes (the field counts 8-byte units). */
    public int fragmentOffsetBytes() {
        return (NetworkOrder.u16(segment, offset + FLAGS_AND_FRAGMENT_OFFSET_OFFSET) & FRAGMENT_OFFSET_MASK)
                * FRAGMENT_OFFSET_UNIT_BYTES;
    }

    /**
     * Sets the fragment offset.
     *
     * @throws IllegalArgumentException unless {@code bytes} is a multiple of 8 in 0-65528
     */
    public Ipv4Flyweight fragmentOffsetBytes(int bytes) {
        if (bytes < 0 || bytes > FRAGMENT_OFFSET_MASK * FRAGMENT_OFFSET_UNIT_BYTES || bytes % FRAGMENT_OFFSET_UNIT_BYTES != 0) {
            throw new IllegalArgumentException("IPv4 fragment offset is a multiple of 8 bytes up to 65528: " + bytes);
        }
        int word = NetworkOrder.u16(segment, offset + FLAGS_AND_FRAGMENT_OFFSET_OFFSET);
        NetworkOrder.u16(segment, offset + FLAGS_AND_FRAGMENT_OFFSET_OFFSET,
                (word & ~FRAGMENT_OFFSET_MASK) | bytes / FRAGMENT_OFFSET_UNIT_BYTES);
        return this;
    }

    /** Whether the packet is a piece of a larger datagram: more fragments follow, or it is not the first. */
    public boolean isFragment() {
        return (NetworkOrder.u16(segment, offset + FLAGS_AND_FRAGMENT_OFFSET_OFFSET)
                & (FLAG_MORE_FRAGMENTS << FLAGS_SHIFT | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return NetworkOrder.u8(segment, offset + TTL_OFFSET);
    }

    public Ipv4Flyweight ttl(int ttl) {
        NetworkOrder.u8(segment, offset + TTL_OFFSET, ttl);
        return this;
    }

    /** The payload's protocol number: {@link #PROTOCOL_TCP}, {@link #PROTOCOL_ICMP}, ... */
    public int protocol() {
        return NetworkOrder.u8(segment, offset + PROTOCOL_OFFSET);
    }

    public Ipv4Flyweight protocol(int protocol) {
        NetworkOrder.u8(segment, offset + PROTOCOL_OFFSET, protocol);
        return this;
    }

    public int headerChecksum() {
        return NetworkOrder.u16(segment, offset + HEADER_CHECKSUM_OFFSET);
    }

    public Ipv4Flyweight headerChecksum(int checksum) {
        NetworkOrder.u16(segment, offset + HEADER_CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** Raw address bits; see {@link Ipv4Address}. */
    public int source() {
        return NetworkOrder.u32AsInt(segment, offset + SOURCE_OFFSET);
    }

    public Ipv4Flyweight source(int address) {
        NetworkOrder.u32(segment, offset + SOURCE_OFFSET, address);
        return this;
    }

    /** Raw address bits; see {@link Ipv4Address}. */
    public int destination() {
        return NetworkOrder.u32AsInt(segment, offset + DESTINATION_OFFSET);
    }

    public Ipv4Flyweight destination(int address) {
        NetworkOrder.u32(segment, offset + DESTINATION_OFFSET, address);
        return this;
    }

    public long optionsOffset() {
        return offset + OPTIONS_OFFSET;
    }

    /** Bytes of options and their padding: 0-40. */
    public int optionsLength() {
        return headerLength() - MINIMUM_HEADER_LENGTH;
    }

    public long payloadOffset() {
        return offset + headerLength();
    }

    /**
     * Bytes of data: total length minus header length, so Ethernet padding after the packet is not
     * counted. After {@link #wrapQuoted} it is cut to what the quote holds.
     */
    public int payloadLength() {
        int headerLength = headerLength();
        return (int) Math.max(0, Math.min(totalLength() - headerLength, available - headerLength));
    }

    /** Whether the header, options included, sums to 0xffff with its checksum field (RFC 1071). */
    public boolean checksumValid() {
        return Checksum.verifies(Checksum.sum(segment, offset, headerLength()));
    }

    /** The checksum the header should carry, computed as if its checksum field were zero. */
    public int computeChecksum() {
        // Sum around the checksum field rather than zeroing it, so that verifying has no side effect.
        long beforeField = Checksum.sum(segment, offset, HEADER_CHECKSUM_OFFSET);
        long afterField = Checksum.sum(segment, offset + SOURCE_OFFSET, headerLength() - SOURCE_OFFSET);
        return Checksum.finish(Checksum.add(beforeField, afterField));
    }

    /** Writes {@link #computeChecksum()} into the header; call after every other field is set. */
    public Ipv4Flyweight fillChecksum() {
        return headerChecksum(computeChecksum());
    }
}
