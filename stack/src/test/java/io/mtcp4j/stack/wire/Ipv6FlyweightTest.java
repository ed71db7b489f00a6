package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ipv6FlyweightTest {
    private static final Ipv6Address HOST = Ipv6Address.parse("fd00:10:10::1");
    private static final Ipv6Address SERVER = Ipv6Address.parse("2001:db8::80");

    private final Ipv6Flyweight ip = new Ipv6Flyweight();

    /** Concatenates hex strings, ignoring spaces, so each piece can carry a comment. */
    static byte[] hex(String... pieces) {
        return HexFormat.of().parseHex(String.join("", pieces).replace(" ", ""));
    }

    static final String HOST_HEX = "fd00 0010 0010 0000 0000 0000 0000 0001";
    static final String SERVER_HEX = "2001 0db8 0000 0000 0000 0000 0000 0080";
    /** A 20-byte TCP header: 50000 -> 443, seq 1, ack 2, data offset 5, ACK, window 65535. */
    static final String TCP_HEX = "c350 01bb 00000001 00000002 5010 ffff 0000 0000";

    /** A TCP segment with no extension headers, DSCP EF and a flow label. */
    static byte[] plainTcp() {
        return hex(
                "6b812345",          // version 6, traffic class 0xb8 (DSCP 46, EF), flow label 0x12345
                "0014 06 40",        // payload length 20, next header TCP, hop limit 64
                HOST_HEX,            // source fd00:10:10::1
                SERVER_HEX,          // destination 2001:db8::80
                TCP_HEX);
    }

    /** A first fragment of a TCP segment behind Hop-by-Hop, Destination Options and Fragment headers. */
    static byte[] tcpBehindThreeExtensions() {
        return hex(
                "60000000",          // version 6, traffic class 0, flow label 0
                "0034 00 40",        // payload length 52 = 8 + 16 + 8 + 20, next header Hop-by-Hop, hop limit 64
                HOST_HEX,
                SERVER_HEX,
                // Hop-by-Hop Options, 8 bytes: next Destination Options (60), length 0 (8 bytes),
                // Router Alert option (type 5, length 2, value 0 = MLD), PadN (type 1, length 0).
                "3c 00 05 02 0000 01 00",
                // Destination Options, 16 bytes: next Fragment (44), length 1 (16 bytes), PadN of 12 bytes.
                "2c 01 01 0c 000000000000000000000000",
                // Fragment, 8 bytes: next TCP (6), reserved, offset 185 units (1480 bytes) << 3 | M=1, identification.
                "06 00 05c9 deadbeef",
                TCP_HEX);
    }

    @Test
    void readsEveryFieldOfAPlainTcpPacket() {
        byte[] bytes = plainTcp();
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        assertEquals(6, ip.version());
        assertEquals(0xb8, ip.trafficClass());
        assertEquals(0x12345, ip.flowLabel());
        assertEquals(20, ip.payloadLength());
        assertEquals(Ipv6Flyweight.TCP, ip.nextHeader());
        assertEquals(64, ip.hopLimit());
        assertEquals(HOST.high(), ip.sourceHigh());
        assertEquals(HOST.low(), ip.sourceLow());
        assertEquals(SERVER.high(), ip.destinationHigh());
        assertEquals(SERVER.low(), ip.destinationLow());
        assertEquals(Ipv6Flyweight.TCP, ip.upperLayerProtocol());
        assertEquals(40, ip.upperLayerOffset());
        assertEquals(20, ip.upperLayerLength());
        assertEquals(40, ip.headerLength());
        assertEquals(0, ip.extensionHeaderCount());
        assertFalse(ip.isFragment());
        assertEquals(-1, ip.fragmentHeaderOffset());
    }

    @Test
    void walksHopByHopDestinationOptionsAndFragmentToTcp() {
        byte[] bytes = tcpBehindThreeExtensions();
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        assertEquals(Ipv6Flyweight.HOP_BY_HOP_OPTIONS, ip.nextHeader());
        assertEquals(52, ip.payloadLength());
        assertEquals(3, ip.extensionHeaderCount());
        assertEquals(Ipv6Flyweight.TCP, ip.upperLayerProtocol());
        assertEquals(40 + 8 + 16 + 8, ip.upperLayerOffset());
        assertEquals(72, ip.headerLength());
        assertEquals(20, ip.upperLayerLength());
        // The upper layer really starts at the TCP source port 50000.
        assertEquals(50000, NetworkOrder.u16(ip.segment(), ip.upperLayerOffset()));
        assertTrue(ip.isFragment());
        assertEquals(64, ip.fragmentHeaderOffset());
        assertEquals(185, ip.fragmentOffsetUnits());
        assertEquals(1480, ip.fragmentOffsetBytes());
        assertTrue(ip.moreFragments());
        assertEquals(0xdeadbeef, ip.fragmentIdentification());
    }

    @Test
    void recordOfTheExtensionChainWritesTheSameBytes() {
        byte[] bytes = tcpBehindThreeExtensions();
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        Ipv6Header header = Ipv6Header.from(ip);

        Ipv6Header expected = new Ipv6Header(0, 0, 52, 64, HOST, SERVER, List.of(
                new Ipv6Header.Extension(Ipv6Flyweight.HOP_BY_HOP_OPTIONS, hex("05 02 0000 01 00")),
                Ipv6Header.Extension.padding(Ipv6Flyweight.DESTINATION_OPTIONS, 16),
                Ipv6Header.Extension.fragment(185, true, 0xdeadbeef)),
                Ipv6Flyweight.TCP);
        assertEquals(expected, header);
        assertEquals(Ipv6Flyweight.HOP_BY_HOP_OPTIONS, header.nextHeader());
        assertEquals(72, header.headerLength());

        byte[] written = new byte[bytes.length];
        assertEquals(72, header.writeTo(MemorySegment.ofArray(written), 0));
        System.arraycopy(bytes, 72, written, 72, 20); // the TCP header is not the record's
        assertArrayEquals(bytes, written);
    }

    @Test
    void recordOfAPlainPacketRoundTrips() {
        byte[] bytes = plainTcp();
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        Ipv6Header header = Ipv6Header.from(ip);
        assertEquals(new Ipv6Header(0xb8, 0x12345, 20, 64, HOST, SERVER, Ipv6Flyweight.TCP), header);
        byte[] written = new byte[40];
        assertEquals(40, header.writeTo(MemorySegment.ofArray(written), 0));
        assertArrayEquals(Arrays.copyOf(bytes, 40), written);
    }

    @Test
    void skipsRoutingAndAuthenticationHeadersByTheirOwnLengthUnits() {
        // Read in 8-byte units, the AH below would be (4 + 1) * 8 = 40 bytes and run past the payload.
        byte[] bytes = hex(
                "60000000",
                "0034 2b 40",        // payload length 52 = 24 + 24 + 4, next header Routing (43)
                HOST_HEX, SERVER_HEX,
                // Routing, 24 bytes: next AH (51), length 2 (8-byte units past the first 8), type 0 segments left 0, data.
                "33 02 00 00 00000000 0000000000000000 0000000000000000",
                // Authentication Header, 24 bytes: next No Next Header (59), payload length 4 ((4 + 2) * 4 bytes),
                // reserved, SPI, sequence, 12 bytes of integrity check value.
                "3b 04 0000 00000100 00000001 000000000000000000000000",
                "00000000");          // 4 bytes after No Next Header, which the receiver ignores
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        assertEquals(2, ip.extensionHeaderCount());
        assertEquals(Ipv6Flyweight.NO_NEXT_HEADER, ip.upperLayerProtocol());
        assertEquals(40 + 24 + 24, ip.upperLayerOffset());
        assertEquals(4, ip.upperLayerLength());
        assertFalse(ip.isFragment());

        Ipv6Header header = Ipv6Header.from(ip);
        assertEquals(List.of(Ipv6Flyweight.ROUTING, Ipv6Flyweight.AUTHENTICATION),
                header.extensions().stream().map(Ipv6Header.Extension::type).toList());
        assertEquals(24, header.extensions().get(1).length());
        byte[] written = new byte[bytes.length];
        header.writeTo(MemorySegment.ofArray(written), 0);
        assertArrayEquals(bytes, written);
    }

    @Test
    void stopsAtProtocolsItDoesNotKnow() {
        // ESP (50) is encrypted past its SPI and sequence number; UDP (17) and ICMPv6 (58) are upper layers.
        for (int protocol : new int[] {Ipv6Flyweight.ENCAPSULATING_SECURITY_PAYLOAD, 17, Ipv6Flyweight.ICMPV6, 253}) {
            byte[] bytes = plainTcp();
            bytes[Ipv6Flyweight.NEXT_HEADER_OFFSET] = (byte) protocol;
            assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
            assertEquals(protocol, ip.upperLayerProtocol());
            assertEquals(40, ip.upperLayerOffset());
            assertEquals(20, ip.upperLayerLength());
        }
    }

    @Test
    void atomicFragmentIsStillReportedAsAFragment() {
        // RFC 8200 4.5 / RFC 6946: offset 0 and M clear; the whole packet in one fragment.
        byte[] bytes = hex("60000000", "001c 2c 40", HOST_HEX, SERVER_HEX, "06 00 0000 00000001", TCP_HEX);
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        assertTrue(ip.isFragment());
        assertEquals(0, ip.fragmentOffsetBytes());
        assertFalse(ip.moreFragments());
        assertEquals(1, ip.fragmentIdentification());
        assertEquals(Ipv6Flyweight.TCP, ip.upperLayerProtocol());
    }

    @Test
    void acceptsEthernetPaddingBeyondThePayload() {
        // A 4-byte payload in a 60-byte Ethernet frame: 14 + 40 + 4 leaves 2 bytes of padding.
        byte[] frame = new byte[60];
        byte[] packet = hex("60000000", "0004 3b 40", HOST_HEX, SERVER_HEX, "01020304");
        System.arraycopy(packet, 0, frame, 14, packet.length);
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(frame), 14, frame.length - 14));
        assertEquals(4, ip.upperLayerLength());
        assertEquals(14 + 40, ip.upperLayerOffset());
        assertEquals(14 + 8, ip.sourceAddressOffset());
        assertEquals(14 + 24, ip.destinationAddressOffset());
        assertEquals(40, ip.headerLength());
    }

    @Test
    void payloadLengthZeroIsAnEmptyPayload() {
        byte[] bytes = hex("60000000", "0000 3b 40", HOST_HEX, SERVER_HEX);
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        assertEquals(0, ip.upperLayerLength());
        assertEquals(Ipv6Flyweight.NO_NEXT_HEADER, ip.upperLayerProtocol());
    }

    @Test
    void jumbogramIsNotSupported() {
        // RFC 2675: payload length 0 and a Hop-by-Hop Jumbo Payload option (type 0xc2, length 4) saying 70000.
        byte[] bytes = hex("60000000", "0000 00 40", HOST_HEX, SERVER_HEX, "06 00 c2 04 00011170", TCP_HEX);
        assertEquals(Malformed.IPV6_EXTENSION_TRUNCATED, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
    }

    @Test
    void pseudoHeaderSumCoversAddressesLengthAndUpperLayerProtocol() {
        byte[] bytes = tcpBehindThreeExtensions();
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        // RFC 8200 8.1 pseudo-header built by hand: source, destination, 32-bit length 20, three zeros, next header 6.
        byte[] pseudo = hex(HOST_HEX, SERVER_HEX, "00000014", "000000 06");
        assertEquals(referenceSum(pseudo), Checksum.fold(ip.pseudoHeaderSum()));
        assertEquals(referenceSum(pseudo), Checksum.fold(ip.pseudoHeaderSum(Ipv6Flyweight.TCP, 20)));
    }

    @Test
    void pseudoHeaderSumVerifiesATcpChecksumComputedIndependently() {
        byte[] bytes = plainTcp();
        byte[] pseudo = hex(HOST_HEX, SERVER_HEX, "00000014", "00000006");
        byte[] tcp = Arrays.copyOfRange(bytes, 40, 60);
        int checksum = ~referenceSum(concat(pseudo, tcp)) & 0xffff;
        bytes[40 + 16] = (byte) (checksum >>> 8);
        bytes[40 + 17] = (byte) checksum;
        assertEquals(Malformed.NONE, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
        long tcpSum = Checksum.sum(ip.segment(), ip.upperLayerOffset(), ip.upperLayerLength());
        assertTrue(Checksum.verifies(Checksum.add(ip.pseudoHeaderSum(), tcpSum)));
    }

    @Test
    void followsEightExtensionHeadersAndRejectsTheNinth() {
        assertEquals(Malformed.NONE, wrapChainOf(8));
        assertEquals(8, ip.extensionHeaderCount());
        assertEquals(Ipv6Flyweight.TCP, ip.upperLayerProtocol());
        assertEquals(Malformed.IPV6_TOO_MANY_EXTENSIONS, wrapChainOf(9));
    }

    private Malformed wrapChainOf(int count) {
        List<Ipv6Header.Extension> chain = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chain.add(Ipv6Header.Extension.padding(Ipv6Flyweight.DESTINATION_OPTIONS, 8));
        }
        Ipv6Header header = new Ipv6Header(0, 0, 8 * count, 64, HOST, SERVER, chain, Ipv6Flyweight.TCP);
        byte[] bytes = new byte[header.headerLength()];
        header.writeTo(MemorySegment.ofArray(bytes), 0);
        return ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    // Every reason the wrap reports.

    @Test
    void fewerThanFortyBytesIsTruncated() {
        byte[] bytes = plainTcp();
        assertEquals(Malformed.IPV6_TRUNCATED, ip.wrap(MemorySegment.ofArray(bytes), 0, 39));
        assertEquals(Malformed.IPV6_TRUNCATED, ip.wrap(MemorySegment.ofArray(bytes), 0, 0));
    }

    @Test
    void versionFourIsABadVersion() {
        byte[] bytes = plainTcp();
        bytes[0] = 0x45; // an IPv4 header's first byte
        assertEquals(Malformed.IPV6_BAD_VERSION, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
    }

    @Test
    void payloadLengthPastTheFrameIsRejected() {
        byte[] bytes = plainTcp();
        assertEquals(Malformed.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME, ip.wrap(MemorySegment.ofArray(bytes), 0, 59));
        bytes[Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET + 1] = 21;
        assertEquals(Malformed.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
    }

    @Test
    void extensionHeaderLongerThanThePayloadIsTruncated() {
        // Hop-by-Hop says length 1 (16 bytes) but the payload has 8.
        byte[] bytes = hex("60000000", "0008 00 40", HOST_HEX, SERVER_HEX, "06 01 01 04 00000000");
        assertEquals(Malformed.IPV6_EXTENSION_TRUNCATED, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
    }

    @Test
    void extensionHeaderWithoutItsLengthByteIsTruncated() {
        // One payload byte: the Destination Options header's next header byte, no length byte.
        byte[] bytes = hex("60000000", "0001 3c 40", HOST_HEX, SERVER_HEX, "06");
        assertEquals(Malformed.IPV6_EXTENSION_TRUNCATED, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
    }

    @Test
    void fragmentHeaderShorterThanEightBytesIsTruncated() {
        byte[] bytes = hex("60000000", "0007 2c 40", HOST_HEX, SERVER_HEX, "06 00 0001 000000");
        assertEquals(Malformed.IPV6_EXTENSION_TRUNCATED, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
    }

    @Test
    void authenticationHeaderRunningPastThePayloadIsTruncated() {
        // AH payload length 4 means (4 + 2) * 4 = 24 bytes; the payload has 16.
        byte[] bytes = hex("60000000", "0010 33 40", HOST_HEX, SERVER_HEX, "06 04 0000 00000100 00000001 00000000");
        assertEquals(Malformed.IPV6_EXTENSION_TRUNCATED, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
    }

    @Test
    void extensionHeaderInPaddingBeyondThePayloadIsTruncated() {
        // The header is in the frame, but outside the payload length.
        byte[] bytes = hex("60000000", "0000 3c 40", HOST_HEX, SERVER_HEX, "06 00 01 04 00000000");
        assertEquals(Malformed.IPV6_EXTENSION_TRUNCATED, ip.wrap(MemorySegment.ofArray(bytes), 0, bytes.length));
    }

    @Test
    void wrapRejectsOffsetsOutsideTheSegment() {
        MemorySegment segment = MemorySegment.ofArray(new byte[60]);
        assertThrows(IndexOutOfBoundsException.class, () -> ip.wrap(segment, 0, 61));
        assertThrows(IndexOutOfBoundsException.class, () -> ip.wrap(segment, 61, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> ip.wrap(segment, -1, 10));
    }

    @Test
    void quotedPacketCutShortStillWalksToTheUpperLayer() {
        // The first 72 bytes of a 1500-byte fragment (payload length 1460), as an ICMPv6 error would quote it.
        byte[] bytes = tcpBehindThreeExtensions();
        bytes[Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET] = 0x05;
        bytes[Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET + 1] = (byte) 0xb4;
        MemorySegment segment = MemorySegment.ofArray(bytes);
        assertEquals(Malformed.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME, ip.wrap(segment, 0, 80));
        assertEquals(Malformed.NONE, ip.wrapQuoted(segment, 0, 80));
        assertEquals(Ipv6Flyweight.TCP, ip.upperLayerProtocol());
        assertEquals(72, ip.upperLayerOffset());
        assertEquals(8, ip.upperLayerLength());
        assertTrue(ip.isFragment());
        // Cut inside the Destination Options header: the chain cannot be followed.
        assertEquals(Malformed.IPV6_EXTENSION_TRUNCATED, ip.wrapQuoted(segment, 0, 60));
    }

    // Writing.

    @Test
    void settersWriteTheirFieldsWithoutDisturbingNeighbours() {
        byte[] bytes = new byte[40];
        ip.wrapForWrite(MemorySegment.ofArray(bytes), 0)
                .version(6).trafficClass(0xb8).flowLabel(0x12345)
                .payloadLength(20).nextHeader(Ipv6Flyweight.TCP).hopLimit(64)
                .source(HOST.high(), HOST.low()).destination(SERVER.high(), SERVER.low());
        assertArrayEquals(Arrays.copyOf(plainTcp(), 40), bytes);
        ip.trafficClass(0x01);
        assertEquals(6, ip.version());
        assertEquals(0x12345, ip.flowLabel());
        ip.flowLabel(0xfffff);
        assertEquals(0x01, ip.trafficClass());
        ip.version(4);
        assertEquals(0x01, ip.trafficClass());
        assertEquals(0xfffff, ip.flowLabel());
        assertEquals(0x40, bytes[0] & 0xf0);
    }

    @Test
    void extensionRecordRejectsLengthsItsTypeCannotExpress() {
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header.Extension(Ipv6Flyweight.HOP_BY_HOP_OPTIONS, new byte[5]));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header.Extension(Ipv6Flyweight.FRAGMENT, new byte[14]));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header.Extension(Ipv6Flyweight.AUTHENTICATION, new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header.Extension(Ipv6Flyweight.TCP, new byte[6]));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header.Extension(Ipv6Flyweight.ROUTING, new byte[2048 + 6]));
        assertEquals(2048, new Ipv6Header.Extension(Ipv6Flyweight.ROUTING, new byte[2046]).length());
        assertEquals(12, new Ipv6Header.Extension(Ipv6Flyweight.AUTHENTICATION, new byte[10]).length());
    }

    @Test
    void extensionRecordIsAValueNotAnAliasOfItsArray() {
        byte[] body = new byte[6];
        Ipv6Header.Extension extension = new Ipv6Header.Extension(Ipv6Flyweight.DESTINATION_OPTIONS, body);
        body[0] = 1;
        extension.body()[1] = 1;
        assertEquals(new Ipv6Header.Extension(Ipv6Flyweight.DESTINATION_OPTIONS, new byte[6]), extension);
        assertEquals(new Ipv6Header.Extension(Ipv6Flyweight.DESTINATION_OPTIONS, new byte[6]).hashCode(), extension.hashCode());
        assertTrue(extension.toString().contains("000000000000"), extension.toString());
    }

    @Test
    void headerRecordRejectsFieldsOutsideTheirBits() {
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(256, 0, 0, 64, HOST, SERVER, 6));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(0, 0x100000, 0, 64, HOST, SERVER, 6));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(0, 0, 65536, 64, HOST, SERVER, 6));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(0, 0, 0, -1, HOST, SERVER, 6));
    }

    /** RFC 1071 sum of big-endian 16-bit words, folded: a reference written apart from {@link Checksum}. */
    static int referenceSum(byte[] data) {
        long sum = 0;
        for (int i = 0; i < data.length; i += 2) {
            int high = data[i] & 0xff;
            int low = i + 1 < data.length ? data[i + 1] & 0xff : 0;
            sum += (high << 8) | low;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) sum;
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
