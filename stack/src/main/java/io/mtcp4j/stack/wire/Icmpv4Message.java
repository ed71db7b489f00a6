package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The fields of an ICMPv4 message as a value, for tests, debugging and building messages off the
 * per-packet path.
 *
 * @param type 0-255, {@link Icmpv4Flyweight#TYPE_ECHO_REQUEST}, ...
 * @param code 0-255
 * @param checksum as carried; {@link #withComputedChecksum()} gives the right one
 * @param restOfHeader the type-specific second word, raw bits
 * @param data the bytes after the header (an echo's payload, an error's quoted datagram); copied in and out
 */
public record Icmpv4Message(int type, int code, int checksum, int restOfHeader, byte[] data) {
    public Icmpv4Message {
        if (type < 0 || type > 0xff || code < 0 || code > 0xff) {
            throw new IllegalArgumentException("ICMP type and code are 8 bits: " + type + ", " + code);
        }
        if (checksum < 0 || checksum > 0xffff) {
            throw new IllegalArgumentException("ICMP checksum is 16 bits: " + checksum);
        }
        data = data.clone();
    }

    public static Icmpv4Message echoRequest(int identifier, int sequenceNumber, byte[] payload) {
        return echo(Icmpv4Flyweight.TYPE_ECHO_REQUEST, identifier, sequenceNumber, payload);
    }

    public static Icmpv4Message echoReply(int identifier, int sequenceNumber, byte[] payload) {
        return echo(Icmpv4Flyweight.TYPE_ECHO_REPLY, identifier, sequenceNumber, payload);
    }

    /** The reply to this echo request (RFC 792, RFC 1122 3.2.2.6): same identifier, sequence and data. */
    public Icmpv4Message echoAnswer() {
        return new Icmpv4Message(Icmpv4Flyweight.TYPE_ECHO_REPLY, 0, 0, restOfHeader, data).withComputedChecksum();
    }

    /**
     * Destination unreachable with this code, quoting {@code quotedDatagram} (the offending
     * datagram's IP header and at least 8 data bytes).
     */
    public static Icmpv4Message destinationUnreachable(int code, byte[] quotedDatagram) {
        return new Icmpv4Message(Icmpv4Flyweight.TYPE_DESTINATION_UNREACHABLE, code, 0, 0, quotedDatagram)
                .withComputedChecksum();
    }

    /** "Fragmentation needed and DF set" with the next-hop MTU of RFC 1191. */
    public static Icmpv4Message fragmentationNeeded(int nextHopMtu, byte[] quotedDatagram) {
        if (nextHopMtu < 0 || nextHopMtu > 0xffff) {
            throw new IllegalArgumentException("next-hop MTU is 16 bits: " + nextHopMtu);
        }
        return new Icmpv4Message(Icmpv4Flyweight.TYPE_DESTINATION_UNREACHABLE, Icmpv4Flyweight.CODE_FRAGMENTATION_NEEDED,
                0, nextHopMtu, quotedDatagram).withComputedChecksum();
    }

    public static Icmpv4Message timeExceeded(int code, byte[] quotedDatagram) {
        return new Icmpv4Message(Icmpv4Flyweight.TYPE_TIME_EXCEEDED, code, 0, 0, quotedDatagram).withComputedChecksum();
    }

    public static Icmpv4Message from(Icmpv4Flyweight icmp) {
        byte[] data = icmp.segment().asSlice(icmp.payloadOffset(), icmp.payloadLength()).toArray(ValueLayout.JAVA_BYTE);
        return new Icmpv4Message(icmp.type(), icmp.code(), icmp.checksum(), icmp.restOfHeader(), data);
    }

    /** Writes header and data at {@code offset}; returns {@link #length()}. */
    public int writeTo(MemorySegment segment, long offset) {
        Icmpv4Flyweight icmp = new Icmpv4Flyweight().wrapForWrite(segment, offset, length())
                .type(type)
                .code(code)
                .checksum(checksum)
                .restOfHeader(restOfHeader);
        MemorySegment.copy(data, 0, segment, ValueLayout.JAVA_BYTE, icmp.payloadOffset(), data.length);
        return length();
    }

    /** This message with the checksum its other fields call for. */
    public Icmpv4Message withComputedChecksum() {
        MemorySegment segment = MemorySegment.ofArray(new byte[length()]);
        writeTo(segment, 0);
        int computed = new Icmpv4Flyweight().wrapForWrite(segment, 0, length()).computeChecksum();
        return new Icmpv4Message(type, code, computed, restOfHeader, data);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Header and data, in bytes. */
    public int length() {
        return Icmpv4Flyweight.HEADER_LENGTH + data.length;
    }

    /** Echo request/reply. */
    public int identifier() {
        return restOfHeader >>> 16;
    }

    /** Echo request/reply. */
    public int sequenceNumber() {
        return restOfHeader & 0xffff;
    }

    /** Destination unreachable, fragmentation needed (RFC 1191). */
    public int nextHopMtu() {
        return restOfHeader & 0xffff;
    }

    public boolean isError() {
        return Icmpv4Flyweight.isErrorType(type);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Icmpv4Message that
                && type == that.type && code == that.code && checksum == that.checksum
                && restOfHeader == that.restOfHeader && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(type, code, checksum, restOfHeader) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Icmpv4Message[type=" + type + ", code=" + code + ", checksum=0x" + String.format("%04x", checksum)
                + ", restOfHeader=0x" + String.format("%08x", restOfHeader)
                + ", data=" + HexFormat.of().formatHex(data) + "]";
    }

    private static Icmpv4Message echo(int type, int identifier, int sequenceNumber, byte[] payload) {
        if (identifier < 0 || identifier > 0xffff || sequenceNumber < 0 || sequenceNumber > 0xffff) {
            throw new IllegalArgumentException("echo identifier and sequence number are 16 bits: "
                    + identifier + ", " + sequenceNumber);
        }
        return new Icmpv4Message(type, 0, 0, identifier << 16 | sequenceNumber, payload).withComputedChecksum();
    }
}
