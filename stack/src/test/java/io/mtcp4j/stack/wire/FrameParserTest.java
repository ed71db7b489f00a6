package io.mtcp4j.stack.wire;

import static io.mtcp4j.stack.testing.Allocations.bytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.FrameParser.Network;
import io.mtcp4j.stack.wire.FrameParser.Transport;
import io.mtcp4j.stack.wire.Ipv6Header.Extension;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FrameParser}: every path through the layers, checksum verification on and off, the
 * reason each layer gives for a broken frame, fragments, protocols the stack does not handle,
 * reuse of one parser, and no allocation per frame.
 *
 * <p>Frames are built from the wire records by {@link WireFrame}, which makes the layers agree
 * and fills in the checksums; each test then breaks one thing in the bytes.
 */
class FrameParserTest {
    // Locally administered unicast MACs (the second-lowest bit of the first byte set).
    private static final long CLIENT_MAC = 0x02_00_00_00_00_01L;
    private static final long SERVER_MAC = 0x02_00_00_00_00_02L;
    private static final int CLIENT_IPV4 = TcpTestBytes.CLIENT_ADDRESS; // 192.168.1.2
    private static final int SERVER_IPV4 = TcpTestBytes.SERVER_ADDRESS; // 192.168.1.1
    // Documentation prefix (RFC 3849).
    private static final Ipv6Address CLIENT_IPV6 = Ipv6Address.parse("2001:db8::2");
    private static final Ipv6Address SERVER_IPV6 = Ipv6Address.parse("2001:db8::1");

    /** IPv4 Router Alert option (RFC 2113): type 148 (copied, class 0, number 20), length 4, value 0. */
    private static final byte[] ROUTER_ALERT = {(byte) 0x94, 0x04, 0x00, 0x00};
    private static final byte[] HTTP_REQUEST_LINE = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int UDP = 17;

    private final FrameParser parser = new FrameParser();

    // ---------------------------------------------------------------------------------------------
    // Frames

    private static EthernetHeader toServer() {
        return EthernetHeader.untagged(SERVER_MAC, CLIENT_MAC, 0);
    }

    /** An IPv4 header template; {@link WireFrame#of} fills in protocol, total length and checksum. */
    private static Ipv4Header ipv4Header(int flags, int fragmentOffsetBytes, byte[] options, int protocol) {
        return new Ipv4Header(0, 0, 0, 0x1234, flags, fragmentOffsetBytes, Ipv4Header.DEFAULT_TTL, protocol, 0,
                CLIENT_IPV4, SERVER_IPV4, options);
    }

    private static Ipv4Header ipv4Header() {
        return ipv4Header(Ipv4Flyweight.FLAG_DONT_FRAGMENT, 0, new byte[0], 0);
    }

    /** An IPv6 header template; {@link WireFrame#of} fills in the payload length and, for records, the protocol. */
    private static Ipv6Header ipv6Header(List<Extension> extensions, int upperLayerProtocol) {
        return new Ipv6Header(0, 0x12345, 0, 64, CLIENT_IPV6, SERVER_IPV6, extensions, upperLayerProtocol);
    }

    private static Ipv6Header ipv6Header() {
        return ipv6Header(List.of(), 0);
    }

    /** A request with timestamps and one SACK block: 40000 -> 80, PSH+ACK. */
    private static TcpSegment dataSegment() {
        TcpOptionSet options = TcpOptionSet.NONE.withTimestamps(2, 1).withSackBlocks(7000, 8000);
        return new TcpSegment(new TcpHeader(40000, 80, 1001, 5001, TcpFlyweight.FLAG_PSH | TcpFlyweight.FLAG_ACK,
                502, 0, 0, options), HTTP_REQUEST_LINE);
    }

    /** A SYN with Linux's options: MSS, SACK-permitted, timestamps, window scale. */
    private static TcpSegment synSegment() {
        TcpOptionSet options = TcpOptionSet.NONE.withMss(1440).withSackPermitted(true).withTimestamps(1, 0)
                .withWindowScale(7);
        return new TcpSegment(new TcpHeader(40000, 443, 1000, 0, TcpFlyweight.FLAG_SYN, 64800, 0, 0, options), new byte[0]);
    }

    /** An acknowledgment without options carrying {@code payload}. */
    private static TcpSegment ackSegment(byte[] payload) {
        return new TcpSegment(new TcpHeader(40000, 80, 1001, 5001, TcpFlyweight.FLAG_ACK, 502, 0, 0, TcpOptionSet.NONE),
                payload);
    }

    private static WireFrame ipv4Tcp() {
        return WireFrame.of(toServer(), new WireFrame.Ipv4(
                ipv4Header(Ipv4Flyweight.FLAG_DONT_FRAGMENT, 0, ROUTER_ALERT, 0), new WireFrame.Tcp(dataSegment())), 0);
    }

