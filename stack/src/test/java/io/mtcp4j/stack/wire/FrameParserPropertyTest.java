package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtcp4j.stack.wire.FrameParser.Network;
import io.mtcp4j.stack.wire.FrameParser.Transport;
import io.mtcp4j.stack.wire.TcpOptionSet.SackBlock;
import io.mtcp4j.stack.wire.TcpOptionSet.Timestamps;
import io.mtcp4j.stack.wire.TcpOptionSet.UnknownOption;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of {@link FrameParser}: random valid frames, built layer by layer from random
 * records, parse with their checksums verified back to those records; random bytes, every cut and
 * every single-byte change of a valid frame are reported, never thrown, and leave the parser in a
 * state where {@link FrameInvariants} hold.
 */
class FrameParserPropertyTest {
    private final FrameParser parser = new FrameParser();

    @Property
    void validFramesParseBackToTheirRecords(@ForAll("validFrames") WireFrame frame,
                                            @ForAll @IntRange(max = 16) int bytesBefore,
                                            @ForAll @IntRange(max = 16) int bytesAfter) {
        byte[] bytes = frame.bytes();
        // The frame sits inside a larger buffer of other bytes, as in a receive ring.
        byte[] buffer = new byte[bytesBefore + bytes.length + bytesAfter];
        Arrays.fill(buffer, (byte) 0xee);
        System.arraycopy(bytes, 0, buffer, bytesBefore, bytes.length);
        MemorySegment segment = MemorySegment.ofArray(buffer);

        for (boolean verifyChecksums : new boolean[] {true, false}) {
            Malformed result = parser.parse(segment, bytesBefore, bytes.length, verifyChecksums);
            assertEquals(Malformed.NONE, result, frame::toString);
            FrameInvariants.check(parser, result, segment, bytesBefore, bytes.length, verifyChecksums);
            assertEquals(frame.ethernet(), EthernetHeader.from(parser.ethernet()));
            switch (frame.network()) {
                case WireFrame.Arp arp -> {
                    assertEquals(Network.ARP, parser.network());
                    assertEquals(Transport.NONE, parser.transport());
                    assertEquals(arp.packet(), ArpPacket.from(parser.arp()));
                }
                case WireFrame.Ipv4 ipv4 -> {
                    assertEquals(Network.IPV4, parser.network());
                    assertEquals(ipv4.header(), Ipv4Header.from(parser.ipv4()));
                    assertUpperLayer(ipv4.upper());
                }
                case WireFrame.Ipv6 ipv6 -> {
                    assertEquals(Network.IPV6, parser.network());
                    assertEquals(ipv6.header(), Ipv6Header.from(parser.ipv6()));
                    assertUpperLayer(ipv6.upper());
                }
                case WireFrame.OtherNetwork other -> throw new AssertionError("not a valid frame: " + other);
            }
        }
    }

    private void assertUpperLayer(WireFrame.Upper upper) {
        switch (upper) {
            case WireFrame.Tcp tcp -> {
                assertEquals(Transport.TCP, parser.transport());
                assertEquals(tcp.segment().header(), TcpHeader.from(parser.tcp()));
                assertEquals(tcp.segment(), TcpSegment.from(parser.tcp()));
            }
            case WireFrame.Icmpv4 icmp -> {
                assertEquals(Transport.ICMPV4, parser.transport());
                assertEquals(icmp.message(), Icmpv4Message.from(parser.icmpv4()));
            }
            case WireFrame.Icmpv6 icmp -> {
                assertEquals(Transport.ICMPV6, parser.transport());
                assertEquals(icmp.message(), Icmpv6Message.from(parser.icmpv6()));
            }
            case WireFrame.OtherUpper other -> throw new AssertionError("not a valid frame: " + other);
        }
    }

    @Property
    void randomBytesAreReportedNotThrown(@ForAll @Size(max = 200) byte[] bytes,
                                         @ForAll("etherTypes") int etherType) {
        // Random EtherTypes are almost never ones the parser follows: set a real one mostly.
        if (bytes.length >= 14 && etherType >= 0) {
            NetworkOrder.u16(MemorySegment.ofArray(bytes), EthernetFlyweight.ETHERTYPE_OFFSET, etherType);
        }
        parseBothWays(bytes);
    }

