package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4FlyweightTest {
    /**
     * The header widely used to explain the IPv4 checksum: a 115-byte UDP datagram from
     * 192.168.0.1 to 192.168.0.199 whose checksum 0xb861 verifies.
     */
    private static final String UDP_HEADER =
            "45"              // version 4, IHL 5 (20 bytes)
            + "00"            // DSCP 0, ECN 0
            + "00 73"         // total length 115
            + "00 00"         // identification 0
            + "40 00"         // flags DF, fragment offset 0
            + "40"            // TTL 64
            + "11"            // protocol 17 (UDP)
            + "b8 61"         // header checksum
            + "c0 a8 00 01"   // source 192.168.0.1
            + "c0 a8 00 c7";  // destination 192.168.0.199

    private final Ipv4Flyweight ipv4 = new Ipv4Flyweight();

    private static byte[] hex(String... parts) {
        return HexFormat.of().parseHex(String.join("", parts).replace(" ", ""));
    }

    /** The header followed by zeros up to its total length. */
    private static byte[] packet(String... header) {
        byte[] headerBytes = hex(header);
        int totalLength = NetworkOrder.u16(MemorySegment.ofArray(headerBytes), Ipv4Flyweight.TOTAL_LENGTH_OFFSET);
        return Arrays.copyOf(headerBytes, Math.max(totalLength, headerBytes.length));
    }

    private Malformed wrap(byte[] bytes) {
        return ipv4.wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    // ---- known answers ----

    @Test
    void wellKnownHeaderDecodesAndItsChecksumVerifies() {
        byte[] bytes = packet(UDP_HEADER);
        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(4, ipv4.version());
        assertEquals(20, ipv4.headerLength());
        assertEquals(0, ipv4.typeOfService());
        assertEquals(115, ipv4.totalLength());
        assertEquals(0, ipv4.identification());
        assertEquals(Ipv4Flyweight.FLAG_DONT_FRAGMENT, ipv4.flags());
        assertTrue(ipv4.dontFragment());
        assertFalse(ipv4.moreFragments());
        assertEquals(0, ipv4.fragmentOffsetBytes());
        assertFalse(ipv4.isFragment());
        assertEquals(64, ipv4.ttl());
        assertEquals(Ipv4Flyweight.PROTOCOL_UDP, ipv4.protocol());
        assertEquals(0xb861, ipv4.headerChecksum());
        assertEquals(Ipv4Address.of(192, 168, 0, 1), ipv4.source());
        assertEquals(Ipv4Address.of(192, 168, 0, 199), ipv4.destination());
        assertEquals(0, ipv4.optionsLength());
        assertEquals(20, ipv4.payloadOffset());
        assertEquals(95, ipv4.payloadLength());
        assertTrue(ipv4.checksumValid());
        assertEquals(0xb861, ipv4.computeChecksum());
    }

    @Test
    void fillChecksumComputesTheKnownValue() {
        byte[] bytes = packet(UDP_HEADER);
        bytes[10] = 0;
        bytes[11] = 0;
        ipv4.wrapForWrite(MemorySegment.ofArray(bytes), 0);
        assertFalse(ipv4.checksumValid());
        ipv4.fillChecksum();
        assertEquals(0xb861, ipv4.headerChecksum());
        assertArrayEquals(hex(UDP_HEADER), Arrays.copyOf(bytes, 20));
        assertTrue(ipv4.checksumValid());
    }

    @Test
    void computeChecksumIgnoresWhateverTheFieldHolds() {
        byte[] bytes = packet(UDP_HEADER);
        bytes[10] = (byte) 0x12;
        bytes[11] = (byte) 0x34;
        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(0xb861, ipv4.computeChecksum());
        assertEquals(0x1234, ipv4.headerChecksum());
    }

    @Test
    void corruptedHeaderFailsTheChecksumButIsNotRejectedByTheWrap() {
        byte[] bytes = packet(UDP_HEADER);
        bytes[8] = 0x3f;   // TTL 63 without updating the checksum
        assertEquals(Malformed.NONE, wrap(bytes));
        assertFalse(ipv4.checksumValid());
        assertNotEquals(0xb861, ipv4.computeChecksum());
    }

    @Test
    void dscpAndEcnSplitTheSecondByte() {
        // 0xb9: DSCP 46 (expedited forwarding), ECN 1 (ECT(1)).
        byte[] bytes = packet("45 b9 00 14 00 00 00 00 40 06 00 00 0a 0a 00 01 0a 0a 00 02");
        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(0xb9, ipv4.typeOfService());
        assertEquals(46, ipv4.dscp());
        assertEquals(1, ipv4.ecn());
        ipv4.ecn(3);   // a router marks congestion experienced
        assertEquals(46, ipv4.dscp());
        assertEquals(0xbb, Byte.toUnsignedInt(bytes[1]));
        ipv4.dscp(0);
        assertEquals(3, ipv4.ecn());
        assertEquals(0x03, bytes[1]);
    }

    @Test
    void ethernetPaddingIsNotPayload() {
        // A bare TCP ACK: 40 bytes of IPv4, padded to 46 bytes by the 60-byte Ethernet minimum.
        byte[] frame = new byte[EthernetFlyweight.MINIMUM_FRAME_LENGTH];
        byte[] headers = hex(
                "02 00 0a 0a 00 01", "02 00 0a 0a 00 fe", "08 00",                      // Ethernet
                "45 00 00 28 12 34 40 00 40 06 00 00 0a 0a 00 02 0a 0a 00 01");         // IPv4, total 40
        System.arraycopy(headers, 0, frame, 0, headers.length);
        frame[54] = (byte) 0xee;   // padding that is not zero, as some NICs send
        MemorySegment segment = MemorySegment.ofArray(frame);
        EthernetFlyweight ethernet = new EthernetFlyweight();
        assertEquals(Malformed.NONE, ethernet.wrap(segment, 0, frame.length));
        assertEquals(46, ethernet.payloadLength());
        assertEquals(Malformed.NONE, ipv4.wrap(segment, ethernet.payloadOffset(), ethernet.payloadLength()));
        assertEquals(34, ipv4.payloadOffset());
        assertEquals(20, ipv4.payloadLength());
    }

    @Test
    void wrapAtAnOffsetReadsRelativeToIt() {
        byte[] buffer = new byte[7 + 115];
        System.arraycopy(hex(UDP_HEADER), 0, buffer, 7, 20);
        assertEquals(Malformed.NONE, ipv4.wrap(MemorySegment.ofArray(buffer), 7, 115));
        assertEquals(Ipv4Address.of(192, 168, 0, 199), ipv4.destination());
        assertEquals(27, ipv4.payloadOffset());
        assertTrue(ipv4.checksumValid());
    }

    // ---- fragments ----

    @Test
    void firstFragmentHasMoreFragmentsSet() {
        // id 0xabcd, MF, offset 0: the first piece of a datagram.
        byte[] bytes = packet("45 00 05 dc ab cd 20 00 40 11 00 00 0a 0a 00 01 0a 0a 00 02");
        assertEquals(Malformed.NONE, wrap(bytes));
        assertTrue(ipv4.moreFragments());
        assertFalse(ipv4.dontFragment());
        assertEquals(0, ipv4.fragmentOffsetBytes());
        assertTrue(ipv4.isFragment());
    }

    @Test
    void middleFragmentHasOffsetAndMoreFragments() {
        // 0x20b9: MF, offset 185 units = 1480 bytes.
        byte[] bytes = packet("45 00 05 dc ab cd 20 b9 40 11 00 00 0a 0a 00 01 0a 0a 00 02");
        assertEquals(Malformed.NONE, wrap(bytes));
        assertTrue(ipv4.moreFragments());
        assertEquals(1480, ipv4.fragmentOffsetBytes());
        assertTrue(ipv4.isFragment());
    }

    @Test
    void lastFragmentHasOnlyAnOffset() {
        // 0x00b9: no flags, offset 1480 bytes.
        byte[] bytes = packet("45 00 00 30 ab cd 00 b9 40 11 00 00 0a 0a 00 01 0a 0a 00 02");
        assertEquals(Malformed.NONE, wrap(bytes));
        assertFalse(ipv4.moreFragments());
        assertEquals(1480, ipv4.fragmentOffsetBytes());
        assertTrue(ipv4.isFragment());
    }

    @Test
    void dontFragmentAndTheReservedBitAreNotFragments() {
        // 0xc000: reserved bit and DF; neither makes a fragment.
        byte[] bytes = packet("45 00 00 14 00 00 c0 00 40 06 00 00 0a 0a 00 01 0a 0a 00 02");
        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(Ipv4Flyweight.FLAG_RESERVED | Ipv4Flyweight.FLAG_DONT_FRAGMENT, ipv4.flags());
        assertFalse(ipv4.isFragment());
    }

    @Test
    void flagsAndFragmentOffsetShareTheirWordWithoutClobbering() {
        byte[] bytes = new byte[20];
        ipv4.wrapForWrite(MemorySegment.ofArray(bytes), 0)
                .fragmentOffsetBytes(65528)
                .flags(Ipv4Flyweight.FLAG_MORE_FRAGMENTS);
        assertEquals(0x3f, bytes[6]);            // 001 11111
        assertEquals((byte) 0xff, bytes[7]);
        ipv4.flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT).fragmentOffsetBytes(8);
        assertEquals(0x40, bytes[6]);
        assertEquals(0x01, bytes[7]);
        assertTrue(ipv4.dontFragment());
        assertEquals(8, ipv4.fragmentOffsetBytes());
        assertThrows(IllegalArgumentException.class, () -> ipv4.fragmentOffsetBytes(12));
        assertThrows(IllegalArgumentException.class, () -> ipv4.fragmentOffsetBytes(65536));
    }

    // ---- options ----

    @Test
    void routerAlertOptionIsSkipped() {
        // IGMPv2 report with the RFC 2113 router alert option: IHL 6.
        byte[] bytes = packet(
                "46 c0 00 20 00 00 40 00 01 02 f9 11 0a 0a 00 01 e0 00 00 fb",
                "94 04 00 00",                  // router alert, length 4, value 0
                "16 00 09 04 e0 00 00 fb");     // IGMP membership report for 224.0.0.251
        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(24, ipv4.headerLength());
        assertEquals(20, ipv4.optionsOffset());
        assertEquals(4, ipv4.optionsLength());
        assertEquals(24, ipv4.payloadOffset());
        assertEquals(8, ipv4.payloadLength());
        assertEquals(2, ipv4.protocol());   // IGMP
        assertTrue(ipv4.checksumValid());
        assertEquals(0x94040000, NetworkOrder.u32AsInt(ipv4.segment(), ipv4.optionsOffset()));
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
    void everyHeaderLengthSkipsItsOptions(int ihl) {
        int headerLength = ihl * 4;
        byte[] bytes = new byte[headerLength + 4];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        ipv4.wrapForWrite(segment, 0)
                .version(4).headerLength(headerLength).totalLength(bytes.length)
                .ttl(64).protocol(Ipv4Flyweight.PROTOCOL_TCP)
                .source(Ipv4Address.of(10, 10, 0, 2)).destination(Ipv4Address.of(10, 10, 0, 1));
        Arrays.fill(bytes, 20, headerLength - 1, (byte) 0x01);   // NOP options, then end of options
        NetworkOrder.u32(segment, headerLength, 0xcafef00d);      // the first payload word
        ipv4.fillChecksum();

        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(ihl, bytes[0] & 0xf);
        assertEquals(headerLength, ipv4.headerLength());
        assertEquals(headerLength - 20, ipv4.optionsLength());
        assertEquals(headerLength, ipv4.payloadOffset());
        assertEquals(4, ipv4.payloadLength());
        assertEquals(0xcafef00d, NetworkOrder.u32AsInt(segment, ipv4.payloadOffset()));
        assertTrue(ipv4.checksumValid());
        // The checksum covers the options: changing one breaks it.
        bytes[20] = 0x00;
        assertFalse(ipv4.checksumValid());
    }

    // ---- drop reasons ----

    @Test
    void fewerThanTwentyBytesIsTruncated() {
        byte[] header = hex(UDP_HEADER);
        for (int length = 0; length < 20; length++) {
            assertEquals(Malformed.IPV4_TRUNCATED, ipv4.wrap(MemorySegment.ofArray(header), 0, length), "length " + length);
        }
    }

    @Test
    void fewerBytesThanTheHeaderLengthIsTruncated() {
        // IHL 15 claims 60 bytes; only 40 are there (and total length says 40).
        byte[] bytes = packet("4f 00 00 28 00 00 40 00 40 06 00 00 0a 0a 00 01 0a 0a 00 02");
        assertEquals(40, bytes.length);
        assertEquals(Malformed.IPV4_TRUNCATED, wrap(bytes));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 5, 6, 7, 15})
    void versionOtherThanFourIsBad(int version) {
        byte[] bytes = packet(UDP_HEADER);
        bytes[0] = (byte) (version << 4 | 5);
        assertEquals(Malformed.IPV4_BAD_VERSION, wrap(bytes));
    }

    @Test
    void ipv6PacketOnTheIpv4PathHasBadVersion() {
        byte[] bytes = new byte[40];
        bytes[0] = 0x60;   // version 6, traffic class 0
        assertEquals(Malformed.IPV4_BAD_VERSION, wrap(bytes));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void headerLengthBelowFiveWordsIsBad(int ihl) {
        byte[] bytes = packet(UDP_HEADER);
        bytes[0] = (byte) (0x40 | ihl);
        assertEquals(Malformed.IPV4_BAD_HEADER_LENGTH, wrap(bytes));
    }

    @Test
    void totalLengthBelowTheHeaderLengthIsTooShort() {
        assertEquals(Malformed.IPV4_TOTAL_LENGTH_TOO_SHORT,
                wrap(hex("45 00 00 13 00 00 40 00 40 06 00 00 0a 0a 00 01 0a 0a 00 02")));
        // With options the bound is the header length, not 20.
        assertEquals(Malformed.IPV4_TOTAL_LENGTH_TOO_SHORT,
                wrap(hex("46 00 00 14 00 00 40 00 40 06 00 00 0a 0a 00 01 0a 0a 00 02 01 01 01 00")));
        assertEquals(Malformed.IPV4_TOTAL_LENGTH_TOO_SHORT,
                wrap(hex("45 00 00 00 00 00 40 00 40 06 00 00 0a 0a 00 01 0a 0a 00 02")));
    }

    @Test
    void totalLengthBeyondTheFrameExceedsIt() {
        byte[] bytes = packet(UDP_HEADER);
        assertEquals(Malformed.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME, ipv4.wrap(MemorySegment.ofArray(bytes), 0, 114));
        assertEquals(Malformed.NONE, ipv4.wrap(MemorySegment.ofArray(bytes), 0, 115));
    }

    @Test
    void headerExactlyAsLongAsTheTotalLengthHasNoPayload() {
        assertEquals(Malformed.NONE, wrap(hex("45 00 00 14 00 00 40 00 40 06 00 00 0a 0a 00 01 0a 0a 00 02")));
        assertEquals(0, ipv4.payloadLength());
        assertEquals(20, ipv4.payloadOffset());
    }

    @Test
    void offsetOutsideTheSegmentIsACallerBug() {
        MemorySegment segment = MemorySegment.ofArray(new byte[20]);
        assertThrows(IndexOutOfBoundsException.class, () -> ipv4.wrap(segment, 4, 20));
        assertThrows(IndexOutOfBoundsException.class, () -> ipv4.wrapQuoted(segment, 21, 0));
    }

    // ---- quoted headers (in ICMP errors) ----

    @Test
    void quotedHeaderMayClaimMoreThanTheQuoteHolds() {
        // The 1500-byte datagram's header and its first 8 bytes, as an ICMP error quotes it.
        byte[] quote = hex("45 00 05 dc 1a 2b 40 00 3f 06 dc 0b 0a 0a 00 01 5d b8 d8 22", "c3 50 01 bb 12 34 56 78");
        MemorySegment segment = MemorySegment.ofArray(quote);
        assertEquals(Malformed.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME, ipv4.wrap(segment, 0, quote.length));
        assertEquals(Malformed.NONE, ipv4.wrapQuoted(segment, 0, quote.length));
        assertEquals(1500, ipv4.totalLength());
        assertEquals(8, ipv4.payloadLength());
        assertEquals(Ipv4Flyweight.PROTOCOL_TCP, ipv4.protocol());
        assertTrue(ipv4.checksumValid());
    }

    @Test
    void quotedHeaderStillNeedsAWholeHeader() {
        byte[] quote = hex("45 00 05 dc 1a 2b 40 00 3f 06 dc 0b 0a 0a 00 01 5d b8 d8");
        assertEquals(Malformed.IPV4_TRUNCATED, ipv4.wrapQuoted(MemorySegment.ofArray(quote), 0, quote.length));
        byte[] badVersion = hex("65 00 05 dc 1a 2b 40 00 3f 06 dc 0b 0a 0a 00 01 5d b8 d8 22");
        assertEquals(Malformed.IPV4_BAD_VERSION, ipv4.wrapQuoted(MemorySegment.ofArray(badVersion), 0, 20));
        byte[] tooShort = hex("45 00 00 10 1a 2b 40 00 3f 06 dc 0b 0a 0a 00 01 5d b8 d8 22");
        assertEquals(Malformed.IPV4_TOTAL_LENGTH_TOO_SHORT, ipv4.wrapQuoted(MemorySegment.ofArray(tooShort), 0, 20));
    }

    // ---- records ----

    @Test
    void recordOfTheWellKnownHeaderWritesItsBytes() {
        Ipv4Header header = new Ipv4Header(0, 0, 115, 0, Ipv4Flyweight.FLAG_DONT_FRAGMENT, 0, 64,
                Ipv4Flyweight.PROTOCOL_UDP, 0, Ipv4Address.of(192, 168, 0, 1), Ipv4Address.of(192, 168, 0, 199),
                new byte[0]).withComputedChecksum();
        assertEquals(0xb861, header.headerChecksum());
        byte[] bytes = new byte[20];
        assertEquals(20, header.writeTo(MemorySegment.ofArray(bytes), 0));
        assertArrayEquals(hex(UDP_HEADER), bytes);
        assertEquals(header, Ipv4Header.from(wrapHeader(bytes)));
        assertEquals("Ipv4Header[192.168.0.1 > 192.168.0.199, protocol=17, totalLength=115, id=0, flags=[DF],"
                + " fragmentOffsetBytes=0, ttl=64, dscp=0, ecn=0, checksum=0xb861]", header.toString());
    }

    @Test
    void recordKeepsItsOptions() {
        byte[] options = hex("94 04 00 00");
        Ipv4Header header = new Ipv4Header(48, 0, 32, 0, Ipv4Flyweight.FLAG_DONT_FRAGMENT, 0, 1, 2, 0,
                Ipv4Address.of(10, 10, 0, 1), Ipv4Address.of(224, 0, 0, 251), options).withComputedChecksum();
        assertEquals(0xf911, header.headerChecksum());
        assertEquals(24, header.headerLength());
        assertEquals(8, header.payloadLength());
        options[0] = 0;   // the record copied its options
        assertEquals((byte) 0x94, header.options()[0]);
        byte[] bytes = new byte[32];
        assertEquals(24, header.writeTo(MemorySegment.ofArray(bytes), 0));
        assertEquals(Malformed.NONE, wrap(bytes));
        assertTrue(ipv4.checksumValid());
        assertEquals(header, Ipv4Header.from(ipv4));
        assertEquals(header.hashCode(), Ipv4Header.from(ipv4).hashCode());
    }

    @Test
    void recordFactoryMakesAnUnfragmentedPacketWithAValidChecksum() {
        Ipv4Header header = Ipv4Header.of(Ipv4Flyweight.PROTOCOL_TCP, Ipv4Address.of(10, 10, 0, 1),
                Ipv4Address.of(10, 10, 0, 2), 20);
        assertEquals(40, header.totalLength());
        assertTrue(header.dontFragment());
        assertFalse(header.isFragment());
        byte[] bytes = new byte[40];
        header.writeTo(MemorySegment.ofArray(bytes), 0);
        assertEquals(Malformed.NONE, wrap(bytes));
        assertTrue(ipv4.checksumValid());
    }

    @Test
    void recordRejectsValuesThatDoNotFitTheirFields() {
        int a = Ipv4Address.of(10, 10, 0, 1);
        byte[] none = new byte[0];
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(64, 0, 20, 0, 0, 0, 64, 6, 0, a, a, none));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 4, 20, 0, 0, 0, 64, 6, 0, a, a, none));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 0, 65536, 0, 0, 0, 64, 6, 0, a, a, none));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 0, 20, 0, 8, 0, 64, 6, 0, a, a, none));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 0, 20, 0, 0, 4, 64, 6, 0, a, a, none));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Header(0, 0, 20, 0, 0, 0, 256, 6, 0, a, a, none));
        assertThrows(IllegalArgumentException.class,
                () -> new Ipv4Header(0, 0, 20, 0, 0, 0, 64, 6, 0, a, a, new byte[3]));
        assertThrows(IllegalArgumentException.class,
                () -> new Ipv4Header(0, 0, 20, 0, 0, 0, 64, 6, 0, a, a, new byte[44]));
    }

    @Test
    void headerLengthSetterRefusesLengthsIhlCannotExpress() {
        ipv4.wrapForWrite(MemorySegment.ofArray(new byte[20]), 0);
        assertThrows(IllegalArgumentException.class, () -> ipv4.headerLength(22));
        assertThrows(IllegalArgumentException.class, () -> ipv4.headerLength(64));
        assertThrows(IllegalArgumentException.class, () -> ipv4.headerLength(-4));
    }

    private Ipv4Flyweight wrapHeader(byte[] header) {
        assertEquals(Malformed.NONE, ipv4.wrapQuoted(MemorySegment.ofArray(header), 0, header.length));
        return ipv4;
    }
}
