package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A whole Ethernet frame described layer by layer with the wire value records, for the frame
 * parser tests. {@link #of} makes the layers agree (EtherType, IP protocol, IP lengths) and fills
 * in every checksum, so a test starts from a valid frame and breaks exactly one thing in its
 * {@link #bytes()}.
 *
 * @param ethernet the Ethernet header
 * @param network what follows it
 * @param paddingBytes bytes after the network packet, as Ethernet adds to reach its minimum frame
 *     length; they are {@link #PADDING_BYTE}, not zero, so a length or checksum that wrongly
 *     covered them would show
 */
record WireFrame(EthernetHeader ethernet, Network network, int paddingBytes) {
    static final byte PADDING_BYTE = (byte) 0xa5;

    /** The packet an EtherType announces. */
    sealed interface Network {
        default int length() {
            return switch (this) {
                case Arp _ -> ArpFlyweight.LENGTH;
                case Ipv4(Ipv4Header header, Upper upper) -> header.headerLength() + upper.length();
                case Ipv6(Ipv6Header header, Upper upper) -> header.headerLength() + upper.length();
                case OtherNetwork(byte[] bytes) -> bytes.length;
            };
        }

        default int writeTo(MemorySegment segment, long offset) {
            return switch (this) {
                case Arp(ArpPacket packet) -> packet.writeTo(segment, offset);
                case Ipv4(Ipv4Header header, Upper upper) -> writeIp(header.writeTo(segment, offset), upper, segment, offset);
                case Ipv6(Ipv6Header header, Upper upper) -> writeIp(header.writeTo(segment, offset), upper, segment, offset);
                case OtherNetwork(byte[] bytes) -> copy(bytes, segment, offset);
            };
        }
    }

    record Arp(ArpPacket packet) implements Network { }

    record Ipv4(Ipv4Header header, Upper upper) implements Network { }

    record Ipv6(Ipv6Header header, Upper upper) implements Network { }

    /** The bytes of a network protocol the parser does not handle; the Ethernet header's EtherType is kept. */
    record OtherNetwork(byte[] bytes) implements Network { }

    /** What an IP header carries. */
    sealed interface Upper {
        default int length() {
            return switch (this) {
                case Tcp(TcpSegment segment) -> segment.length();
                case Icmpv4(Icmpv4Message message) -> message.length();
                case Icmpv6(Icmpv6Message message) -> message.length();
                case OtherUpper(byte[] bytes) -> bytes.length;
            };
        }

        default int writeTo(MemorySegment segment, long offset) {
            return switch (this) {
                case Tcp(TcpSegment tcp) -> tcp.writeTo(segment, offset);
                case Icmpv4(Icmpv4Message message) -> message.writeTo(segment, offset);
                case Icmpv6(Icmpv6Message message) -> message.writeTo(segment, offset);
                case OtherUpper(byte[] bytes) -> copy(bytes, segment, offset);
            };
        }
    }

    record Tcp(TcpSegment segment) implements Upper { }

    record Icmpv4(Icmpv4Message message) implements Upper { }

    record Icmpv6(Icmpv6Message message) implements Upper { }

    /** Bytes under the IP header's own protocol number: UDP, or a TCP header too short to be a record. */
    record OtherUpper(byte[] bytes) implements Upper { }

    /** The IP header already written at {@code offset} ({@code headerLength} bytes), then what it carries. */
    private static int writeIp(int headerLength, Upper upper, MemorySegment segment, long offset) {
        return headerLength + upper.writeTo(segment, offset + headerLength);
    }

    private static int copy(byte[] bytes, MemorySegment segment, long offset) {
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, offset, bytes.length);
        return bytes.length;
    }

    /**
     * A consistent frame: the EtherType names the network layer (kept for {@link OtherNetwork}),
     * the IP protocol names the upper layer (kept for {@link OtherUpper}), the IPv4 total length
     * and IPv6 payload length cover exactly the packet, and the IPv4 header, TCP, ICMPv4 and ICMPv6
     * checksums are right. Everything else comes from the records as given.
     */
    static WireFrame of(EthernetHeader ethernet, Network network, int paddingBytes) {
        Network consistent = switch (network) {
            case Arp arp -> arp;
            case Ipv4 ipv4 -> consistent(ipv4);
            case Ipv6 ipv6 -> consistent(ipv6);
            case OtherNetwork other -> other;
        };
        int etherType = switch (network) {
            case Arp _ -> EthernetFlyweight.ETHERTYPE_ARP;
            case Ipv4 _ -> EthernetFlyweight.ETHERTYPE_IPV4;
            case Ipv6 _ -> EthernetFlyweight.ETHERTYPE_IPV6;
            case OtherNetwork _ -> ethernet.etherType();
        };
        return new WireFrame(new EthernetHeader(ethernet.destination(), ethernet.source(), ethernet.tagControl(), etherType),
                consistent, paddingBytes);
    }

    private static Ipv4 consistent(Ipv4 ipv4) {
        Ipv4Header template = ipv4.header();
        Upper upper = ipv4.upper();
        int protocol = protocolOf(upper, template.protocol());
        Ipv4Header header = new Ipv4Header(template.dscp(), template.ecn(), template.headerLength() + upper.length(),
                template.identification(), template.flags(), template.fragmentOffsetBytes(), template.ttl(), protocol,
                0, template.source(), template.destination(), template.options()).withComputedChecksum();
        Upper summed = switch (upper) {
            case Tcp tcp -> new Tcp(withChecksum(tcp.segment(),
                    Checksum.pseudoHeaderIpv4(header.source(), header.destination(), protocol, tcp.length())));
            case Icmpv4 icmp -> new Icmpv4(icmp.message().withComputedChecksum());
            case Icmpv6 icmp -> icmp; // ICMPv6 has no meaning inside IPv4: left as given
            case OtherUpper other -> other;
        };
        return new Ipv4(header, summed);
    }

    private static Ipv6 consistent(Ipv6 ipv6) {
        Ipv6Header template = ipv6.header();
        Upper upper = ipv6.upper();
        int protocol = protocolOf(upper, template.upperLayerProtocol());
        Ipv6Header header = new Ipv6Header(template.trafficClass(), template.flowLabel(),
                template.extensionsLength() + upper.length(), template.hopLimit(), template.source(),
                template.destination(), template.extensions(), protocol);
        long pseudoHeaderSum = Checksum.pseudoHeaderIpv6(
                MemorySegment.ofArray(header.source().toBytes()), 0,
                MemorySegment.ofArray(header.destination().toBytes()), 0, protocol, upper.length());
        Upper summed = switch (upper) {
            case Tcp tcp -> new Tcp(withChecksum(tcp.segment(), pseudoHeaderSum));
            case Icmpv6 icmp -> new Icmpv6(withChecksum(icmp.message(), pseudoHeaderSum));
            case Icmpv4 icmp -> icmp; // ICMPv4 has no meaning inside IPv6: left as given
            case OtherUpper other -> other;
        };
        return new Ipv6(header, summed);
    }

    private static int protocolOf(Upper upper, int otherwise) {
        return switch (upper) {
            case Tcp _ -> TcpFlyweight.IP_PROTOCOL;
            case Icmpv4 _ -> Ipv4Flyweight.PROTOCOL_ICMP;
            case Icmpv6 _ -> Ipv6Flyweight.ICMPV6;
            case OtherUpper _ -> otherwise;
        };
    }

    /** The segment with the checksum its bytes and this pseudo-header call for. */
    static TcpSegment withChecksum(TcpSegment segment, long pseudoHeaderSum) {
        MemorySegment scratch = MemorySegment.ofArray(new byte[segment.length()]);
        segment.writeWithChecksum(scratch, 0, pseudoHeaderSum);
        int checksum = NetworkOrder.u16(scratch, TcpFlyweight.CHECKSUM_OFFSET);
        return new TcpSegment(segment.header().withChecksum(checksum), segment.payload());
    }

    /** The message with the checksum its bytes and this pseudo-header call for. */
    static Icmpv6Message withChecksum(Icmpv6Message message, long pseudoHeaderSum) {
        MemorySegment scratch = MemorySegment.ofArray(new byte[message.length()]);
        message.writeTo(scratch, 0);
        int checksum = new Icmpv6Flyweight().wrapForWrite(scratch, 0, message.length()).fillChecksum(pseudoHeaderSum).checksum();
        return switch (message) {
            case Icmpv6Message.EchoRequest m ->
                    new Icmpv6Message.EchoRequest(m.code(), checksum, m.identifier(), m.sequenceNumber(), m.data());
            case Icmpv6Message.EchoReply m ->
                    new Icmpv6Message.EchoReply(m.code(), checksum, m.identifier(), m.sequenceNumber(), m.data());
            case Icmpv6Message.DestinationUnreachable m ->
                    new Icmpv6Message.DestinationUnreachable(m.code(), checksum, m.quotedPacket());
            case Icmpv6Message.PacketTooBig m ->
                    new Icmpv6Message.PacketTooBig(m.code(), checksum, m.mtuBytes(), m.quotedPacket());
            case Icmpv6Message.TimeExceeded m ->
                    new Icmpv6Message.TimeExceeded(m.code(), checksum, m.quotedPacket());
            case Icmpv6Message.ParameterProblem m ->
                    new Icmpv6Message.ParameterProblem(m.code(), checksum, m.pointer(), m.quotedPacket());
            case Icmpv6Message.NeighborSolicitation m ->
                    new Icmpv6Message.NeighborSolicitation(m.code(), checksum, m.target(), m.sourceLinkLayerAddress());
            case Icmpv6Message.NeighborAdvertisement m ->
                    new Icmpv6Message.NeighborAdvertisement(m.code(), checksum, m.router(), m.solicited(), m.override(),
                            m.target(), m.targetLinkLayerAddress());
            case Icmpv6Message.Other m -> new Icmpv6Message.Other(m.type(), m.code(), checksum, m.body());
        };
    }

    /** Where the network header starts in {@link #bytes()}. */
    int networkOffset() {
        return ethernet.headerLength();
    }

    /** Where the upper layer (TCP, ICMP) starts in {@link #bytes()}; only for IP networks. */
    int upperOffset() {
        return networkOffset() + switch (network) {
            case Ipv4 ipv4 -> ipv4.header().headerLength();
            case Ipv6 ipv6 -> ipv6.header().headerLength();
            default -> throw new IllegalStateException("no upper layer in " + network);
        };
    }

    /** The upper layer of an IP network. */
    Upper upper() {
        return switch (network) {
            case Ipv4 ipv4 -> ipv4.upper();
            case Ipv6 ipv6 -> ipv6.upper();
            default -> throw new IllegalStateException("no upper layer in " + network);
        };
    }

    /** Bytes of the whole frame, padding included. */
    int length() {
        return ethernet.headerLength() + network.length() + paddingBytes;
    }

    /** The frame on the wire (without the FCS, as devices deliver it). */
    byte[] bytes() {
        byte[] bytes = new byte[length()];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        int at = ethernet.writeTo(segment, 0);
        at += network.writeTo(segment, at);
        Arrays.fill(bytes, at, bytes.length, PADDING_BYTE);
        return bytes;
    }
}
