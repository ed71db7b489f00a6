package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of {@link ArpFlyweight}; kept apart from the JUnit tests so each engine reports its own class. */
class ArpPropertiesTest {
    private static final Set<Malformed> ARP_REASONS = EnumSet.of(Malformed.NONE, Malformed.ARP_TRUNCATED,
            Malformed.ARP_UNSUPPORTED_HARDWARE, Malformed.ARP_UNSUPPORTED_PROTOCOL, Malformed.ARP_UNSUPPORTED_OPERATION);

    private final ArpFlyweight arp = new ArpFlyweight();

    @Provide
    Arbitrary<ArpPacket> validPackets() {
        Arbitrary<Integer> operations = Arbitraries.of(ArpFlyweight.OPERATION_REQUEST, ArpFlyweight.OPERATION_REPLY);
        Arbitrary<Long> macs = Arbitraries.longs().between(0, MacAddress.BROADCAST);
        Arbitrary<Integer> addresses = Arbitraries.integers();
        return Combinators.combine(operations, macs, addresses, macs, addresses).as(ArpPacket::new);
    }

    @Property
    void recordRoundTripsThroughTheWire(@ForAll("validPackets") ArpPacket packet,
                                        @ForAll @IntRange(max = 18) int padding) {
        byte[] bytes = new byte[ArpFlyweight.LENGTH + padding];
        assertEquals(ArpFlyweight.LENGTH, packet.writeTo(MemorySegment.ofArray(bytes), 0));
        assertEquals(Malformed.NONE, arp.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        assertEquals(packet, ArpPacket.from(arp));
    }

    @Property
    void randomBytesNeverThrow(@ForAll @Size(max = 40) byte[] bytes) {
        Malformed result = arp.wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
        assertTrue(ARP_REASONS.contains(result), result.name());
        if (result == Malformed.NONE) {
            ArpPacket.from(arp);
        }
    }

    @Property
    void everyTruncationOfAValidPacketIsReportedNotThrown(@ForAll("validPackets") ArpPacket packet) {
        byte[] bytes = new byte[ArpFlyweight.LENGTH];
        packet.writeTo(MemorySegment.ofArray(bytes), 0);
        for (int length = 0; length < bytes.length; length++) {
            assertEquals(Malformed.ARP_TRUNCATED, arp.wrap(MemorySegment.ofArray(bytes), 0, length), "length " + length);
        }
    }
}
