package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Icmpv4FlyweightTest {
    /** The 32-byte payload Windows ping sends. */
    private static final String WINDOWS_PING_PAYLOAD =
            "61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 61 62 63 64 65 66 67 68 69";

    /** Windows ping's first echo request. */
    private static final String ECHO_REQUEST =
            "08"              // type 8, echo request
            + "00"            // code 0
            + "4d 5a"         // checksum
            + "00 01"         // identifier 1
            + "00 01"         // sequence number 1
            + WINDOWS_PING_PAYLOAD;

    /** A TCP segment's IPv4 header (10.10.0.1 to 93.184.216.34, 1500 bytes, DF) and its first 8 bytes. */
    private static final String QUOTED_TCP_DATAGRAM =
            "45 00 05 dc"     // version 4, IHL 5, total length 1500
            + "1a 2b 40 00"   // identification 0x1a2b, DF
            + "3f 06 dc 0b"   // TTL 63, protocol TCP, header checksum
            + "0a 0a 00 01"   // source 10.10.0.1
            + "5d b8 d8 22"   // destination 93.184.216.34
            + "c3 50 01 bb"   // TCP source port 50000, destination port 443
            + "12 34 56 78";  // TCP sequence number

    /** A router's "fragmentation needed" for that datagram, with the next-hop MTU 1400 (RFC 1191). */
    private static final String FRAGMENTATION_NEEDED =
            "03"              // type 3, destination unreachable
            + "04"            // code 4, fragmentation needed and DF set
            + "c9 cb"         // checksum
            + "00 00"         // unused
            + "05 78"         // next-hop MTU 1400
            + QUOTED_TCP_DATAGRAM;

    private static final int GATEWAY = Ipv4Address.of(10, 10, 0, 254);

    private final Icmpv4Flyweight icmp = new Icmpv4Flyweight();

    private static byte[] hex(String... parts) {
        return HexFormat.of().parseHex(String.join("", parts).replace(" ", ""));
    }

    private Malformed wrap(byte[] message) {
        return icmp.wrap(MemorySegment.ofArray(message), 0, message.length);
    }

    // ---- echo ----

    @Test
    void echoRequestDecodesAndItsChecksumVerifies() {
        byte[] message = hex(ECHO_REQUEST);
        assertEquals(Malformed.NONE, wrap(message));
        assertEquals(Icmpv4Flyweight.TYPE_ECHO_REQUEST, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x4d5a, icmp.checksum());
        assertEquals(1, icmp.identifier());
        assertEquals(1, icmp.sequenceNumber());
        assertEquals(0x0001_0001, icmp.restOfHeader());
        assertFalse(icmp.isError());
        assertEquals(8, icmp.headerLength());
        assertEquals(8, icmp.payloadOffset());
        assertEquals(32, icmp.payloadLength());
        assertEquals(40, icmp.length());
        assertTrue(icmp.checksumValid());
        assertEquals(0x4d5a, icmp.computeChecksum());
        assertEquals("abcdefghijklmnopqrstuvwabcdefghi", new String(message, 8, 32, StandardCharsets.US_ASCII));
    }

    @Test
    void echoRequestRecordWritesTheKnownBytes() {
        Icmpv4Message request = Icmpv4Message.echoRequest(1, 1, hex(WINDOWS_PING_PAYLOAD));
        assertEquals(0x4d5a, request.checksum());
        byte[] message = new byte[request.length()];
        assertEquals(40, request.writeTo(MemorySegment.ofArray(message), 0));
        assertArrayEquals(hex(ECHO_REQUEST), message);
        assertEquals(Malformed.NONE, wrap(message));
        assertEquals(request, Icmpv4Message.from(icmp));
    }

    @Test
    void echoAnswerKeepsIdentifierSequenceAndData() {
        Icmpv4Message request = Icmpv4Message.echoRequest(1, 1, hex(WINDOWS_PING_PAYLOAD));
        Icmpv4Message reply = request.echoAnswer();
        assertEquals(Icmpv4Flyweight.TYPE_ECHO_REPLY, reply.type());
        assertEquals(1, reply.identifier());
        assertEquals(1, reply.sequenceNumber());
        assertArrayEquals(request.data(), reply.data());
        // The type word drops by 0x0800, so the complemented sum rises by it: 0x4d5a + 0x0800.
        assertEquals(0x555a, reply.checksum());
        assertEquals(Icmpv4Message.echoReply(1, 1, hex(WINDOWS_PING_PAYLOAD)), reply);
    }

    @Test
    void echoReplyBuiltInPlaceWithTheFlyweight() {
        // Turn the request into its reply in the receive buffer, as an engine answering pings does.
        byte[] message = hex(ECHO_REQUEST);
        assertEquals(Malformed.NONE, wrap(message));
        icmp.type(Icmpv4Flyweight.TYPE_ECHO_REPLY).fillChecksum();
        assertEquals(0x555a, icmp.checksum());
        assertTrue(icmp.checksumValid());
        assertEquals(1, icmp.identifier());
    }

    @Test
    void oddLengthMessageIsSummedWithAPaddingZero() {
        byte[] message = hex(
                "08 00",          // echo request
                "db e5",          // checksum over an odd number of bytes
                "1c 46 00 03",    // identifier 0x1c46, sequence 3
                "70 69 6e 67 21"); // "ping!"
        assertEquals(Malformed.NONE, wrap(message));
        assertEquals(13, icmp.length());
        assertEquals(5, icmp.payloadLength());
        assertTrue(icmp.checksumValid());
        assertEquals(0xdbe5, icmp.computeChecksum());
    }

    @Test
    void ethernetPaddingStaysOutOfTheChecksum() {
        // An echo request without data (28 bytes of IPv4) padded to the 60-byte frame minimum with
        // non-zero bytes: the ICMP message ends where the IPv4 total length says.
        byte[] frame = new byte[EthernetFlyweight.MINIMUM_FRAME_LENGTH];
        Arrays.fill(frame, (byte) 0x5a);
        byte[] headers = hex(
                "02 00 0a 0a 00 01", "02 00 0a 0a 00 02", "08 00",                     // Ethernet
                "45 00 00 1c 11 11 40 00 40 01 15 ba 0a 0a 00 02 0a 0a 00 01",        // IPv4, total 28
                "08 00 ec 4b 0b ad 00 07");                                            // echo id 0x0bad seq 7
        System.arraycopy(headers, 0, frame, 0, headers.length);
        MemorySegment segment = MemorySegment.ofArray(frame);
        EthernetFlyweight ethernet = new EthernetFlyweight();
        Ipv4Flyweight ipv4 = new Ipv4Flyweight();
        assertEquals(Malformed.NONE, ethernet.wrap(segment, 0, frame.length));
        assertEquals(Malformed.NONE, ipv4.wrap(segment, ethernet.payloadOffset(), ethernet.payloadLength()));
        assertTrue(ipv4.checksumValid());
        assertEquals(Ipv4Flyweight.PROTOCOL_ICMP, ipv4.protocol());

        assertEquals(Malformed.NONE, icmp.wrap(segment, ipv4.payloadOffset(), ipv4.payloadLength()));
        assertEquals(8, icmp.length());
        assertEquals(0x0bad, icmp.identifier());
        assertEquals(7, icmp.sequenceNumber());
        assertTrue(icmp.checksumValid());
        // Wrapped over the padding too, the same message would not verify.
        assertEquals(Malformed.NONE, icmp.wrap(segment, ipv4.payloadOffset(), ethernet.payloadLength() - 20));
        assertFalse(icmp.checksumValid());
    }

    // ---- errors ----

    @Test
    void fragmentationNeededGivesTheMtuAndTheFlow() {
        // Router 10.0.0.254 tells 10.10.0.1 that its 1500-byte TCP segment does not fit.
        byte[] frame = hex(
                "02 00 0a 0a 00 01", "02 00 0a 0a 00 fe", "08 00",                     // Ethernet
                "45 c0 00 38 00 00 00 00 ff 01 a5 fc 0a 00 00 fe 0a 0a 00 01",        // IPv4, ICMP, total 56
                FRAGMENTATION_NEEDED);
        MemorySegment segment = MemorySegment.ofArray(frame);
        EthernetFlyweight ethernet = new EthernetFlyweight();
        Ipv4Flyweight ipv4 = new Ipv4Flyweight();
        assertEquals(Malformed.NONE, ethernet.wrap(segment, 0, frame.length));
        assertEquals(Malformed.NONE, ipv4.wrap(segment, ethernet.payloadOffset(), ethernet.payloadLength()));
        assertTrue(ipv4.checksumValid());
        assertEquals(Malformed.NONE, icmp.wrap(segment, ipv4.payloadOffset(), ipv4.payloadLength()));

        assertEquals(Icmpv4Flyweight.TYPE_DESTINATION_UNREACHABLE, icmp.type());
        assertEquals(Icmpv4Flyweight.CODE_FRAGMENTATION_NEEDED, icmp.code());
        assertEquals(0xc9cb, icmp.checksum());
        assertTrue(icmp.checksumValid());
        assertTrue(icmp.isError());
        assertEquals(1400, icmp.nextHopMtu());
        assertEquals(14 + 20 + 8, icmp.quotedDatagramOffset());
        assertEquals(28, icmp.quotedDatagramLength());

        // The quote names the flow: addresses and protocol from its header, ports from its first 8 bytes.
        Ipv4Flyweight quoted = new Ipv4Flyweight();
        assertEquals(Malformed.NONE, quoted.wrapQuoted(segment, icmp.quotedDatagramOffset(), icmp.quotedDatagramLength()));
        assertEquals(Ipv4Address.of(10, 10, 0, 1), quoted.source());
        assertEquals(Ipv4Address.of(93, 184, 216, 34), quoted.destination());
        assertEquals(Ipv4Flyweight.PROTOCOL_TCP, quoted.protocol());
        assertEquals(1500, quoted.totalLength());
        assertTrue(quoted.dontFragment());
        assertEquals(8, quoted.payloadLength());
        assertEquals(50000, NetworkOrder.u16(segment, quoted.payloadOffset()));
        assertEquals(443, NetworkOrder.u16(segment, quoted.payloadOffset() + 2));
        assertEquals(0x12345678, NetworkOrder.u32AsInt(segment, quoted.payloadOffset() + 4));
    }

    @Test
    void fragmentationNeededRecordWritesTheKnownBytes() {
        Icmpv4Message message = Icmpv4Message.fragmentationNeeded(1400, hex(QUOTED_TCP_DATAGRAM));
        assertEquals(0xc9cb, message.checksum());
        assertEquals(1400, message.nextHopMtu());
        assertTrue(message.isError());
        byte[] bytes = new byte[message.length()];
        assertEquals(36, message.writeTo(MemorySegment.ofArray(bytes), 0));
        assertArrayEquals(hex(FRAGMENTATION_NEEDED), bytes);
    }

    @Test
    void preRfc1191RouterLeavesTheMtuZero() {
        byte[] message = hex(FRAGMENTATION_NEEDED);
        message[6] = 0;
        message[7] = 0;
        assertEquals(Malformed.NONE, wrap(message));
        assertEquals(0, icmp.nextHopMtu());
        assertFalse(icmp.checksumValid());
        icmp.fillChecksum();
        assertTrue(icmp.checksumValid());
    }

    @Test
    void timeExceededQuotesTheTracerouteProbe() {
        // TTL 1 UDP probe from 10.10.0.1:40000 to 8.8.8.8:33434 expired at the first hop.
        byte[] message = hex(
                "0b 00 d5 fc",                                                          // time exceeded, TTL, checksum
                "00 00 00 00",                                                          // unused
                "45 00 00 3c 00 07 00 00 01 11 9f 90 0a 0a 00 01 08 08 08 08",        // quoted IPv4, UDP
                "9c 40 82 9a 00 28 00 00");                                             // UDP ports 40000 > 33434
        assertEquals(Malformed.NONE, wrap(message));
        assertEquals(Icmpv4Flyweight.TYPE_TIME_EXCEEDED, icmp.type());
        assertEquals(Icmpv4Flyweight.CODE_TTL_EXCEEDED_IN_TRANSIT, icmp.code());
        assertTrue(icmp.isError());
        assertTrue(icmp.checksumValid());
        Ipv4Flyweight quoted = new Ipv4Flyweight();
        assertEquals(Malformed.NONE, quoted.wrapQuoted(icmp.segment(), icmp.quotedDatagramOffset(), icmp.quotedDatagramLength()));
        assertEquals(Ipv4Flyweight.PROTOCOL_UDP, quoted.protocol());
        assertEquals(33434, NetworkOrder.u16(icmp.segment(), quoted.payloadOffset() + 2));
        assertEquals(Icmpv4Message.timeExceeded(Icmpv4Flyweight.CODE_TTL_EXCEEDED_IN_TRANSIT,
                Arrays.copyOfRange(message, 8, 36)), Icmpv4Message.from(icmp));
    }

    @Test
    void portUnreachableRecordRoundTrips() {
        byte[] quote = hex("45 00 00 3c 00 07 00 00 01 11 9f 90 0a 0a 00 01 08 08 08 08", "9c 40 82 9a 00 28 00 00");
        Icmpv4Message message = Icmpv4Message.destinationUnreachable(Icmpv4Flyweight.CODE_PORT_UNREACHABLE, quote);
        byte[] bytes = new byte[message.length()];
        message.writeTo(MemorySegment.ofArray(bytes), 0);
        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(Icmpv4Flyweight.CODE_PORT_UNREACHABLE, icmp.code());
        assertEquals(0, icmp.restOfHeader());
        assertTrue(icmp.checksumValid());
        assertEquals(message, Icmpv4Message.from(icmp));
    }

    @Test
    void parameterProblemPointerAndRedirectGatewayDecode() {
        byte[] problem = hex("0c 00 00 00 14 00 00 00");   // parameter problem at byte 20 of the quote
        assertEquals(Malformed.NONE, wrap(problem));
        assertEquals(Icmpv4Flyweight.TYPE_PARAMETER_PROBLEM, icmp.type());
        assertEquals(20, icmp.pointer());
        assertTrue(icmp.isError());

        byte[] redirect = hex("05 01 00 00 0a 0a 00 fe");    // redirect for host to gateway 10.10.0.254
        assertEquals(Malformed.NONE, wrap(redirect));
        assertEquals(GATEWAY, icmp.gatewayAddress());
        assertTrue(icmp.isError());
    }

    @Test
    void onlyErrorTypesQuoteADatagram() {
        for (int type : new int[] {3, 4, 5, 11, 12}) {
            assertTrue(Icmpv4Flyweight.isErrorType(type), "type " + type);
        }
        for (int type : new int[] {0, 8, 9, 10, 13, 14, 255}) {
            assertFalse(Icmpv4Flyweight.isErrorType(type), "type " + type);
        }
    }

    @Test
    void writerSetsEachField() {
        byte[] bytes = new byte[12];
        icmp.wrapForWrite(MemorySegment.ofArray(bytes), 0, 12)
                .type(Icmpv4Flyweight.TYPE_DESTINATION_UNREACHABLE)
                .code(Icmpv4Flyweight.CODE_FRAGMENTATION_NEEDED)
                .restOfHeader(0)
                .nextHopMtu(1280);
        bytes[8] = 0x45;
        icmp.fillChecksum();
        assertEquals(0x0304, NetworkOrder.u16(MemorySegment.ofArray(bytes), 0));
        assertEquals(0x0500, NetworkOrder.u16(MemorySegment.ofArray(bytes), 6));
        assertTrue(icmp.checksumValid());
        // The second word's views overlap: each setter writes only its own bytes.
        icmp.gatewayAddress(GATEWAY).sequenceNumber(0xbeef);
        assertEquals(GATEWAY & 0xffff0000 | 0xbeef, icmp.restOfHeader());
        icmp.pointer(9).identifier(icmp.identifier());
        assertEquals(9, bytes[4]);
        assertEquals(0x09000000 | (GATEWAY & 0x00ff0000) | 0xbeef, icmp.restOfHeader());
    }

    // ---- drop reasons ----

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
    void fewerThanEightBytesIsTruncated(int length) {
        assertEquals(Malformed.ICMPV4_TRUNCATED, icmp.wrap(MemorySegment.ofArray(hex(ECHO_REQUEST)), 0, length));
    }

    @Test
    void headerAloneIsEnough() {
        assertEquals(Malformed.NONE, icmp.wrap(MemorySegment.ofArray(hex(ECHO_REQUEST)), 0, 8));
        assertEquals(0, icmp.payloadLength());
    }

    @Test
    void offsetOutsideTheSegmentIsACallerBug() {
        MemorySegment segment = MemorySegment.ofArray(new byte[8]);
        assertThrows(IndexOutOfBoundsException.class, () -> icmp.wrap(segment, 1, 8));
    }

    @Test
    void recordRejectsValuesThatDoNotFitTheirFields() {
        assertThrows(IllegalArgumentException.class, () -> new Icmpv4Message(256, 0, 0, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Icmpv4Message(0, -1, 0, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Icmpv4Message(0, 0, 0x10000, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Icmpv4Message.echoRequest(0x10000, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Icmpv4Message.fragmentationNeeded(-1, new byte[0]));
    }

}
