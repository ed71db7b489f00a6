package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of {@link Ipv6Flyweight} and {@link Ipv6Header}. */
class Ipv6PropertyTest {
    private final Ipv6Flyweight ip = new Ipv6Flyweight();

    /** A header record and the upper-layer bytes after it, as a packet. */
    record Packet(Ipv6Header header, int upperLayerLength) {
        byte[] bytes(int paddingBytes) {
            byte[] bytes = new byte[header.headerLength() + upperLayerLength + paddingBytes];
            header.writeTo(MemorySegment.ofArray(bytes), 0);
            return bytes;
        }
    }

    @Property
    void validHeaderRoundTripsThroughTheFlyweight(@ForAll("packets") Packet packet,
                                                  @ForAll @IntRange(max = 20) int paddingBytes) {
        byte[] bytes = packet.bytes(paddingBytes);
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        assertEquals(packet.header(), Ipv6Header.from(ip));
        assertEquals(packet.header().upperLayerProtocol(), ip.upperLayerProtocol());
        assertEquals(packet.upperLayerLength(), ip.upperLayerLength());
        assertEquals(packet.header().headerLength(), ip.upperLayerOffset());
        assertEquals(packet.header().extensions().size(), ip.extensionHeaderCount());
        assertEquals(packet.header().extensions().stream().anyMatch(e -> e.type() == Ipv6Flyweight.FRAGMENT),
                ip.isFragment());
    }

    @Property
    void everyTruncationIsReportedAndNeverThrows(@ForAll("packets") Packet packet) {
        byte[] bytes = packet.bytes(0);
        MemorySegment segment = MemorySegment.ofArray(bytes);
        for (int available = 0; available < bytes.length; available++) {
            Malformed expected = available < Ipv6Flyweight.FIXED_HEADER_LENGTH
                    ? Malformed.IPV6_TRUNCATED : Malformed.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME;
            assertEquals(expected, ip.wrap(segment, 0, available), "available " + available);
            // A quoted packet cut anywhere is either walked or reported, never thrown.
            assertNotNull(ip.wrapQuoted(segment, 0, available));
        }
    }

    @Property
    void randomBytesNeverThrow(@ForAll @Size(max = 200) byte[] bytes, @ForAll boolean versionSix) {
        if (versionSix && bytes.length > 0) {
            bytes[0] = (byte) (0x60 | (bytes[0] & 0x0f)); // get past the version check more often
        }
        MemorySegment segment = MemorySegment.ofArray(bytes);
        assertNotNull(ip.wrap(segment, 0, bytes.length));
        assertNotNull(ip.wrapQuoted(segment, 0, bytes.length));
    }

    @Property
    void corruptedValidPacketsNeverThrowAndStayInsideTheFrame(@ForAll("packets") Packet packet,
                                                             @ForAll @IntRange(max = 1000) int position,
                                                             @ForAll byte value) {
        byte[] bytes = packet.bytes(0);
        bytes[position % bytes.length] = value;
        if (ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length) == Malformed.NONE) {
            assertTrue(ip.upperLayerOffset() + ip.upperLayerLength() <= bytes.length);
            assertTrue(ip.upperLayerLength() >= 0);
            assertTrue(!Ipv6Flyweight.isExtensionHeader(ip.upperLayerProtocol()));
        }
    }

    @Provide
    Arbitrary<Packet> packets() {
        Arbitrary<Ipv6Address> addresses = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Ipv6Address::new);
        Arbitrary<Integer> upperLayerProtocols = Arbitraries.integers().between(0, 255)
                .filter(protocol -> !Ipv6Flyweight.isExtensionHeader(protocol));
        return Combinators.combine(
                Arbitraries.integers().between(0, 0xff),
                Arbitraries.integers().between(0, 0xf_ffff),
                Arbitraries.integers().between(0, 0xff),
                addresses,
                addresses,
                extensions().list().ofMaxSize(Ipv6Flyweight.MAX_EXTENSION_HEADERS),
                upperLayerProtocols,
                Arbitraries.integers().between(0, 100)
        ).as((trafficClass, flowLabel, hopLimit, source, destination, extensions, protocol, upperLayerLength) -> {
            int extensionsLength = extensions.stream().mapToInt(Ipv6Header.Extension::length).sum();
            Ipv6Header header = new Ipv6Header(trafficClass, flowLabel, extensionsLength + upperLayerLength, hopLimit,
                    source, destination, extensions, protocol);
            return new Packet(header, upperLayerLength);
        });
    }

    Arbitrary<Ipv6Header.Extension> extensions() {
        Arbitrary<Ipv6Header.Extension> generic = Combinators.combine(
                Arbitraries.of(Ipv6Flyweight.HOP_BY_HOP_OPTIONS, Ipv6Flyweight.ROUTING, Ipv6Flyweight.DESTINATION_OPTIONS),
                Arbitraries.integers().between(1, 4).flatMap(units -> Arbitraries.bytes().array(byte[].class).ofSize(8 * units - 2))
        ).as(Ipv6Header.Extension::new);
        Arbitrary<Ipv6Header.Extension> fragment = Combinators.combine(
                Arbitraries.integers().between(0, 0x1fff), Arbitraries.of(true, false), Arbitraries.integers()
        ).as(Ipv6Header.Extension::fragment);
        Arbitrary<Ipv6Header.Extension> authentication = Arbitraries.integers().between(2, 6)
                .flatMap(units -> Arbitraries.bytes().array(byte[].class).ofSize(4 * units - 2))
                .map(body -> new Ipv6Header.Extension(Ipv6Flyweight.AUTHENTICATION, body));
        return Arbitraries.oneOf(List.of(generic, fragment, authentication));
    }
}
