package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The options of a TCP header as a value, for tests, debugging and crafting segments; the
 * per-packet path uses {@link TcpOptions} and {@link TcpOptionsWriter} instead.
 *
 * <p>A set records what the options say, not how they were laid out: {@link #writeTo} always
 * writes the known options in Linux's layout ({@link TcpOptionsWriter}), then any unknown options
 * in order, then zero padding (End of Option List) up to a 4-byte boundary. Reading a header back
 * with {@link #from} gives an equal set however its options were arranged, as long as each kind
 * appears at most once (the parser keeps the last of duplicates).
 *
 * <p>The constructor checks each value's range but not the total size, because a set read from a
 * header may not fit Linux's layout (see {@link #fits()}); {@link #writeTo} refuses such a set.
 *
 * @param mss maximum segment size, or {@link #ABSENT}
 * @param windowScale window scale shift count as sent (0..255, not clamped to 14), or {@link #ABSENT}
 * @param sackPermitted whether a SACK-Permitted option is present
 * @param sackBlocks the blocks of a SACK option, 0..4 (empty: no SACK option)
 * @param timestamps the Timestamps option, if present
 * @param unknownOptions options of kinds this stack does not interpret, in header order
 */
public record TcpOptionSet(int mss, int windowScale, boolean sackPermitted, List<SackBlock> sackBlocks,
                           Optional<Timestamps> timestamps, List<UnknownOption> unknownOptions) {
    /** Value of {@link #mss} and {@link #windowScale} when the option is absent. */
    public static final int ABSENT = -1;

    /** No options at all. */
    public static final TcpOptionSet NONE =
            new TcpOptionSet(ABSENT, ABSENT, false, List.of(), Optional.empty(), List.of());

    /** A SACK block: sequence numbers from {@code leftEdge} up to, not including, {@code rightEdge}; raw bits. */
    public record SackBlock(int leftEdge, int rightEdge) {
        @Override
        public String toString() {
            return "{" + Integer.toUnsignedString(leftEdge) + ":" + Integer.toUnsignedString(rightEdge) + "}";
        }
    }

    /** A Timestamps option: the sender's clock (TSval) and the value echoed (TSecr), raw bits. */
    public record Timestamps(int value, int echoReply) {
        @Override
        public String toString() {
            return "TS val " + Integer.toUnsignedString(value) + " ecr " + Integer.toUnsignedString(echoReply);
        }
    }

    /**
     * An option of a kind the parser skips, with its data (the bytes after kind and length).
     * Kinds 0, 1 (no length byte) and the kinds {@link TcpOptions} interprets are not allowed.
     */
    public record UnknownOption(int kind, byte[] data) {
        public UnknownOption {
            if (kind < 0 || kind > 0xff || isInterpreted(kind) || kind == TcpOptions.KIND_END_OF_OPTION_LIST
                    || kind == TcpOptions.KIND_NO_OPERATION) {
                throw new IllegalArgumentException("not an unknown option kind: " + kind);
            }
            if (data.length > TcpOptions.MAX_OPTIONS_LENGTH - 2) {
                throw new IllegalArgumentException("option data longer than 38 bytes: " + data.length);
            }
            data = data.clone();
        }

        /** A copy of the data. */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /** Bytes the option takes: kind, length and data. */
        public int length() {
            return 2 + data.length;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof UnknownOption(int otherKind, byte[] otherData)
                    && kind == otherKind && Arrays.equals(data, otherData);
        }

        @Override
        public int hashCode() {
            return 31 * kind + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return data.length == 0 ? "unknown-" + kind : "unknown-" + kind + " 0x" + HexFormat.of().formatHex(data);
        }
    }

    public TcpOptionSet {
        if (mss < ABSENT || mss > 0xffff) {
            throw new IllegalArgumentException("MSS outside 0..65535: " + mss);
        }
        if (windowScale < ABSENT || windowScale > 0xff) {
            throw new IllegalArgumentException("window scale outside 0..255: " + windowScale);
        }
        sackBlocks = List.copyOf(sackBlocks);
        if (sackBlocks.size() > TcpOptions.MAX_SACK_BLOCKS) {
            throw new IllegalArgumentException("more than 4 SACK blocks: " + sackBlocks.size());
        }
        if (timestamps == null) {
            throw new NullPointerException("timestamps (use Optional.empty())");
        }
        unknownOptions = List.copyOf(unknownOptions);
    }

    public TcpOptionSet withMss(int mss) {
        return new TcpOptionSet(mss, windowScale, sackPermitted, sackBlocks, timestamps, unknownOptions);
    }

    public TcpOptionSet withWindowScale(int windowScale) {
        return new TcpOptionSet(mss, windowScale, sackPermitted, sackBlocks, timestamps, unknownOptions);
    }

    public TcpOptionSet withSackPermitted(boolean sackPermitted) {
        return new TcpOptionSet(mss, windowScale, sackPermitted, sackBlocks, timestamps, unknownOptions);
    }

    public TcpOptionSet withTimestamps(int value, int echoReply) {
        return new TcpOptionSet(mss, windowScale, sackPermitted, sackBlocks,
                Optional.of(new Timestamps(value, echoReply)), unknownOptions);
    }

    /** Replaces the SACK blocks by these edge pairs: {@code withSackBlocks(left0, right0, left1, right1)}. */
    public TcpOptionSet withSackBlocks(int... edges) {
        if (edges.length % 2 != 0) {
            throw new IllegalArgumentException("SACK edges come in pairs: " + edges.length);
        }
        List<SackBlock> blocks = new ArrayList<>();
        for (int i = 0; i < edges.length; i += 2) {
            blocks.add(new SackBlock(edges[i], edges[i + 1]));
        }
        return new TcpOptionSet(mss, windowScale, sackPermitted, blocks, timestamps, unknownOptions);
    }

    /** Adds an unknown option after those already present. */
    public TcpOptionSet withUnknownOption(int kind, byte... data) {
        List<UnknownOption> unknown = new ArrayList<>(unknownOptions);
        unknown.add(new UnknownOption(kind, data));
        return new TcpOptionSet(mss, windowScale, sackPermitted, sackBlocks, timestamps, unknown);
    }

    public boolean hasMss() {
        return mss != ABSENT;
    }

    public boolean hasWindowScale() {
        return windowScale != ABSENT;
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * Bytes the options take in the layout {@link #writeTo} uses, rounded up to a multiple of 4.
     * May exceed 40 (see {@link #fits()}).
     */
    public int encodedLength() {
        TcpOptionsWriter writer = writerFor(mss, windowScale, sackPermitted, sackBlocks, timestamps);
        int sackBlocksLeftOut = sackBlocks.size() - writer.sackBlocksThatFit();
        int length = writer.length() + sackBlocksLeftOut * TcpOptions.SACK_BLOCK_LENGTH;
        if (writer.sackBlocksThatFit() == 0 && !sackBlocks.isEmpty()) {
            length += 4; // the NOP, NOP, kind, length word the writer did not count
        }
        for (UnknownOption unknown : unknownOptions) {
            length += unknown.length();
        }
        return (length + 3) & ~3;
    }

    /**
     * Whether the options fit in the 40 bytes a header holds when laid out as {@link #writeTo} does.
     * Sets built by hand that do not fit are a mistake; a set read {@link #from} a header may not
     * fit, because the sender packed its options more tightly than Linux's layout (no NOPs).
     */
    public boolean fits() {
        return encodedLength() <= TcpOptions.MAX_OPTIONS_LENGTH;
    }

    /**
     * Writes the options at {@code offset} as described in the class comment; returns
     * {@link #encodedLength()}.
     *
     * @throws IllegalStateException if the options do not {@link #fits() fit}; nothing is written then
     */
    public int writeTo(MemorySegment segment, long offset) {
        if (!fits()) {
            throw new IllegalStateException("options need " + encodedLength() + " bytes, more than 40: " + this);
        }
        long at = offset + writerFor(mss, windowScale, sackPermitted, sackBlocks, timestamps).writeTo(segment, offset);
        for (UnknownOption unknown : unknownOptions) {
            NetworkOrder.u8(segment, at, unknown.kind());
            NetworkOrder.u8(segment, at + 1, unknown.length());
            MemorySegment.copy(MemorySegment.ofArray(unknown.data), 0, segment, at + 2, unknown.data.length);
            at += unknown.length();
        }
        int length = encodedLength();
        segment.asSlice(at, offset + length - at).fill((byte) TcpOptions.KIND_END_OF_OPTION_LIST);
        return length;
    }

    /**
     * The options of the header {@code tcp} views, after a checked wrap that returned
     * {@link Malformed#NONE}: the interpreted ones from {@link TcpFlyweight#options()}, the unknown
     * ones collected from the raw bytes.
     */
    public static TcpOptionSet from(TcpFlyweight tcp) {
        TcpOptions parsed = tcp.options();
        List<SackBlock> blocks = new ArrayList<>();
        for (int i = 0; i < parsed.sackBlockCount(); i++) {
            blocks.add(new SackBlock(parsed.sackLeft(i), parsed.sackRight(i)));
        }
        Optional<Timestamps> timestamps = parsed.hasTimestamps()
                ? Optional.of(new Timestamps(parsed.timestampValue(), parsed.timestampEchoReply()))
                : Optional.empty();
        return new TcpOptionSet(parsed.hasMss() ? parsed.mss() : ABSENT,
                parsed.hasWindowScale() ? parsed.windowScale() : ABSENT,
                parsed.sackPermitted(), blocks, timestamps,
                unknownOptions(tcp.segment(), tcp.optionsOffset(), tcp.optionsLength()));
    }

    private static List<UnknownOption> unknownOptions(MemorySegment segment, long offset, int length) {
        List<UnknownOption> unknown = new ArrayList<>();
        long end = offset + length;
        long at = offset;
        while (at < end) {
            int kind = NetworkOrder.u8(segment, at);
            if (kind == TcpOptions.KIND_END_OF_OPTION_LIST) {
                break;
            }
            if (kind == TcpOptions.KIND_NO_OPERATION) {
                at++;
                continue;
            }
            // The checked wrap has validated every length; stop quietly if it did not.
            if (at + 1 >= end) {
                break;
            }
            int optionLength = NetworkOrder.u8(segment, at + 1);
            if (optionLength < 2 || optionLength > end - at) {
                break;
            }
            if (!isInterpreted(kind)) {
                unknown.add(new UnknownOption(kind, segment.asSlice(at + 2, optionLength - 2).toArray(
                        ValueLayout.JAVA_BYTE)));
            }
            at += optionLength;
        }
        return unknown;
    }

    /**
     * Options bytes in tcpdump's words, in the order they appear: {@code mss 1460,sackOK,TS val 1
     * ecr 0,nop,wscale 7}. Malformed bytes are described, not rejected: a known option of the
     * wrong size reads {@code mss [wrong length 3]} and the description goes on (its length still
     * says where the next option starts); a bad length or one running past the end ends it.
     */
    public static String describe(MemorySegment segment, long offset, int length) {
        StringBuilder text = new StringBuilder();
        long end = offset + length;
        long at = offset;
        while (at < end) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            int kind = NetworkOrder.u8(segment, at);
            if (kind == TcpOptions.KIND_END_OF_OPTION_LIST) {
                text.append("eol");
                break;
            }
            if (kind == TcpOptions.KIND_NO_OPERATION) {
                text.append("nop");
                at++;
                continue;
            }
            text.append(kindName(kind));
            if (at + 1 >= end) {
                text.append(" [length past header]");
                break;
            }
            int optionLength = NetworkOrder.u8(segment, at + 1);
            if (optionLength < 2) {
                text.append(" [bad length ").append(optionLength).append(']');
                break;
            }
            if (optionLength > end - at) {
                text.append(" [length ").append(optionLength).append(" past header]");
                break;
            }
            describeData(text, segment, at, kind, optionLength);
            at += optionLength;
        }
        return text.toString();
    }

    private static void describeData(StringBuilder text, MemorySegment segment, long at, int kind, int optionLength) {
        long data = at + 2;
        boolean sizeOk = switch (kind) {
            case TcpOptions.KIND_MSS -> optionLength == TcpOptions.MSS_LENGTH;
            case TcpOptions.KIND_WINDOW_SCALE -> optionLength == TcpOptions.WINDOW_SCALE_LENGTH;
            case TcpOptions.KIND_SACK_PERMITTED -> optionLength == TcpOptions.SACK_PERMITTED_LENGTH;
            case TcpOptions.KIND_SACK -> optionLength > TcpOptions.SACK_BASE_LENGTH
                    && (optionLength - TcpOptions.SACK_BASE_LENGTH) % TcpOptions.SACK_BLOCK_LENGTH == 0
                    && (optionLength - TcpOptions.SACK_BASE_LENGTH) / TcpOptions.SACK_BLOCK_LENGTH
                            <= TcpOptions.MAX_SACK_BLOCKS;
            case TcpOptions.KIND_TIMESTAMPS -> optionLength == TcpOptions.TIMESTAMPS_LENGTH;
            default -> true;
        };
        if (!sizeOk) {
            text.append(" [wrong length ").append(optionLength).append(']');
            return;
        }
        switch (kind) {
            case TcpOptions.KIND_MSS -> text.append(' ').append(NetworkOrder.u16(segment, data));
            case TcpOptions.KIND_WINDOW_SCALE -> text.append(' ').append(NetworkOrder.u8(segment, data));
            case TcpOptions.KIND_SACK_PERMITTED -> { }
            case TcpOptions.KIND_SACK -> {
                int blocks = (optionLength - TcpOptions.SACK_BASE_LENGTH) / TcpOptions.SACK_BLOCK_LENGTH;
                text.append(' ').append(blocks).append(' ');
                for (int i = 0; i < blocks; i++) {
                    long block = data + (long) i * TcpOptions.SACK_BLOCK_LENGTH;
                    text.append(new SackBlock(NetworkOrder.u32AsInt(segment, block),
                            NetworkOrder.u32AsInt(segment, block + 4)));
                }
            }
            case TcpOptions.KIND_TIMESTAMPS -> text.append(" val ").append(NetworkOrder.u32(segment, data))
                    .append(" ecr ").append(NetworkOrder.u32(segment, data + 4));
            default -> {
                if (optionLength > 2) {
                    text.append(" 0x").append(HexFormat.of().formatHex(
                            segment.asSlice(data, optionLength - 2).toArray(ValueLayout.JAVA_BYTE)));
                }
            }
        }
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case TcpOptions.KIND_MSS -> "mss";
            case TcpOptions.KIND_WINDOW_SCALE -> "wscale";
            case TcpOptions.KIND_SACK_PERMITTED -> "sackOK";
            case TcpOptions.KIND_SACK -> "sack";
            case TcpOptions.KIND_TIMESTAMPS -> "TS";
            default -> "unknown-" + kind;
        };
    }

    /** Whether {@link TcpOptions} interprets options of this kind (rather than skipping them). */
    private static boolean isInterpreted(int kind) {
        return kind == TcpOptions.KIND_MSS || kind == TcpOptions.KIND_WINDOW_SCALE
                || kind == TcpOptions.KIND_SACK_PERMITTED || kind == TcpOptions.KIND_SACK
                || kind == TcpOptions.KIND_TIMESTAMPS;
    }

    private static TcpOptionsWriter writerFor(int mss, int windowScale, boolean sackPermitted,
                                              List<SackBlock> sackBlocks, Optional<Timestamps> timestamps) {
        TcpOptionsWriter writer = new TcpOptionsWriter();
        if (mss != ABSENT) {
            writer.mss(mss);
        }
        if (windowScale != ABSENT) {
            writer.windowScale(windowScale);
        }
        if (sackPermitted) {
            writer.sackPermitted();
        }
        timestamps.ifPresent(ts -> writer.timestamps(ts.value(), ts.echoReply()));
        for (SackBlock block : sackBlocks) {
            writer.sackBlock(block.leftEdge(), block.rightEdge());
        }
        return writer;
    }

    /**
     * The options as tcpdump prints them, in the layout {@link #writeTo} produces; for a set that
     * does not {@link #fits() fit}, each option once in that order, without NOPs.
     */
    @Override
    public String toString() {
        if (!fits()) {
            List<Object> parts = new ArrayList<>();
            if (hasMss()) {
                parts.add("mss " + mss);
            }
            if (sackPermitted) {
                parts.add("sackOK");
            }
            timestamps.ifPresent(parts::add);
            if (hasWindowScale()) {
                parts.add("wscale " + windowScale);
            }
            if (!sackBlocks.isEmpty()) {
                StringBuilder sack = new StringBuilder("sack ").append(sackBlocks.size()).append(' ');
                sackBlocks.forEach(sack::append);
                parts.add(sack);
            }
            parts.addAll(unknownOptions);
            return String.join(",", parts.stream().map(String::valueOf).toList());
        }
        int length = encodedLength();
        MemorySegment scratch = MemorySegment.ofArray(new byte[length]);
        writeTo(scratch, 0);
        return describe(scratch, 0, length);
    }
}
