package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of {@link EthernetFlyweight}; kept apart from the JUnit tests so each engine reports its own class. */
class EthernetPropertiesTest {
    private final EthernetFlyweight ethernet = new EthernetFlyweight();

    private Malformed wrap(byte[] frame) {
        return ethernet.wrap(MemorySegment.ofArray(frame), 0, frame.length);
    }

    @Provide
    Arbitrary<EthernetHeader> validHeaders() {
        Arbitrary<Long> macs = Arbitraries.longs().between(0, MacAddress.BROADCAST);
        Arbitrary<Integer> tagControls = Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 0xffff));
        // Any Ethernet II type except the tag's own, which would read as a second tag.
        Arbitrary<Integer> etherTypes = Arbitraries.integers().between(EthernetFlyweight.MINIMUM_ETHERTYPE, 0xffff)
                .filter(type -> type != EthernetFlyweight.ETHERTYPE_VLAN);
        return Combinators.combine(macs, macs, tagControls, etherTypes).as(EthernetHeader::new);
    }

    @Property
    void recordRoundTripsThroughTheWire(@ForAll("validHeaders") EthernetHeader header,
                                        @ForAll @IntRange(max = 64) int payloadLength) {
        byte[] frame = new byte[header.headerLength() + payloadLength];
        int written = header.writeTo(MemorySegment.ofArray(frame), 0);
        assertEquals(Malformed.NONE, wrap(frame));
        assertEquals(header, EthernetHeader.from(ethernet));
        assertEquals(written, ethernet.headerLength());
        assertEquals(payloadLength, ethernet.payloadLength());
    }

    @Property
    void randomBytesNeverThrowAndAcceptedHeadersFitTheFrame(@ForAll @Size(max = 40) byte[] frame) {
        Malformed result = wrap(frame);
        if (result == Malformed.NONE) {
            assertTrue(ethernet.payloadOffset() + ethernet.payloadLength() == frame.length);
            assertTrue(ethernet.payloadLength() >= 0);
            assertTrue(ethernet.etherType() >= EthernetFlyweight.MINIMUM_ETHERTYPE);
            EthernetHeader.from(ethernet);
        } else {
            assertTrue(result == Malformed.ETHERNET_TRUNCATED || result == Malformed.ETHERNET_NOT_ETHERNET_II, result.name());
        }
    }

    @Property
    void everyTruncationOfAValidFrameIsReportedNotThrown(@ForAll("validHeaders") EthernetHeader header) {
        byte[] frame = new byte[header.headerLength() + 4];
        header.writeTo(MemorySegment.ofArray(frame), 0);
        for (int length = 0; length <= frame.length; length++) {
            Malformed result = ethernet.wrap(MemorySegment.ofArray(frame), 0, length);
            Malformed expected = length < header.headerLength() ? Malformed.ETHERNET_TRUNCATED : Malformed.NONE;
            assertEquals(expected, result, "length " + length);
        }
    }
}
