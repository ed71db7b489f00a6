package io.mtcp4j.stack.ip;

import io.mtcp4j.stack.wire.ArpPacket;
import io.mtcp4j.stack.wire.Checksum;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.EthernetHeader;
import io.mtcp4j.stack.wire.Icmpv4Message;
import io.mtcp4j.stack.wire.Icmpv6Flyweight;
import io.mtcp4j.stack.wire.Icmpv6Message;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv4Header;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.Ipv6Header;
import io.mtcp4j.stack.wire.MacAddress;
import io.mtcp4j.stack.wire.NetworkOrder;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Frames for the ip package's tests, built with the wire layer's value records (which have their
 * own known-answer tests), and the addresses of a small test network:
 * <pre>
 *   us:     02:00:00:00:00:01   10.0.0.2/24   2001:db8::2/64   fe80::1/64   interface 1
 *   peer:   02:00:00:00:00:aa   10.0.0.7      2001:db8::7      fe80::aa
 *   router: 02:00:00:00:00:fe   10.0.0.1      fe80::fe          (default gateway)
 * </pre>
 */
final class IpFrames {
    static final int INTERFACE = 1;
    static final int LOOPBACK_INTERFACE = 0;

    static final long OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final long PEER_MAC = MacAddress.parse("02:00:00:00:00:aa");
    static final long OTHER_MAC = MacAddress.parse("02:00:00:00:00:bb");
    static final long ROUTER_MAC = MacAddress.parse("02:00:00:00:00:fe");

    static final int OUR_IP = Ipv4Address.parse("10.0.0.2");
    static final int PEER_IP = Ipv4Address.parse("10.0.0.7");
    static final int OTHER_IP = Ipv4Address.parse("10.0.0.9");
    static final int ROUTER_IP = Ipv4Address.parse("10.0.0.1");
    static final int REMOTE_IP = Ipv4Address.parse("192.0.2.80");

    static final Ipv6Address OUR_IP6 = Ipv6Address.parse("2001:db8::2");
    static final Ipv6Address OUR_LINK_LOCAL = Ipv6Address.parse("fe80::1");
    static final Ipv6Address PEER_IP6 = Ipv6Address.parse("2001:db8::7");
    static final Ipv6Address PEER_LINK_LOCAL = Ipv6Address.parse("fe80::aa");
    static final Ipv6Address ROUTER_LINK_LOCAL = Ipv6Address.parse("fe80::fe");
    static final Ipv6Address REMOTE_IP6 = Ipv6Address.parse("2001:db8:ffff::80");

    private IpFrames() {}

    /** The test network's routing table: addresses on interface 1, the router as default gateway, loopback on 0. */
    static RoutingTable routes() {
        return new RoutingTable()
                .addLoopback(LOOPBACK_INTERFACE)
                .addIpv4Address(OUR_IP, 24, INTERFACE)
                .addIpv4DefaultGateway(ROUTER_IP, INTERFACE)
                .addIpv6Address(OUR_IP6, 64, INTERFACE)
                .addIpv6Address(OUR_LINK_LOCAL, 64, INTERFACE)
                .addIpv6DefaultGateway(ROUTER_LINK_LOCAL, INTERFACE);
    }

    static long key(int ipv4) {
        return Integer.toUnsignedLong(ipv4);
    }

    /** An ARP packet in an untagged broadcast-or-unicast frame, padded to 60 bytes. */
    static byte[] arp(long destinationMac, long sourceMac, ArpPacket packet) {
        return arp(EthernetHeader.untagged(destinationMac, sourceMac, EthernetFlyweight.ETHERTYPE_ARP), packet);
    }

    static byte[] arp(EthernetHeader ethernet, ArpPacket packet) {
        byte[] frame = new byte[Math.max(EthernetFlyweight.MINIMUM_FRAME_LENGTH, ethernet.headerLength() + 28)];
        MemorySegment segment = MemorySegment.ofArray(frame);
        int at = ethernet.writeTo(segment, 0);
        packet.writeTo(segment, at);
        return frame;
    }

    /** An IPv4 packet (DF, TTL 64, correct header checksum) carrying an ICMP message. */
    static byte[] icmpv4(long destinationMac, long sourceMac, int source, int destination, Icmpv4Message message) {
        return icmpv4(EthernetHeader.untagged(destinationMac, sourceMac, EthernetFlyweight.ETHERTYPE_IPV4),
                Ipv4Header.of(1, source, destination, message.length()), message);
    }

