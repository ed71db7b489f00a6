package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EthernetFlyweightTest {
    private static final long ROUTER_MAC = 0x0200_0a0a_00feL;
    private static final long HOST_MAC = 0x0200_0a0a_0001L;

    private final EthernetFlyweight ethernet = new EthernetFlyweight();

    private static byte[] hex(String... lines) {
        return HexFormat.of().parseHex(String.join("", lines).replace(" ", ""));
    }

    private Malformed wrap(byte[] frame) {
        return ethernet.wrap(MemorySegment.ofArray(frame), 0, frame.length);
    }

    // ---- known answers ----

    @Test
    void untaggedIpv4FrameDecodes() {
        byte[] frame = hex(
                "02 00 0a 0a 00 fe",   // destination 02:00:0a:0a:00:fe
                "02 00 0a 0a 00 01",   // source 02:00:0a:0a:00:01
                "08 00",               // EtherType IPv4
                "45 00 00 14");        // the start of an IPv4 header
        assertEquals(Malformed.NONE, wrap(frame));
        assertEquals(ROUTER_MAC, ethernet.destination());
        assertEquals(HOST_MAC, ethernet.source());
        assertEquals(EthernetFlyweight.ETHERTYPE_IPV4, ethernet.etherType());
        assertFalse(ethernet.isTagged());
        assertEquals(-1, ethernet.vlanId());
        assertEquals(-1, ethernet.priority());
        assertEquals(-1, ethernet.tagControl());
        assertFalse(ethernet.dropEligible());
        assertEquals(14, ethernet.headerLength());
        assertEquals(14, ethernet.payloadOffset());
        assertEquals(4, ethernet.payloadLength());
    }

    @Test
    void vlanTaggedFrameSkipsTheTag() {
        byte[] frame = hex(
                "ff ff ff ff ff ff",   // destination broadcast
                "02 00 0a 0a 00 01",   // source
                "81 00",               // TPID: 802.1Q tag follows
                "b0 64",               // TCI: priority 5, DEI 1, VLAN 100 (101 1 0000 0110 0100)
                "08 06",               // EtherType ARP
                "00 01 08 00");        // the start of an ARP packet
        assertEquals(Malformed.NONE, wrap(frame));
        assertEquals(MacAddress.BROADCAST, ethernet.destination());
        assertEquals(HOST_MAC, ethernet.source());
        assertTrue(ethernet.isTagged());
        assertEquals(EthernetFlyweight.ETHERTYPE_ARP, ethernet.etherType());
        assertEquals(0xb064, ethernet.tagControl());
        assertEquals(100, ethernet.vlanId());
        assertEquals(5, ethernet.priority());
        assertTrue(ethernet.dropEligible());
        assertEquals(18, ethernet.headerLength());
        assertEquals(18, ethernet.payloadOffset());
        assertEquals(4, ethernet.payloadLength());
    }

    @Test
    void ipv6EtherTypeDecodes() {
        byte[] frame = hex("33 33 00 00 00 01", "02 00 0a 0a 00 01", "86 dd");
        assertEquals(Malformed.NONE, wrap(frame));
        assertEquals(EthernetFlyweight.ETHERTYPE_IPV6, ethernet.etherType());
        assertEquals(0, ethernet.payloadLength());
    }

    @Test
    void paddingOfAMinimumFrameCountsAsPayload() {
        // A 42-byte ARP frame padded to the 60-byte minimum: the padding belongs to the payload
        // here; the layer above knows its own length.
        byte[] frame = new byte[EthernetFlyweight.MINIMUM_FRAME_LENGTH];
        System.arraycopy(hex("ff ff ff ff ff ff", "02 00 0a 0a 00 01", "08 06"), 0, frame, 0, 14);
        assertEquals(Malformed.NONE, wrap(frame));
        assertEquals(46, ethernet.payloadLength());
    }

    @Test
    void wrapsAtAnOffsetAndReadsOnlyAvailableBytes() {
        byte[] buffer = hex(
                "ee ee ee",            // bytes before the frame
                "02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "08 00",
                "aa bb",               // payload
                "ee ee ee ee");        // bytes after the frame, not part of it
        MemorySegment segment = MemorySegment.ofArray(buffer);
        assertEquals(Malformed.NONE, ethernet.wrap(segment, 3, 16));
        assertEquals(ROUTER_MAC, ethernet.destination());
        assertEquals(17, ethernet.payloadOffset());
        assertEquals(2, ethernet.payloadLength());
        assertEquals(Malformed.ETHERNET_TRUNCATED, ethernet.wrap(segment, 3, 13));
    }

    // ---- drop reasons ----

    @Test
    void fewerThanFourteenBytesIsTruncated() {
        byte[] frame = hex("02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "08");
        assertEquals(Malformed.ETHERNET_TRUNCATED, wrap(frame));
        assertEquals(Malformed.ETHERNET_TRUNCATED, wrap(new byte[0]));
    }

    @Test
    void tagWithoutRoomForTheInnerTypeIsTruncated() {
        for (int length = 14; length < 18; length++) {
            byte[] frame = new byte[length];
            System.arraycopy(hex("ff ff ff ff ff ff", "02 00 0a 0a 00 01", "81 00", "00 64"), 0, frame, 0,
                    Math.min(length, 16));
            assertEquals(Malformed.ETHERNET_TRUNCATED, wrap(frame), "length " + length);
        }
    }

    @Test
    void ieee8023LengthFieldIsNotEthernetII() {
        // An 802.3 frame with an LLC header (spanning tree): 0x0026 is a length, not a type.
        byte[] frame = hex("01 80 c2 00 00 00", "02 00 0a 0a 00 01", "00 26", "42 42 03");
        assertEquals(Malformed.ETHERNET_NOT_ETHERNET_II, wrap(frame));
    }

    @Test
    void lengthFieldBehindATagIsNotEthernetII() {
        byte[] frame = hex("01 80 c2 00 00 00", "02 00 0a 0a 00 01", "81 00", "00 0a", "05 dc");
        assertEquals(Malformed.ETHERNET_NOT_ETHERNET_II, wrap(frame));
    }

    @Test
    void etherTypeBoundaryIs0x0600() {
        byte[] lowest = hex("02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "06 00");
        assertEquals(Malformed.NONE, wrap(lowest));
        assertEquals(0x0600, ethernet.etherType());
        byte[] below = hex("02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "05 ff");
        assertEquals(Malformed.ETHERNET_NOT_ETHERNET_II, wrap(below));
    }

    @Test
    void serviceTagIsReportedAsItsOwnEtherType() {
        // QinQ: 802.1ad outer tag, 802.1Q inner tag. Not followed; the frame parser counts it unsupported.
        byte[] frame = hex("02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "88 a8", "00 c8", "81 00", "00 64", "08 00");
        assertEquals(Malformed.NONE, wrap(frame));
        assertEquals(EthernetFlyweight.ETHERTYPE_SERVICE_VLAN, ethernet.etherType());
        assertFalse(ethernet.isTagged());
        assertEquals(14, ethernet.headerLength());
    }

    @Test
    void secondCustomerTagIsReportedAsTheVlanEtherType() {
        byte[] frame = hex("02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "81 00", "00 c8", "81 00", "00 64", "08 00");
        assertEquals(Malformed.NONE, wrap(frame));
        assertTrue(ethernet.isTagged());
        assertEquals(200, ethernet.vlanId());
        assertEquals(EthernetFlyweight.ETHERTYPE_VLAN, ethernet.etherType());
    }

    @Test
    void aWrapForgetsTheTagOfThePreviousFrame() {
        byte[] tagged = hex("02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "81 00", "00 64", "08 00");
        byte[] untagged = hex("02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "08 06", "00 00 00 00");
        assertEquals(Malformed.NONE, wrap(tagged));
        assertEquals(Malformed.NONE, wrap(untagged));
        assertFalse(ethernet.isTagged());
        assertEquals(EthernetFlyweight.ETHERTYPE_ARP, ethernet.etherType());
    }

    @Test
    void offsetOutsideTheSegmentIsACallerBug() {
        MemorySegment segment = MemorySegment.ofArray(new byte[20]);
        assertThrows(IndexOutOfBoundsException.class, () -> ethernet.wrap(segment, 10, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> ethernet.wrap(segment, -1, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> ethernet.wrap(segment, 0, -1));
    }

    // ---- writing ----

    @Test
    void writerProducesAnUntaggedHeader() {
        byte[] frame = new byte[14];
        ethernet.wrapForWrite(MemorySegment.ofArray(frame), 0)
                .destination(ROUTER_MAC)
                .source(HOST_MAC)
                .etherType(EthernetFlyweight.ETHERTYPE_IPV4);
        assertArrayEquals(hex("02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "08 00"), frame);
    }

    @Test
    void tagWrittenAfterTheEtherTypeMovesItBehindTheTag() {
        byte[] frame = new byte[18];
        ethernet.wrapForWrite(MemorySegment.ofArray(frame), 0)
                .etherType(EthernetFlyweight.ETHERTYPE_IPV6)
                .destination(ROUTER_MAC)
                .source(HOST_MAC)
                .tagControl(EthernetFlyweight.tagControlOf(3, false, 42));
        assertArrayEquals(hex("02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "81 00", "60 2a", "86 dd"), frame);
        assertEquals(18, ethernet.headerLength());
        assertEquals(EthernetFlyweight.ETHERTYPE_IPV6, ethernet.etherType());
    }

    @Test
    void recordWritesTheTaggedLayoutAndReadsItBack() {
        EthernetHeader header = EthernetHeader.tagged(MacAddress.BROADCAST, HOST_MAC, 7, 4095, EthernetFlyweight.ETHERTYPE_ARP);
        byte[] frame = new byte[18];
        assertEquals(18, header.writeTo(MemorySegment.ofArray(frame), 0));
        assertArrayEquals(hex("ff ff ff ff ff ff", "02 00 0a 0a 00 01", "81 00", "ef ff", "08 06"), frame);
        assertEquals(Malformed.NONE, wrap(frame));
        assertEquals(header, EthernetHeader.from(ethernet));
        assertEquals(4095, header.vlanId());
        assertEquals(7, header.priority());
    }

    @Test
    void recordWritesTheUntaggedLayout() {
        EthernetHeader header = EthernetHeader.untagged(ROUTER_MAC, HOST_MAC, EthernetFlyweight.ETHERTYPE_IPV4);
        byte[] frame = new byte[14];
        assertEquals(14, header.writeTo(MemorySegment.ofArray(frame), 0));
        assertArrayEquals(hex("02 00 0a 0a 00 fe", "02 00 0a 0a 00 01", "08 00"), frame);
        assertEquals(-1, header.vlanId());
        assertEquals("EthernetHeader[02:00:0a:0a:00:01 > 02:00:0a:0a:00:fe, etherType=0x0800]", header.toString());
    }

    @Test
    void recordRejectsValuesThatDoNotFitTheirFields() {
        assertThrows(IllegalArgumentException.class, () -> new EthernetHeader(1L << 48, 0, -1, 0x0800));
        assertThrows(IllegalArgumentException.class, () -> new EthernetHeader(0, -1L, -1, 0x0800));
        assertThrows(IllegalArgumentException.class, () -> new EthernetHeader(0, 0, 0x10000, 0x0800));
        assertThrows(IllegalArgumentException.class, () -> new EthernetHeader(0, 0, -2, 0x0800));
        assertThrows(IllegalArgumentException.class, () -> new EthernetHeader(0, 0, -1, 0x10000));
        assertThrows(IllegalArgumentException.class, () -> EthernetHeader.tagged(0, 0, 8, 1, 0x0800));
        assertThrows(IllegalArgumentException.class, () -> EthernetHeader.tagged(0, 0, 0, 4096, 0x0800));
    }
}
