package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

/**
 * What must hold after any {@link FrameParser#parse}, whatever the bytes were: for the property
 * and fuzz tests, which feed it frames nobody checked by hand.
 *
 * <p>After {@link Malformed#NONE} every valid flyweight lies inside the frame, the layers agree
 * with each other, and each layer's record can be read with its {@code from}, written back with
 * its {@code writeTo} and read again to an equal record.
 */
final class FrameInvariants {
    private FrameInvariants() {}

    /** Checks {@code result}, which {@code parser} just returned for the frame of {@code length} bytes at {@code offset}. */
    static void check(FrameParser parser, Malformed result, MemorySegment segment, long offset, long length,
                      boolean verifyChecksums) {
        assertNotNull(result);
        if (result != Malformed.NONE) {
            assertEquals(FrameParser.Transport.NONE, parser.transport(), "a dropped frame has no transport: " + result);
            if (result == Malformed.IP_FRAGMENT) {
                assertTrue(parser.network() == FrameParser.Network.IPV4 || parser.network() == FrameParser.Network.IPV6,
                        "a fragment has a well-formed IP header");
            }
            return;
        }
        long frameEnd = offset + length;
        EthernetFlyweight ethernet = parser.ethernet();
        assertEquals(frameEnd, ethernet.payloadOffset() + ethernet.payloadLength(), "Ethernet payload ends the frame");
        assertEthernetRoundTrips(ethernet);
        switch (parser.network()) {
            case ARP -> {
                assertEquals(FrameParser.Transport.NONE, parser.transport());
                assertTrue(parser.arp().offset() + ArpFlyweight.LENGTH <= frameEnd);
                assertArpRoundTrips(parser.arp());
            }
            case IPV4 -> checkIpv4(parser, frameEnd, verifyChecksums);
            case IPV6 -> checkIpv6(parser, frameEnd, verifyChecksums);
            case NONE -> throw new AssertionError("NONE without a network layer");
        }
    }

    private static void checkIpv4(FrameParser parser, long frameEnd, boolean verifyChecksums) {
        Ipv4Flyweight ipv4 = parser.ipv4();
        assertEquals(parser.ethernet().payloadOffset(), ipv4.offset());
        int headerLength = ipv4.headerLength();
        assertTrue(headerLength >= Ipv4Flyweight.MINIMUM_HEADER_LENGTH && headerLength <= Ipv4Flyweight.MAXIMUM_HEADER_LENGTH);
        assertEquals(ipv4.totalLength() - headerLength, ipv4.payloadLength(), "payload from the total length, not the frame");
        assertTrue(ipv4.payloadOffset() + ipv4.payloadLength() <= frameEnd, "IPv4 payload inside the frame");
        assertFalse(ipv4.isFragment(), "fragments are not parsed further");
        if (verifyChecksums) {
            assertTrue(ipv4.checksumValid());
        }
        assertIpv4RoundTrips(ipv4);
        switch (parser.transport()) {
            case TCP -> {
                assertEquals(Ipv4Flyweight.PROTOCOL_TCP, ipv4.protocol());
                long pseudoHeaderSum = Checksum.pseudoHeaderIpv4(ipv4.source(), ipv4.destination(),
                        TcpFlyweight.IP_PROTOCOL, ipv4.payloadLength());
                assertEquals(pseudoHeaderSum, parser.pseudoHeaderSum());
                checkTcp(parser.tcp(), ipv4.payloadOffset(), ipv4.payloadLength(), frameEnd, verifyChecksums, pseudoHeaderSum);
            }
            case ICMPV4 -> {
                assertEquals(Ipv4Flyweight.PROTOCOL_ICMP, ipv4.protocol());
                Icmpv4Flyweight icmp = parser.icmpv4();
                assertEquals(ipv4.payloadOffset(), icmp.offset());
                assertEquals(ipv4.payloadLength(), icmp.length());
                assertTrue(icmp.length() >= Icmpv4Flyweight.HEADER_LENGTH);
                assertTrue(icmp.payloadOffset() + icmp.payloadLength() <= frameEnd, "ICMPv4 message inside the frame");
                if (verifyChecksums) {
                    assertTrue(icmp.checksumValid());
                }
                assertIcmpv4RoundTrips(icmp);
                if (icmp.isError()) {
                    checkQuotedIpv4(icmp.segment(), icmp.quotedDatagramOffset(), icmp.quotedDatagramLength());
                }
            }
            default -> throw new AssertionError("IPv4 carrying " + parser.transport());
        }
    }