    private static WireFrame ipv4Icmp() {
        byte[] data = new byte[56];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (0x10 + i); // ping's pattern after its timestamp
        }
        return WireFrame.of(toServer(), new WireFrame.Ipv4(ipv4Header(),
                new WireFrame.Icmpv4(Icmpv4Message.echoRequest(0x1c2d, 7, data))), 0);
    }

    private static WireFrame ipv6Tcp() {
        return WireFrame.of(toServer(), new WireFrame.Ipv6(ipv6Header(), new WireFrame.Tcp(synSegment())), 0);
    }

    /** Hop-by-hop options, a routing header with no segments left, destination options, then TCP. */
    private static WireFrame ipv6ExtensionsTcp() {
        // Routing header body: routing type 0, segments left 0 (RFC 8200 4.4: ignored, go on), 4 reserved bytes.
        Extension routing = new Extension(Ipv6Flyweight.ROUTING, new byte[6]);
        List<Extension> extensions = List.of(
                Extension.padding(Ipv6Flyweight.HOP_BY_HOP_OPTIONS, 8),
                routing,
                Extension.padding(Ipv6Flyweight.DESTINATION_OPTIONS, 16));
        return WireFrame.of(toServer(), new WireFrame.Ipv6(ipv6Header(extensions, 0), new WireFrame.Tcp(dataSegment())), 0);
    }

    /** "Who has 2001:db8::1?" to its solicited-node group, with the asker's MAC (RFC 4861 4.3, 7.2.2). */
    private static WireFrame ipv6NeighborSolicitation() {
        Ipv6Address group = SERVER_IPV6.solicitedNode();
        Ipv6Header header = new Ipv6Header(0, 0, 0, 255, CLIENT_IPV6, group, List.of(), 0);
        Icmpv6Message solicitation = new Icmpv6Message.NeighborSolicitation(SERVER_IPV6, OptionalLong.of(CLIENT_MAC));
        return WireFrame.of(EthernetHeader.untagged(group.multicastMac(), CLIENT_MAC, 0),
                new WireFrame.Ipv6(header, new WireFrame.Icmpv6(solicitation)), 0);
    }

    private static WireFrame vlanIpv4Tcp() {
        return WireFrame.of(EthernetHeader.tagged(SERVER_MAC, CLIENT_MAC, 5, 100, 0),
                new WireFrame.Ipv4(ipv4Header(), new WireFrame.Tcp(dataSegment())), 0);
    }

    /** An ARP request padded to the 60-byte minimum frame: 14 + 28 + 18. */
    private static WireFrame arpRequest() {
        return WireFrame.of(EthernetHeader.untagged(MacAddress.BROADCAST, CLIENT_MAC, 0),
                new WireFrame.Arp(ArpPacket.request(CLIENT_MAC, CLIENT_IPV4, SERVER_IPV4)), 18);
    }

    private static WireFrame ipv4Other(int protocol, byte[] bytes) {
        return WireFrame.of(toServer(), new WireFrame.Ipv4(
                ipv4Header(Ipv4Flyweight.FLAG_DONT_FRAGMENT, 0, new byte[0], protocol), new WireFrame.OtherUpper(bytes)), 0);
    }

    private static WireFrame ipv6Other(List<Extension> extensions, int protocol, byte[] bytes) {
        return WireFrame.of(toServer(), new WireFrame.Ipv6(ipv6Header(extensions, protocol), new WireFrame.OtherUpper(bytes)), 0);
    }

    private static WireFrame otherEtherType(int etherType, byte[] bytes) {
        return WireFrame.of(EthernetHeader.untagged(SERVER_MAC, CLIENT_MAC, etherType), new WireFrame.OtherNetwork(bytes), 0);
    }

    /** A UDP header (RFC 768): 5353 -> 5353, length 8, no checksum. */
    private static byte[] udpHeader() {
        return TcpTestBytes.hex("14e9 14e9 0008 0000");
    }

    private static Transport transportOf(WireFrame frame) {
        return switch (frame.upper()) {
            case WireFrame.Tcp _ -> Transport.TCP;
            case WireFrame.Icmpv4 _ -> Transport.ICMPV4;
            case WireFrame.Icmpv6 _ -> Transport.ICMPV6;
            case WireFrame.OtherUpper _ -> Transport.NONE;
        };
    }

    private static Network networkOf(WireFrame frame) {
        return switch (frame.network()) {
            case WireFrame.Arp _ -> Network.ARP;
            case WireFrame.Ipv4 _ -> Network.IPV4;
            case WireFrame.Ipv6 _ -> Network.IPV6;
            case WireFrame.OtherNetwork _ -> Network.NONE;
        };
    }

    /** Parses a copy of exactly these bytes, so a read past the frame's end would throw. */
    private Malformed parse(byte[] frame, boolean verifyChecksums) {
        byte[] copy = frame.clone();
        return parser.parse(MemorySegment.ofArray(copy), 0, copy.length, verifyChecksums);
    }

    /** Parses with and without checksum verification, expecting the same result both times; returns it. */
    private Malformed parseBothWays(byte[] frame) {
        Malformed unverified = parse(frame, false);
        Malformed verified = parse(frame, true);
        assertEquals(unverified, verified, "the result does not depend on checksum verification");
        return verified;
    }

    private static byte[] withByte(byte[] frame, int offset, int value) {
        byte[] changed = frame.clone();
        changed[offset] = (byte) value;
        return changed;
    }

    private static byte[] withU16(byte[] frame, int offset, int value) {
        byte[] changed = frame.clone();
        NetworkOrder.u16(MemorySegment.ofArray(changed), offset, value);
        return changed;
    }

    private static byte[] cut(byte[] frame, int length) {
        return Arrays.copyOf(frame, length);
    }

    // ---------------------------------------------------------------------------------------------
    // Every path through the layers

    @Test
    void arpRequestInAPaddedFrame() {
        WireFrame frame = arpRequest();
        assertEquals(60, frame.length());

        assertEquals(Malformed.NONE, parseBothWays(frame.bytes()));
        assertEquals(Network.ARP, parser.network());
        assertEquals(Transport.NONE, parser.transport());
        assertEquals(frame.ethernet(), EthernetHeader.from(parser.ethernet()));
        assertEquals(((WireFrame.Arp) frame.network()).packet(), ArpPacket.from(parser.arp()));
        assertTrue(parser.arp().isRequest());
        assertEquals(SERVER_IPV4, parser.arp().targetIp());
        assertEquals(CLIENT_MAC, parser.arp().senderMac());
    }

    @Test
    void ipv4WithOptionsCarryingTcpWithOptionsAndData() {
        WireFrame frame = ipv4Tcp();
        WireFrame.Ipv4 ipv4 = (WireFrame.Ipv4) frame.network();
        TcpSegment segment = ((WireFrame.Tcp) ipv4.upper()).segment();

        assertEquals(Malformed.NONE, parse(frame.bytes(), true));
        assertEquals(Network.IPV4, parser.network());
        assertEquals(Transport.TCP, parser.transport());
        assertEquals(frame.ethernet(), EthernetHeader.from(parser.ethernet()));
        assertEquals(ipv4.header(), Ipv4Header.from(parser.ipv4()));
        assertEquals(segment, TcpSegment.from(parser.tcp()));

        // Where each layer starts: Ethernet 14, IPv4 24 with the router alert, TCP 20 + 12 (timestamps) + 12 (SACK).
        assertEquals(14, parser.ipv4().offset());
        assertEquals(4, parser.ipv4().optionsLength());
        assertEquals(14 + 24, parser.tcp().offset());
        assertEquals(44, parser.tcp().headerLength());
        assertEquals(14 + 24 + 44, parser.tcp().payloadOffset());
        assertEquals(HTTP_REQUEST_LINE.length, parser.tcp().payloadLength());
        assertEquals(frame.length(), parser.tcp().payloadOffset() + parser.tcp().payloadLength());

        assertEquals(40000, parser.tcp().sourcePort());
        assertEquals(80, parser.tcp().destinationPort());
        assertEquals(1001, parser.tcp().sequenceNumber());
        assertTrue(parser.tcp().options().hasTimestamps());
        assertEquals(2, parser.tcp().options().timestampValue());
        assertEquals(1, parser.tcp().options().sackBlockCount());
        assertEquals(7000, parser.tcp().options().sackLeft(0));
        assertEquals(Checksum.pseudoHeaderIpv4(CLIENT_IPV4, SERVER_IPV4, TcpFlyweight.IP_PROTOCOL, segment.length()),
                parser.pseudoHeaderSum());

        assertEquals(Malformed.NONE, parse(frame.bytes(), false));
        assertEquals(Transport.TCP, parser.transport());
    }

    @Test
    void ipv4CarryingAnIcmpEchoRequest() {
        WireFrame frame = ipv4Icmp();
        Icmpv4Message echo = ((WireFrame.Icmpv4) frame.upper()).message();

        assertEquals(Malformed.NONE, parseBothWays(frame.bytes()));
        assertEquals(Network.IPV4, parser.network());
        assertEquals(Transport.ICMPV4, parser.transport());
        assertEquals(((WireFrame.Ipv4) frame.network()).header(), Ipv4Header.from(parser.ipv4()));
        assertEquals(echo, Icmpv4Message.from(parser.icmpv4()));
        assertEquals(Icmpv4Flyweight.TYPE_ECHO_REQUEST, parser.icmpv4().type());
        assertEquals(0x1c2d, parser.icmpv4().identifier());
        assertEquals(7, parser.icmpv4().sequenceNumber());
        assertEquals(8 + 56, parser.icmpv4().length());
        assertEquals(0, parser.pseudoHeaderSum(), "ICMPv4 has no pseudo-header");
    }

    @Test
    void ipv6CarryingTcp() {
        WireFrame frame = ipv6Tcp();
        WireFrame.Ipv6 ipv6 = (WireFrame.Ipv6) frame.network();
        TcpSegment segment = ((WireFrame.Tcp) ipv6.upper()).segment();

        assertEquals(Malformed.NONE, parseBothWays(frame.bytes()));
        assertEquals(Network.IPV6, parser.network());
        assertEquals(Transport.TCP, parser.transport());
        assertEquals(ipv6.header(), Ipv6Header.from(parser.ipv6()));
        assertEquals(segment, TcpSegment.from(parser.tcp()));
        assertEquals(14 + 40, parser.tcp().offset());
        assertEquals(0, parser.tcp().payloadLength());
        assertTrue(parser.tcp().hasFlags(TcpFlyweight.FLAG_SYN));
        assertEquals(1440, parser.tcp().options().mss());
        assertEquals(7, parser.tcp().options().windowScale());
        assertTrue(parser.tcp().options().sackPermitted());
        assertEquals(parser.ipv6().pseudoHeaderSum(TcpFlyweight.IP_PROTOCOL, segment.length()), parser.pseudoHeaderSum());
    }

    @Test
    void ipv6ExtensionHeadersAreWalkedToTcp() {
        WireFrame frame = ipv6ExtensionsTcp();
        WireFrame.Ipv6 ipv6 = (WireFrame.Ipv6) frame.network();
        TcpSegment segment = ((WireFrame.Tcp) ipv6.upper()).segment();

        assertEquals(Malformed.NONE, parse(frame.bytes(), true));
        assertEquals(Transport.TCP, parser.transport());
        assertEquals(3, parser.ipv6().extensionHeaderCount());
        assertFalse(parser.ipv6().isFragment());
        // 40 fixed + 8 hop-by-hop + 8 routing + 16 destination options.
        assertEquals(14 + 72, parser.tcp().offset());
        // The pseudo-header and the checksum cover TCP only, not the extension headers.
        assertEquals(segment.length(), parser.ipv6().upperLayerLength());
        assertEquals(segment.length(), parser.tcp().segmentLength());
        assertEquals(ipv6.header(), Ipv6Header.from(parser.ipv6()));
        assertEquals(segment, TcpSegment.from(parser.tcp()));
        assertArrayEquals(HTTP_REQUEST_LINE, TcpSegment.from(parser.tcp()).payload());
    }

    @Test
    void ipv6CarryingANeighborSolicitation() {
        WireFrame frame = ipv6NeighborSolicitation();
        Icmpv6Message solicitation = ((WireFrame.Icmpv6) frame.upper()).message();

        assertEquals(Malformed.NONE, parseBothWays(frame.bytes()));
        assertEquals(Network.IPV6, parser.network());
        assertEquals(Transport.ICMPV6, parser.transport());
        assertEquals(solicitation, Icmpv6Message.from(parser.icmpv6()));
        assertEquals(Icmpv6Flyweight.NEIGHBOR_SOLICITATION, parser.icmpv6().type());
        assertEquals(SERVER_IPV6, new Ipv6Address(parser.icmpv6().targetHigh(), parser.icmpv6().targetLow()));
        assertEquals(CLIENT_MAC, parser.icmpv6().sourceLinkLayerAddress());
        assertEquals(255, parser.ipv6().hopLimit());
        assertEquals(24 + 8, parser.icmpv6().messageLength());
        assertEquals(parser.ipv6().pseudoHeaderSum(Ipv6Flyweight.ICMPV6, 32), parser.pseudoHeaderSum());
    }

    @Test
    void vlanTaggedIpv4Tcp() {
        WireFrame frame = vlanIpv4Tcp();

        assertEquals(Malformed.NONE, parseBothWays(frame.bytes()));
        assertEquals(Transport.TCP, parser.transport());
        assertTrue(parser.ethernet().isTagged());
        assertEquals(100, parser.ethernet().vlanId());
        assertEquals(5, parser.ethernet().priority());
        assertEquals(EthernetFlyweight.ETHERTYPE_IPV4, parser.ethernet().etherType());
        assertEquals(18, parser.ipv4().offset());
        assertEquals(18 + 20, parser.tcp().offset());
        assertEquals(frame.ethernet(), EthernetHeader.from(parser.ethernet()));
        assertEquals(((WireFrame.Tcp) frame.upper()).segment(), TcpSegment.from(parser.tcp()));
    }

    /**
     * A pure ACK is 54 bytes, so Ethernet pads it to 60 (IEEE 802.3 minimum without FCS). The TCP
     * length comes from the IPv4 total length: counting the padding would make a 6-byte payload of
     * it and break the checksum.
     */
    @ParameterizedTest(name = "TCP payload of {0} bytes")
    @ValueSource(ints = {0, 1, 5})
    void ethernetPaddingAfterAShortIpv4PacketIsNotTcpData(int payloadBytes) {
        byte[] payload = Arrays.copyOf(HTTP_REQUEST_LINE, payloadBytes);
        int unpadded = 14 + 20 + 20 + payloadBytes;
        WireFrame frame = WireFrame.of(toServer(),
                new WireFrame.Ipv4(ipv4Header(), new WireFrame.Tcp(ackSegment(payload))), 60 - unpadded);
        assertEquals(60, frame.length());

        assertEquals(Malformed.NONE, parseBothWays(frame.bytes()));
        assertEquals(Transport.TCP, parser.transport());
        assertEquals(46, parser.ethernet().payloadLength());
        assertEquals(20 + payloadBytes, parser.ipv4().payloadLength());
        assertEquals(20 + payloadBytes, parser.tcp().segmentLength());
        assertEquals(payloadBytes, parser.tcp().payloadLength());
        assertArrayEquals(payload, TcpSegment.from(parser.tcp()).payload());
    }

    @Test
    void ethernetPaddingAfterAShortIcmpEchoIsNotIcmpData() {
        // 8 + 3 bytes of ICMP: an odd length, so a checksum that ran on into the padding would differ.
        WireFrame frame = WireFrame.of(toServer(), new WireFrame.Ipv4(ipv4Header(),
                new WireFrame.Icmpv4(Icmpv4Message.echoRequest(1, 1, new byte[] {1, 2, 3}))), 60 - (14 + 20 + 11));

        assertEquals(Malformed.NONE, parseBothWays(frame.bytes()));
        assertEquals(Transport.ICMPV4, parser.transport());
        assertEquals(11, parser.icmpv4().length());
        assertArrayEquals(new byte[] {1, 2, 3}, Icmpv4Message.from(parser.icmpv4()).data());
    }

    @Test
    void bytesAfterAnIpv6PacketAreNotTcpData() {
        WireFrame unpadded = ipv6ExtensionsTcp();
        WireFrame frame = new WireFrame(unpadded.ethernet(), unpadded.network(), 7);

        assertEquals(Malformed.NONE, parseBothWays(frame.bytes()));
        assertEquals(HTTP_REQUEST_LINE.length, parser.tcp().payloadLength());
        assertEquals(frame.length() - 7, parser.tcp().payloadOffset() + parser.tcp().payloadLength());
    }

    @Test
    void aFrameInsideALargerBufferIsParsedWhereItIs() {
        byte[] frame = ipv4Tcp().bytes();
        byte[] buffer = new byte[7 + frame.length + 9];
        Arrays.fill(buffer, (byte) 0xff);
        System.arraycopy(frame, 0, buffer, 7, frame.length);

        assertEquals(Malformed.NONE, parser.parse(MemorySegment.ofArray(buffer), 7, frame.length, true));
        assertEquals(7, parser.ethernet().offset());
        assertEquals(7 + 14, parser.ipv4().offset());
        assertEquals(7 + frame.length, parser.tcp().payloadOffset() + parser.tcp().payloadLength());
        assertArrayEquals(HTTP_REQUEST_LINE, TcpSegment.from(parser.tcp()).payload());
    }

    @Test
    void aRangeOutsideTheSegmentIsACallerBug() {
        MemorySegment frame = MemorySegment.ofArray(ipv4Tcp().bytes());
        long size = frame.byteSize();
        assertThrows(IndexOutOfBoundsException.class, () -> parser.parse(frame, 0, size + 1, true));
        assertThrows(IndexOutOfBoundsException.class, () -> parser.parse(frame, -1, 20, true));
        assertThrows(IndexOutOfBoundsException.class, () -> parser.parse(frame, size, 1, false));
    }

    // ---------------------------------------------------------------------------------------------
    // Checksums

    /** Each checksum the parser verifies, and where a byte of what it covers sits in the frame. */
    static Stream<Arguments> checksummedBytes() {
        List<Arguments> cases = new ArrayList<>();
        WireFrame ipv4Tcp = ipv4Tcp();
        WireFrame ipv4Icmp = ipv4Icmp();
        WireFrame ipv6Tcp = ipv6Tcp();
        WireFrame ipv6ExtensionsTcp = ipv6ExtensionsTcp();
        WireFrame ipv6Icmp = ipv6NeighborSolicitation();
        WireFrame vlan = vlanIpv4Tcp();
        for (int fieldByte = 0; fieldByte < 2; fieldByte++) {
            cases.add(Arguments.of("IPv4 header checksum", ipv4Tcp,
                    ipv4Tcp.networkOffset() + Ipv4Flyweight.HEADER_CHECKSUM_OFFSET + fieldByte, Malformed.IPV4_BAD_CHECKSUM));
            cases.add(Arguments.of("TCP checksum in IPv4", ipv4Tcp,
                    ipv4Tcp.upperOffset() + TcpFlyweight.CHECKSUM_OFFSET + fieldByte, Malformed.TCP_BAD_CHECKSUM));
            cases.add(Arguments.of("TCP checksum in tagged IPv4", vlan,
                    vlan.upperOffset() + TcpFlyweight.CHECKSUM_OFFSET + fieldByte, Malformed.TCP_BAD_CHECKSUM));
            cases.add(Arguments.of("ICMPv4 checksum", ipv4Icmp,
                    ipv4Icmp.upperOffset() + Icmpv4Flyweight.CHECKSUM_OFFSET + fieldByte, Malformed.ICMPV4_BAD_CHECKSUM));
            cases.add(Arguments.of("TCP checksum in IPv6", ipv6Tcp,
                    ipv6Tcp.upperOffset() + TcpFlyweight.CHECKSUM_OFFSET + fieldByte, Malformed.TCP_BAD_CHECKSUM));
            cases.add(Arguments.of("TCP checksum in IPv6 behind extension headers", ipv6ExtensionsTcp,
                    ipv6ExtensionsTcp.upperOffset() + TcpFlyweight.CHECKSUM_OFFSET + fieldByte, Malformed.TCP_BAD_CHECKSUM));
            cases.add(Arguments.of("ICMPv6 checksum", ipv6Icmp,
                    ipv6Icmp.upperOffset() + Icmpv6Flyweight.CHECKSUM_OFFSET + fieldByte, Malformed.ICMPV6_BAD_CHECKSUM));
        }
        // What the checksums cover besides their own fields: an IPv4 option, the last data byte,
        // an address in the pseudo-header, the last byte of an ICMP message.
        cases.add(Arguments.of("IPv4 option byte", ipv4Tcp,
                ipv4Tcp.networkOffset() + Ipv4Flyweight.OPTIONS_OFFSET + 1, Malformed.IPV4_BAD_CHECKSUM));
        cases.add(Arguments.of("last TCP data byte in IPv4", ipv4Tcp, ipv4Tcp.length() - 1, Malformed.TCP_BAD_CHECKSUM));
        cases.add(Arguments.of("IPv6 source address (pseudo-header)", ipv6Tcp,
                ipv6Tcp.networkOffset() + Ipv6Flyweight.SOURCE_ADDRESS_OFFSET + 15, Malformed.TCP_BAD_CHECKSUM));
        cases.add(Arguments.of("last ICMPv4 data byte", ipv4Icmp, ipv4Icmp.length() - 1, Malformed.ICMPV4_BAD_CHECKSUM));
        cases.add(Arguments.of("ICMPv6 link-layer address", ipv6Icmp, ipv6Icmp.length() - 1, Malformed.ICMPV6_BAD_CHECKSUM));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, byte {2}")
    @MethodSource("checksummedBytes")
    void aCorruptedChecksumIsReportedOnlyWhenVerifying(String what, WireFrame frame, int offset, Malformed reason) {
        assertEquals(Malformed.NONE, parse(frame.bytes(), true), "the intact frame verifies");
        byte[] corrupted = frame.bytes();
        corrupted[offset] ^= 0x21;

        assertEquals(reason, parse(corrupted, true));
        assertEquals(Transport.NONE, parser.transport());
        // The network layer counts as found once its own header is good: not when that is what failed.
        assertEquals(reason == Malformed.IPV4_BAD_CHECKSUM ? Network.NONE : networkOf(frame), parser.network());

        assertEquals(Malformed.NONE, parse(corrupted, false), "with receive checksum offload the device has checked");
        assertEquals(networkOf(frame), parser.network());
        assertEquals(transportOf(frame), parser.transport());
    }

    // ---------------------------------------------------------------------------------------------
    // Errors at each layer

    /** Frames broken at one layer, the reason that layer gives, and the network layer found before it. */
    static Stream<Arguments> brokenFrames() {
        byte[] ipv4Tcp = ipv4Tcp().bytes();
        byte[] ipv6Tcp = ipv6Tcp().bytes();
        byte[] arp = arpRequest().bytes();
        byte[] solicitation = ipv6NeighborSolicitation().bytes();
        int ip = 14;
        byte[] reset = TcpTestBytes.reset();
        byte[] nineExtensions = ipv6Other(Collections.nCopies(9, Extension.padding(Ipv6Flyweight.DESTINATION_OPTIONS, 8)),
                Ipv6Flyweight.NO_NEXT_HEADER, new byte[0]).bytes();
        byte[] hopByHopThenTcp = ipv6Other(List.of(Extension.padding(Ipv6Flyweight.HOP_BY_HOP_OPTIONS, 8)),
                Ipv6Flyweight.TCP, reset).bytes();
        byte[] solicitationBody = Arrays.copyOfRange(solicitation, 14 + 40, solicitation.length);
        return Stream.of(
                // Ethernet
                Arguments.of("13 bytes", cut(ipv4Tcp, 13), Malformed.ETHERNET_TRUNCATED, Network.NONE),
                Arguments.of("802.1Q tag without its EtherType", cut(vlanIpv4Tcp().bytes(), 17),
                        Malformed.ETHERNET_TRUNCATED, Network.NONE),
                Arguments.of("IEEE 802.3 length 1500 instead of an EtherType", withU16(ipv4Tcp, 12, 1500),
                        Malformed.ETHERNET_NOT_ETHERNET_II, Network.NONE),
                // ARP
                Arguments.of("ARP without its address lengths", cut(arp, 14 + 7), Malformed.ARP_TRUNCATED, Network.NONE),
                Arguments.of("ARP without its last address byte", cut(arp, 14 + 27), Malformed.ARP_TRUNCATED, Network.NONE),
                Arguments.of("ARP for IEEE 802 hardware (type 6)", withU16(arp, 14 + ArpFlyweight.HARDWARE_TYPE_OFFSET, 6),
                        Malformed.ARP_UNSUPPORTED_HARDWARE, Network.NONE),
                Arguments.of("ARP for IPv6 addresses", withU16(arp, 14 + ArpFlyweight.PROTOCOL_TYPE_OFFSET, 0x86dd),
                        Malformed.ARP_UNSUPPORTED_PROTOCOL, Network.NONE),
                Arguments.of("RARP request (operation 3)", withU16(arp, 14 + ArpFlyweight.OPERATION_OFFSET, 3),
                        Malformed.ARP_UNSUPPORTED_OPERATION, Network.NONE),
                // IPv4
                Arguments.of("IPv4 header of 19 bytes", cut(ipv4Tcp, ip + 19), Malformed.IPV4_TRUNCATED, Network.NONE),
                Arguments.of("IPv4 options cut off", cut(ipv4Tcp, ip + 22), Malformed.IPV4_TRUNCATED, Network.NONE),
                Arguments.of("version 6 under the IPv4 EtherType", withByte(ipv4Tcp, ip, 0x66),
                        Malformed.IPV4_BAD_VERSION, Network.NONE),
                Arguments.of("IHL 4 words", withByte(ipv4Tcp, ip, 0x44), Malformed.IPV4_BAD_HEADER_LENGTH, Network.NONE),
                Arguments.of("total length 23, inside the 24-byte header", withU16(ipv4Tcp, ip + 2, 23),
                        Malformed.IPV4_TOTAL_LENGTH_TOO_SHORT, Network.NONE),
                Arguments.of("total length one past the frame", withU16(ipv4Tcp, ip + 2, ipv4Tcp.length - ip + 1),
                        Malformed.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME, Network.NONE),
                Arguments.of("IPv4 packet cut inside TCP", cut(ipv4Tcp, ipv4Tcp.length - 1),
                        Malformed.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME, Network.NONE),
                // TCP in IPv4: the IP length says how much TCP there is
                Arguments.of("TCP header of 19 bytes", ipv4Other(6, cut(reset, 19)).bytes(), Malformed.TCP_TRUNCATED, Network.IPV4),
                Arguments.of("TCP data offset past the segment", ipv4Other(6, withByte(reset, 12, 0x60)).bytes(),
                        Malformed.TCP_TRUNCATED, Network.IPV4),
                Arguments.of("TCP data offset 4 words", ipv4Other(6, withByte(reset, 12, 0x40)).bytes(),
                        Malformed.TCP_BAD_DATA_OFFSET, Network.IPV4),
                Arguments.of("TCP option of length 1", ipv4Other(6, TcpTestBytes.headerWithOptions("02 01 0000")).bytes(),
                        Malformed.TCP_OPTION_BAD_LENGTH, Network.IPV4),
                Arguments.of("TCP option past the header", ipv4Other(6, TcpTestBytes.headerWithOptions("01 08 0a 00")).bytes(),
                        Malformed.TCP_OPTION_PAST_HEADER, Network.IPV4),
                Arguments.of("TCP MSS option of 3 bytes", ipv4Other(6, TcpTestBytes.headerWithOptions("02 03 05 00")).bytes(),
                        Malformed.TCP_OPTION_WRONG_SIZE, Network.IPV4),
                // ICMPv4
                Arguments.of("ICMPv4 message of 7 bytes", ipv4Other(1, new byte[] {8, 0, 0, 0, 0, 1, 0}).bytes(),
                        Malformed.ICMPV4_TRUNCATED, Network.IPV4),
                // IPv6
                Arguments.of("IPv6 header of 39 bytes", cut(ipv6Tcp, ip + 39), Malformed.IPV6_TRUNCATED, Network.NONE),
                Arguments.of("version 4 under the IPv6 EtherType", withByte(ipv6Tcp, ip, 0x40),
                        Malformed.IPV6_BAD_VERSION, Network.NONE),
                Arguments.of("IPv6 packet cut inside TCP", cut(ipv6Tcp, ipv6Tcp.length - 1),
                        Malformed.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME, Network.NONE),
                Arguments.of("payload length ends inside the hop-by-hop header",
                        withU16(hopByHopThenTcp, ip + Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET, 6),
                        Malformed.IPV6_EXTENSION_TRUNCATED, Network.NONE),
                Arguments.of("payload length ends between the two header bytes",
                        withU16(hopByHopThenTcp, ip + Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET, 1),
                        Malformed.IPV6_EXTENSION_TRUNCATED, Network.NONE),
                Arguments.of("nine extension headers", nineExtensions, Malformed.IPV6_TOO_MANY_EXTENSIONS, Network.NONE),
                // TCP in IPv6
                Arguments.of("TCP header of 19 bytes behind hop-by-hop",
                        withU16(hopByHopThenTcp, ip + Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET, 8 + 19),
                        Malformed.TCP_TRUNCATED, Network.IPV6),
                // ICMPv6
                Arguments.of("neighbor solicitation of 23 bytes",
                        ipv6Other(List.of(), Ipv6Flyweight.ICMPV6, cut(solicitationBody, 23)).bytes(),
                        Malformed.ICMPV6_TRUNCATED, Network.IPV6),
                Arguments.of("echo request of 7 bytes",
                        ipv6Other(List.of(), Ipv6Flyweight.ICMPV6, new byte[] {(byte) 128, 0, 0, 0, 0, 1, 0}).bytes(),
                        Malformed.ICMPV6_TRUNCATED, Network.IPV6),
                Arguments.of("unknown error type 126 without the 32-bit word of every error",
                        ipv6Other(List.of(), Ipv6Flyweight.ICMPV6, new byte[] {126, 0, 0, 0}).bytes(),
                        Malformed.ICMPV6_TRUNCATED, Network.IPV6),
                Arguments.of("neighbor solicitation option of length 0",
                        ipv6Other(List.of(), Ipv6Flyweight.ICMPV6, withByte(solicitationBody, 24 + 1, 0)).bytes(),
                        Malformed.ICMPV6_BAD_OPTION, Network.IPV6));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFrames")
    void aBrokenLayerIsReportedAsThatLayersReason(String what, byte[] frame, Malformed reason, Network network) {
        assertEquals(reason, parseBothWays(frame));
        assertEquals(network, parser.network());
        assertEquals(Transport.NONE, parser.transport());
    }

    @Test
    void eightExtensionHeadersAreStillFollowed() {
        byte[] frame = ipv6Other(Collections.nCopies(8, Extension.padding(Ipv6Flyweight.DESTINATION_OPTIONS, 8)),
                Ipv6Flyweight.TCP, TcpTestBytes.reset()).bytes();
        // The reset's checksum is not filled: only the walk is under test.
        assertEquals(Malformed.NONE, parse(frame, false));
        assertEquals(8, parser.ipv6().extensionHeaderCount());
        assertEquals(Transport.TCP, parser.transport());
    }

    static Stream<Arguments> framesToCut() {
        return Stream.of(
                Arguments.of("ARP", arpRequest(), ArpFlyweight.LENGTH, Malformed.ARP_TRUNCATED, Malformed.ARP_TRUNCATED),
                Arguments.of("IPv4 TCP", ipv4Tcp(), 24, Malformed.IPV4_TRUNCATED, Malformed.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME),
                Arguments.of("IPv4 ICMP", ipv4Icmp(), 20, Malformed.IPV4_TRUNCATED, Malformed.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME),
                Arguments.of("tagged IPv4 TCP", vlanIpv4Tcp(), 20, Malformed.IPV4_TRUNCATED,
                        Malformed.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME),
                Arguments.of("IPv6 TCP", ipv6ExtensionsTcp(), 40, Malformed.IPV6_TRUNCATED,
                        Malformed.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME),
                Arguments.of("IPv6 ICMPv6", ipv6NeighborSolicitation(), 40, Malformed.IPV6_TRUNCATED,
                        Malformed.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME));
    }

    /**
     * Cut anywhere, a frame is reported by the layer whose header the cut falls in, or by the
     * network layer whose length field promised more; the padding of the ARP frame is the only
     * part that may go.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("framesToCut")
    void everyCutIsReportedByTheLayerItFallsIn(String what, WireFrame frame, int networkHeaderLength,
                                               Malformed insideNetworkHeader, Malformed afterNetworkHeader) {
        byte[] bytes = frame.bytes();
        int ethernetEnd = frame.ethernet().headerLength();
        int networkHeaderEnd = ethernetEnd + networkHeaderLength;
        int packetEnd = frame.length() - frame.paddingBytes();
        for (int length = 0; length < bytes.length; length++) {
            Malformed expected = length < ethernetEnd ? Malformed.ETHERNET_TRUNCATED
                    : length < networkHeaderEnd ? insideNetworkHeader
                    : length < packetEnd ? afterNetworkHeader
                    : Malformed.NONE;
            assertEquals(expected, parseBothWays(cut(bytes, length)), "cut to " + length + " bytes");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Fragments

    @ParameterizedTest(name = "flags {0}, offset {1} bytes")
    @CsvSource({
        "1, 0",    // first fragment: MF
        "1, 1480", // middle fragment: MF and an offset
        "0, 1480", // last fragment: an offset only
        "2, 8",    // DF with an offset: still a piece of something larger
    })
    void ipv4FragmentsAreReported(int flags, int fragmentOffsetBytes) {
        WireFrame frame = WireFrame.of(toServer(), new WireFrame.Ipv4(
                ipv4Header(flags, fragmentOffsetBytes, new byte[0], 0), new WireFrame.Tcp(dataSegment())), 0);

        assertEquals(Malformed.IP_FRAGMENT, parseBothWays(frame.bytes()));
        assertEquals(Network.IPV4, parser.network());
        assertEquals(Transport.NONE, parser.transport());
        assertEquals(fragmentOffsetBytes, parser.ipv4().fragmentOffsetBytes());

        // The header is checked before the fragment is counted.
        byte[] corrupted = frame.bytes();
        corrupted[14 + Ipv4Flyweight.HEADER_CHECKSUM_OFFSET + 1] ^= 0x01;
        assertEquals(Malformed.IPV4_BAD_CHECKSUM, parse(corrupted, true));
        assertEquals(Malformed.IP_FRAGMENT, parse(corrupted, false));
    }

    @Test
    void anIpv4PacketWithDontFragmentAndNoOffsetIsWhole() {
        WireFrame frame = ipv4Tcp();
        assertEquals(Malformed.NONE, parseBothWays(frame.bytes()));
        assertTrue(parser.ipv4().dontFragment());
        assertFalse(parser.ipv4().isFragment());
    }

    @ParameterizedTest(name = "offset {0} units, more fragments {1}")
    @CsvSource({"0, true", "185, true", "185, false"})
    void ipv6FragmentsAreReported(int offsetUnits, boolean moreFragments) {
        List<Extension> extensions = List.of(Extension.padding(Ipv6Flyweight.HOP_BY_HOP_OPTIONS, 8),
                Extension.fragment(offsetUnits, moreFragments, 0xcafe));
        WireFrame frame = WireFrame.of(toServer(), new WireFrame.Ipv6(ipv6Header(extensions, 0),
                new WireFrame.Tcp(dataSegment())), 0);

        assertEquals(Malformed.IP_FRAGMENT, parseBothWays(frame.bytes()));
        assertEquals(Network.IPV6, parser.network());
        assertEquals(Transport.NONE, parser.transport());
        assertTrue(parser.ipv6().isFragment());
        assertEquals(0xcafe, parser.ipv6().fragmentIdentification());
    }

    /** RFC 8200 4.5 and RFC 6946: offset 0 without more fragments is the whole packet, and goes up the stack. */
    @Test
    void anIpv6AtomicFragmentIsParsedAsAWholePacket() {
        List<Extension> extensions = List.of(Extension.fragment(0, false, 0xcafe));
        WireFrame frame = WireFrame.of(toServer(), new WireFrame.Ipv6(ipv6Header(extensions, 0),
                new WireFrame.Tcp(dataSegment())), 0);
        WireFrame.Ipv6 ipv6 = (WireFrame.Ipv6) frame.network();

        assertEquals(Malformed.NONE, parseBothWays(frame.bytes()));
        assertEquals(Transport.TCP, parser.transport());
        assertTrue(parser.ipv6().isFragment());
        assertEquals(14 + 40 + 8, parser.tcp().offset());
        assertEquals(ipv6.header(), Ipv6Header.from(parser.ipv6()));
        assertEquals(((WireFrame.Tcp) ipv6.upper()).segment(), TcpSegment.from(parser.tcp()));
    }

    // ---------------------------------------------------------------------------------------------
    // Protocols the stack does not handle

    static Stream<Arguments> unsupportedFrames() {
        byte[] icmpEcho = {8, 0, (byte) 0xf7, (byte) 0xfe, 0, 1, 0, 0}; // echo request, id 1, seq 0, checksum right
        WireFrame doubleTagged = WireFrame.of(EthernetHeader.tagged(SERVER_MAC, CLIENT_MAC, 0, 100, EthernetFlyweight.ETHERTYPE_VLAN),
                new WireFrame.OtherNetwork(ipv4Tcp().bytes()), 0);
        return Stream.of(
                Arguments.of("LLDP (EtherType 0x88cc)", otherEtherType(0x88cc, new byte[46]), Network.NONE),
                Arguments.of("802.1ad service tag", otherEtherType(EthernetFlyweight.ETHERTYPE_SERVICE_VLAN, new byte[46]),
                        Network.NONE),
                Arguments.of("a second 802.1Q tag", doubleTagged, Network.NONE),
                Arguments.of("UDP in IPv4", ipv4Other(UDP, udpHeader()), Network.IPV4),
                Arguments.of("ICMPv6 in IPv4", ipv4Other(Ipv6Flyweight.ICMPV6, icmpEcho), Network.IPV4),
                Arguments.of("UDP in IPv6", ipv6Other(List.of(), UDP, udpHeader()), Network.IPV6),
                Arguments.of("UDP in IPv6 behind hop-by-hop options",
                        ipv6Other(List.of(Extension.padding(Ipv6Flyweight.HOP_BY_HOP_OPTIONS, 8)), UDP, udpHeader()), Network.IPV6),
                Arguments.of("IPv6 No Next Header", ipv6Other(List.of(), Ipv6Flyweight.NO_NEXT_HEADER, new byte[0]), Network.IPV6),
                Arguments.of("IPv6 ESP", ipv6Other(List.of(), Ipv6Flyweight.ENCAPSULATING_SECURITY_PAYLOAD, new byte[16]),
                        Network.IPV6),
                Arguments.of("ICMPv4 in IPv6", ipv6Other(List.of(), Ipv4Flyweight.PROTOCOL_ICMP, icmpEcho), Network.IPV6));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsupportedFrames")
    void aProtocolTheStackDoesNotHandleIsUnsupported(String what, WireFrame frame, Network network) {
        assertEquals(Malformed.UNSUPPORTED_PROTOCOL, parseBothWays(frame.bytes()));
        assertEquals(network, parser.network());
        assertEquals(Transport.NONE, parser.transport());
    }

    // ---------------------------------------------------------------------------------------------
    // One parser for every frame

    @Test
    void eachParseForgetsTheLayersOfTheFrameBefore() {
        byte[] badTcpChecksum = ipv4Tcp().bytes();
        badTcpChecksum[14 + 24 + TcpFlyweight.CHECKSUM_OFFSET] ^= 0x01;

        assertEquals(Malformed.NONE, parse(ipv4Tcp().bytes(), true));
        assertEquals(Network.IPV4, parser.network());
        assertEquals(Transport.TCP, parser.transport());

        assertEquals(Malformed.ETHERNET_TRUNCATED, parse(new byte[10], true));
        assertEquals(Network.NONE, parser.network());
        assertEquals(Transport.NONE, parser.transport());

        assertEquals(Malformed.NONE, parse(ipv6NeighborSolicitation().bytes(), true));
        assertEquals(Network.IPV6, parser.network());
        assertEquals(Transport.ICMPV6, parser.transport());

        assertEquals(Malformed.UNSUPPORTED_PROTOCOL, parse(otherEtherType(0x88cc, new byte[46]).bytes(), true));
        assertEquals(Network.NONE, parser.network());
        assertEquals(Transport.NONE, parser.transport());

        assertEquals(Malformed.NONE, parse(arpRequest().bytes(), true));
        assertEquals(Network.ARP, parser.network());
        assertEquals(Transport.NONE, parser.transport());

        assertEquals(Malformed.TCP_BAD_CHECKSUM, parse(badTcpChecksum, true));
        assertEquals(Network.IPV4, parser.network());
        assertEquals(Transport.NONE, parser.transport());

        assertEquals(Malformed.IPV6_TRUNCATED, parse(cut(ipv6Tcp().bytes(), 30), true));
        assertEquals(Network.NONE, parser.network());

        assertEquals(Malformed.UNSUPPORTED_PROTOCOL, parse(ipv6Other(List.of(), UDP, udpHeader()).bytes(), true));
        assertEquals(Network.IPV6, parser.network());
        assertEquals(Transport.NONE, parser.transport());

        // The flyweights point at the new frame, not at leftovers of an earlier one.
        WireFrame ipv6 = ipv6Tcp();
        assertEquals(Malformed.NONE, parse(ipv6.bytes(), true));
        assertEquals(Transport.TCP, parser.transport());
        assertEquals(((WireFrame.Tcp) ipv6.upper()).segment(), TcpSegment.from(parser.tcp()));
        assertEquals(0, parser.ipv6().extensionHeaderCount());
    }

    // ---------------------------------------------------------------------------------------------
    // No allocation

    /**
     * The receive path allocates nothing (STYLE.md rule 7), measured with the JVM's per-thread
     * allocation counter ({@link io.mtcp4j.stack.testing.Allocations}): TCP over IPv4 with checksums verified, and for
     * company TCP behind IPv6 extension headers and a neighbour solicitation with its option walk.
     */
    @Test
    void parsingAllocatesNothing() {
        MemorySegment ipv4Tcp = MemorySegment.ofArray(ipv4Tcp().bytes());
        MemorySegment ipv6Tcp = MemorySegment.ofArray(ipv6ExtensionsTcp().bytes());
        MemorySegment solicitation = MemorySegment.ofArray(ipv6NeighborSolicitation().bytes());

        long[] work = new long[1];
        long allocated = bytesAllocatedBy(
                () -> work[0] += parseRounds(parser, ipv4Tcp, ipv6Tcp, solicitation, 1_000), // warm up, load classes
                () -> work[0] += parseRounds(parser, ipv4Tcp, ipv6Tcp, solicitation, 10_000));

        // Less than one byte per round: an object per round would be at least 16 x 10000 bytes.
        assertTrue(allocated < 10_000, allocated + " bytes allocated by 10000 rounds of parsing");
        assertEquals(11_000L * (2 * HTTP_REQUEST_LINE.length + 32), work[0], "the loop did its work");
    }

    private static long parseRounds(FrameParser parser, MemorySegment ipv4Tcp, MemorySegment ipv6Tcp,
                                    MemorySegment solicitation, int rounds) {
        long work = 0;
        for (int i = 0; i < rounds; i++) {
            if (parser.parse(ipv4Tcp, 0, ipv4Tcp.byteSize(), true) == Malformed.NONE && parser.transport() == Transport.TCP) {
                work += parser.tcp().payloadLength();
            }
            if (parser.parse(ipv6Tcp, 0, ipv6Tcp.byteSize(), true) == Malformed.NONE && parser.transport() == Transport.TCP) {
                work += parser.tcp().payloadLength();
            }
            if (parser.parse(solicitation, 0, solicitation.byteSize(), true) == Malformed.NONE
                    && parser.icmpv6().sourceLinkLayerAddress() == CLIENT_MAC) {
                work += parser.icmpv6().messageLength();
            }
        }
        return work;
    }
}
