package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArpFlyweightTest {
    private static final long HOST_MAC = 0x0200_0a0a_0001L;   // 02:00:0a:0a:00:01
    private static final long PEER_MAC = 0x0200_0a0a_0002L;   // 02:00:0a:0a:00:02
    private static final int HOST_IP = Ipv4Address.of(10, 10, 0, 1);
    private static final int PEER_IP = Ipv4Address.of(10, 10, 0, 2);

    /** "Who has 10.10.0.2? Tell 10.10.0.1" as the ARP packet of an Ethernet frame. */
    private static final String REQUEST =
            "00 01"                 // hardware type: Ethernet
            + "08 00"               // protocol type: IPv4
            + "06"                  // hardware address length
            + "04"                  // protocol address length
            + "00 01"               // operation: request
            + "02 00 0a 0a 00 01"   // sender MAC 02:00:0a:0a:00:01
            + "0a 0a 00 01"         // sender IP 10.10.0.1
            + "00 00 00 00 00 00"   // target MAC: unknown
            + "0a 0a 00 02";        // target IP 10.10.0.2

    /** "10.10.0.2 is at 02:00:0a:0a:00:02", the answer. */
    private static final String REPLY =
            "00 01 08 00 06 04"
            + "00 02"               // operation: reply
            + "02 00 0a 0a 00 02"   // sender MAC 02:00:0a:0a:00:02
            + "0a 0a 00 02"         // sender IP 10.10.0.2
            + "02 00 0a 0a 00 01"   // target MAC 02:00:0a:0a:00:01
            + "0a 0a 00 01";        // target IP 10.10.0.1

    private final ArpFlyweight arp = new ArpFlyweight();

    private static byte[] hex(String... parts) {
        return HexFormat.of().parseHex(String.join("", parts).replace(" ", ""));
    }

    private Malformed wrap(byte[] packet) {
        return arp.wrap(MemorySegment.ofArray(packet), 0, packet.length);
    }

    // ---- known answers ----

    @Test
    void requestInAPaddedEthernetFrameDecodes() {
        byte[] frame = new byte[EthernetFlyweight.MINIMUM_FRAME_LENGTH];   // 42 bytes of headers, 18 of padding
        byte[] headers = hex(
                "ff ff ff ff ff ff",   // destination broadcast
                "02 00 0a 0a 00 01",   // source
                "08 06",               // EtherType ARP
                REQUEST);
        System.arraycopy(headers, 0, frame, 0, headers.length);
        MemorySegment segment = MemorySegment.ofArray(frame);
        EthernetFlyweight ethernet = new EthernetFlyweight();
        assertEquals(Malformed.NONE, ethernet.wrap(segment, 0, frame.length));
        assertEquals(EthernetFlyweight.ETHERTYPE_ARP, ethernet.etherType());

        assertEquals(Malformed.NONE, arp.wrap(segment, ethernet.payloadOffset(), ethernet.payloadLength()));
        assertEquals(ArpFlyweight.HARDWARE_TYPE_ETHERNET, arp.hardwareType());
        assertEquals(ArpFlyweight.PROTOCOL_TYPE_IPV4, arp.protocolType());
        assertEquals(6, arp.hardwareAddressLength());
        assertEquals(4, arp.protocolAddressLength());
        assertEquals(ArpFlyweight.OPERATION_REQUEST, arp.operation());
        assertTrue(arp.isRequest());
        assertFalse(arp.isReply());
        assertEquals(HOST_MAC, arp.senderMac());
        assertEquals(HOST_IP, arp.senderIp());
        assertEquals(MacAddress.ZERO, arp.targetMac());
        assertEquals(PEER_IP, arp.targetIp());
        assertFalse(arp.isGratuitous());
        assertFalse(arp.isProbe());
        assertEquals(28, arp.headerLength());
        assertEquals(ArpPacket.request(HOST_MAC, HOST_IP, PEER_IP), ArpPacket.from(arp));
    }

    @Test
    void replyDecodes() {
        assertEquals(Malformed.NONE, wrap(hex(REPLY)));
        assertTrue(arp.isReply());
        assertEquals(PEER_MAC, arp.senderMac());
        assertEquals(PEER_IP, arp.senderIp());
        assertEquals(HOST_MAC, arp.targetMac());
        assertEquals(HOST_IP, arp.targetIp());
    }

    @Test
    void answerToTheRequestIsTheReplyOnTheWire() {
        ArpPacket request = ArpPacket.request(HOST_MAC, HOST_IP, PEER_IP);
        ArpPacket reply = request.answer(PEER_MAC);
        byte[] packet = new byte[28];
        assertEquals(28, reply.writeTo(MemorySegment.ofArray(packet), 0));
        assertArrayEquals(hex(REPLY), packet);
    }

    @Test
    void requestRecordWritesTheKnownBytes() {
        byte[] packet = new byte[28];
        ArpPacket.request(HOST_MAC, HOST_IP, PEER_IP).writeTo(MemorySegment.ofArray(packet), 0);
        assertArrayEquals(hex(REQUEST), packet);
    }

    @Test
    void flyweightWriterBuildsTheSameRequest() {
        byte[] packet = new byte[30];
        arp.wrapForWrite(MemorySegment.ofArray(packet), 2)
                .ethernetIpv4()
                .operation(ArpFlyweight.OPERATION_REQUEST)
                .senderMac(HOST_MAC)
                .senderIp(HOST_IP)
                .targetMac(MacAddress.ZERO)
                .targetIp(PEER_IP);
        assertArrayEquals(hex("00 00", REQUEST), packet);
    }

    @Test
    void gratuitousAnnouncementHasEqualAddresses() {
        // RFC 5227 2.3 announcement: a request whose sender and target IP are both the announced address.
        byte[] packet = hex(
                "00 01 08 00 06 04 00 01",
                "02 00 0a 0a 00 01", "0a 0a 00 01",   // sender: 02:00:0a:0a:00:01 / 10.10.0.1
                "00 00 00 00 00 00", "0a 0a 00 01");  // target: unknown / 10.10.0.1
        assertEquals(Malformed.NONE, wrap(packet));
        assertTrue(arp.isGratuitous());
        assertFalse(arp.isProbe());
        ArpPacket announcement = ArpPacket.gratuitous(HOST_MAC, HOST_IP);
        assertEquals(announcement, ArpPacket.from(arp));
        assertTrue(announcement.isGratuitous());
        assertTrue(announcement.isRequest());
    }

    @Test
    void gratuitousReplyIsAlsoRecognised() {
        // Some hosts announce with a reply (RFC 5944 4.6 allows both forms).
        assertEquals(Malformed.NONE, wrap(hex(
                "00 01 08 00 06 04 00 02", "02 00 0a 0a 00 01", "0a 0a 00 01", "ff ff ff ff ff ff", "0a 0a 00 01")));
        assertTrue(arp.isGratuitous());
        assertTrue(arp.isReply());
    }

    @Test
    void probeHasUnspecifiedSender() {
        byte[] packet = new byte[28];
        ArpPacket.probe(HOST_MAC, PEER_IP).writeTo(MemorySegment.ofArray(packet), 0);
        assertArrayEquals(hex("00 01 08 00 06 04 00 01", "02 00 0a 0a 00 01", "00 00 00 00",
                "00 00 00 00 00 00", "0a 0a 00 02"), packet);
        assertEquals(Malformed.NONE, wrap(packet));
        assertTrue(arp.isProbe());
        assertFalse(arp.isGratuitous());
    }

    @Test
    void recordPrintsLikeTcpdump() {
        assertEquals("ArpPacket[request who-has 10.10.0.2 tell 10.10.0.1, sender 02:00:0a:0a:00:01/10.10.0.1,"
                + " target 00:00:00:00:00:00/10.10.0.2]", ArpPacket.request(HOST_MAC, HOST_IP, PEER_IP).toString());
    }

    // ---- drop reasons ----

    @Test
    void fewerThanTwentyEightBytesIsTruncated() {
        byte[] request = hex(REQUEST);
        for (int length = 0; length < 28; length++) {
            assertEquals(Malformed.ARP_TRUNCATED, arp.wrap(MemorySegment.ofArray(request), 0, length), "length " + length);
        }
        assertEquals(Malformed.NONE, arp.wrap(MemorySegment.ofArray(request), 0, 28));
    }

    @Test
    void nonEthernetHardwareTypeIsUnsupported() {
        // Hardware type 6 (IEEE 802 networks), otherwise an ordinary request.
        assertEquals(Malformed.ARP_UNSUPPORTED_HARDWARE, wrap(hex("00 06", REQUEST.substring(5))));
    }

    @Test
    void hardwareAddressLengthOtherThanSixIsUnsupported() {
        // InfiniBand-style 20-byte hardware addresses: reported as unsupported, not as truncated.
        byte[] packet = hex("00 01 08 00 14 04 00 01");
        assertEquals(Malformed.ARP_UNSUPPORTED_HARDWARE, wrap(packet));
    }

    @Test
    void nonIpv4ProtocolTypeIsUnsupported() {
        assertEquals(Malformed.ARP_UNSUPPORTED_PROTOCOL, wrap(hex("00 01 86 dd", REQUEST.substring(10))));
    }

    @Test
    void protocolAddressLengthOtherThanFourIsUnsupported() {
        byte[] packet = hex(REQUEST);
        packet[ArpFlyweight.PROTOCOL_ADDRESS_LENGTH_OFFSET] = 16;
        assertEquals(Malformed.ARP_UNSUPPORTED_PROTOCOL, wrap(packet));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 4, 8, 9, 0xffff})   // 3/4: RARP, 8/9: InARP
    void operationOtherThanRequestOrReplyIsUnsupported(int operation) {
        byte[] packet = hex(REQUEST);
        MemorySegment segment = MemorySegment.ofArray(packet);
        NetworkOrder.u16(segment, ArpFlyweight.OPERATION_OFFSET, operation);
        assertEquals(Malformed.ARP_UNSUPPORTED_OPERATION, arp.wrap(segment, 0, packet.length));
    }

    @Test
    void typesAreCheckedBeforeTheLengthTheyImply() {
        // Too short for Ethernet/IPv4, and not Ethernet anyway: the more useful reason wins.
        assertEquals(Malformed.ARP_UNSUPPORTED_HARDWARE, wrap(hex("00 06 08 00 06 04 00 01", "00 00")));
        assertEquals(Malformed.ARP_TRUNCATED, wrap(hex("00 01 08 00 06 04 00 01", "00 00")));
    }

    @Test
    void offsetOutsideTheSegmentIsACallerBug() {
        MemorySegment segment = MemorySegment.ofArray(new byte[28]);
        assertThrows(IndexOutOfBoundsException.class, () -> arp.wrap(segment, 1, 28));
    }

    @Test
    void recordRejectsValuesThatDoNotFitTheirFields() {
        assertThrows(IllegalArgumentException.class, () -> new ArpPacket(0x10000, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ArpPacket(-1, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ArpPacket(1, 1L << 48, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ArpPacket(1, 0, 0, -1L, 0));
    }
}
