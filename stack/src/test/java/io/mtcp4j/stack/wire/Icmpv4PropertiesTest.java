package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of {@link Icmpv4Flyweight}; kept apart from the JUnit tests so each engine reports its own class. */
class Icmpv4PropertiesTest {
    private final Icmpv4Flyweight icmp = new Icmpv4Flyweight();
    private final Ipv4Flyweight quoted = new Ipv4Flyweight();

    @Property
    void recordRoundTripsThroughTheWire(@ForAll @IntRange(max = 255) int type,
                                        @ForAll @IntRange(max = 255) int code,
                                        @ForAll int restOfHeader,
                                        @ForAll @Size(max = 600) byte[] data) {
        Icmpv4Message message = new Icmpv4Message(type, code, 0, restOfHeader, data).withComputedChecksum();
        byte[] bytes = new byte[message.length()];
        assertEquals(bytes.length, message.writeTo(MemorySegment.ofArray(bytes), 0));
        assertEquals(Malformed.NONE, icmp.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        assertEquals(message, Icmpv4Message.from(icmp));
        assertTrue(icmp.checksumValid());
        assertEquals(message.checksum(), icmp.computeChecksum());
    }

    @Property
    void randomBytesNeverThrowNorDoesTheQuoteInside(@ForAll @Size(max = 80) byte[] bytes) {
        Malformed result = icmp.wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
        if (bytes.length < Icmpv4Flyweight.HEADER_LENGTH) {
            assertEquals(Malformed.ICMPV4_TRUNCATED, result);
            return;
        }
        assertEquals(Malformed.NONE, result);
        icmp.checksumValid();
        Icmpv4Message.from(icmp);
        Malformed quote = quoted.wrapQuoted(icmp.segment(), icmp.quotedDatagramOffset(), icmp.quotedDatagramLength());
        if (quote == Malformed.NONE) {
            assertTrue(quoted.payloadOffset() + quoted.payloadLength() <= bytes.length);
            quoted.source();
            quoted.protocol();
        }
    }
}
