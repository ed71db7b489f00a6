package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;

/**
 * Writes the options of an outgoing segment in the layout Linux uses ({@code tcp_options_write}),
 * so that peers, middleboxes and capture tools see what they see from a Linux host. An engine owns
 * one writer and refills it per segment: {@code clear()}, set the options, then
 * {@link #writeTo(TcpFlyweight)}. Nothing allocates.
 *
 * <p>Layout, in 32-bit words, each option present only if set:
 * <pre>
 *  MSS:                       kind 2, len 4, MSS
 *  Timestamps, SACK-Permitted: kind 4, len 2, kind 8, len 10 | TSval | TSecr
 *  Timestamps alone:          NOP, NOP, kind 8, len 10      | TSval | TSecr
 *  SACK-Permitted alone:      NOP, NOP, kind 4, len 2
 *  Window Scale:              NOP, kind 3, len 3, shift
 *  SACK blocks:               NOP, NOP, kind 5, len 2+8n    | left | right | ...
 * </pre>
 * A Linux SYN thus reads {@code mss 1460,sackOK,TS val .. ecr ..,nop,wscale 7} and a data segment
 * {@code nop,nop,TS val .. ecr ..}. Every group is whole words, so the options never need padding
 * and the 32-bit fields stay aligned, which is why Linux spends NOPs rather than trailing padding.
 *
 * <p>SACK blocks beyond what fits in the 40-byte options area are left out, keeping the first
 * ones: with timestamps, three blocks fit; without, four. RFC 2018 4 says the first block must
 * hold the segment that triggered this ACK, so the caller adds that one first.
 */
public final class TcpOptionsWriter {
    private static final int NOP = TcpOptions.KIND_NO_OPERATION;
    private static final int WORD = 4;

    private int mss = -1;
    private int windowScale = -1;
    private boolean sackPermitted;
    private boolean hasTimestamps;
    private int timestampValue;
    private int timestampEchoReply;
    private int sackBlockCount;
    private final int[] sackEdges = new int[2 * TcpOptions.MAX_SACK_BLOCKS];

