package io.mtcp4j.stack.wire;

import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_ACK;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_URG;

import java.lang.foreign.MemorySegment;

/**
 * A TCP header as a value, for tests, debugging and crafting segments. The data offset is not a
 * field: {@link #writeTo} derives it from the options ({@link #headerLength()}).
 *
 * <p>{@link #toString()} reads like a tcpdump line, so that a failed comparison in a test shows
 * what went over the wire: {@code 40000 > 80 [S.] seq 1000 ack 2001 win 65535 options [mss
 * 1460,sackOK,TS val 1 ecr 0,nop,wscale 7] cksum 0x1c46}.
 *
 * @param sourcePort 0..65535
 * @param destinationPort 0..65535
 * @param sequenceNumber raw bits
 * @param acknowledgmentNumber raw bits
 * @param flags the 12 flag bits, {@link TcpFlyweight#FLAG_FIN} and friends
 * @param window unscaled window as sent, 0..65535
 * @param checksum the checksum field as written (not recomputed by {@link #writeTo})
 * @param urgentPointer 0..65535
 * @param options the options; {@link TcpOptionSet#NONE} for none
 */
public record TcpHeader(int sourcePort, int destinationPort, int sequenceNumber, int acknowledgmentNumber,
                        int flags, int window, int checksum, int urgentPointer, TcpOptionSet options) {

    public TcpHeader {
        checkU16("source port", sourcePort);
        checkU16("destination port", destinationPort);
        if ((flags & ~TcpFlyweight.FLAGS_MASK) != 0) {
            throw new IllegalArgumentException("flags outside the 12 flag bits: 0x" + Integer.toHexString(flags));
        }
        checkU16("window", window);
        checkU16("checksum", checksum);
        checkU16("urgent pointer", urgentPointer);
        if (options == null) {
            throw new NullPointerException("options (use TcpOptionSet.NONE)");
        }
    }

    private static void checkU16(String field, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(field + " outside 0..65535: " + value);
        }
    }

    /** The header the flyweight views, after a checked wrap that returned {@link Malformed#NONE}. */
    public static TcpHeader from(TcpFlyweight tcp) {
        return new TcpHeader(tcp.sourcePort(), tcp.destinationPort(), tcp.sequenceNumber(),
                tcp.acknowledgmentNumber(), tcp.flags(), tcp.window(), tcp.checksum(), tcp.urgentPointer(),
                TcpOptionSet.from(tcp));
    }

    /** Header length in bytes: 20 plus the encoded options. */
    public int headerLength() {
        return TcpFlyweight.MIN_HEADER_LENGTH + options.encodedLength();
    }

    /**
     * Writes the header at {@code offset}, data offset included; returns {@link #headerLength()}.
     *
     * @throws IllegalStateException if the options do not {@link TcpOptionSet#fits() fit}; nothing is written then
     */
    public int writeTo(MemorySegment segment, long offset) {
        if (!options.fits()) {
            throw new IllegalStateException("options need " + options.encodedLength() + " bytes, more than 40: " + this);
        }
        int length = headerLength();
        new TcpFlyweight().wrapForWrite(segment, offset)
                .sourcePort(sourcePort)
                .destinationPort(destinationPort)
                .sequenceNumber(sequenceNumber)
                .acknowledgmentNumber(acknowledgmentNumber)
                .dataOffsetWords(length / 4)
                .flags(flags)
                .window(window)
                .checksum(checksum)
                .urgentPointer(urgentPointer);
        options.writeTo(segment, offset + TcpFlyweight.OPTIONS_OFFSET);
        return length;
    }

    /** Whether every flag in {@code mask} is set. */
    public boolean hasFlags(int mask) {
        return (flags & mask) == mask;
    }

    public TcpHeader withFlags(int flags) {
        return new TcpHeader(sourcePort, destinationPort, sequenceNumber, acknowledgmentNumber, flags, window,
                checksum, urgentPointer, options);
    }

    public TcpHeader withChecksum(int checksum) {
        return new TcpHeader(sourcePort, destinationPort, sequenceNumber, acknowledgmentNumber, flags, window,
                checksum, urgentPointer, options);
    }

    public TcpHeader withOptions(TcpOptionSet options) {
        return new TcpHeader(sourcePort, destinationPort, sequenceNumber, acknowledgmentNumber, flags, window,
                checksum, urgentPointer, options);
    }

    /**
     * Flags as tcpdump prints them, in its order: F S R P . (ACK) U E (ECE) W (CWR) e (AE), or
     * {@code none}; reserved bits, which tcpdump does not show, follow as {@code +res0x...}.
     */
    public static String flagsText(int flags) {
        StringBuilder text = new StringBuilder();
        appendIf(text, flags, TcpFlyweight.FLAG_FIN, 'F');
        appendIf(text, flags, TcpFlyweight.FLAG_SYN, 'S');
        appendIf(text, flags, TcpFlyweight.FLAG_RST, 'R');
        appendIf(text, flags, TcpFlyweight.FLAG_PSH, 'P');
        appendIf(text, flags, TcpFlyweight.FLAG_ACK, '.');
        appendIf(text, flags, TcpFlyweight.FLAG_URG, 'U');
        appendIf(text, flags, TcpFlyweight.FLAG_ECE, 'E');
        appendIf(text, flags, TcpFlyweight.FLAG_CWR, 'W');
        appendIf(text, flags, TcpFlyweight.FLAG_AE, 'e');
        if ((flags & TcpFlyweight.FLAGS_RESERVED) != 0) {
            text.append("+res0x").append(Integer.toHexString(flags & TcpFlyweight.FLAGS_RESERVED));
        }
        return text.isEmpty() ? "none" : text.toString();
    }

    private static void appendIf(StringBuilder text, int flags, int flag, char letter) {
        if ((flags & flag) != 0) {
            text.append(letter);
        }
    }

    /**
     * A tcpdump-like line. Every field shows when it differs from a quiet default: the
     * acknowledgment number with ACK or when nonzero, the urgent pointer with URG or when nonzero,
     * options when present; sequence numbers are absolute and unsigned.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder()
                .append(sourcePort).append(" > ").append(destinationPort)
                .append(" [").append(flagsText(flags)).append(']')
                .append(" seq ").append(Integer.toUnsignedString(sequenceNumber));
        if ((flags & FLAG_ACK) != 0 || acknowledgmentNumber != 0) {
            text.append(" ack ").append(Integer.toUnsignedString(acknowledgmentNumber));
        }
        text.append(" win ").append(window);
        if ((flags & FLAG_URG) != 0 || urgentPointer != 0) {
            text.append(" urg ").append(urgentPointer);
        }
        if (!options.isEmpty()) {
            text.append(" options [").append(options).append(']');
        }
        return text.append(String.format(" cksum 0x%04x", checksum)).toString();
    }
}
