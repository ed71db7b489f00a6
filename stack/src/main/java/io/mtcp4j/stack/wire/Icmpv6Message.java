package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The fields of an ICMPv6 message, one record per message kind the stack handles, for tests,
 * debugging and building crafted messages; see {@link Icmpv6Flyweight} for the layouts.
 *
 * <p>Every record carries the {@code code} and {@code checksum} fields as they are on the wire;
 * {@link #writeTo} writes the checksum as given, so a test builds a message and then calls
 * {@link Icmpv6Flyweight#fillChecksum} (or keeps a wrong checksum on purpose). The shorter
 * constructors set both to 0. Reserved and unused fields are written as zero and not kept;
 * neighbour messages keep only their Ethernet link-layer address option. Types without a record
 * of their own (router discovery, redirect, anything unknown) come back as {@link Other}.
 */
public sealed interface Icmpv6Message {
    int type();

    int code();

    int checksum();

    /** Bytes on the wire. */
    int length();

    /** Writes the message at {@code offset}; returns {@link #length()}. */
    int writeTo(MemorySegment segment, long offset);

    /** Reads a message the flyweight has wrapped successfully. */
    static Icmpv6Message from(Icmpv6Flyweight icmp) {
        int code = icmp.code();
        int checksum = icmp.checksum();
        return switch (icmp.type()) {
            case Icmpv6Flyweight.ECHO_REQUEST -> new EchoRequest(code, checksum, icmp.identifier(), icmp.sequenceNumber(),
                    bytes(icmp.segment(), icmp.echoDataOffset(), icmp.echoDataLength()));
            case Icmpv6Flyweight.ECHO_REPLY -> new EchoReply(code, checksum, icmp.identifier(), icmp.sequenceNumber(),
                    bytes(icmp.segment(), icmp.echoDataOffset(), icmp.echoDataLength()));
            case Icmpv6Flyweight.DESTINATION_UNREACHABLE -> new DestinationUnreachable(code, checksum,
                    bytes(icmp.segment(), icmp.quotedPacketOffset(), icmp.quotedPacketLength()));
            case Icmpv6Flyweight.PACKET_TOO_BIG -> new PacketTooBig(code, checksum, icmp.mtuBytes(),
                    bytes(icmp.segment(), icmp.quotedPacketOffset(), icmp.quotedPacketLength()));
            case Icmpv6Flyweight.TIME_EXCEEDED -> new TimeExceeded(code, checksum,
                    bytes(icmp.segment(), icmp.quotedPacketOffset(), icmp.quotedPacketLength()));
            case Icmpv6Flyweight.PARAMETER_PROBLEM -> new ParameterProblem(code, checksum, icmp.parameterProblemPointer(),
                    bytes(icmp.segment(), icmp.quotedPacketOffset(), icmp.quotedPacketLength()));
            case Icmpv6Flyweight.NEIGHBOR_SOLICITATION -> new NeighborSolicitation(code, checksum,
                    new Ipv6Address(icmp.targetHigh(), icmp.targetLow()),
                    linkLayerAddress(icmp.sourceLinkLayerAddress()));
            case Icmpv6Flyweight.NEIGHBOR_ADVERTISEMENT -> new NeighborAdvertisement(code, checksum,
                    icmp.router(), icmp.solicited(), icmp.override(),
                    new Ipv6Address(icmp.targetHigh(), icmp.targetLow()),
                    linkLayerAddress(icmp.targetLinkLayerAddress()));
            default -> new Other(icmp.type(), code, checksum,
                    bytes(icmp.segment(), icmp.offset() + Icmpv6Flyweight.HEADER_LENGTH,
                            icmp.messageLength() - Icmpv6Flyweight.HEADER_LENGTH));
        };
    }

    /** Echo Request (RFC 4443 4.1). */
    record EchoRequest(int code, int checksum, int identifier, int sequenceNumber, byte[] data) implements Icmpv6Message {
        public EchoRequest {
            checkHeader(code, checksum);
            checkU16("identifier", identifier);
            checkU16("sequence number", sequenceNumber);
            data = data.clone();
        }

        public EchoRequest(int identifier, int sequenceNumber, byte[] data) {
            this(0, 0, identifier, sequenceNumber, data);
        }

        @Override
        public int type() {
            return Icmpv6Flyweight.ECHO_REQUEST;
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public int length() {
            return Icmpv6Flyweight.ECHO_MIN_LENGTH + data.length;
        }

        @Override
        public int writeTo(MemorySegment segment, long offset) {
            return writeEcho(this, identifier, sequenceNumber, data, segment, offset);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof EchoRequest that && code == that.code && checksum == that.checksum
                    && identifier == that.identifier && sequenceNumber == that.sequenceNumber
                    && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(code, checksum, identifier, sequenceNumber, Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "EchoRequest[code=" + code + ", checksum=" + hex16(checksum) + ", identifier=" + identifier
                    + ", sequenceNumber=" + sequenceNumber + ", data=" + hex(data) + "]";
        }
    }

    /** Echo Reply (RFC 4443 4.2): the request's identifier, sequence number and data. */
    record EchoReply(int code, int checksum, int identifier, int sequenceNumber, byte[] data) implements Icmpv6Message {
        public EchoReply {
            checkHeader(code, checksum);
            checkU16("identifier", identifier);
            checkU16("sequence number", sequenceNumber);
            data = data.clone();
        }

        public EchoReply(int identifier, int sequenceNumber, byte[] data) {
            this(0, 0, identifier, sequenceNumber, data);
        }

        @Override
        public int type() {
            return Icmpv6Flyweight.ECHO_REPLY;
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public int length() {
            return Icmpv6Flyweight.ECHO_MIN_LENGTH + data.length;
        }

        @Override
        public int writeTo(MemorySegment segment, long offset) {
            return writeEcho(this, identifier, sequenceNumber, data, segment, offset);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof EchoReply that && code == that.code && checksum == that.checksum
                    && identifier == that.identifier && sequenceNumber == that.sequenceNumber
                    && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(code, checksum, identifier, sequenceNumber, Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "EchoReply[code=" + code + ", checksum=" + hex16(checksum) + ", identifier=" + identifier
                    + ", sequenceNumber=" + sequenceNumber + ", data=" + hex(data) + "]";
        }
    }

    /** Destination Unreachable (RFC 4443 3.1); the code says why (0 no route ... 4 port unreachable). */
    record DestinationUnreachable(int code, int checksum, byte[] quotedPacket) implements Icmpv6Message {
        public DestinationUnreachable {
            checkHeader(code, checksum);
            quotedPacket = quotedPacket.clone();
        }

        public DestinationUnreachable(int code, byte[] quotedPacket) {
            this(code, 0, quotedPacket);
        }

        @Override
        public int type() {
            return Icmpv6Flyweight.DESTINATION_UNREACHABLE;
        }

        @Override
        public byte[] quotedPacket() {
            return quotedPacket.clone();
        }

        @Override
        public int length() {
            return Icmpv6Flyweight.ERROR_MIN_LENGTH + quotedPacket.length;
        }

        @Override
        public int writeTo(MemorySegment segment, long offset) {
            return writeError(this, 0, quotedPacket, segment, offset);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof DestinationUnreachable that && code == that.code && checksum == that.checksum
                    && Arrays.equals(quotedPacket, that.quotedPacket);
        }

        @Override
        public int hashCode() {
            return Objects.hash(code, checksum, Arrays.hashCode(quotedPacket));
        }

        @Override
        public String toString() {
            return "DestinationUnreachable[code=" + code + ", checksum=" + hex16(checksum)
                    + ", quotedPacket=" + hex(quotedPacket) + "]";
        }
    }

    /** Packet Too Big (RFC 4443 3.2): what path MTU discovery (RFC 8201) learns from. */
    record PacketTooBig(int code, int checksum, long mtuBytes, byte[] quotedPacket) implements Icmpv6Message {
        public PacketTooBig {
            checkHeader(code, checksum);
            if (mtuBytes < 0 || mtuBytes > 0xffff_ffffL) {
                throw new IllegalArgumentException("MTU " + mtuBytes + " outside 32 bits");
            }
            quotedPacket = quotedPacket.clone();
        }

        public PacketTooBig(long mtuBytes, byte[] quotedPacket) {
            this(0, 0, mtuBytes, quotedPacket);
        }

        @Override
        public int type() {
            return Icmpv6Flyweight.PACKET_TOO_BIG;
        }

        @Override
        public byte[] quotedPacket() {
            return quotedPacket.clone();
        }

        @Override
        public int length() {
            return Icmpv6Flyweight.ERROR_MIN_LENGTH + quotedPacket.length;
        }

        @Override
        public int writeTo(MemorySegment segment, long offset) {
            return writeError(this, (int) mtuBytes, quotedPacket, segment, offset);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof PacketTooBig that && code == that.code && checksum == that.checksum
                    && mtuBytes == that.mtuBytes && Arrays.equals(quotedPacket, that.quotedPacket);
        }

        @Override
        public int hashCode() {
            return Objects.hash(code, checksum, mtuBytes, Arrays.hashCode(quotedPacket));
        }

        @Override
        public String toString() {
            return "PacketTooBig[code=" + code + ", checksum=" + hex16(checksum) + ", mtuBytes=" + mtuBytes
                    + ", quotedPacket=" + hex(quotedPacket) + "]";
        }
    }

    /** Time Exceeded (RFC 4443 3.3): code 0 hop limit exceeded, 1 reassembly time exceeded. */
    record TimeExceeded(int code, int checksum, byte[] quotedPacket) implements Icmpv6Message {
        public TimeExceeded {
            checkHeader(code, checksum);
            quotedPacket = quotedPacket.clone();
        }

        public TimeExceeded(int code, byte[] quotedPacket) {
            this(code, 0, quotedPacket);
        }

        @Override
        public int type() {
            return Icmpv6Flyweight.TIME_EXCEEDED;
        }

        @Override
        public byte[] quotedPacket() {
            return quotedPacket.clone();
        }

        @Override
        public int length() {
            return Icmpv6Flyweight.ERROR_MIN_LENGTH + quotedPacket.length;
        }

        @Override
        public int writeTo(MemorySegment segment, long offset) {
            return writeError(this, 0, quotedPacket, segment, offset);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof TimeExceeded that && code == that.code && checksum == that.checksum
                    && Arrays.equals(quotedPacket, that.quotedPacket);
        }

        @Override
        public int hashCode() {
            return Objects.hash(code, checksum, Arrays.hashCode(quotedPacket));
        }

        @Override
        public String toString() {
            return "TimeExceeded[code=" + code + ", checksum=" + hex16(checksum)
                    + ", quotedPacket=" + hex(quotedPacket) + "]";
        }
    }

    /** Parameter Problem (RFC 4443 3.4): {@code pointer} is the offending byte's offset in the quoted packet. */
    record ParameterProblem(int code, int checksum, long pointer, byte[] quotedPacket) implements Icmpv6Message {
        public ParameterProblem {
            checkHeader(code, checksum);
            if (pointer < 0 || pointer > 0xffff_ffffL) {
                throw new IllegalArgumentException("pointer " + pointer + " outside 32 bits");
            }
            quotedPacket = quotedPacket.clone();
        }

        @Override
        public int type() {
            return Icmpv6Flyweight.PARAMETER_PROBLEM;
        }

        @Override
        public byte[] quotedPacket() {
            return quotedPacket.clone();
        }

        @Override
        public int length() {
            return Icmpv6Flyweight.ERROR_MIN_LENGTH + quotedPacket.length;
        }

        @Override
        public int writeTo(MemorySegment segment, long offset) {
            return writeError(this, (int) pointer, quotedPacket, segment, offset);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ParameterProblem that && code == that.code && checksum == that.checksum
                    && pointer == that.pointer && Arrays.equals(quotedPacket, that.quotedPacket);
        }

        @Override
        public int hashCode() {
            return Objects.hash(code, checksum, pointer, Arrays.hashCode(quotedPacket));
        }

        @Override
        public String toString() {
            return "ParameterProblem[code=" + code + ", checksum=" + hex16(checksum) + ", pointer=" + pointer
                    + ", quotedPacket=" + hex(quotedPacket) + "]";
        }
    }

    /**
     * Neighbor Solicitation (RFC 4861 4.3): who has {@code target}? {@code sourceLinkLayerAddress}
     * is the sender's MAC (low 48 bits), absent in duplicate address detection probes.
     */
    record NeighborSolicitation(int code, int checksum, Ipv6Address target, OptionalLong sourceLinkLayerAddress)
            implements Icmpv6Message {
        public NeighborSolicitation {
            checkHeader(code, checksum);
            Objects.requireNonNull(target, "target");
            checkMac(sourceLinkLayerAddress);
        }

        public NeighborSolicitation(Ipv6Address target, OptionalLong sourceLinkLayerAddress) {
            this(0, 0, target, sourceLinkLayerAddress);
        }

        @Override
        public int type() {
            return Icmpv6Flyweight.NEIGHBOR_SOLICITATION;
        }

        @Override
        public int length() {
            return Icmpv6Flyweight.NEIGHBOR_MIN_LENGTH
                    + (sourceLinkLayerAddress.isPresent() ? Icmpv6Flyweight.ETHERNET_LINK_LAYER_OPTION_LENGTH : 0);
        }

        @Override
        public int writeTo(MemorySegment segment, long offset) {
            writeHeader(this, 0, segment, offset);
            return writeNeighbor(target, Icmpv6Flyweight.SOURCE_LINK_LAYER_ADDRESS, sourceLinkLayerAddress, segment, offset);
        }
    }

    /**
     * Neighbor Advertisement (RFC 4861 4.4) with its R, S and O flags; {@code targetLinkLayerAddress}
     * is the target's MAC (low 48 bits).
     */
    record NeighborAdvertisement(int code, int checksum, boolean router, boolean solicited, boolean override,
                                 Ipv6Address target, OptionalLong targetLinkLayerAddress) implements Icmpv6Message {
        public NeighborAdvertisement {
            checkHeader(code, checksum);
            Objects.requireNonNull(target, "target");
            checkMac(targetLinkLayerAddress);
        }

        public NeighborAdvertisement(boolean router, boolean solicited, boolean override,
                                     Ipv6Address target, OptionalLong targetLinkLayerAddress) {
            this(0, 0, router, solicited, override, target, targetLinkLayerAddress);
        }

        @Override
        public int type() {
            return Icmpv6Flyweight.NEIGHBOR_ADVERTISEMENT;
        }

        @Override
        public int length() {
            return Icmpv6Flyweight.NEIGHBOR_MIN_LENGTH
                    + (targetLinkLayerAddress.isPresent() ? Icmpv6Flyweight.ETHERNET_LINK_LAYER_OPTION_LENGTH : 0);
        }

        @Override
        public int writeTo(MemorySegment segment, long offset) {
            int flags = (router ? Icmpv6Flyweight.ROUTER_FLAG : 0)
                    | (solicited ? Icmpv6Flyweight.SOLICITED_FLAG : 0)
                    | (override ? Icmpv6Flyweight.OVERRIDE_FLAG : 0);
            writeHeader(this, flags << 24, segment, offset);
            return writeNeighbor(target, Icmpv6Flyweight.TARGET_LINK_LAYER_ADDRESS, targetLinkLayerAddress, segment, offset);
        }
    }

    /**
     * Any other type: router discovery, redirect, and types the stack does not know, with the bytes
     * after the checksum as they are.
     */
    record Other(int type, int code, int checksum, byte[] body) implements Icmpv6Message {
        public Other {
            checkHeader(code, checksum);
            if (type < 0 || type > 0xff) {
                throw new IllegalArgumentException("type " + type + " outside 0..255");
            }
            switch (type) {
                case Icmpv6Flyweight.ECHO_REQUEST, Icmpv6Flyweight.ECHO_REPLY, Icmpv6Flyweight.DESTINATION_UNREACHABLE,
                     Icmpv6Flyweight.PACKET_TOO_BIG, Icmpv6Flyweight.TIME_EXCEEDED, Icmpv6Flyweight.PARAMETER_PROBLEM,
                     Icmpv6Flyweight.NEIGHBOR_SOLICITATION, Icmpv6Flyweight.NEIGHBOR_ADVERTISEMENT ->
                        throw new IllegalArgumentException("type " + type + " has a record of its own");
                default -> { }
            }
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        @Override
        public int length() {
            return Icmpv6Flyweight.HEADER_LENGTH + body.length;
        }

        @Override
        public int writeTo(MemorySegment segment, long offset) {
            Icmpv6Flyweight icmp = new Icmpv6Flyweight().wrapForWrite(segment, offset, length());
            icmp.type(type).code(code).checksum(checksum);
            MemorySegment.copy(MemorySegment.ofArray(body), 0, segment, offset + Icmpv6Flyweight.HEADER_LENGTH, body.length);
            return length();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Other that && type == that.type && code == that.code && checksum == that.checksum
                    && Arrays.equals(body, that.body);
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, code, checksum, Arrays.hashCode(body));
        }

        @Override
        public String toString() {
            return "Other[type=" + type + ", code=" + code + ", checksum=" + hex16(checksum) + ", body=" + hex(body) + "]";
        }
    }

    private static Icmpv6Flyweight writeHeader(Icmpv6Message message, int word, MemorySegment segment, long offset) {
        return new Icmpv6Flyweight().wrapForWrite(segment, offset, message.length())
                .type(message.type()).code(message.code()).checksum(message.checksum()).word(word);
    }

    private static int writeEcho(Icmpv6Message message, int identifier, int sequenceNumber, byte[] data,
                                 MemorySegment segment, long offset) {
        writeHeader(message, 0, segment, offset).identifier(identifier).sequenceNumber(sequenceNumber);
        MemorySegment.copy(MemorySegment.ofArray(data), 0, segment, offset + Icmpv6Flyweight.BODY_AFTER_WORD_OFFSET, data.length);
        return message.length();
    }

    private static int writeError(Icmpv6Message message, int word, byte[] quotedPacket, MemorySegment segment, long offset) {
        writeHeader(message, word, segment, offset);
        MemorySegment.copy(MemorySegment.ofArray(quotedPacket), 0, segment,
                offset + Icmpv6Flyweight.BODY_AFTER_WORD_OFFSET, quotedPacket.length);
        return message.length();
    }

    private static int writeNeighbor(Ipv6Address target, int optionType, OptionalLong mac, MemorySegment segment, long offset) {
        target.writeTo(segment, offset + Icmpv6Flyweight.TARGET_ADDRESS_OFFSET);
        int length = Icmpv6Flyweight.NEIGHBOR_MIN_LENGTH;
        if (mac.isPresent()) {
            length += Icmpv6Flyweight.writeLinkLayerAddressOption(segment, offset + length, optionType, mac.getAsLong());
        }
        return length;
    }

    private static byte[] bytes(MemorySegment segment, long offset, int length) {
        return segment.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    private static OptionalLong linkLayerAddress(long mac) {
        return mac == Icmpv6Flyweight.NO_LINK_LAYER_ADDRESS ? OptionalLong.empty() : OptionalLong.of(mac);
    }

    private static void checkHeader(int code, int checksum) {
        if (code < 0 || code > 0xff) {
            throw new IllegalArgumentException("code " + code + " outside 0..255");
        }
        checkU16("checksum", checksum);
    }

    private static void checkU16(String name, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(name + " " + value + " outside 0..65535");
        }
    }

    private static void checkMac(OptionalLong mac) {
        Objects.requireNonNull(mac, "link-layer address");
        if (mac.isPresent() && (mac.getAsLong() >>> 48) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits, not " + Long.toHexString(mac.getAsLong()));
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String hex16(int value) {
        return String.format("0x%04x", value);
    }
}
