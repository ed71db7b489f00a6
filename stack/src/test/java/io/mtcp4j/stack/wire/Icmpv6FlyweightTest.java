package io.mtcp4j.stack.wire;

import static io.mtcp4j.stack.wire.Ipv6FlyweightTest.HOST_HEX;
import static io.mtcp4j.stack.wire.Ipv6FlyweightTest.SERVER_HEX;
import static io.mtcp4j.stack.wire.Ipv6FlyweightTest.TCP_HEX;
import static io.mtcp4j.stack.wire.Ipv6FlyweightTest.concat;
import static io.mtcp4j.stack.wire.Ipv6FlyweightTest.hex;
import static io.mtcp4j.stack.wire.Ipv6FlyweightTest.referenceSum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Icmpv6FlyweightTest {
    static final String LINK_LOCAL_HEX = "fe80 0000 0000 0000 0000 0000 0000 0001";      // fe80::1
    static final String TARGET_HEX = "fd00 0010 0010 0000 0000 0000 0000 0002";          // fd00:10:10::2
    static final String SOLICITED_NODE_HEX = "ff02 0000 0000 0000 0000 0001 ff00 0002";  // ff02::1:ff00:2
    static final String ROUTER_HEX = "fd00 0010 0010 0000 0000 0000 0000 00fe";          // fd00:10:10::fe

    static final Ipv6Address TARGET = Ipv6Address.parse("fd00:10:10::2");
    static final long HOST_MAC = 0x02_00_00_00_00_01L;
    static final long TARGET_MAC = 0x02_00_00_00_00_02L;

    /**
     * fe80::1 (02:00:00:00:00:01) asks who has fd00:10:10::2, sent to that address's solicited-node
     * group. Checksum 0x7bf7 computed outside this project (a Python RFC 1071 sum).
     */
    static byte[] neighborSolicitation() {
        return hex(
                "60000000", "0020 3a ff",    // payload 32, next header ICMPv6, hop limit 255 (RFC 4861 7.1.1)
                LINK_LOCAL_HEX, SOLICITED_NODE_HEX,
                "87 00 7bf7",                // type 135, code 0, checksum
                "00000000",                  // reserved
                TARGET_HEX,                  // target address
                "01 01 020000000001");       // source link-layer address option, 1 unit of 8 bytes, MAC
    }

    /** fd00:10:10::2 answers with S and O set and its MAC. Checksum 0x1ada computed outside this project. */
    static byte[] neighborAdvertisement() {
        return hex(
                "60000000", "0020 3a ff",
                TARGET_HEX, LINK_LOCAL_HEX,
                "88 00 1ada",                // type 136, code 0, checksum
                "60000000",                  // R=0 S=1 O=1, reserved
                TARGET_HEX,
                "02 01 020000000002");       // target link-layer address option
    }

    /** A ping from fd00:10:10::1 to fd00:10:10::2 with 16 bytes of data. Checksum 0xba72 computed outside. */
    static byte[] echoRequest() {
        return hex(
                "60000000", "0018 3a 40",    // payload 24
                HOST_HEX, TARGET_HEX,
                "80 00 ba72",                // type 128, code 0, checksum
                "1234 0001",                 // identifier 0x1234, sequence 1
                "101112131415161718191a1b1c1d1e1f");
    }

    /**
     * Router fd00:10:10::fe tells fd00:10:10::1 that a 1500-byte TCP segment to 2001:db8::80 does
     * not fit its 1280-byte link, quoting the segment's IPv6 and TCP headers. Checksum 0x50e6
     * computed outside this project.
     */
    static byte[] packetTooBig() {
        return hex(
                "60000000", "0044 3a 40",    // payload 68 = 8 + 40 + 20
                ROUTER_HEX, HOST_HEX,
                "02 00 50e6",                // type 2, code 0, checksum
                "00000500",                  // MTU 1280
                "60000000 05a0 06 40",       // quoted IPv6: payload 1440, next header TCP, hop limit 64
                HOST_HEX, SERVER_HEX,
                TCP_HEX);                    // quoted TCP: 50000 -> 443
    }

    private final Ipv6Flyweight ip = new Ipv6Flyweight();
    private final Icmpv6Flyweight icmp = new Icmpv6Flyweight();

    /** Wraps the IPv6 header, then the ICMPv6 message with its checksum verified. */
    private Malformed wrap(byte[] packet) {
        MemorySegment segment = MemorySegment.ofArray(packet);
        assertEquals(Malformed.NONE, ip.wrap(segment, 0, packet.length));
        assertEquals(Ipv6Flyweight.ICMPV6, ip.upperLayerProtocol());
        return icmp.wrapAndVerify(segment, ip.upperLayerOffset(), ip.upperLayerLength(), ip.pseudoHeaderSum());
    }

    /** RFC 4443 2.3 pseudo-header and message summed by the test's own reference. */
    private static int referenceSumWithPseudoHeader(byte[] packet) {
        byte[] message = Arrays.copyOfRange(packet, 40, packet.length);
        byte[] pseudo = concat(Arrays.copyOfRange(packet, 8, 40), hex(String.format("%08x", message.length), "000000 3a"));
        return referenceSum(concat(pseudo, message));
    }

    /** The message the record writes, with its checksum filled from the same IPv6 header, matches the packet. */
    private void assertRecordWritesTheSameBytes(byte[] packet, Icmpv6Message message) {
        byte[] written = Arrays.copyOf(packet, packet.length);
        Arrays.fill(written, 40, written.length, (byte) 0);
        MemorySegment segment = MemorySegment.ofArray(written);
        assertEquals(packet.length - 40, message.writeTo(segment, 40));
        ip.wrapForWrite(segment, 0);
        new Icmpv6Flyweight().wrapForWrite(segment, 40, message.length())
                .fillChecksum(ip.pseudoHeaderSum(Ipv6Flyweight.ICMPV6, message.length()));
        assertArrayEquals(packet, written);
    }

    @Test
    void neighborSolicitationKnownAnswer() {
        byte[] packet = neighborSolicitation();
        assertEquals(0xffff, referenceSumWithPseudoHeader(packet));
        assertEquals(Malformed.NONE, wrap(packet));
        assertEquals(Icmpv6Flyweight.NEIGHBOR_SOLICITATION, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x7bf7, icmp.checksum());
        assertEquals(32, icmp.messageLength());
        assertEquals(TARGET.high(), icmp.targetHigh());
        assertEquals(TARGET.low(), icmp.targetLow());
        assertEquals(HOST_MAC, icmp.sourceLinkLayerAddress());
        assertEquals(Icmpv6Flyweight.NO_LINK_LAYER_ADDRESS, icmp.targetLinkLayerAddress());
        assertEquals(40 + 24, icmp.optionsOffset());
        assertEquals(8, icmp.optionsLength());
        // Sent to the target's solicited-node group, which maps to 33:33:ff:00:00:02.
        assertEquals(TARGET.solicitedNode(), new Ipv6Address(ip.destinationHigh(), ip.destinationLow()));
        assertEquals(0x3333_ff00_0002L, Ipv6Address.multicastMac(ip.destinationLow()));
        assertTrue(Ipv6Address.isLinkLocal(ip.sourceHigh()));
        assertEquals(255, ip.hopLimit());
    }

    @Test
    void neighborSolicitationRecord() {
        byte[] packet = neighborSolicitation();
        assertEquals(Malformed.NONE, wrap(packet));
        Icmpv6Message message = Icmpv6Message.from(icmp);
        assertEquals(new Icmpv6Message.NeighborSolicitation(0, 0x7bf7, TARGET, OptionalLong.of(HOST_MAC)), message);
        assertRecordWritesTheSameBytes(packet, new Icmpv6Message.NeighborSolicitation(TARGET, OptionalLong.of(HOST_MAC)));
    }

    @Test
    void neighborAdvertisementWithSolicitedAndOverrideFlags() {
        byte[] packet = neighborAdvertisement();
        assertEquals(0xffff, referenceSumWithPseudoHeader(packet));
        assertEquals(Malformed.NONE, wrap(packet));
        assertEquals(Icmpv6Flyweight.NEIGHBOR_ADVERTISEMENT, icmp.type());
        assertFalse(icmp.router());
        assertTrue(icmp.solicited());
        assertTrue(icmp.override());
        assertEquals(TARGET.high(), icmp.targetHigh());
        assertEquals(TARGET.low(), icmp.targetLow());
        assertEquals(TARGET_MAC, icmp.targetLinkLayerAddress());
        assertEquals(Icmpv6Flyweight.NO_LINK_LAYER_ADDRESS, icmp.sourceLinkLayerAddress());

        var expected = new Icmpv6Message.NeighborAdvertisement(0, 0x1ada, false, true, true, TARGET, OptionalLong.of(TARGET_MAC));
        assertEquals(expected, Icmpv6Message.from(icmp));
        assertRecordWritesTheSameBytes(packet,
                new Icmpv6Message.NeighborAdvertisement(false, true, true, TARGET, OptionalLong.of(TARGET_MAC)));
    }

    @Test
    void echoRequestKnownAnswer() {
        byte[] packet = echoRequest();
        assertEquals(0xffff, referenceSumWithPseudoHeader(packet));
        assertEquals(Malformed.NONE, wrap(packet));
        assertEquals(Icmpv6Flyweight.ECHO_REQUEST, icmp.type());
        assertEquals(0x1234, icmp.identifier());
        assertEquals(1, icmp.sequenceNumber());
        assertEquals(48, icmp.echoDataOffset());
        assertEquals(16, icmp.echoDataLength());
        assertEquals(0x10, NetworkOrder.u8(icmp.segment(), icmp.echoDataOffset()));
        assertEquals(-1, icmp.optionsOffset());
        assertEquals(0, icmp.optionsLength());

        byte[] data = hex("101112131415161718191a1b1c1d1e1f");
        assertEquals(new Icmpv6Message.EchoRequest(0, 0xba72, 0x1234, 1, data), Icmpv6Message.from(icmp));
        assertRecordWritesTheSameBytes(packet, new Icmpv6Message.EchoRequest(0x1234, 1, data));
    }

    @Test
    void echoReplyDiffersFromTheRequestOnlyInTypeAndChecksum() {
        byte[] data = hex("101112131415161718191a1b1c1d1e1f");
        byte[] reply = echoRequest();
        // Addresses swap (the sum is unchanged) and the type goes from 128 to 129: the checksum drops by 0x0100.
        byte[] swapped = concat(Arrays.copyOf(reply, 8), hex(TARGET_HEX, HOST_HEX), Arrays.copyOfRange(reply, 40, reply.length));
        swapped[40] = (byte) Icmpv6Flyweight.ECHO_REPLY;
        swapped[42] = (byte) 0xb9;
        swapped[43] = 0x72;
        assertEquals(Malformed.NONE, wrap(swapped));
        assertEquals(new Icmpv6Message.EchoReply(0, 0xb972, 0x1234, 1, data), Icmpv6Message.from(icmp));
    }

    @Test
    void packetTooBigQuotingATcpSegment() {
        byte[] packet = packetTooBig();
        assertEquals(0xffff, referenceSumWithPseudoHeader(packet));
        assertEquals(Malformed.NONE, wrap(packet));
        assertEquals(Icmpv6Flyweight.PACKET_TOO_BIG, icmp.type());
        assertTrue(Icmpv6Flyweight.isError(icmp.type()));
        assertEquals(1280, icmp.mtuBytes());
        assertEquals(48, icmp.quotedPacketOffset());
        assertEquals(60, icmp.quotedPacketLength());

        // The quoted header claims 1440 payload bytes of which 20 are quoted: walk it leniently.
        Ipv6Flyweight quoted = new Ipv6Flyweight();
        assertEquals(Malformed.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME,
                quoted.wrap(icmp.segment(), icmp.quotedPacketOffset(), icmp.quotedPacketLength()));
        assertEquals(Malformed.NONE, quoted.wrapQuoted(icmp.segment(), icmp.quotedPacketOffset(), icmp.quotedPacketLength()));
        assertEquals(1440, quoted.payloadLength());
        assertEquals(Ipv6Address.parse("2001:db8::80"), new Ipv6Address(quoted.destinationHigh(), quoted.destinationLow()));
        assertEquals(Ipv6Flyweight.TCP, quoted.upperLayerProtocol());
        assertEquals(20, quoted.upperLayerLength());
        assertEquals(50000, NetworkOrder.u16(quoted.segment(), quoted.upperLayerOffset()));
        assertEquals(443, NetworkOrder.u16(quoted.segment(), quoted.upperLayerOffset() + 2));

        byte[] quotedBytes = Arrays.copyOfRange(packet, 48, packet.length);
        assertEquals(new Icmpv6Message.PacketTooBig(0, 0x50e6, 1280, quotedBytes), Icmpv6Message.from(icmp));
        assertRecordWritesTheSameBytes(packet, new Icmpv6Message.PacketTooBig(1280, quotedBytes));
    }

    @Test
    void destinationUnreachableAndTimeExceededQuoteThePacket() {
        byte[] quoted = hex("60000000 0014 06 01", HOST_HEX, SERVER_HEX, TCP_HEX);
        byte[] buffer = new byte[8 + quoted.length];
        MemorySegment segment = MemorySegment.ofArray(buffer);

        // Code 4: port unreachable.
        var unreachable = new Icmpv6Message.DestinationUnreachable(4, quoted);
        assertEquals(buffer.length, unreachable.writeTo(segment, 0));
        assertArrayEquals(hex("01 04 0000 00000000"), Arrays.copyOf(buffer, 8));
        assertEquals(Malformed.NONE, icmp.wrap(segment, 0, buffer.length));
        assertEquals(4, icmp.code());
        assertEquals(quoted.length, icmp.quotedPacketLength());
        assertEquals(unreachable, Icmpv6Message.from(icmp));

        // Code 0: hop limit exceeded in transit (the quoted hop limit was 1).
        var exceeded = new Icmpv6Message.TimeExceeded(0, quoted);
        exceeded.writeTo(segment, 0);
        assertArrayEquals(hex("03 00 0000 00000000"), Arrays.copyOf(buffer, 8));
        assertEquals(Malformed.NONE, icmp.wrap(segment, 0, buffer.length));
        assertEquals(exceeded, Icmpv6Message.from(icmp));
        assertEquals(1, NetworkOrder.u8(segment, icmp.quotedPacketOffset() + Ipv6Flyweight.HOP_LIMIT_OFFSET));
    }

    @Test
    void parameterProblemPointsIntoTheQuotedPacket() {
        // Code 1: unrecognised Next Header; pointer 6 is the quoted header's Next Header byte.
        byte[] packet = hex("04 01 0000 00000006", "60000000 0000 fd 40", HOST_HEX, SERVER_HEX);
        assertEquals(Malformed.NONE, icmp.wrap(MemorySegment.ofArray(packet), 0, packet.length));
        assertEquals(6, icmp.parameterProblemPointer());
        var message = assertInstanceOf(Icmpv6Message.ParameterProblem.class, Icmpv6Message.from(icmp));
        assertEquals(6, message.pointer());
        assertEquals(1, message.code());
        assertEquals(40, message.quotedPacket().length);
    }

    @Test
    void routerSolicitationIsRecognisedAndItsSourceLinkLayerOptionRead() {
        byte[] packet = hex("85 00 0000 00000000", "01 01 020000000001"); // type 133, reserved, SLLA option
        assertEquals(Malformed.NONE, icmp.wrap(MemorySegment.ofArray(packet), 0, packet.length));
        assertEquals(Icmpv6Flyweight.ROUTER_SOLICITATION, icmp.type());
        assertEquals(HOST_MAC, icmp.sourceLinkLayerAddress());
        assertEquals(new Icmpv6Message.Other(133, 0, 0, hex("00000000 01 01 020000000001")), Icmpv6Message.from(icmp));
    }

    @Test
    void routerAdvertisementIsRecognisedWithoutParsingItsFields() {
        // Type 134, hop limit 64, M/O flags 0, router lifetime 1800 s, reachable time, retransmit timer, SLLA.
        byte[] packet = hex("86 00 0000 40 00 0708 00000000 00000000", "01 01 0200000000fe");
        assertEquals(Malformed.NONE, icmp.wrap(MemorySegment.ofArray(packet), 0, packet.length));
        assertEquals(0x02_00_00_00_00_feL, icmp.sourceLinkLayerAddress());
        assertEquals(16, icmp.optionsOffset());
        assertInstanceOf(Icmpv6Message.Other.class, Icmpv6Message.from(icmp));
    }

    @Test
    void skipsOptionsItDoesNotReadByTheirLength() {
        byte[] packet = hex(
                "87 00 0000 00000000", TARGET_HEX,
                "0e 01 0102030405 06",           // nonce option (RFC 3971), 8 bytes
                "01 02 0000000000000000 000000000000", // a 16-byte source link-layer option: not Ethernet, skipped
                "01 01 020000000001",            // the Ethernet source link-layer option
                "01 01 02000000009f");           // a second one: the first wins
        assertEquals(Malformed.NONE, icmp.wrap(MemorySegment.ofArray(packet), 0, packet.length));
        assertEquals(HOST_MAC, icmp.sourceLinkLayerAddress());
        assertEquals(40, icmp.optionsLength());
    }

    @Test
    void neighborSolicitationWithoutOptionsIsADuplicateAddressProbe() {
        // RFC 4862 5.4.2: from ::, no source link-layer option.
        byte[] packet = hex("87 00 0000 00000000", TARGET_HEX);
        assertEquals(Malformed.NONE, icmp.wrap(MemorySegment.ofArray(packet), 0, packet.length));
        assertEquals(Icmpv6Flyweight.NO_LINK_LAYER_ADDRESS, icmp.sourceLinkLayerAddress());
        assertEquals(new Icmpv6Message.NeighborSolicitation(TARGET, OptionalLong.empty()), Icmpv6Message.from(icmp));
    }

    @Test
    void unknownTypeNeedsOnlyTheFourByteHeader() {
        byte[] packet = hex("c8 05 abcd");
        assertEquals(Malformed.NONE, icmp.wrap(MemorySegment.ofArray(packet), 0, packet.length));
        assertEquals(new Icmpv6Message.Other(200, 5, 0xabcd, new byte[0]), Icmpv6Message.from(icmp));
    }

    @Test
    void fillChecksumOverAnOddLengthMessageMatchesTheReference() {
        byte[] packet = concat(hex("60000000", "000d 3a 40", HOST_HEX, TARGET_HEX), hex("80 00 0000 0001 0002 ab cd ef 01 02"));
        MemorySegment segment = MemorySegment.ofArray(packet);
        ip.wrapForWrite(segment, 0);
        icmp.wrapForWrite(segment, 40, 13).fillChecksum(ip.pseudoHeaderSum(Ipv6Flyweight.ICMPV6, 13));
        assertEquals(0xffff, referenceSumWithPseudoHeader(packet));
        assertEquals(Malformed.NONE, wrap(packet));
    }

    // Every reason the wrap reports.

    /**
     * RFC 4443 and RFC 4861 fixed parts: one byte fewer than each is truncated; exactly that many is
     * not. Unknown error types (0, 5-127) have the 32-bit word of every error; unknown informational
     * types only the 4-byte header.
     */
    @ParameterizedTest(name = "type {0} needs {1} bytes")
    @CsvSource({
        "128, 8", "129, 8", "1, 8", "2, 8", "3, 8", "4, 8",
        "133, 8", "134, 16", "135, 24", "136, 24", "137, 40", "200, 4",
        "0, 8", "5, 8", "127, 8", "130, 4",
    })
    void messageShorterThanItsTypeNeedsIsTruncated(int type, int minimumLength) {
        byte[] packet = new byte[minimumLength];
        packet[0] = (byte) type;
        MemorySegment segment = MemorySegment.ofArray(packet);
        assertEquals(Malformed.ICMPV6_TRUNCATED, icmp.wrap(segment, 0, minimumLength - 1));
        assertEquals(Malformed.NONE, icmp.wrap(segment, 0, minimumLength));
    }

    @Test
    void fewerThanFourBytesIsTruncated() {
        MemorySegment segment = MemorySegment.ofArray(hex("80 00 00"));
        assertEquals(Malformed.ICMPV6_TRUNCATED, icmp.wrap(segment, 0, 3));
        assertEquals(Malformed.ICMPV6_TRUNCATED, icmp.wrap(segment, 0, 0));
    }

    @Test
    void optionWithLengthZeroIsBad() {
        byte[] packet = hex("87 00 0000 00000000", TARGET_HEX, "01 00 020000000001");
        assertEquals(Malformed.ICMPV6_BAD_OPTION, icmp.wrap(MemorySegment.ofArray(packet), 0, packet.length));
    }

    @Test
    void optionRunningPastTheMessageIsBad() {
        byte[] packet = hex("88 00 0000 60000000", TARGET_HEX, "02 02 020000000002"); // says 16 bytes, has 8
        assertEquals(Malformed.ICMPV6_BAD_OPTION, icmp.wrap(MemorySegment.ofArray(packet), 0, packet.length));
    }

    @Test
    void singleByteAfterTheOptionsIsBad() {
        byte[] packet = hex("87 00 0000 00000000", TARGET_HEX, "01 01 020000000001", "01");
        assertEquals(Malformed.ICMPV6_BAD_OPTION, icmp.wrap(MemorySegment.ofArray(packet), 0, packet.length));
    }

    @Test
    void corruptedMessageFailsItsChecksum() {
        byte[] packet = neighborSolicitation();
        packet[packet.length - 1] ^= 0x01; // the MAC's last bit
        assertEquals(Malformed.ICMPV6_BAD_CHECKSUM, wrap(packet));
        assertFalse(icmp.checksumValid(ip.pseudoHeaderSum()));
    }

    @Test
    void checksumDependsOnThePseudoHeader() {
        byte[] packet = echoRequest();
        packet[39] ^= 0x01; // destination fd00:10:10::3: the message is intact but not for this address pair
        assertEquals(Malformed.ICMPV6_BAD_CHECKSUM, wrap(packet));
    }

    @Test
    void wrapRejectsOffsetsOutsideTheSegment() {
        MemorySegment segment = MemorySegment.ofArray(new byte[8]);
        assertThrows(IndexOutOfBoundsException.class, () -> icmp.wrap(segment, 0, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> icmp.wrap(segment, 9, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> icmp.wrapForWrite(segment, 4, 8));
    }

    // Writing.

    @Test
    void advertisementFlagSettersLeaveTheOthersAlone() {
        byte[] bytes = new byte[24];
        icmp.wrapForWrite(MemorySegment.ofArray(bytes), 0, 24).router(true).solicited(true).override(true);
        assertEquals((byte) 0xe0, bytes[4]);
        icmp.solicited(false);
        assertEquals((byte) 0xa0, bytes[4]);
        assertTrue(icmp.router());
        assertFalse(icmp.solicited());
        assertTrue(icmp.override());
        icmp.router(false).override(false);
        assertEquals(0, bytes[4]);
    }

    @Test
    void writeLinkLayerOptionPutsTheMacInBytesTwoToSeven() {
        byte[] bytes = new byte[8];
        assertEquals(8, Icmpv6Flyweight.writeLinkLayerAddressOption(MemorySegment.ofArray(bytes), 0,
                Icmpv6Flyweight.TARGET_LINK_LAYER_ADDRESS, 0x0a_1b_2c_3d_4e_5fL));
        assertArrayEquals(hex("02 01 0a1b2c3d4e5f"), bytes);
    }

    @Test
    void recordsRejectFieldsOutsideTheirBits() {
        assertThrows(IllegalArgumentException.class, () -> new Icmpv6Message.Other(Icmpv6Flyweight.ECHO_REQUEST, 0, 0, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> new Icmpv6Message.Other(256, 0, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Icmpv6Message.EchoRequest(256, 0, 0, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Icmpv6Message.EchoReply(0x10000, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Icmpv6Message.PacketTooBig(1L << 32, new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new Icmpv6Message.NeighborSolicitation(TARGET, OptionalLong.of(1L << 48)));
    }

    @Test
    void recordsAreValuesNotAliasesOfTheirArrays() {
        byte[] data = {1, 2, 3};
        var request = new Icmpv6Message.EchoRequest(7, 9, data);
        data[0] = 0;
        request.data()[1] = 0;
        assertEquals(new Icmpv6Message.EchoRequest(7, 9, new byte[] {1, 2, 3}), request);
        assertEquals(new Icmpv6Message.EchoRequest(7, 9, new byte[] {1, 2, 3}).hashCode(), request.hashCode());
        assertTrue(request.toString().contains("data=010203"), request.toString());
    }
}
