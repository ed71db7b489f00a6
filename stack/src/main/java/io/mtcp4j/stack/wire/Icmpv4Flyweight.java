package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * An ICMP message for IPv4 (RFC 792), with the next-hop MTU of RFC 1191.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 rest of header (depends on type)              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     data ...
 * +-+-+-+-+-
 *
 *  rest of header:
 *  echo request (8) / echo reply (0):   | Identifier            | Sequence Number       |
 *  destination unreachable (3):         | unused (zero)         | Next-Hop MTU (code 4) |
 *  parameter problem (12):              | Pointer | unused (zero)                       |
 *  redirect (5):                        | Gateway Internet Address                      |
 *  time exceeded (11), source quench (4): unused (zero)
 *
 *  data: echo messages carry the payload to return; error messages (3, 4, 5, 11, 12) quote the
 *  original datagram's IP header and at least its first 8 data bytes (both ports of TCP or UDP).
 * </pre>
 *
 * <p>An ICMP message has no length field of its own: it runs to the end of the IP payload, so
 * both wraps take its length, and the checksum covers all of it.
 */
public final class Icmpv4Flyweight {
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    /** The type-specific second word. */
    public static final int REST_OF_HEADER_OFFSET = 4;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_NUMBER_OFFSET = 6;
    public static final int POINTER_OFFSET = 4;
    public static final int GATEWAY_ADDRESS_OFFSET = 4;
    public static final int NEXT_HOP_MTU_OFFSET = 6;
    public static final int DATA_OFFSET = 8;
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    /** Deprecated (RFC 6633): received ones are ignored. */
    public static final int TYPE_SOURCE_QUENCH = 4;
    public static final int TYPE_REDIRECT = 5;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int TYPE_PARAMETER_PROBLEM = 12;
    public static final int TYPE_TIMESTAMP = 13;
    public static final int TYPE_TIMESTAMP_REPLY = 14;

    // Codes of destination unreachable (RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1).
    public static final int CODE_NETWORK_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    /** Fragmentation needed and DF set: the message of path MTU discovery (RFC 1191). */
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_SOURCE_ROUTE_FAILED = 5;
    public static final int CODE_COMMUNICATION_ADMINISTRATIVELY_PROHIBITED = 13;

    // Codes of time exceeded.
    public static final int CODE_TTL_EXCEEDED_IN_TRANSIT = 0;
    public static final int CODE_FRAGMENT_REASSEMBLY_TIME_EXCEEDED = 1;

    private MemorySegment segment;
    private long offset;
    private long length;

    /**
     * Checked ingress wrap of a message of {@code available} bytes at {@code offset}: the IPv4
     * payload, {@link Ipv4Flyweight#payloadLength()} bytes (not the frame's remaining bytes, which
     * may include Ethernet padding the checksum must not cover).
     *
     * @return {@link Malformed#ICMPV4_TRUNCATED} or {@link Malformed#NONE}
     * @throws IndexOutOfBoundsException if {@code offset} and {@code available} are not within the segment
     */
    public Malformed wrap(MemorySegment segment, long offset, long available) {
        Objects.checkFromIndexSize(offset, available, segment.byteSize());
        this.segment = segment;
        this.offset = offset;
        this.length = available;
        if (available < HEADER_LENGTH) {
            return Malformed.ICMPV4_TRUNCATED;
        }
        return Malformed.NONE;
    }

