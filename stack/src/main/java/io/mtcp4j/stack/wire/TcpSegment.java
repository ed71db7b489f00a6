package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A whole TCP segment as a value: header and data. For tests (send a crafted segment, expect one
 * back) and debugging; never for the per-packet path.
 *
 * @param header the header; its checksum field is written as given unless {@link #writeWithChecksum} is used
 * @param payload the data bytes (copied in and out: the record stays immutable)
 */
public record TcpSegment(TcpHeader header, byte[] payload) {
    /** Data bytes {@link #toString()} shows before eliding the rest. */
    private static final int SHOWN_PAYLOAD_BYTES = 32;

    public TcpSegment {
        if (header == null) {
            throw new NullPointerException("header");
        }
        payload = payload.clone();
    }

    /** A copy of the data. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** Header plus data length: the upper-layer length for the pseudo-header. */
    public int length() {
        return header.headerLength() + payload.length;
    }

    /** The segment the flyweight views, after a checked wrap that returned {@link Malformed#NONE}. */
    public static TcpSegment from(TcpFlyweight tcp) {
        byte[] payload = tcp.segment().asSlice(tcp.payloadOffset(), tcp.payloadLength()).toArray(ValueLayout.JAVA_BYTE);
        return new TcpSegment(TcpHeader.from(tcp), payload);
    }

    /** Writes header and data at {@code offset} with the header's checksum field as is; returns {@link #length()}. */
    public int writeTo(MemorySegment segment, long offset) {
        int headerLength = header.writeTo(segment, offset);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, segment, offset + headerLength, payload.length);
        return headerLength + payload.length;
    }

    /**
     * Writes header and data at {@code offset} and fills in the checksum over them and a
     * pseudo-header, whose partial sum the caller computed for upper-layer length {@link #length()}.
     * Returns {@link #length()}.
     */
    public int writeWithChecksum(MemorySegment segment, long offset, long pseudoHeaderPartial) {
        int length = writeTo(segment, offset);
        new TcpFlyweight().wrapForWrite(segment, offset).fillChecksum(pseudoHeaderPartial, length);
        return length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TcpSegment(TcpHeader otherHeader, byte[] otherPayload)
                && header.equals(otherHeader) && Arrays.equals(payload, otherPayload);
    }

    @Override
    public int hashCode() {
        return 31 * header.hashCode() + Arrays.hashCode(payload);
    }

    /**
     * The header's tcpdump-like line followed by {@code length N} (the data length, as tcpdump
     * prints it) and the first bytes of the data in hex, so that segments differing only in data
     * print differently.
     */
    @Override
    public String toString() {
        String text = header + " length " + payload.length;
        if (payload.length == 0) {
            return text;
        }
        int shown = Math.min(payload.length, SHOWN_PAYLOAD_BYTES);
        return text + " data 0x" + HexFormat.of().formatHex(payload, 0, shown)
                + (shown < payload.length ? "..." : "");
    }
}
