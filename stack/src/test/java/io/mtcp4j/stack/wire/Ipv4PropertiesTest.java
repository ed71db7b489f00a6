package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of {@link Ipv4Flyweight}; kept apart from the JUnit tests so each engine reports its own class. */
class Ipv4PropertiesTest {
    private static final Set<Malformed> IPV4_REASONS = EnumSet.of(Malformed.NONE, Malformed.IPV4_TRUNCATED,
            Malformed.IPV4_BAD_VERSION, Malformed.IPV4_BAD_HEADER_LENGTH, Malformed.IPV4_TOTAL_LENGTH_TOO_SHORT,
            Malformed.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME);

    private final Ipv4Flyweight ipv4 = new Ipv4Flyweight();

    @Provide
    Arbitrary<byte[]> options() {
        return Arbitraries.integers().between(0, 10)
                .flatMap(words -> Arbitraries.bytes().array(byte[].class).ofSize(words * 4));
    }

    @Property
    void recordRoundTripsThroughTheWire(@ForAll @IntRange(max = 63) int dscp,
                                        @ForAll @IntRange(max = 3) int ecn,
                                        @ForAll @IntRange(max = 1500) int payloadLength,
                                        @ForAll @IntRange(max = 0xffff) int identification,
                                        @ForAll @IntRange(max = 7) int flags,
                                        @ForAll @IntRange(max = 8191) int fragmentOffsetUnits,
                                        @ForAll @IntRange(max = 255) int ttl,
                                        @ForAll @IntRange(max = 255) int protocol,
                                        @ForAll int source,
                                        @ForAll int destination,
                                        @ForAll("options") byte[] options,
                                        @ForAll @IntRange(max = 20) int padding) {
        Ipv4Header header = new Ipv4Header(dscp, ecn, 20 + options.length + payloadLength, identification, flags,
                fragmentOffsetUnits * 8, ttl, protocol, 0, source, destination, options).withComputedChecksum();
        byte[] frame = new byte[header.totalLength() + padding];
        assertEquals(header.headerLength(), header.writeTo(MemorySegment.ofArray(frame), 0));

        assertEquals(Malformed.NONE, ipv4.wrap(MemorySegment.ofArray(frame), 0, frame.length));
        assertEquals(header, Ipv4Header.from(ipv4));
        assertTrue(ipv4.checksumValid());
        assertEquals(payloadLength, ipv4.payloadLength());
        assertEquals(header.isFragment(), ipv4.isFragment());
    }

    @Property
    void randomBytesNeverThrowAndAcceptedPacketsFitTheFrame(@ForAll @Size(max = 80) byte[] bytes,
                                                            @ForAll boolean startWithVersionFour) {
        if (startWithVersionFour && bytes.length > 0) {
            // Make most inputs get past the version check, where the length checks live.
            bytes[0] = (byte) (0x40 | (bytes[0] & 0x0f));
        }
        Malformed result = ipv4.wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
        assertTrue(IPV4_REASONS.contains(result), result.name());
        if (result == Malformed.NONE) {
            assertTrue(ipv4.headerLength() >= 20);
            assertTrue(ipv4.payloadOffset() + ipv4.payloadLength() <= bytes.length);
            assertEquals(ipv4.totalLength(), ipv4.headerLength() + ipv4.payloadLength());
            ipv4.checksumValid();
            Ipv4Header.from(ipv4);
        }
        Malformed quoted = ipv4.wrapQuoted(MemorySegment.ofArray(bytes), 0, bytes.length);
        if (quoted == Malformed.NONE) {
            assertTrue(ipv4.payloadOffset() + ipv4.payloadLength() <= bytes.length);
            Ipv4Header.from(ipv4);
        }
    }

    @Property
    void everyTruncationOfAValidPacketIsReportedNotThrown(@ForAll("options") byte[] options,
                                                         @ForAll @IntRange(max = 16) int payloadLength) {
        Ipv4Header header = new Ipv4Header(0, 0, 20 + options.length + payloadLength, 1, 0, 0, 64,
                Ipv4Flyweight.PROTOCOL_TCP, 0, 1, 2, options).withComputedChecksum();
        byte[] bytes = new byte[header.totalLength()];
        header.writeTo(MemorySegment.ofArray(bytes), 0);
        for (int length = 0; length < bytes.length; length++) {
            Malformed expected = length < header.headerLength()
                    ? Malformed.IPV4_TRUNCATED
                    : Malformed.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME;
            assertEquals(expected, ipv4.wrap(MemorySegment.ofArray(bytes), 0, length), "length " + length);
        }
    }
}
