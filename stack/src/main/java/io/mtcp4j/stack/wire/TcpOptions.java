package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;

/**
 * The options of one TCP header, parsed into plain fields: a reusable holder that a
 * {@link TcpFlyweight} owns and refills on every {@link TcpFlyweight#wrap wrap}. Parsing allocates
 * nothing; SACK edges go into an array created once with the holder.
 *
 * <p>Option layout (RFC 9293 3.1): an option is either a single kind byte (End of Option List,
 * No-Operation) or kind, length (counting kind and length bytes) and data.
 * <pre>
 *  Kind  Length  Meaning                         Data
 *   0      -     End of Option List (EOL)        -
 *   1      -     No-Operation (NOP)              -
 *   2      4     Maximum Segment Size (MSS)      16-bit MSS              (RFC 9293 3.7.1)
 *   3      3     Window Scale                    8-bit shift count       (RFC 7323 2)
 *   4      2     SACK-Permitted                  -                       (RFC 2018 2)
 *   5    2+8n    SACK, n = 1..4 blocks           n x (32-bit left edge,  (RFC 2018 3)
 *                                                     32-bit right edge)
 *   8     10     Timestamps                      32-bit TSval, 32-bit    (RFC 7323 3)
 *                                                TSecr
 * </pre>
 *
 * <p>Parsing rules:
 * <ul>
 *   <li>EOL ends parsing; bytes after it are padding and are not examined (RFC 9293 says they
 *       should be zero, but a receiver gains nothing by rejecting a segment over them).</li>
 *   <li>NOP is skipped. Options of unknown kind are skipped by their length (RFC 9293 3.2, MUST-6:
 *       ignore without error any option it does not implement, given it has a length field).</li>
 *   <li>Malformed, in the order checked for each option: a length byte of 0 or 1
 *       ({@link Malformed#TCP_OPTION_BAD_LENGTH}: 0 would loop forever and 1 would cover less than
 *       its own kind and length; RFC 9293 3.2, MUST-7, asks that an illegal length be handled
 *       rather than crash the parser, and suggests resetting the connection); a length byte missing at the last byte of the header, or a
 *       length running past the header ({@link Malformed#TCP_OPTION_PAST_HEADER}); a known kind
 *       with a length its RFC does not allow ({@link Malformed#TCP_OPTION_WRONG_SIZE}). A SACK
 *       option claiming 5 or more blocks needs more than the 40 bytes an options area can hold, so
 *       it is always reported as running past the header.</li>
 *   <li>A duplicated option: the last one wins (for SACK, the blocks of the last SACK option).
 *       RFC 9293 does not say what to do; taking the last keeps the parser single-pass, and
 *       Linux's {@code tcp_parse_options} behaves the same way.</li>
 *   <li>Where an option appears is not checked here (an MSS outside a SYN, for example): that is
 *       the TCP layer's decision, which RFC 9293 and RFC 7323 make per option.</li>
 * </ul>
 *
 * <p>Values are kept as sent. In particular {@link #windowScale()} may be above 14: RFC 7323 2.3
 * says a receiver uses 14 in that case (and should log it), and that clamping belongs to the TCP
 * layer, which also needs the raw value to log it.
 */
public final class TcpOptions {
    /** End of Option List: ends parsing. */
    public static final int KIND_END_OF_OPTION_LIST = 0;
    /** No-Operation: one byte of padding, used to align the options that follow. */
    public static final int KIND_NO_OPERATION = 1;
    /** Maximum Segment Size (RFC 9293 3.7.1). */
    public static final int KIND_MSS = 2;
    /** Window Scale (RFC 7323 2). */
    public static final int KIND_WINDOW_SCALE = 3;
    /** SACK-Permitted (RFC 2018 2). */
    public static final int KIND_SACK_PERMITTED = 4;
    /** SACK (RFC 2018 3). */
    public static final int KIND_SACK = 5;
    /** Timestamps (RFC 7323 3). */
    public static final int KIND_TIMESTAMPS = 8;

    /** Length byte of an MSS option. */
    public static final int MSS_LENGTH = 4;
    /** Length byte of a Window Scale option. */
    public static final int WINDOW_SCALE_LENGTH = 3;
    /** Length byte of a SACK-Permitted option. */
    public static final int SACK_PERMITTED_LENGTH = 2;
    /** Length of a SACK option without blocks (kind and length bytes). */
    public static final int SACK_BASE_LENGTH = 2;
    /** Bytes per SACK block: two 32-bit edges. */
    public static final int SACK_BLOCK_LENGTH = 8;
    /** Length byte of a Timestamps option. */
    public static final int TIMESTAMPS_LENGTH = 10;

    /** Most SACK blocks one option carries: 2 + 4 x 8 = 34 bytes of the 40 available. */
    public static final int MAX_SACK_BLOCKS = 4;
    /** Largest shift count RFC 7323 2.3 lets a receiver use; larger received values mean 14. */
    public static final int MAX_WINDOW_SCALE = 14;
    /** Bytes an options area can hold: a 15-word header less the 5-word fixed part. */
    public static final int MAX_OPTIONS_LENGTH = 40;

    private boolean hasMss;
    private int mss;
    private boolean hasWindowScale;
    private int windowScale;
    private boolean sackPermitted;
    private int sackBlockCount;
    /** Left and right edges of each SACK block, interleaved: left0, right0, left1, right1, ... */
    private final int[] sackEdges = new int[2 * MAX_SACK_BLOCKS];
    private boolean hasTimestamps;
    private int timestampValue;
    private int timestampEchoReply;

