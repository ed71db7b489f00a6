package io.mtcp4j.stack.wire;

import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_ACK;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_AE;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_CWR;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_ECE;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_FIN;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_PSH;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_RST;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_SYN;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_URG;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAGS_RESERVED;
import static io.mtcp4j.stack.wire.TcpTestBytes.CLIENT_ADDRESS;
import static io.mtcp4j.stack.wire.TcpTestBytes.SERVER_ADDRESS;
import static io.mtcp4j.stack.wire.TcpTestBytes.hex;
import static io.mtcp4j.stack.wire.TcpTestBytes.ipv4PseudoHeader;
import static io.mtcp4j.stack.wire.TcpTestBytes.naiveChecksum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TcpFlyweightTest {
    private final TcpFlyweight tcp = new TcpFlyweight();

    private Malformed wrap(byte[] bytes) {
        return tcp.wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    // Known answers: hand-built segments decode field by field.

    @Test
    void linuxSynDecodesEveryField() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.linuxSyn()));
        assertEquals(40000, tcp.sourcePort());
        assertEquals(80, tcp.destinationPort());
        assertEquals(1000, tcp.sequenceNumber());
        assertEquals(0, tcp.acknowledgmentNumber());
        assertEquals(10, tcp.dataOffsetWords());
        assertEquals(40, tcp.headerLength());
        assertEquals(FLAG_SYN, tcp.flags());
        assertEquals(64240, tcp.window());
        assertEquals(0x2942, tcp.checksum());
        assertEquals(0, tcp.urgentPointer());
        assertEquals(20, tcp.optionsOffset());
        assertEquals(20, tcp.optionsLength());
        assertEquals(40, tcp.payloadOffset());
        assertEquals(0, tcp.payloadLength());
        assertEquals(40, tcp.segmentLength());

        TcpOptions options = tcp.options();
        assertTrue(options.hasMss());
        assertEquals(1460, options.mss());
        assertTrue(options.sackPermitted());
        assertTrue(options.hasTimestamps());
        assertEquals(1, options.timestampValue());
        assertEquals(0, options.timestampEchoReply());
        assertTrue(options.hasWindowScale());
        assertEquals(7, options.windowScale());
        assertEquals(0, options.sackBlockCount());
    }

    @Test
    void synAckCarriesBothFlagsAndTheAcknowledgment() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.linuxSynAck()));
        assertEquals(80, tcp.sourcePort());
        assertEquals(40000, tcp.destinationPort());
        assertEquals(5000, tcp.sequenceNumber());
        assertEquals(1001, tcp.acknowledgmentNumber());
        assertEquals(FLAG_SYN | FLAG_ACK, tcp.flags());
        assertTrue(tcp.hasFlags(FLAG_SYN | FLAG_ACK));
        assertFalse(tcp.hasFlags(FLAG_SYN | FLAG_FIN));
        assertEquals(65160, tcp.window());
        assertEquals(1460, tcp.options().mss());
        assertEquals(2, tcp.options().timestampValue());
        assertEquals(1, tcp.options().timestampEchoReply());
    }

    @Test
    void dataSegmentLocatesItsPayload() {
        byte[] bytes = TcpTestBytes.dataSegment();
        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(32, tcp.headerLength());
        assertEquals(FLAG_PSH | FLAG_ACK, tcp.flags());
        assertEquals(502, tcp.window());
        assertEquals(32, tcp.payloadOffset());
        assertEquals(5, tcp.payloadLength());
        assertEquals("hello", new String(bytes, (int) tcp.payloadOffset(), (int) tcp.payloadLength()));
        assertTrue(tcp.options().hasTimestamps());
        assertFalse(tcp.options().hasMss());
        assertFalse(tcp.options().hasWindowScale());
        assertFalse(tcp.options().sackPermitted());
    }

    @Test
    void resetHasNoOptionsAndAZeroWindow() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.reset()));
        assertEquals(FLAG_RST | FLAG_ACK, tcp.flags());
        assertEquals(5, tcp.dataOffsetWords());
        assertEquals(0, tcp.optionsLength());
        assertEquals(0, tcp.window());
        assertEquals(1001, tcp.acknowledgmentNumber());
        assertEquals(0, tcp.payloadLength());
        assertFalse(tcp.options().hasMss());
        assertFalse(tcp.options().hasTimestamps());
    }

    @Test
    void offsetsAreAbsoluteWhenTheHeaderSitsBehindOtherHeaders() {
        // 14 bytes of Ethernet and 20 of IPv4 before the TCP header, as in a real frame.
        byte[] segment = TcpTestBytes.dataSegment();
        byte[] frame = new byte[34 + segment.length];
        System.arraycopy(segment, 0, frame, 34, segment.length);
        assertEquals(Malformed.NONE, tcp.wrap(MemorySegment.ofArray(frame), 34, segment.length));
        assertEquals(34, tcp.offset());
        assertEquals(54, tcp.optionsOffset());
        assertEquals(66, tcp.payloadOffset());
        assertEquals(5, tcp.payloadLength());
        assertEquals(40000, tcp.sourcePort());
    }

    @Test
    void sequenceNumbersKeepTheirHighBitAsRawInts() {
        byte[] bytes = TcpTestBytes.reset();
        System.arraycopy(hex("fffffffe", "80000000"), 0, bytes, 4, 8); // seq 2^32-2, ack 2^31
        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(-2, tcp.sequenceNumber());
        assertEquals(Integer.MIN_VALUE, tcp.acknowledgmentNumber());
    }

    @Test
    void rewrappingForgetsThePreviousSegmentsOptions() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.linuxSyn()));
        assertTrue(tcp.options().hasMss());
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.reset()));
        assertFalse(tcp.options().hasMss());
        assertFalse(tcp.options().sackPermitted());
        assertFalse(tcp.options().hasWindowScale());
    }

    @Test
    void optionsHolderIsTheSameObjectEveryWrap() {
        TcpOptions first = tcp.options();
        wrap(TcpTestBytes.linuxSyn());
        wrap(TcpTestBytes.dataSegment());
        assertTrue(first == tcp.options());
    }

    // Flags: each bit of the 12 in its place.

    static Stream<Arguments> eachFlagBit() {
        // byte 12 (data offset 5 in the top nibble), byte 13, the flag it encodes
        return Stream.of(
                Arguments.of(0x50, 0x01, FLAG_FIN),
                Arguments.of(0x50, 0x02, FLAG_SYN),
                Arguments.of(0x50, 0x04, FLAG_RST),
                Arguments.of(0x50, 0x08, FLAG_PSH),
                Arguments.of(0x50, 0x10, FLAG_ACK),
                Arguments.of(0x50, 0x20, FLAG_URG),
                Arguments.of(0x50, 0x40, FLAG_ECE),
                Arguments.of(0x50, 0x80, FLAG_CWR),
                Arguments.of(0x51, 0x00, FLAG_AE), // RFC 9768: the last bit of byte 12
                Arguments.of(0x52, 0x00, 0x200),   // reserved bits, above AE
                Arguments.of(0x54, 0x00, 0x400),
                Arguments.of(0x58, 0x00, 0x800));
    }

    @ParameterizedTest(name = "byte12=0x{0} byte13=0x{1}")
    @MethodSource("eachFlagBit")
    void eachBitDecodesToItsConstantAlone(int byte12, int byte13, int flag) {
        byte[] bytes = TcpTestBytes.reset();
        bytes[12] = (byte) byte12;
        bytes[13] = (byte) byte13;
        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(flag, tcp.flags());
        assertEquals(5, tcp.dataOffsetWords(), "the flag bits must not leak into the data offset");
        assertTrue(tcp.hasFlags(flag));
        assertTrue(tcp.hasAnyFlag(flag | FLAG_FIN));
    }

    @Test
    void reservedMaskCoversTheThreeBitsBetweenDataOffsetAndAe() {
        assertEquals(0x200 | 0x400 | 0x800, FLAGS_RESERVED);
        assertEquals(0, FLAGS_RESERVED & (FLAG_AE | 0xff));
        assertEquals(0xfff, FLAGS_RESERVED | FLAG_AE | FLAG_CWR | FLAG_ECE | FLAG_URG | FLAG_ACK | FLAG_PSH
                | FLAG_RST | FLAG_SYN | FLAG_FIN);
    }

    @Test
    void settingFlagsKeepsTheDataOffset() {
        byte[] bytes = TcpTestBytes.linuxSyn();
        tcp.wrapForWrite(MemorySegment.ofArray(bytes), 0).flags(FLAG_AE | FLAG_CWR | FLAG_ECE | FLAG_SYN);
        assertEquals(10, tcp.dataOffsetWords());
        assertEquals(FLAG_AE | FLAG_CWR | FLAG_ECE | FLAG_SYN, tcp.flags());
        assertEquals((byte) 0xa1, bytes[12]);
        assertEquals((byte) 0xc2, bytes[13]);
    }

    @Test
    void settingTheDataOffsetKeepsAeAndReservedBits() {
        byte[] bytes = TcpTestBytes.reset();
        tcp.wrapForWrite(MemorySegment.ofArray(bytes), 0).flags(FLAG_AE | 0x400 | FLAG_ACK).dataOffsetWords(15);
        assertEquals(15, tcp.dataOffsetWords());
        assertEquals(FLAG_AE | 0x400 | FLAG_ACK, tcp.flags());
        assertEquals((byte) 0xf5, bytes[12]);
    }

    // Writing (egress): every setter lands where the diagram says.

    @Test
    void everyFieldWrittenReadsBackAtAnOddOffset() {
        byte[] bytes = new byte[3 + 20];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        tcp.wrapForWrite(segment, 3)
                .sourcePort(65535)
                .destinationPort(443)
                .sequenceNumber(0x89abcdef)
                .acknowledgmentNumber(0x01234567)
                .dataOffsetWords(5)
                .flags(FLAG_FIN | FLAG_ACK)
                .window(0xfedc)
                .checksum(0xbeef)
                .urgentPointer(0x1234);
        assertArrayEquals(hex(
                "000000",     // the three bytes before the header are untouched
                "ffff 01bb",  // ports 65535, 443
                "89abcdef",   // sequence number
                "01234567",   // acknowledgment number
                "50 11 fedc", // data offset 5, FIN+ACK, window
                "beef 1234"), bytes); // checksum, urgent pointer
        assertEquals(Malformed.NONE, tcp.wrap(segment, 3, 20));
        assertEquals(65535, tcp.sourcePort());
        assertEquals(443, tcp.destinationPort());
        assertEquals(0x89abcdef, tcp.sequenceNumber());
        assertEquals(0x01234567, tcp.acknowledgmentNumber());
        assertEquals(FLAG_FIN | FLAG_ACK, tcp.flags());
        assertEquals(0xfedc, tcp.window());
        assertEquals(0xbeef, tcp.checksum());
        assertEquals(0x1234, tcp.urgentPointer());
    }

    @Test
    void flagsOutsideTheTwelveBitsDoNotTouchTheDataOffset() {
        byte[] bytes = TcpTestBytes.reset();
        tcp.wrapForWrite(MemorySegment.ofArray(bytes), 0).flags(0xf000 | FLAG_SYN);
        assertEquals(5, tcp.dataOffsetWords());
        assertEquals(FLAG_SYN, tcp.flags());
    }

    // Rejections: lengths the header claims against the bytes the IP layer gave.

    @ParameterizedTest(name = "available {0}")
    @ValueSource(ints = {0, 1, 12, 19})
    void fewerThanTwentyBytesIsTruncated(int available) {
        byte[] bytes = TcpTestBytes.linuxSyn();
        assertEquals(Malformed.TCP_TRUNCATED, tcp.wrap(MemorySegment.ofArray(bytes), 0, available));
    }

    @ParameterizedTest(name = "data offset {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void dataOffsetBelowFiveWordsIsRejected(int words) {
        byte[] bytes = TcpTestBytes.reset();
        bytes[12] = (byte) (words << 4);
        assertEquals(Malformed.TCP_BAD_DATA_OFFSET, wrap(bytes));
    }

    @Test
    void dataOffsetBeyondTheSegmentIsTruncated() {
        byte[] bytes = TcpTestBytes.reset();
        bytes[12] = 0x60; // 6 words = 24 bytes, but the segment has 20
        assertEquals(Malformed.TCP_TRUNCATED, wrap(bytes));
    }

    @Test
    void fullSixtyByteHeaderNeedsAllSixtyBytes() {
        byte[] bytes = TcpTestBytes.headerWithOptions("01010101".repeat(10)); // 40 bytes of NOPs
        assertEquals(15, bytes[12] >>> 4 & 0xf);
        assertEquals(Malformed.NONE, tcp.wrap(MemorySegment.ofArray(bytes), 0, 60));
        assertEquals(60, tcp.headerLength());
        assertEquals(Malformed.TCP_TRUNCATED, tcp.wrap(MemorySegment.ofArray(bytes), 0, 59));
    }

    @Test
    void synCutShortOfItsOptionsIsTruncated() {
        byte[] bytes = TcpTestBytes.linuxSyn();
        assertEquals(Malformed.TCP_TRUNCATED, tcp.wrap(MemorySegment.ofArray(bytes), 0, 39));
        assertEquals(Malformed.TCP_TRUNCATED, tcp.wrap(MemorySegment.ofArray(bytes), 0, 20));
    }

    @Test
    void rangeOutsideTheSegmentIsACallerBug() {
        MemorySegment segment = MemorySegment.ofArray(TcpTestBytes.reset());
        assertThrows(IndexOutOfBoundsException.class, () -> tcp.wrap(segment, 0, 21));
        assertThrows(IndexOutOfBoundsException.class, () -> tcp.wrap(segment, 1, 20));
        assertThrows(IndexOutOfBoundsException.class, () -> tcp.wrap(segment, -1, 5));
    }

    // Checksums over the pseudo-header, against a naive reference sum.

    @Test
    void naiveReferenceAgreesWithTheKnownSynChecksum() {
        byte[] syn = TcpTestBytes.linuxSyn();
        byte[] zeroed = syn.clone();
        zeroed[16] = 0;
        zeroed[17] = 0;
        assertEquals(0x2942, naiveChecksum(ipv4PseudoHeader(CLIENT_ADDRESS, SERVER_ADDRESS, 40), zeroed));
        // With the checksum in place, the whole sum complements to zero.
        assertEquals(0, naiveChecksum(ipv4PseudoHeader(CLIENT_ADDRESS, SERVER_ADDRESS, 40), syn));
    }

    @Test
    void synVerifiesOverItsIpv4PseudoHeader() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.linuxSyn()));
        long pseudo = Checksum.pseudoHeaderIpv4(CLIENT_ADDRESS, SERVER_ADDRESS, TcpFlyweight.IP_PROTOCOL, 40);
        assertTrue(tcp.checksumValid(pseudo, 40));
    }

    @Test
    void synAckVerifiesWithTheAddressesSwapped() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.linuxSynAck()));
        assertTrue(tcp.checksumValid(
                Checksum.pseudoHeaderIpv4(SERVER_ADDRESS, CLIENT_ADDRESS, TcpFlyweight.IP_PROTOCOL, 40), 40));
    }

    @Test
    void wrongPseudoHeaderFailsVerification() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.linuxSyn()));
        assertFalse(tcp.checksumValid(
                Checksum.pseudoHeaderIpv4(CLIENT_ADDRESS, CLIENT_ADDRESS, TcpFlyweight.IP_PROTOCOL, 40), 40));
        assertFalse(tcp.checksumValid(
                Checksum.pseudoHeaderIpv4(CLIENT_ADDRESS, SERVER_ADDRESS, TcpFlyweight.IP_PROTOCOL, 44), 40));
    }

    @Test
    void dataSegmentWithOddLengthVerifiesAndFailsWhenOnePayloadByteChanges() {
        byte[] bytes = TcpTestBytes.dataSegment();
        long pseudo = Checksum.pseudoHeaderIpv4(CLIENT_ADDRESS, SERVER_ADDRESS, TcpFlyweight.IP_PROTOCOL, 37);
        assertEquals(Malformed.NONE, wrap(bytes));
        assertTrue(tcp.checksumValid(pseudo, 37));
        bytes[36] ^= 0x20; // "hellO"
        assertFalse(tcp.checksumValid(pseudo, 37));
    }

    @Test
    void fillChecksumWritesTheIndependentlyComputedValue() {
        byte[] bytes = TcpTestBytes.dataSegment();
        bytes[16] = 0x55; // garbage in the checksum field must not matter
        bytes[17] = 0x55;
        long pseudo = Checksum.pseudoHeaderIpv4(CLIENT_ADDRESS, SERVER_ADDRESS, TcpFlyweight.IP_PROTOCOL, 37);
        tcp.wrapForWrite(MemorySegment.ofArray(bytes), 0).fillChecksum(pseudo, 37);
        assertEquals(0xf98e, tcp.checksum());
        assertArrayEquals(TcpTestBytes.dataSegment(), bytes);
    }

    @Test
    void fillChecksumAtAnOffsetMatchesTheNaiveSum() {
        byte[] segment = TcpTestBytes.linuxSynAck();
        byte[] frame = new byte[7 + segment.length];
        System.arraycopy(segment, 0, frame, 7, segment.length);
        long pseudo = Checksum.pseudoHeaderIpv4(SERVER_ADDRESS, CLIENT_ADDRESS, TcpFlyweight.IP_PROTOCOL, 40);
        tcp.wrapForWrite(MemorySegment.ofArray(frame), 7).checksum(0).fillChecksum(pseudo, 40);
        segment[16] = 0;
        segment[17] = 0;
        assertEquals(naiveChecksum(ipv4PseudoHeader(SERVER_ADDRESS, CLIENT_ADDRESS, 40), segment), tcp.checksum());
        assertEquals(0x120f, tcp.checksum());
    }

    @Test
    void verifiesOverAnIpv6PseudoHeader() {
        byte[] source = hex("fe80 0000 0000 0000 0000 0000 0000 0001"); // fe80::1
        byte[] destination = hex("2001 0db8 0000 0000 0000 0000 0000 00ff"); // 2001:db8::ff
        byte[] bytes = TcpTestBytes.dataSegment();
        long pseudo = Checksum.pseudoHeaderIpv6(MemorySegment.ofArray(source), 0,
                MemorySegment.ofArray(destination), 0, TcpFlyweight.IP_PROTOCOL, 37);
        tcp.wrapForWrite(MemorySegment.ofArray(bytes), 0).fillChecksum(pseudo, 37);

        // RFC 8200 8.1 pseudo-header: source, destination, 32-bit length, 3 zero bytes, next header.
        byte[] pseudoHeader = new byte[40];
        System.arraycopy(source, 0, pseudoHeader, 0, 16);
        System.arraycopy(destination, 0, pseudoHeader, 16, 16);
        pseudoHeader[35] = 37;
        pseudoHeader[39] = 6;
        byte[] zeroed = bytes.clone();
        zeroed[16] = 0;
        zeroed[17] = 0;
        assertEquals(naiveChecksum(pseudoHeader, zeroed), tcp.checksum());
        assertEquals(Malformed.NONE, wrap(bytes));
        assertTrue(tcp.checksumValid(pseudo, 37));
        assertFalse(Arrays.equals(TcpTestBytes.dataSegment(), bytes), "IPv6 checksum differs from the IPv4 one");
    }
}
