package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A TCP header (RFC 9293 3.1) over a {@link MemorySegment}, with its options parsed by the checked
 * wrap into a {@link TcpOptions} holder this flyweight owns.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |   0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |   4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |   8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |     |A|C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrv|E|W|C|R|C|S|S|Y|I|            Window             |  12
 * |       |     | |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |  16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |  20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             Data                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Flags are the low 12 bits of the 16-bit word at offset 12, read and written together by
 * {@link #flags()}: the eight RFC 9293 control bits, AE (Accurate ECN, RFC 9768, the bit RFC 3540
 * once called NS) and three reserved bits. The data offset is the top 4 bits of that word.
 *
 * <p>TCP has no length field: the segment length (header plus data) comes from the IP layer, which
 * passes it to {@link #wrap} as {@code available}; {@link #payloadLength()} follows from it.
 *
 * <p>The checksum covers a pseudo-header that depends on the IP version. The caller computes its
 * partial sum with {@link Checksum#pseudoHeaderIpv4} or {@link Checksum#pseudoHeaderIpv6} (with
 * protocol 6 and the segment length) and passes it to {@link #checksumValid} or
 * {@link #fillChecksum}.
 */
public final class TcpFlyweight {
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_NUMBER_OFFSET = 4;
    public static final int ACKNOWLEDGMENT_NUMBER_OFFSET = 8;
    /** The 16-bit word holding the data offset (top 4 bits) and the 12 flag bits. */
    public static final int DATA_OFFSET_AND_FLAGS_OFFSET = 12;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_POINTER_OFFSET = 18;
    /** Where options start: right after the fixed header. */
    public static final int OPTIONS_OFFSET = 20;

    /** Length of the fixed header, the smallest valid header. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Largest header: data offset 15 words. */
    public static final int MAX_HEADER_LENGTH = 60;
    /** Smallest valid data offset, in 32-bit words. */
    public static final int MIN_DATA_OFFSET_WORDS = 5;
    /** Largest data offset the 4-bit field holds, in 32-bit words. */
    public static final int MAX_DATA_OFFSET_WORDS = 15;
    /** IP protocol number of TCP, for the pseudo-header. */
    public static final int IP_PROTOCOL = 6;

    /** No more data from sender. */
    public static final int FLAG_FIN = 0x001;
    /** Synchronize sequence numbers. */
    public static final int FLAG_SYN = 0x002;
    /** Reset the connection. */
    public static final int FLAG_RST = 0x004;
    /** Push function. */
    public static final int FLAG_PSH = 0x008;
    /** Acknowledgment field is significant. */
    public static final int FLAG_ACK = 0x010;
    /** Urgent pointer field is significant. */
    public static final int FLAG_URG = 0x020;
    /** ECN-Echo (RFC 3168). */
    public static final int FLAG_ECE = 0x040;
    /** Congestion Window Reduced (RFC 3168). */
    public static final int FLAG_CWR = 0x080;
    /** Accurate ECN (RFC 9768); formerly the ECN nonce sum (NS, RFC 3540, now historic). */
    public static final int FLAG_AE = 0x100;
    /** The three bits still reserved, between the data offset and AE; senders must send zero. */
    public static final int FLAGS_RESERVED = 0xe00;
    /** All 12 bits {@link #flags()} covers. */
    public static final int FLAGS_MASK = 0xfff;

    private final TcpOptions options = new TcpOptions();
    private MemorySegment segment;
    private long offset;
    private long segmentLength;

    /**
     * Checked ingress wrap over a TCP segment of {@code available} bytes (the length the IP layer
     * gives: header plus data) at {@code offset}. Validates the data offset against
     * {@code available} and parses the options. Never throws for any content of the bytes; throws
     * {@link IndexOutOfBoundsException} only if {@code offset}/{@code available} lie outside the
     * segment (a caller bug).
     *
     * @return {@link Malformed#NONE}, {@link Malformed#TCP_TRUNCATED} (fewer than 20 bytes, or fewer
     *     than the data offset says), {@link Malformed#TCP_BAD_DATA_OFFSET} (below 5 words), or an
     *     option problem as {@link TcpOptions#parse} reports it
     */
    public Malformed wrap(MemorySegment segment, long offset, long available) {
        Objects.checkFromIndexSize(offset, available, segment.byteSize());
        this.segment = segment;
        this.offset = offset;
        this.segmentLength = available;
        options.clear();
        if (available < MIN_HEADER_LENGTH) {
            return Malformed.TCP_TRUNCATED;
        }
        int headerLength = headerLength();
        if (headerLength < MIN_HEADER_LENGTH) {
            return Malformed.TCP_BAD_DATA_OFFSET;
        }
        if (headerLength > available) {
            return Malformed.TCP_TRUNCATED;
        }
        return options.parse(segment, offset + OPTIONS_OFFSET, headerLength - OPTIONS_OFFSET);
    }

    /**
     * Points this flyweight at a header being built (egress), without validation. The options
     * holder is cleared; {@link #payloadLength()} and {@link #segmentLength()} are meaningless
     * until a checked wrap.
     */
    public TcpFlyweight wrapForWrite(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        this.segmentLength = -1;
        options.clear();
        return this;
    }

    /** The segment this flyweight views. */
    public MemorySegment segment() {
        return segment;
    }

    /** Offset of the TCP header in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** The options parsed by the last checked wrap; the same holder every time. */
    public TcpOptions options() {
        return options;
    }

    public int sourcePort() {
        return NetworkOrder.u16(segment, offset + SOURCE_PORT_OFFSET);
    }

    public TcpFlyweight sourcePort(int port) {
        NetworkOrder.u16(segment, offset + SOURCE_PORT_OFFSET, port);
        return this;
    }

    public int destinationPort() {
        return NetworkOrder.u16(segment, offset + DESTINATION_PORT_OFFSET);
    }

    public TcpFlyweight destinationPort(int port) {
        NetworkOrder.u16(segment, offset + DESTINATION_PORT_OFFSET, port);
        return this;
    }

    /** Sequence number, raw bits: compare modularly, never with {@code <}. */
    public int sequenceNumber() {
        return NetworkOrder.u32AsInt(segment, offset + SEQUENCE_NUMBER_OFFSET);
    }

    public TcpFlyweight sequenceNumber(int sequenceNumber) {
        NetworkOrder.u32(segment, offset + SEQUENCE_NUMBER_OFFSET, sequenceNumber);
        return this;
    }

    /** Acknowledgment number, raw bits; significant only with {@link #FLAG_ACK}. */
    public int acknowledgmentNumber() {
        return NetworkOrder.u32AsInt(segment, offset + ACKNOWLEDGMENT_NUMBER_OFFSET);
    }

    public TcpFlyweight acknowledgmentNumber(int acknowledgmentNumber) {
        NetworkOrder.u32(segment, offset + ACKNOWLEDGMENT_NUMBER_OFFSET, acknowledgmentNumber);
        return this;
    }

    /** The data offset field: header length in 32-bit words (0..15 as read; valid headers 5..15). */
    public int dataOffsetWords() {
        return NetworkOrder.u8(segment, offset + DATA_OFFSET_AND_FLAGS_OFFSET) >>> 4;
    }

    /** Writes the data offset, keeping the reserved and AE bits that share its byte. */
    public TcpFlyweight dataOffsetWords(int words) {
        long at = offset + DATA_OFFSET_AND_FLAGS_OFFSET;
        NetworkOrder.u8(segment, at, (words << 4) | (NetworkOrder.u8(segment, at) & 0x0f));
        return this;
    }

    /** Header length in bytes: the data offset times 4. */
    public int headerLength() {
        return dataOffsetWords() * 4;
    }

    /** The 12 flag bits: {@link #FLAG_FIN} .. {@link #FLAG_AE} and {@link #FLAGS_RESERVED}. */
    public int flags() {
        return NetworkOrder.u16(segment, offset + DATA_OFFSET_AND_FLAGS_OFFSET) & FLAGS_MASK;
    }

    /** Writes all 12 flag bits (bits outside {@link #FLAGS_MASK} are ignored), keeping the data offset. */
    public TcpFlyweight flags(int flags) {
        long at = offset + DATA_OFFSET_AND_FLAGS_OFFSET;
        int word = NetworkOrder.u16(segment, at);
        NetworkOrder.u16(segment, at, (word & ~FLAGS_MASK) | (flags & FLAGS_MASK));
        return this;
    }

    /** Whether every flag in {@code mask} is set: {@code hasFlags(FLAG_SYN | FLAG_ACK)} for a SYN-ACK. */
    public boolean hasFlags(int mask) {
        return (flags() & mask) == mask;
    }

    /** Whether any flag in {@code mask} is set. */
    public boolean hasAnyFlag(int mask) {
        return (flags() & mask) != 0;
    }

    /** Window as sent, before any window scaling: the TCP layer shifts it. */
    public int window() {
        return NetworkOrder.u16(segment, offset + WINDOW_OFFSET);
    }

    public TcpFlyweight window(int window) {
        NetworkOrder.u16(segment, offset + WINDOW_OFFSET, window);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public TcpFlyweight checksum(int checksum) {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** Offset from the sequence number to the end of urgent data; significant only with {@link #FLAG_URG}. */
    public int urgentPointer() {
        return NetworkOrder.u16(segment, offset + URGENT_POINTER_OFFSET);
    }

    public TcpFlyweight urgentPointer(int urgentPointer) {
        NetworkOrder.u16(segment, offset + URGENT_POINTER_OFFSET, urgentPointer);
        return this;
    }

    /** Absolute offset in {@link #segment()} where options start (fixed: 20 bytes into the header). */
    public long optionsOffset() {
        return offset + OPTIONS_OFFSET;
    }

    /** Bytes between the fixed header and the data, including padding: {@code headerLength() - 20}. */
    public int optionsLength() {
        return headerLength() - OPTIONS_OFFSET;
    }

    /** Absolute offset in {@link #segment()} where the data starts. */
    public long payloadOffset() {
        return offset + headerLength();
    }

    /** Length of the data: the segment length from the checked wrap less the header length. */
    public long payloadLength() {
        return segmentLength - headerLength();
    }

    /** The segment length (header plus data) the checked wrap was given. */
    public long segmentLength() {
        return segmentLength;
    }

    /**
     * Whether the checksum verifies over the pseudo-header and {@code segmentLength} bytes of
     * header and data.
     *
     * @param pseudoHeaderPartial from {@link Checksum#pseudoHeaderIpv4}/{@link Checksum#pseudoHeaderIpv6}
     *     with protocol {@link #IP_PROTOCOL} and upper-layer length {@code segmentLength}
     */
    public boolean checksumValid(long pseudoHeaderPartial, int segmentLength) {
        return Checksum.verifies(Checksum.add(pseudoHeaderPartial, Checksum.sum(segment, offset, segmentLength)));
    }

    /**
     * Computes and writes the checksum over the pseudo-header and {@code segmentLength} bytes of
     * header and data (everything else must already be written).
     *
     * @param pseudoHeaderPartial as for {@link #checksumValid}
     */
    public TcpFlyweight fillChecksum(long pseudoHeaderPartial, int segmentLength) {
        checksum(0);
        long sum = Checksum.add(pseudoHeaderPartial, Checksum.sum(segment, offset, segmentLength));
        return checksum(Checksum.finish(sum));
    }
}