    /** Forgets every option set so far. */
    public TcpOptionsWriter clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamps = false;
        timestampValue = 0;
        timestampEchoReply = 0;
        sackBlockCount = 0;
        return this;
    }

    /** Adds an MSS option (normally on SYN and SYN-ACK only). */
    public TcpOptionsWriter mss(int mss) {
        if (mss < 0 || mss > 0xffff) {
            throw new IllegalArgumentException("MSS outside 0..65535: " + mss);
        }
        this.mss = mss;
        return this;
    }

    /** Adds a Window Scale option with this shift count (normally 0..14, on SYN and SYN-ACK only). */
    public TcpOptionsWriter windowScale(int shift) {
        if (shift < 0 || shift > 0xff) {
            throw new IllegalArgumentException("window scale outside 0..255: " + shift);
        }
        this.windowScale = shift;
        return this;
    }

    /** Adds a SACK-Permitted option (SYN and SYN-ACK only). */
    public TcpOptionsWriter sackPermitted() {
        this.sackPermitted = true;
        return this;
    }

    /** Adds a Timestamps option: our clock (TSval) and the value echoed (TSecr). */
    public TcpOptionsWriter timestamps(int timestampValue, int timestampEchoReply) {
        this.hasTimestamps = true;
        this.timestampValue = timestampValue;
        this.timestampEchoReply = timestampEchoReply;
        return this;
    }

    /**
     * Adds a SACK block, after those already added; at most {@link TcpOptions#MAX_SACK_BLOCKS}.
     * Blocks that do not fit beside the other options are left out when writing.
     */
    public TcpOptionsWriter sackBlock(int leftEdge, int rightEdge) {
        if (sackBlockCount == TcpOptions.MAX_SACK_BLOCKS) {
            throw new IllegalStateException("already " + TcpOptions.MAX_SACK_BLOCKS + " SACK blocks");
        }
        sackEdges[2 * sackBlockCount] = leftEdge;
        sackEdges[2 * sackBlockCount + 1] = rightEdge;
        sackBlockCount++;
        return this;
    }

    /** Bytes the options take: a multiple of 4, at most 40. */
    public int length() {
        int blocks = sackBlocksThatFit();
        return lengthWithoutSack() + (blocks == 0 ? 0 : WORD + blocks * TcpOptions.SACK_BLOCK_LENGTH);
    }

    /** How many of the SACK blocks added will be written. */
    public int sackBlocksThatFit() {
        int room = TcpOptions.MAX_OPTIONS_LENGTH - lengthWithoutSack() - WORD;
        return Math.max(0, Math.min(sackBlockCount, room / TcpOptions.SACK_BLOCK_LENGTH));
    }

    private int lengthWithoutSack() {
        int length = 0;
        if (mss >= 0) {
            length += WORD;
        }
        if (hasTimestamps) {
            length += 3 * WORD; // shares its first word with SACK-Permitted, or with two NOPs
        } else if (sackPermitted) {
            length += WORD;
        }
        if (windowScale >= 0) {
            length += WORD;
        }
        return length;
    }

    /** Writes the options at {@code offset} and returns their length ({@link #length()}). */
    public int writeTo(MemorySegment segment, long offset) {
        long at = offset;
        if (mss >= 0) {
            at = word(segment, at, TcpOptions.KIND_MSS, TcpOptions.MSS_LENGTH, mss >>> 8, mss & 0xff);
        }
        if (hasTimestamps) {
            if (sackPermitted) {
                at = word(segment, at, TcpOptions.KIND_SACK_PERMITTED, TcpOptions.SACK_PERMITTED_LENGTH,
                        TcpOptions.KIND_TIMESTAMPS, TcpOptions.TIMESTAMPS_LENGTH);
            } else {
                at = word(segment, at, NOP, NOP, TcpOptions.KIND_TIMESTAMPS, TcpOptions.TIMESTAMPS_LENGTH);
            }
            NetworkOrder.u32(segment, at, timestampValue);
            NetworkOrder.u32(segment, at + 4, timestampEchoReply);
            at += 8;
        } else if (sackPermitted) {
            at = word(segment, at, NOP, NOP, TcpOptions.KIND_SACK_PERMITTED, TcpOptions.SACK_PERMITTED_LENGTH);
        }
        if (windowScale >= 0) {
            at = word(segment, at, NOP, TcpOptions.KIND_WINDOW_SCALE, TcpOptions.WINDOW_SCALE_LENGTH, windowScale);
        }
        int blocks = sackBlocksThatFit();
        if (blocks > 0) {
            at = word(segment, at, NOP, NOP, TcpOptions.KIND_SACK,
                    TcpOptions.SACK_BASE_LENGTH + blocks * TcpOptions.SACK_BLOCK_LENGTH);
            for (int i = 0; i < blocks; i++) {
                NetworkOrder.u32(segment, at, sackEdges[2 * i]);
                NetworkOrder.u32(segment, at + 4, sackEdges[2 * i + 1]);
                at += TcpOptions.SACK_BLOCK_LENGTH;
            }
        }
        return (int) (at - offset);
    }

    /**
     * Writes the options into the header {@code tcp} views, right after its fixed part, and sets
     * its data offset to cover them. Returns the options length.
     */
    public int writeTo(TcpFlyweight tcp) {
        int length = writeTo(tcp.segment(), tcp.optionsOffset());
        tcp.dataOffsetWords(TcpFlyweight.MIN_DATA_OFFSET_WORDS + length / WORD);
        return length;
    }

    private static long word(MemorySegment segment, long at, int b0, int b1, int b2, int b3) {
        NetworkOrder.u32(segment, at, (b0 << 24) | (b1 << 16) | (b2 << 8) | b3);
        return at + WORD;
    }
}