    @Property
    void everyCutOfAValidFrameIsReportedNotThrown(@ForAll("validFrames") WireFrame frame) {
        byte[] bytes = frame.bytes();
        for (int length = 0; length <= bytes.length; length++) {
            parseBothWays(Arrays.copyOf(bytes, length));
        }
    }

    @Property(tries = 300)
    void everySingleByteChangeOfAValidFrameIsReportedNotThrown(@ForAll("validFrames") WireFrame frame,
                                                               @ForAll byte value) {
        byte[] bytes = frame.bytes();
        for (int position = 0; position < bytes.length; position++) {
            byte[] changed = bytes.clone();
            // The random value, or when that is what the byte already holds, its complement.
            changed[position] = changed[position] == value ? (byte) ~value : value;
            parseBothWays(changed);
        }
    }

    /** Parses exactly these bytes (a read past them would throw) in both checksum modes and checks the invariants. */
    private void parseBothWays(byte[] bytes) {
        MemorySegment segment = MemorySegment.ofArray(bytes);
        for (boolean verifyChecksums : new boolean[] {false, true}) {
            Malformed result = parser.parse(segment, 0, bytes.length, verifyChecksums);
            FrameInvariants.check(parser, result, segment, 0, bytes.length, verifyChecksums);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Generators

    @Provide
    Arbitrary<Integer> etherTypes() {
        return Arbitraries.of(-1, EthernetFlyweight.ETHERTYPE_ARP, EthernetFlyweight.ETHERTYPE_IPV4,
                EthernetFlyweight.ETHERTYPE_IPV6, EthernetFlyweight.ETHERTYPE_VLAN);
    }

    /** Ethernet, tagged or not, carrying ARP, IPv4 with TCP or ICMP, or IPv6 with TCP or ICMPv6; padded or not. */
    @Provide
    Arbitrary<WireFrame> validFrames() {
        Arbitrary<Long> macs = Arbitraries.longs().between(0, MacAddress.BROADCAST);
        Arbitrary<Integer> tagControls = Arbitraries.oneOf(List.of(Arbitraries.just(-1), Arbitraries.integers().between(0, 0xffff)));
        Arbitrary<EthernetHeader> ethernet = Combinators.combine(macs, macs, tagControls)
                .as((destination, source, tagControl) -> new EthernetHeader(destination, source, tagControl, 0));
        Arbitrary<WireFrame.Network> network = Arbitraries.oneOf(List.of(arp(), ipv4(), ipv6()));
        return Combinators.combine(ethernet, network, Arbitraries.integers().between(0, 20)).as(WireFrame::of);
    }

    private static Arbitrary<WireFrame.Network> arp() {
        Arbitrary<Long> macs = Arbitraries.longs().between(0, MacAddress.BROADCAST);
        return Combinators.combine(Arbitraries.of(ArpFlyweight.OPERATION_REQUEST, ArpFlyweight.OPERATION_REPLY),
                macs, Arbitraries.integers(), macs, Arbitraries.integers()).as(ArpPacket::new).map(WireFrame.Arp::new);
    }

    /** Whole packets only: MF clear and offset 0; the reserved flag and DF at random. */
    private static Arbitrary<WireFrame.Network> ipv4() {
        Arbitrary<byte[]> options = Arbitraries.integers().between(0, 10)
                .flatMap(words -> Arbitraries.bytes().array(byte[].class).ofSize(4 * words));
        Arbitrary<Ipv4Header> headers = Combinators.combine(
                Arbitraries.integers().between(0, 0x3f),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 0xffff),
                Arbitraries.of(0, Ipv4Flyweight.FLAG_DONT_FRAGMENT, Ipv4Flyweight.FLAG_RESERVED,
                        Ipv4Flyweight.FLAG_RESERVED | Ipv4Flyweight.FLAG_DONT_FRAGMENT),
                Arbitraries.integers().between(0, 0xff),
                Arbitraries.integers(),
                Arbitraries.integers(),
                options
        ).as((dscp, ecn, identification, flags, ttl, source, destination, optionBytes) ->
                new Ipv4Header(dscp, ecn, 0, identification, flags, 0, ttl, 0, 0, source, destination, optionBytes));
        Arbitrary<WireFrame.Upper> upper = Arbitraries.oneOf(List.of(tcp(), icmpv4()));
        return Combinators.combine(headers, upper).as(WireFrame.Ipv4::new);
    }

    /** Up to the 8 extension headers the parser follows; a Fragment header only as an atomic fragment. */
    private static Arbitrary<WireFrame.Network> ipv6() {
        Arbitrary<Ipv6Address> addresses = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Ipv6Address::new);
        Arbitrary<Ipv6Header> headers = Combinators.combine(
                Arbitraries.integers().between(0, 0xff),
                Arbitraries.integers().between(0, 0xf_ffff),
                Arbitraries.integers().between(0, 0xff),
                addresses,
                addresses,
                extensions().list().ofMaxSize(Ipv6Flyweight.MAX_EXTENSION_HEADERS)
        ).as((trafficClass, flowLabel, hopLimit, source, destination, extensions) ->
                new Ipv6Header(trafficClass, flowLabel, 0, hopLimit, source, destination, extensions, 0));
        Arbitrary<WireFrame.Upper> upper = Arbitraries.oneOf(List.of(tcp(), icmpv6()));
        return Combinators.combine(headers, upper).as(WireFrame.Ipv6::new);
    }