    /** Points at a message of {@code messageLength} bytes being built; writes nothing. */
    public Icmpv4Flyweight wrapForWrite(MemorySegment segment, long offset, long messageLength) {
        this.segment = segment;
        this.offset = offset;
        this.length = messageLength;
        return this;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    /** Header and data, in bytes. */
    public long length() {
        return length;
    }

    public int type() {
        return NetworkOrder.u8(segment, offset + TYPE_OFFSET);
    }

    public Icmpv4Flyweight type(int type) {
        NetworkOrder.u8(segment, offset + TYPE_OFFSET, type);
        return this;
    }

    public int code() {
        return NetworkOrder.u8(segment, offset + CODE_OFFSET);
    }

    public Icmpv4Flyweight code(int code) {
        NetworkOrder.u8(segment, offset + CODE_OFFSET, code);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public Icmpv4Flyweight checksum(int checksum) {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** The second word as raw bits, whatever the type makes of it. */
    public int restOfHeader() {
        return NetworkOrder.u32AsInt(segment, offset + REST_OF_HEADER_OFFSET);
    }

    public Icmpv4Flyweight restOfHeader(int bits) {
        NetworkOrder.u32(segment, offset + REST_OF_HEADER_OFFSET, bits);
        return this;
    }

    /** Echo request/reply: chosen by the sender to match replies to requests (a ping process's id). */
    public int identifier() {
        return NetworkOrder.u16(segment, offset + IDENTIFIER_OFFSET);
    }

    public Icmpv4Flyweight identifier(int identifier) {
        NetworkOrder.u16(segment, offset + IDENTIFIER_OFFSET, identifier);
        return this;
    }

    /** Echo request/reply. */
    public int sequenceNumber() {
        return NetworkOrder.u16(segment, offset + SEQUENCE_NUMBER_OFFSET);
    }

    public Icmpv4Flyweight sequenceNumber(int sequenceNumber) {
        NetworkOrder.u16(segment, offset + SEQUENCE_NUMBER_OFFSET, sequenceNumber);
        return this;
    }

    /**
     * Destination unreachable, code {@link #CODE_FRAGMENTATION_NEEDED}: the MTU of the link that
     * could not take the datagram (RFC 1191 4), in bytes; 0 from routers older than RFC 1191, which
     * leaves the sender to guess from the plateau table.
     */
    public int nextHopMtu() {
        return NetworkOrder.u16(segment, offset + NEXT_HOP_MTU_OFFSET);
    }

    public Icmpv4Flyweight nextHopMtu(int bytes) {
        NetworkOrder.u16(segment, offset + NEXT_HOP_MTU_OFFSET, bytes);
        return this;
    }

    /** Parameter problem: the offset of the offending byte in the quoted header. */
    public int pointer() {
        return NetworkOrder.u8(segment, offset + POINTER_OFFSET);
    }

    public Icmpv4Flyweight pointer(int byteOffset) {
        NetworkOrder.u8(segment, offset + POINTER_OFFSET, byteOffset);
        return this;
    }

    /** Redirect: the router to use instead, raw address bits. */
    public int gatewayAddress() {
        return NetworkOrder.u32AsInt(segment, offset + GATEWAY_ADDRESS_OFFSET);
    }

    public Icmpv4Flyweight gatewayAddress(int address) {
        NetworkOrder.u32(segment, offset + GATEWAY_ADDRESS_OFFSET, address);
        return this;
    }

    /** Whether the type reports an error about a datagram, which its data then quotes. */
    public boolean isError() {
        return isErrorType(type());
    }

    public static boolean isErrorType(int type) {
        return type == TYPE_DESTINATION_UNREACHABLE || type == TYPE_SOURCE_QUENCH || type == TYPE_REDIRECT
                || type == TYPE_TIME_EXCEEDED || type == TYPE_PARAMETER_PROBLEM;
    }

    public int headerLength() {
        return HEADER_LENGTH;
    }

    /** The data after the 8-byte header: an echo's payload, or an error's quoted datagram. */
    public long payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    public long payloadLength() {
        return length - HEADER_LENGTH;
    }

    /**
     * Error messages: where the quoted datagram (its IP header, then at least 8 data bytes) starts;
     * wrap it with {@link Ipv4Flyweight#wrapQuoted} to find the flow it belongs to.
     */
    public long quotedDatagramOffset() {
        return payloadOffset();
    }

    /** Error messages: how many bytes of the original datagram are quoted. */
    public long quotedDatagramLength() {
        return payloadLength();
    }

    /** Whether the whole message, checksum field included, sums to 0xffff (RFC 1071). */
    public boolean checksumValid() {
        return Checksum.verifies(Checksum.sum(segment, offset, length));
    }

    /** The checksum the message should carry, computed as if its checksum field were zero. */
    public int computeChecksum() {
        // Sum around the field: the piece after it starts at an even position, as Checksum requires.
        long beforeField = Checksum.sum(segment, offset, CHECKSUM_OFFSET);
        long afterField = Checksum.sum(segment, offset + REST_OF_HEADER_OFFSET, length - REST_OF_HEADER_OFFSET);
        return Checksum.finish(Checksum.add(beforeField, afterField));
    }

    /** Writes {@link #computeChecksum()}; call after the header and data are in place. */
    public Icmpv4Flyweight fillChecksum() {
        return checksum(computeChecksum());
    }
}