    private static void checkIpv6(FrameParser parser, long frameEnd, boolean verifyChecksums) {
        Ipv6Flyweight ipv6 = parser.ipv6();
        assertEquals(parser.ethernet().payloadOffset(), ipv6.offset());
        assertTrue(ipv6.upperLayerLength() >= 0);
        assertTrue(ipv6.upperLayerOffset() >= ipv6.offset() + Ipv6Flyweight.FIXED_HEADER_LENGTH);
        assertEquals(ipv6.offset() + Ipv6Flyweight.FIXED_HEADER_LENGTH + ipv6.payloadLength(),
                ipv6.upperLayerOffset() + ipv6.upperLayerLength(), "the upper layer ends where the payload does");
        assertTrue(ipv6.upperLayerOffset() + ipv6.upperLayerLength() <= frameEnd, "IPv6 payload inside the frame");
        if (ipv6.isFragment()) {
            assertTrue(!ipv6.moreFragments() && ipv6.fragmentOffsetBytes() == 0, "only atomic fragments are parsed");
        }
        assertIpv6RoundTrips(ipv6);
        long pseudoHeaderSum = ipv6.pseudoHeaderSum();
        assertEquals(pseudoHeaderSum, parser.pseudoHeaderSum());
        switch (parser.transport()) {
            case TCP -> {
                assertEquals(Ipv6Flyweight.TCP, ipv6.upperLayerProtocol());
                checkTcp(parser.tcp(), ipv6.upperLayerOffset(), ipv6.upperLayerLength(), frameEnd, verifyChecksums,
                        pseudoHeaderSum);
            }
            case ICMPV6 -> {
                assertEquals(Ipv6Flyweight.ICMPV6, ipv6.upperLayerProtocol());
                Icmpv6Flyweight icmp = parser.icmpv6();
                assertEquals(ipv6.upperLayerOffset(), icmp.offset());
                assertEquals(ipv6.upperLayerLength(), icmp.messageLength());
                assertTrue(icmp.messageLength() >= Icmpv6Flyweight.minimumLength(icmp.type()));
                assertTrue(icmp.offset() + icmp.messageLength() <= frameEnd, "ICMPv6 message inside the frame");
                if (verifyChecksums) {
                    assertTrue(icmp.checksumValid(pseudoHeaderSum));
                }
                assertIcmpv6RoundTrips(icmp);
                if (Icmpv6Flyweight.isError(icmp.type())) {
                    checkQuotedIpv6(icmp.segment(), icmp.quotedPacketOffset(), icmp.quotedPacketLength());
                }
            }
            default -> throw new AssertionError("IPv6 carrying " + parser.transport());
        }
    }

    /**
     * An ICMP error quotes the datagram that caused it; the stack wraps the quote to find the
     * connection, so that wrap gets the same treatment: whatever the quote holds, it reports and
     * stays inside the quote.
     */
    private static void checkQuotedIpv4(MemorySegment segment, long quoteOffset, long quoteLength) {
        Ipv4Flyweight quoted = new Ipv4Flyweight();
        Malformed result = quoted.wrapQuoted(segment, quoteOffset, quoteLength);
        assertNotNull(result);
        if (result == Malformed.NONE) {
            assertTrue(quoted.payloadLength() >= 0);
            assertTrue(quoted.payloadOffset() + quoted.payloadLength() <= quoteOffset + quoteLength, "quoted data inside the quote");
            assertPrintable(Ipv4Header.from(quoted));
        }
    }

    private static void checkQuotedIpv6(MemorySegment segment, long quoteOffset, long quoteLength) {
        Ipv6Flyweight quoted = new Ipv6Flyweight();
        Malformed result = quoted.wrapQuoted(segment, quoteOffset, quoteLength);
        assertNotNull(result);
        if (result == Malformed.NONE) {
            assertTrue(quoted.upperLayerLength() >= 0);
            assertTrue(quoted.upperLayerOffset() + quoted.upperLayerLength() <= quoteOffset + quoteLength,
                    "quoted upper layer inside the quote");
            assertPrintable(Ipv6Header.from(quoted));
        }
    }

    private static void checkTcp(TcpFlyweight tcp, long segmentOffset, int segmentLength, long frameEnd,
                                 boolean verifyChecksums, long pseudoHeaderSum) {
        assertEquals(segmentOffset, tcp.offset());
        assertEquals(segmentLength, tcp.segmentLength());
        int headerLength = tcp.headerLength();
        assertTrue(headerLength >= TcpFlyweight.MIN_HEADER_LENGTH && headerLength <= TcpFlyweight.MAX_HEADER_LENGTH);
        assertTrue(tcp.payloadLength() >= 0, "TCP payload length " + tcp.payloadLength());
        assertTrue(tcp.payloadOffset() + tcp.payloadLength() <= frameEnd, "TCP payload inside the frame");
        if (verifyChecksums) {
            assertTrue(tcp.checksumValid(pseudoHeaderSum, segmentLength));
        }
        assertTcpRoundTrips(tcp);
    }