    private static Arbitrary<Ipv6Header.Extension> extensions() {
        Arbitrary<Ipv6Header.Extension> generic = Combinators.combine(
                Arbitraries.of(Ipv6Flyweight.HOP_BY_HOP_OPTIONS, Ipv6Flyweight.ROUTING, Ipv6Flyweight.DESTINATION_OPTIONS),
                Arbitraries.integers().between(1, 3).flatMap(units -> Arbitraries.bytes().array(byte[].class).ofSize(8 * units - 2))
        ).as(Ipv6Header.Extension::new);
        Arbitrary<Ipv6Header.Extension> atomicFragment = Arbitraries.integers()
                .map(identification -> Ipv6Header.Extension.fragment(0, false, identification));
        Arbitrary<Ipv6Header.Extension> authentication = Arbitraries.integers().between(2, 6)
                .flatMap(units -> Arbitraries.bytes().array(byte[].class).ofSize(4 * units - 2))
                .map(body -> new Ipv6Header.Extension(Ipv6Flyweight.AUTHENTICATION, body));
        return Arbitraries.oneOf(List.of(generic, atomicFragment, authentication));
    }

    private static Arbitrary<WireFrame.Upper> tcp() {
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xffff);
        Arbitrary<int[]> ports = Combinators.combine(u16, u16).as((source, destination) -> new int[] {source, destination});
        Arbitrary<TcpHeader> headers = Combinators.combine(ports, Arbitraries.integers(), Arbitraries.integers(),
                        Arbitraries.integers().between(0, TcpFlyweight.FLAGS_MASK), u16, u16, tcpOptions())
                .as((p, sequence, acknowledgment, flags, window, urgent, options) ->
                        new TcpHeader(p[0], p[1], sequence, acknowledgment, flags, window, 0, urgent, options));
        return Combinators.combine(headers, Arbitraries.bytes().array(byte[].class).ofMaxSize(100))
                .as(TcpSegment::new).map(WireFrame.Tcp::new);
    }

    private static Arbitrary<TcpOptionSet> tcpOptions() {
        Arbitrary<Integer> mss = Arbitraries.oneOf(List.of(Arbitraries.just(TcpOptionSet.ABSENT),
                Arbitraries.integers().between(0, 0xffff)));
        Arbitrary<Integer> windowScale = Arbitraries.oneOf(List.of(Arbitraries.just(TcpOptionSet.ABSENT),
                Arbitraries.integers().between(0, 0xff)));
        Arbitrary<List<SackBlock>> sackBlocks = Combinators.combine(Arbitraries.integers(), Arbitraries.integers())
                .as(SackBlock::new).list().ofMaxSize(TcpOptions.MAX_SACK_BLOCKS);
        Arbitrary<Optional<Timestamps>> timestamps = Combinators.combine(Arbitraries.integers(), Arbitraries.integers())
                .as(Timestamps::new).optional();
        Arbitrary<Integer> unknownKinds = Arbitraries.integers().between(6, 255)
                .filter(kind -> kind != TcpOptions.KIND_TIMESTAMPS);
        Arbitrary<List<UnknownOption>> unknownOptions = Combinators.combine(unknownKinds,
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(12))
                .as(UnknownOption::new).list().ofMaxSize(2);
        return Combinators.combine(mss, windowScale, Arbitraries.of(true, false), sackBlocks, timestamps, unknownOptions)
                .as(TcpOptionSet::new)
                .filter(TcpOptionSet::fits);
    }

    private static Arbitrary<WireFrame.Upper> icmpv4() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 0xff),
                Arbitraries.integers().between(0, 0xff),
                Arbitraries.integers(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(80)
        ).as((type, code, restOfHeader, data) -> new Icmpv4Message(type, code, 0, restOfHeader, data))
                .map(WireFrame.Icmpv4::new);
    }

    /** Every ICMPv6 record; {@link Icmpv6Message.Other} for any type without options to get wrong. */
    private static Arbitrary<WireFrame.Upper> icmpv6() {
        Arbitrary<Integer> codes = Arbitraries.integers().between(0, 0xff);
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xffff);
        Arbitrary<Long> u32 = Arbitraries.longs().between(0, 0xffff_ffffL);
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        Arbitrary<Ipv6Address> addresses = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Ipv6Address::new);
        Arbitrary<OptionalLong> macs = Arbitraries.oneOf(List.of(
                Arbitraries.just(OptionalLong.empty()),
                Arbitraries.longs().between(0, MacAddress.BROADCAST).map(OptionalLong::of)));
        Arbitrary<Boolean> flags = Arbitraries.of(true, false);
        Arbitrary<Integer> otherTypes = Arbitraries.integers().between(0, 0xff).filter(type ->
                type == 0 || (type >= 5 && type < 128) || (type >= 130 && type < 133) || type > 137);
        Arbitrary<Icmpv6Message> messages = Arbitraries.oneOf(List.of(
                Combinators.combine(codes, u16, u16, data).as((code, id, sequence, bytes) ->
                        new Icmpv6Message.EchoRequest(code, 0, id, sequence, bytes)),
                Combinators.combine(codes, u16, u16, data).as((code, id, sequence, bytes) ->
                        new Icmpv6Message.EchoReply(code, 0, id, sequence, bytes)),
                Combinators.combine(codes, data).as((code, quoted) -> new Icmpv6Message.DestinationUnreachable(code, 0, quoted)),
                Combinators.combine(codes, u32, data).as((code, mtu, quoted) -> new Icmpv6Message.PacketTooBig(code, 0, mtu, quoted)),
                Combinators.combine(codes, data).as((code, quoted) -> new Icmpv6Message.TimeExceeded(code, 0, quoted)),
                Combinators.combine(codes, u32, data).as((code, pointer, quoted) ->
                        new Icmpv6Message.ParameterProblem(code, 0, pointer, quoted)),
                Combinators.combine(codes, addresses, macs).as((code, target, mac) ->
                        new Icmpv6Message.NeighborSolicitation(code, 0, target, mac)),
                Combinators.combine(codes, flags, flags, flags, addresses, macs).as((code, router, solicited, override, target, mac) ->
                        new Icmpv6Message.NeighborAdvertisement(code, 0, router, solicited, override, target, mac)),
                Combinators.combine(otherTypes, codes, data)
                        // An error type, known or not, has at least the 32-bit word after the checksum.
                        .filter((type, code, body) -> type >= 128 || body.length >= 4)
                        .as((type, code, body) -> new Icmpv6Message.Other(type, code, 0, body))));
        return messages.map(WireFrame.Icmpv6::new);
    }
}