    static byte[] icmpv4(EthernetHeader ethernet, Ipv4Header ip, Icmpv4Message message) {
        byte[] frame = new byte[ethernet.headerLength() + ip.headerLength() + message.length()];
        MemorySegment segment = MemorySegment.ofArray(frame);
        int at = ethernet.writeTo(segment, 0);
        at += ip.writeTo(segment, at);
        message.writeTo(segment, at);
        return frame;
    }

    /** An IPv6 packet carrying an ICMPv6 message, its checksum computed over the pseudo-header. */
    static byte[] icmpv6(long destinationMac, long sourceMac, Ipv6Address source, Ipv6Address destination,
                         int hopLimit, Icmpv6Message message) {
        return icmpv6(EthernetHeader.untagged(destinationMac, sourceMac, EthernetFlyweight.ETHERTYPE_IPV6),
                new Ipv6Header(0, 0, message.length(), hopLimit, source, destination, Ipv6Flyweight.ICMPV6), message);
    }

    static byte[] icmpv6(EthernetHeader ethernet, Ipv6Header ip, Icmpv6Message message) {
        byte[] frame = new byte[ethernet.headerLength() + ip.headerLength() + message.length()];
        MemorySegment segment = MemorySegment.ofArray(frame);
        int at = ethernet.writeTo(segment, 0);
        int ipAt = at;
        at += ip.writeTo(segment, at);
        message.writeTo(segment, at);
        long pseudo = Checksum.pseudoHeaderIpv6(segment, ipAt + Ipv6Flyweight.SOURCE_ADDRESS_OFFSET,
                segment, ipAt + Ipv6Flyweight.DESTINATION_ADDRESS_OFFSET, Ipv6Flyweight.ICMPV6, message.length());
        new Icmpv6Flyweight().wrapForWrite(segment, at, message.length()).fillChecksum(pseudo);
        return frame;
    }

    /** The first 20 bytes of a TCP segment: ports, sequence number, data offset 5, ACK, window. */
    static byte[] tcpHeader(int sourcePort, int destinationPort, int sequenceNumber) {
        byte[] header = new byte[20];
        MemorySegment segment = MemorySegment.ofArray(header);
        NetworkOrder.u16(segment, 0, sourcePort);
        NetworkOrder.u16(segment, 2, destinationPort);
        NetworkOrder.u32(segment, 4, sequenceNumber);
        NetworkOrder.u32(segment, 8, 1);
        NetworkOrder.u8(segment, 12, 5 << 4);
        NetworkOrder.u8(segment, 13, 0x10);
        NetworkOrder.u16(segment, 14, 65535);
        return header;
    }

    /** An IPv4 datagram as a router quotes it: header of a datagram of {@code totalLength}, then the first data bytes. */
    static byte[] quotedIpv4(int protocol, int source, int destination, int totalLength, byte[] firstDataBytes) {
        Ipv4Header header = Ipv4Header.of(protocol, source, destination, totalLength - 20);
        byte[] quote = new byte[header.headerLength() + firstDataBytes.length];
        MemorySegment segment = MemorySegment.ofArray(quote);
        int at = header.writeTo(segment, 0);
        MemorySegment.copy(MemorySegment.ofArray(firstDataBytes), 0, segment, at, firstDataBytes.length);
        return quote;
    }

    /** An IPv6 packet as a router quotes it: header claiming {@code payloadLength}, extensions, then the first upper-layer bytes. */
    static byte[] quotedIpv6(Ipv6Address source, Ipv6Address destination, int payloadLength,
                             List<Ipv6Header.Extension> extensions, int upperLayerProtocol, byte[] firstUpperBytes) {
        Ipv6Header header = new Ipv6Header(0, 0, payloadLength, 64, source, destination, extensions, upperLayerProtocol);
        byte[] quote = new byte[header.headerLength() + firstUpperBytes.length];
        MemorySegment segment = MemorySegment.ofArray(quote);
        int at = header.writeTo(segment, 0);
        MemorySegment.copy(MemorySegment.ofArray(firstUpperBytes), 0, segment, at, firstUpperBytes.length);
        return quote;
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    static byte[] prefix(byte[] bytes, int length) {
        byte[] cut = new byte[length];
        System.arraycopy(bytes, 0, cut, 0, length);
        return cut;
    }
}