    private static void assertEthernetRoundTrips(EthernetFlyweight ethernet) {
        EthernetHeader header = EthernetHeader.from(ethernet);
        assertPrintable(header);
        MemorySegment copy = MemorySegment.ofArray(new byte[header.headerLength()]);
        assertEquals(header.headerLength(), header.writeTo(copy, 0));
        EthernetFlyweight again = new EthernetFlyweight();
        assertEquals(Malformed.NONE, again.wrap(copy, 0, copy.byteSize()));
        assertEquals(header, EthernetHeader.from(again));
    }

    private static void assertArpRoundTrips(ArpFlyweight arp) {
        ArpPacket packet = ArpPacket.from(arp);
        assertPrintable(packet);
        MemorySegment copy = MemorySegment.ofArray(new byte[ArpFlyweight.LENGTH]);
        packet.writeTo(copy, 0);
        ArpFlyweight again = new ArpFlyweight();
        assertEquals(Malformed.NONE, again.wrap(copy, 0, copy.byteSize()));
        assertEquals(packet, ArpPacket.from(again));
    }

    private static void assertIpv4RoundTrips(Ipv4Flyweight ipv4) {
        Ipv4Header header = Ipv4Header.from(ipv4);
        assertPrintable(header);
        MemorySegment copy = MemorySegment.ofArray(new byte[Math.max(header.headerLength(), header.totalLength())]);
        assertEquals(header.headerLength(), header.writeTo(copy, 0));
        Ipv4Flyweight again = new Ipv4Flyweight();
        assertEquals(Malformed.NONE, again.wrap(copy, 0, copy.byteSize()));
        assertEquals(header, Ipv4Header.from(again));
        assertEquals(ipv4.checksumValid(), again.checksumValid(), "the copy carries the same checksum over the same bytes");
    }

    private static void assertIpv6RoundTrips(Ipv6Flyweight ipv6) {
        Ipv6Header header = Ipv6Header.from(ipv6);
        assertPrintable(header);
        assertEquals(ipv6.extensionHeaderCount(), header.extensions().size());
        assertEquals(ipv6.headerLength(), header.headerLength());
        MemorySegment copy = MemorySegment.ofArray(new byte[Ipv6Flyweight.FIXED_HEADER_LENGTH + header.payloadLength()]);
        assertEquals(header.headerLength(), header.writeTo(copy, 0));
        Ipv6Flyweight again = new Ipv6Flyweight();
        assertEquals(Malformed.NONE, again.wrap(copy, 0, copy.byteSize()));
        assertEquals(header, Ipv6Header.from(again));
        assertEquals(ipv6.upperLayerLength(), again.upperLayerLength());
        assertEquals(ipv6.pseudoHeaderSum(), again.pseudoHeaderSum());
    }

    private static void assertTcpRoundTrips(TcpFlyweight tcp) {
        TcpSegment segment = TcpSegment.from(tcp);
        assertPrintable(segment);
        assertEquals(tcp.payloadLength(), segment.payload().length);
        if (!segment.header().options().fits()) {
            return; // packed more tightly than the record's layout: it cannot be written back as read
        }
        MemorySegment copy = MemorySegment.ofArray(new byte[segment.length()]);
        assertEquals(segment.length(), segment.writeTo(copy, 0));
        TcpFlyweight again = new TcpFlyweight();
        assertEquals(Malformed.NONE, again.wrap(copy, 0, copy.byteSize()), segment::toString);
        assertEquals(segment, TcpSegment.from(again));
    }

    private static void assertIcmpv4RoundTrips(Icmpv4Flyweight icmp) {
        Icmpv4Message message = Icmpv4Message.from(icmp);
        assertPrintable(message);
        MemorySegment copy = MemorySegment.ofArray(new byte[message.length()]);
        assertEquals(message.length(), message.writeTo(copy, 0));
        Icmpv4Flyweight again = new Icmpv4Flyweight();
        assertEquals(Malformed.NONE, again.wrap(copy, 0, copy.byteSize()));
        assertEquals(message, Icmpv4Message.from(again));
        assertEquals(icmp.checksumValid(), again.checksumValid(), "the copy carries the same checksum over the same bytes");
    }

    private static void assertIcmpv6RoundTrips(Icmpv6Flyweight icmp) {
        Icmpv6Message message = Icmpv6Message.from(icmp);
        assertPrintable(message);
        assertEquals(icmp.type(), message.type());
        MemorySegment copy = MemorySegment.ofArray(new byte[message.length()]);
        assertEquals(message.length(), message.writeTo(copy, 0));
        Icmpv6Flyweight again = new Icmpv6Flyweight();
        assertEquals(Malformed.NONE, again.wrap(copy, 0, copy.byteSize()), message::toString);
        assertEquals(message, Icmpv6Message.from(again));
    }

    /** Records of hostile bytes end up in logs and test failures: printing them must work. */
    private static void assertPrintable(Object record) {
        assertFalse(record.toString().isEmpty());
    }
}
