package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The records of {@link Icmpv6Message} that keep a byte array are values: equal, hashed and shown
 * by the array's content, with every other component taking part, and never equal to a record of
 * another kind with the same components.
 */
class Icmpv6MessageValueTest {
    private static final byte[] BYTES = {0x60, 0x00, (byte) 0xab};

    @Test
    void equalByContentNotByArrayIdentity() {
        List<Icmpv6Message> messages = messages(BYTES);
        List<Icmpv6Message> sameContent = messages(BYTES.clone());
        List<Icmpv6Message> otherContent = messages(new byte[] {0x60, 0x00, (byte) 0xac});
        for (int i = 0; i < messages.size(); i++) {
            assertEquals(messages.get(i), sameContent.get(i));
            assertEquals(messages.get(i).hashCode(), sameContent.get(i).hashCode());
            assertNotEquals(messages.get(i), otherContent.get(i));
        }
    }

    @Test
    void everyComponentTakesPart() {
        assertNotEquals(new Icmpv6Message.EchoRequest(0, 0, 7, 9, BYTES), new Icmpv6Message.EchoRequest(0, 0, 7, 8, BYTES));
        assertNotEquals(new Icmpv6Message.EchoReply(0, 0, 7, 9, BYTES), new Icmpv6Message.EchoReply(0, 0, 6, 9, BYTES));
        assertNotEquals(new Icmpv6Message.PacketTooBig(0, 0, 1280, BYTES), new Icmpv6Message.PacketTooBig(0, 0, 1281, BYTES));
        assertNotEquals(new Icmpv6Message.ParameterProblem(0, 0, 40, BYTES), new Icmpv6Message.ParameterProblem(0, 0, 41, BYTES));
        assertNotEquals(new Icmpv6Message.DestinationUnreachable(4, 0, BYTES), new Icmpv6Message.DestinationUnreachable(3, 0, BYTES));
        assertNotEquals(new Icmpv6Message.TimeExceeded(0, 0x1234, BYTES), new Icmpv6Message.TimeExceeded(0, 0x1235, BYTES));
        assertNotEquals(new Icmpv6Message.Other(200, 0, 0, BYTES), new Icmpv6Message.Other(201, 0, 0, BYTES));
    }

    @Test
    void kindsWithTheSameComponentsDiffer() {
        assertNotEquals(new Icmpv6Message.EchoRequest(7, 9, BYTES), new Icmpv6Message.EchoReply(7, 9, BYTES));
        assertNotEquals(new Icmpv6Message.DestinationUnreachable(0, BYTES), new Icmpv6Message.TimeExceeded(0, BYTES));
        assertNotEquals(new Icmpv6Message.PacketTooBig(0, 0, 40, BYTES), new Icmpv6Message.ParameterProblem(0, 0, 40, BYTES));
    }

    @Test
    void hashIsObjectsHashOfTheComponentsWithTheArrayHashedByContent() {
        assertEquals(Objects.hash(1, 0xbeef, 1280L, Arrays.hashCode(BYTES)),
                new Icmpv6Message.PacketTooBig(1, 0xbeef, 1280, BYTES).hashCode());
        assertEquals(Objects.hash(200, 2, 3, Arrays.hashCode(BYTES)),
                new Icmpv6Message.Other(200, 2, 3, BYTES).hashCode());
    }

    @Test
    void shownWithTheChecksumAndTheBytesInHex() {
        assertEquals("EchoRequest[code=0, checksum=0xbeef, identifier=7, sequenceNumber=9, data=6000ab]",
                new Icmpv6Message.EchoRequest(0, 0xbeef, 7, 9, BYTES).toString());
        assertEquals("EchoReply[code=0, checksum=0x0000, identifier=7, sequenceNumber=9, data=]",
                new Icmpv6Message.EchoReply(7, 9, new byte[0]).toString());
        assertEquals("DestinationUnreachable[code=4, checksum=0x0000, quotedPacket=6000ab]",
                new Icmpv6Message.DestinationUnreachable(4, BYTES).toString());
        assertEquals("PacketTooBig[code=0, checksum=0x0000, mtuBytes=1280, quotedPacket=6000ab]",
                new Icmpv6Message.PacketTooBig(1280, BYTES).toString());
        assertEquals("TimeExceeded[code=1, checksum=0x0000, quotedPacket=6000ab]",
                new Icmpv6Message.TimeExceeded(1, BYTES).toString());
        assertEquals("ParameterProblem[code=1, checksum=0x00ff, pointer=40, quotedPacket=6000ab]",
                new Icmpv6Message.ParameterProblem(1, 0xff, 40, BYTES).toString());
        assertEquals("Other[type=133, code=0, checksum=0x0001, body=6000ab]",
                new Icmpv6Message.Other(133, 0, 1, BYTES).toString());
    }

    private static List<Icmpv6Message> messages(byte[] bytes) {
        return List.of(
                new Icmpv6Message.EchoRequest(7, 9, bytes),
                new Icmpv6Message.EchoReply(7, 9, bytes),
                new Icmpv6Message.DestinationUnreachable(4, bytes),
                new Icmpv6Message.PacketTooBig(1280, bytes),
                new Icmpv6Message.TimeExceeded(0, bytes),
                new Icmpv6Message.ParameterProblem(0, 0, 40, bytes),
                new Icmpv6Message.Other(133, 0, 0, bytes));
    }
}
