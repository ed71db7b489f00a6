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
import static io.mtcp4j.stack.wire.TcpTestBytes.CLIENT_ADDRESS;
import static io.mtcp4j.stack.wire.TcpTestBytes.SERVER_ADDRESS;
import static io.mtcp4j.stack.wire.TcpTestBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The value records: TcpHeader, TcpOptionSet, TcpSegment; reading, writing, printing. */
class TcpHeaderTest {
    private static final TcpOptionSet LINUX_SYN_OPTIONS =
            TcpOptionSet.NONE.withMss(1460).withSackPermitted(true).withTimestamps(1, 0).withWindowScale(7);
    private static final TcpHeader LINUX_SYN =
            new TcpHeader(40000, 80, 1000, 0, FLAG_SYN, 64240, 0x2942, 0, LINUX_SYN_OPTIONS);

    private final TcpFlyweight tcp = new TcpFlyweight();

    private Malformed wrap(byte[] bytes) {
        return tcp.wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    // Reading and writing.

    @Test
    void synReadsIntoTheExpectedRecord() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.linuxSyn()));
        assertEquals(LINUX_SYN, TcpHeader.from(tcp));
    }

    @Test
    void synRecordWritesTheLinuxBytesExactly() {
        byte[] bytes = new byte[40];
        assertEquals(40, LINUX_SYN.writeTo(MemorySegment.ofArray(bytes), 0));
        assertArrayEquals(TcpTestBytes.linuxSyn(), bytes);
        assertEquals(40, LINUX_SYN.headerLength());
    }

    @Test
    void resetRecordWritesTwentyBytes() {
        TcpHeader reset = new TcpHeader(80, 40000, 0, 1001, FLAG_RST | FLAG_ACK, 0, 0, 0, TcpOptionSet.NONE);
        byte[] bytes = new byte[20];
        assertEquals(20, reset.writeTo(MemorySegment.ofArray(bytes), 0));
        assertArrayEquals(TcpTestBytes.reset(), bytes);
    }

    @Test
    void ackWithSackBlocksRoundTrips() {
        TcpHeader ack = new TcpHeader(80, 40000, 5001, 1001, FLAG_ACK, 500, 0, 0,
                TcpOptionSet.NONE.withTimestamps(7, 8).withSackBlocks(2001, 3001, 4001, 5001));
        byte[] bytes = new byte[ack.headerLength()];
        ack.writeTo(MemorySegment.ofArray(bytes), 0);
        assertEquals(Malformed.NONE, wrap(bytes));
        assertEquals(2, tcp.options().sackBlockCount());
        assertEquals(ack, TcpHeader.from(tcp));
    }

    @Test
    void unknownOptionsAreKeptInOrderAndPaddedWithEndOfOptionList() {
        TcpOptionSet options = TcpOptionSet.NONE.withMss(1460)
                .withUnknownOption(254, (byte) 0x12, (byte) 0x34, (byte) 0x56, (byte) 0x78)
                .withUnknownOption(30, (byte) 0xab); // MPTCP's kind, 1 data byte
        assertEquals(4 + 6 + 3 + 3, options.encodedLength()); // 13 bytes rounded up to 16
        byte[] bytes = new byte[16];
        Arrays.fill(bytes, (byte) 0xee);
        assertEquals(16, options.writeTo(MemorySegment.ofArray(bytes), 0));
        assertArrayEquals(hex(
                "02 04 05b4",          // MSS 1460
                "fe 06 12345678",      // kind 254, length 6
                "1e 03 ab",            // kind 30, length 3
                "000000"), bytes);     // EOL and zero padding

        TcpHeader header = LINUX_SYN.withOptions(options);
        byte[] segment = new byte[header.headerLength()];
        header.writeTo(MemorySegment.ofArray(segment), 0);
        assertEquals(Malformed.NONE, wrap(segment));
        assertEquals(header, TcpHeader.from(tcp));
    }

    @Test
    void unknownOptionsFromTheWireAreCollected() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.headerWithOptions("fe 06 1234 5678 02 04 05b4 01 01")));
        TcpOptionSet options = TcpOptionSet.from(tcp);
        assertEquals(1460, options.mss());
        assertEquals(List.of(new TcpOptionSet.UnknownOption(254, hex("12345678"))), options.unknownOptions());
    }

    @Test
    void tightlyPackedOptionsReadBackEvenWhenLinuxLayoutWouldNotFit() {
        // Timestamps (10) + SACK with 3 blocks (26) + Window Scale (3) + EOL = 40 bytes without NOPs;
        // Linux's layout needs 12 + 28 + 4 = 44.
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.headerWithOptions(
                "08 0a 00000001 00000002"
                + "05 1a 00000001 00000002 00000003 00000004 00000005 00000006"
                + "03 03 07"
                + "00")));
        TcpHeader header = TcpHeader.from(tcp);
        assertEquals(3, header.options().sackBlocks().size());
        assertFalse(header.options().fits());
        assertEquals(44, header.options().encodedLength());
        assertEquals("TS val 1 ecr 2,wscale 7,sack 3 {1:2}{3:4}{5:6}", header.options().toString());
        assertThrows(IllegalStateException.class, () -> header.writeTo(MemorySegment.ofArray(new byte[64]), 0));
    }

    @Test
    void segmentRecordReadsHeaderAndPayload() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.dataSegment()));
        TcpSegment segment = TcpSegment.from(tcp);
        TcpSegment expected = new TcpSegment(
                new TcpHeader(40000, 80, 1001, 5001, FLAG_PSH | FLAG_ACK, 502, 0xf98e, 0,
                        TcpOptionSet.NONE.withTimestamps(2, 1)),
                "hello".getBytes(StandardCharsets.US_ASCII));
        assertEquals(expected, segment);
        assertEquals(expected.hashCode(), segment.hashCode());
        assertEquals(37, segment.length());
    }

    @Test
    void segmentRecordWithChecksumWritesTheKnownBytes() {
        TcpSegment segment = new TcpSegment(
                new TcpHeader(40000, 80, 1001, 5001, FLAG_PSH | FLAG_ACK, 502, 0, 0,
                        TcpOptionSet.NONE.withTimestamps(2, 1)),
                "hello".getBytes(StandardCharsets.US_ASCII));
        byte[] bytes = new byte[37];
        long pseudo = Checksum.pseudoHeaderIpv4(CLIENT_ADDRESS, SERVER_ADDRESS, TcpFlyweight.IP_PROTOCOL, 37);
        assertEquals(37, segment.writeWithChecksum(MemorySegment.ofArray(bytes), 0, pseudo));
        assertArrayEquals(TcpTestBytes.dataSegment(), bytes);
    }

    @Test
    void segmentRecordsCompareTheirPayloadBytes() {
        TcpHeader header = LINUX_SYN;
        byte[] payload = {1, 2, 3};
        TcpSegment segment = new TcpSegment(header, payload);
        payload[0] = 9; // the record copied it
        assertEquals(new TcpSegment(header, new byte[] {1, 2, 3}), segment);
        assertNotEquals(new TcpSegment(header, new byte[] {1, 2, 4}), segment);
    }

    // Validation of hand-built records.

    @Test
    void headerFieldsOutsideTheirRangeAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new TcpHeader(65536, 80, 0, 0, 0, 0, 0, 0, TcpOptionSet.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> new TcpHeader(1, -1, 0, 0, 0, 0, 0, 0, TcpOptionSet.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> new TcpHeader(1, 2, 0, 0, 0x1000, 0, 0, 0, TcpOptionSet.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> new TcpHeader(1, 2, 0, 0, 0, 70000, 0, 0, TcpOptionSet.NONE));
        assertThrows(NullPointerException.class, () -> new TcpHeader(1, 2, 0, 0, 0, 0, 0, 0, null));
    }

    @Test
    void optionValuesOutsideTheirRangeAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> TcpOptionSet.NONE.withMss(65536));
        assertThrows(IllegalArgumentException.class, () -> TcpOptionSet.NONE.withWindowScale(256));
        assertThrows(IllegalArgumentException.class,
                () -> TcpOptionSet.NONE.withSackBlocks(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        assertThrows(IllegalArgumentException.class, () -> TcpOptionSet.NONE.withSackBlocks(1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> TcpOptionSet.NONE.withUnknownOption(8));
        assertThrows(IllegalArgumentException.class, () -> TcpOptionSet.NONE.withUnknownOption(1));
        assertThrows(IllegalArgumentException.class, () -> TcpOptionSet.NONE.withUnknownOption(99, new byte[39]));
    }

    @Test
    void optionsThatDoNotFitCannotBeWritten() {
        TcpOptionSet tooMany = LINUX_SYN_OPTIONS.withSackBlocks(1, 2, 3, 4, 5, 6); // 20 + 4 + 24 = 48
        assertFalse(tooMany.fits());
        assertEquals(48, tooMany.encodedLength());
        assertThrows(IllegalStateException.class, () -> tooMany.writeTo(MemorySegment.ofArray(new byte[64]), 0));
        assertTrue(LINUX_SYN_OPTIONS.withSackBlocks(1, 2, 3, 4).fits());
    }

    // Printing, tcpdump style.

    @Test
    void synPrintsLikeTcpdump() {
        assertEquals("40000 > 80 [S] seq 1000 win 64240 options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7]"
                + " cksum 0x2942", LINUX_SYN.toString());
    }

    @Test
    void synAckPrintsItsAcknowledgment() {
        assertEquals(Malformed.NONE, wrap(TcpTestBytes.linuxSynAck()));
        assertEquals("80 > 40000 [S.] seq 5000 ack 1001 win 65160"
                + " options [mss 1460,sackOK,TS val 2 ecr 1,nop,wscale 7] cksum 0x120f",
                TcpHeader.from(tcp).toString());
    }

    @Test
    void sackAndUrgentAndUnsignedNumbersPrint() {
        TcpHeader header = new TcpHeader(1, 2, -1, 0x80000000, FLAG_ACK | FLAG_URG, 10, 0xabcd, 3,
                TcpOptionSet.NONE.withTimestamps(-2, 5).withSackBlocks(-10, 20));
        assertEquals("1 > 2 [.U] seq 4294967295 ack 2147483648 win 10 urg 3"
                + " options [nop,nop,TS val 4294967294 ecr 5,nop,nop,sack 1 {4294967286:20}] cksum 0xabcd",
                header.toString());
    }

    @Test
    void nonzeroAcknowledgmentWithoutAckStillPrints() {
        TcpHeader header = new TcpHeader(1, 2, 3, 4, FLAG_SYN, 5, 0, 0, TcpOptionSet.NONE);
        assertEquals("1 > 2 [S] seq 3 ack 4 win 5 cksum 0x0000", header.toString());
    }

    @Test
    void segmentPrintsItsLengthAndData() {
        TcpSegment segment = new TcpSegment(new TcpHeader(1, 2, 3, 4, FLAG_PSH | FLAG_ACK, 5, 0, 0,
                TcpOptionSet.NONE), "hello".getBytes(StandardCharsets.US_ASCII));
        assertEquals("1 > 2 [P.] seq 3 ack 4 win 5 cksum 0x0000 length 5 data 0x68656c6c6f", segment.toString());
        TcpSegment big = new TcpSegment(segment.header(), new byte[40]);
        assertTrue(big.toString().endsWith("length 40 data 0x" + "00".repeat(32) + "..."), big.toString());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource({
        "0,     none",
        "17,    F.",     // FIN+ACK
        "24,    P.",     // PSH+ACK
        "20,    R.",     // RST+ACK
        "4,     R",
        "194,   SEW",    // SYN+ECE+CWR, an ECN-setup SYN (RFC 3168)
        "272,   .e",     // ACK+AE
        "2560,  +res0xa00",
        "4095,  FSRP.UEWe+res0xe00",
    })
    void flagsPrintInTcpdumpOrder(int flags, String expected) {
        assertEquals(expected, TcpHeader.flagsText(flags));
    }

    @Test
    void flagConstantsUsedInTheTableAbove() {
        assertEquals(17, FLAG_FIN | FLAG_ACK);
        assertEquals(194, FLAG_SYN | FLAG_ECE | FLAG_CWR);
        assertEquals(272, FLAG_ACK | FLAG_AE);
    }

    @Test
    void describeNamesWhatIsWrongWithMalformedOptions() {
        assertEquals("mss [wrong length 3],eol", TcpOptionSet.describe(MemorySegment.ofArray(hex("02 03 05 00")), 0, 4));
        assertEquals("nop,unknown-254 [bad length 1]",
                TcpOptionSet.describe(MemorySegment.ofArray(hex("01 fe 01 00")), 0, 4));
        assertEquals("nop,nop,nop,TS [length past header]",
                TcpOptionSet.describe(MemorySegment.ofArray(hex("01 01 01 08")), 0, 4));
        assertEquals("TS [length 10 past header]",
                TcpOptionSet.describe(MemorySegment.ofArray(hex("08 0a 00 00")), 0, 4));
        assertEquals("mss 1460,eol", TcpOptionSet.describe(MemorySegment.ofArray(hex("02 04 05b4 00 02 00 00")), 0, 8));
    }

    @Test
    void emptyOptionSetIsEmptyAndPrintsNothing() {
        assertTrue(TcpOptionSet.NONE.isEmpty());
        assertEquals("", TcpOptionSet.NONE.toString());
        assertEquals(0, TcpOptionSet.NONE.encodedLength());
        assertFalse(LINUX_SYN_OPTIONS.isEmpty());
        assertEquals(Optional.empty(), TcpOptionSet.NONE.timestamps());
    }
}
