package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of {@link Icmpv6Flyweight} and {@link Icmpv6Message}. */
class Icmpv6PropertyTest {
    private final Icmpv6Flyweight icmp = new Icmpv6Flyweight();

    private static byte[] write(Icmpv6Message message) {
        byte[] bytes = new byte[message.length()];
        assertEquals(bytes.length, message.writeTo(MemorySegment.ofArray(bytes), 0));
        return bytes;
    }

    /** Partial sum of a pseudo-header with random addresses, as {@link Ipv6Flyweight#pseudoHeaderSum} gives. */
    private static long pseudoHeaderSum(long sourceHigh, long destinationLow, int length) {
        MemorySegment addresses = MemorySegment.ofArray(new byte[32]);
        NetworkOrder.u64(addresses, 0, sourceHigh);
        NetworkOrder.u64(addresses, 8, 1);
        NetworkOrder.u64(addresses, 16, 0xfe80_0000_0000_0000L);
        NetworkOrder.u64(addresses, 24, destinationLow);
        return Checksum.pseudoHeaderIpv6(addresses, 0, addresses, 16, Ipv6Flyweight.ICMPV6, length);
    }

    @Property
    void validMessageRoundTripsThroughTheFlyweight(@ForAll("messages") Icmpv6Message message) {
        byte[] bytes = write(message);
        assertEquals(Malformed.NONE, icmp.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        assertEquals(message.type(), icmp.type());
        assertEquals(message, Icmpv6Message.from(icmp));
    }

    @Property
    void filledChecksumVerifiesAndAnyFlippedBitIsCaught(@ForAll("messages") Icmpv6Message message,
                                                        @ForAll long sourceHigh, @ForAll long destinationLow,
                                                        @ForAll @IntRange(max = 100_000) int bit) {
        byte[] bytes = write(message);
        MemorySegment segment = MemorySegment.ofArray(bytes);
        long pseudo = pseudoHeaderSum(sourceHigh, destinationLow, bytes.length);
        icmp.wrapForWrite(segment, 0, bytes.length).fillChecksum(pseudo);
        assertEquals(Malformed.NONE, icmp.wrapAndVerify(segment, 0, bytes.length, pseudo));

        // Ones' complement sums detect every single-bit error; a structural field may fail first.
        int position = bit % (bytes.length * 8);
        bytes[position / 8] ^= (byte) (1 << (position % 8));
        assertNotEquals(Malformed.NONE, icmp.wrapAndVerify(segment, 0, bytes.length, pseudo));
    }

    @Property
    void everyTruncationNeverThrows(@ForAll("messages") Icmpv6Message message) {
        byte[] bytes = write(message);
        MemorySegment segment = MemorySegment.ofArray(bytes);
        for (int available = 0; available <= bytes.length; available++) {
            Malformed reason = icmp.wrap(segment, 0, available);
            if (available < Icmpv6Flyweight.minimumLength(message.type())) {
                assertEquals(Malformed.ICMPV6_TRUNCATED, reason, "available " + available);
            } else if (reason == Malformed.NONE) {
                assertNotNull(Icmpv6Message.from(icmp));
            }
        }
    }

    @Property
    void randomBytesNeverThrow(@ForAll @Size(max = 120) byte[] bytes, @ForAll long pseudoHeaderSum,
                               @ForAll("neighborTypes") int type) {
        if (bytes.length > 0 && type >= 0) {
            bytes[0] = (byte) type; // reach the option walk more often
        }
        MemorySegment segment = MemorySegment.ofArray(bytes);
        assertNotNull(icmp.wrapAndVerify(segment, 0, bytes.length, pseudoHeaderSum & 0xffff_ffffL));
        if (icmp.wrap(segment, 0, bytes.length) == Malformed.NONE) {
            Icmpv6Message message = Icmpv6Message.from(icmp);
            // Neighbour messages keep only their link-layer option; every other record keeps every byte's place.
            if (message.type() != Icmpv6Flyweight.NEIGHBOR_SOLICITATION && message.type() != Icmpv6Flyweight.NEIGHBOR_ADVERTISEMENT) {
                assertEquals(bytes.length, message.length());
            }
        }
    }

    @Provide
    Arbitrary<Integer> neighborTypes() {
        return Arbitraries.of(-1, 133, 134, 135, 136, 137);
    }

    @Provide
    Arbitrary<Icmpv6Message> messages() {
        Arbitrary<Integer> codes = Arbitraries.integers().between(0, 0xff);
        Arbitrary<Integer> checksums = Arbitraries.integers().between(0, 0xffff);
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xffff);
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        Arbitrary<Long> u32 = Arbitraries.longs().between(0, 0xffff_ffffL);
        Arbitrary<Ipv6Address> addresses = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Ipv6Address::new);
        Arbitrary<OptionalLong> macs = Arbitraries.oneOf(List.of(
                Arbitraries.just(OptionalLong.empty()),
                Arbitraries.longs().between(0, 0xffff_ffff_ffffL).map(OptionalLong::of)));
        Arbitrary<Integer> otherTypes = Arbitraries.integers().between(0, 0xff).filter(type ->
                type == 0 || (type >= 5 && type < 128) || (type >= 130 && type < 133) || type > 137);

        return Arbitraries.oneOf(List.of(
                Combinators.combine(codes, checksums, u16, u16, data).as(Icmpv6Message.EchoRequest::new),
                Combinators.combine(codes, checksums, u16, u16, data).as(Icmpv6Message.EchoReply::new),
                Combinators.combine(codes, checksums, data).as(Icmpv6Message.DestinationUnreachable::new),
                Combinators.combine(codes, checksums, u32, data).as(Icmpv6Message.PacketTooBig::new),
                Combinators.combine(codes, checksums, data).as(Icmpv6Message.TimeExceeded::new),
                Combinators.combine(codes, checksums, u32, data).as(Icmpv6Message.ParameterProblem::new),
                Combinators.combine(codes, checksums, addresses, macs).as(Icmpv6Message.NeighborSolicitation::new),
                Combinators.combine(codes, checksums, Arbitraries.of(true, false), Arbitraries.of(true, false),
                        Arbitraries.of(true, false), addresses, macs).as(Icmpv6Message.NeighborAdvertisement::new),
                Combinators.combine(otherTypes, codes, checksums, data)
                        // An error type, known or not, has at least the 32-bit word after the checksum.
                        .filter((type, code, checksum, body) -> type >= 128 || body.length >= 4)
                        .as(Icmpv6Message.Other::new),
                Combinators.combine(codes, checksums, macs).as(Icmpv6PropertyTest::routerSolicitation)));
    }

    /** A Router Solicitation: 4 reserved bytes and maybe a source link-layer option, kept as an {@link Icmpv6Message.Other}. */
    private static Icmpv6Message routerSolicitation(int code, int checksum, OptionalLong mac) {
        byte[] body = new byte[mac.isPresent() ? 12 : 4];
        if (mac.isPresent()) {
            Icmpv6Flyweight.writeLinkLayerAddressOption(MemorySegment.ofArray(body), 4,
                    Icmpv6Flyweight.SOURCE_LINK_LAYER_ADDRESS, mac.getAsLong());
        }
        return new Icmpv6Message.Other(Icmpv6Flyweight.ROUTER_SOLICITATION, code, checksum, body);
    }
}