    /** Forgets all options, as for a header without any. */
    public void clear() {
        hasMss = false;
        mss = 0;
        hasWindowScale = false;
        windowScale = 0;
        sackPermitted = false;
        sackBlockCount = 0;
        hasTimestamps = false;
        timestampValue = 0;
        timestampEchoReply = 0;
    }

    /**
     * Parses the options area of {@code length} bytes at {@code offset} (the bytes between the
     * fixed header and the data offset), replacing what this holder held. Returns
     * {@link Malformed#NONE} or the first problem found; after a problem the fields are
     * unspecified. Never throws for any content of the bytes; the range must lie in the segment.
     */
    public Malformed parse(MemorySegment segment, long offset, int length) {
        clear();
        long end = offset + length;
        long position = offset;
        while (position < end) {
            int kind = NetworkOrder.u8(segment, position);
            if (kind == KIND_END_OF_OPTION_LIST) {
                break;
            }
            if (kind == KIND_NO_OPERATION) {
                position++;
                continue;
            }
            if (position + 1 >= end) {
                return Malformed.TCP_OPTION_PAST_HEADER;
            }
            int optionLength = NetworkOrder.u8(segment, position + 1);
            if (optionLength < 2) {
                return Malformed.TCP_OPTION_BAD_LENGTH;
            }
            if (optionLength > end - position) {
                return Malformed.TCP_OPTION_PAST_HEADER;
            }
            Malformed problem = parseOne(segment, position, kind, optionLength);
            if (problem != Malformed.NONE) {
                return problem;
            }
            position += optionLength;
        }
        return Malformed.NONE;
    }

    /** One option whose length is known to fit in the header; unknown kinds are skipped. */
    private Malformed parseOne(MemorySegment segment, long position, int kind, int optionLength) {
        long data = position + 2;
        switch (kind) {
            case KIND_MSS -> {
                if (optionLength != MSS_LENGTH) {
                    return Malformed.TCP_OPTION_WRONG_SIZE;
                }
                hasMss = true;
                mss = NetworkOrder.u16(segment, data);
            }
            case KIND_WINDOW_SCALE -> {
                if (optionLength != WINDOW_SCALE_LENGTH) {
                    return Malformed.TCP_OPTION_WRONG_SIZE;
                }
                hasWindowScale = true;
                windowScale = NetworkOrder.u8(segment, data);
            }
            case KIND_SACK_PERMITTED -> {
                if (optionLength != SACK_PERMITTED_LENGTH) {
                    return Malformed.TCP_OPTION_WRONG_SIZE;
                }
                sackPermitted = true;
            }
            case KIND_SACK -> {
                int blockBytes = optionLength - SACK_BASE_LENGTH;
                int blocks = blockBytes / SACK_BLOCK_LENGTH;
                if (blockBytes % SACK_BLOCK_LENGTH != 0 || blocks < 1 || blocks > MAX_SACK_BLOCKS) {
                    return Malformed.TCP_OPTION_WRONG_SIZE;
                }
                for (int i = 0; i < blocks; i++) {
                    sackEdges[2 * i] = NetworkOrder.u32AsInt(segment, data + (long) i * SACK_BLOCK_LENGTH);
                    sackEdges[2 * i + 1] = NetworkOrder.u32AsInt(segment, data + (long) i * SACK_BLOCK_LENGTH + 4);
                }
                sackBlockCount = blocks;
            }
            case KIND_TIMESTAMPS -> {
                if (optionLength != TIMESTAMPS_LENGTH) {
                    return Malformed.TCP_OPTION_WRONG_SIZE;
                }
                hasTimestamps = true;
                timestampValue = NetworkOrder.u32AsInt(segment, data);
                timestampEchoReply = NetworkOrder.u32AsInt(segment, data + 4);
            }
            default -> {
                // Unknown kind: skipped by its length, which the caller has checked.
            }
        }
        return Malformed.NONE;
    }

    /** Whether an MSS option was present. */
    public boolean hasMss() {
        return hasMss;
    }

    /** The maximum segment size in bytes; meaningful when {@link #hasMss()}. */
    public int mss() {
        return mss;
    }

    /** Whether a Window Scale option was present. */
    public boolean hasWindowScale() {
        return hasWindowScale;
    }

    /**
     * The window scale shift count as sent, 0..255; meaningful when {@link #hasWindowScale()}.
     * Not clamped: values above {@link #MAX_WINDOW_SCALE} are the TCP layer's to treat as 14.
     */
    public int windowScale() {
        return windowScale;
    }

    /** Whether a SACK-Permitted option was present. */
    public boolean sackPermitted() {
        return sackPermitted;
    }

    /** Number of SACK blocks (0..4) in the last SACK option; 0 when there was none. */
    public int sackBlockCount() {
        return sackBlockCount;
    }

    /** Left edge (first sequence number) of SACK block {@code index}, raw bits. */
    public int sackLeft(int index) {
        return sackEdges[2 * checkSackIndex(index)];
    }

    /** Right edge (sequence number just past the block) of SACK block {@code index}, raw bits. */
    public int sackRight(int index) {
        return sackEdges[2 * checkSackIndex(index) + 1];
    }

    private int checkSackIndex(int index) {
        if (index < 0 || index >= sackBlockCount) {
            throw new IndexOutOfBoundsException(index);
        }
        return index;
    }

    /** Whether a Timestamps option was present. */
    public boolean hasTimestamps() {
        return hasTimestamps;
    }

    /** The sender's timestamp clock (TSval), raw bits; meaningful when {@link #hasTimestamps()}. */
    public int timestampValue() {
        return timestampValue;
    }

    /** The timestamp being echoed (TSecr), raw bits; meaningful when {@link #hasTimestamps()}. */
    public int timestampEchoReply() {
        return timestampEchoReply;
    }
}
