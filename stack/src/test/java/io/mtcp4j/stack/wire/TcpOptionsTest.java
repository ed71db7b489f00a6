package io.mtcp4j.stack.wire;

import static io.mtcp4j.stack.wire.TcpTestBytes.headerWithOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Option parsing during the checked wrap: RFC 9293 3.1/3.2, RFC 7323, RFC 2018. */
class TcpOptionsTest {
    private final TcpFlyweight tcp = new TcpFlyweight();

    /** Wraps a header carrying these option bytes (whole words) and returns the wrap's verdict. */
    private Malformed wrapOptions(String optionsHex) {
        byte[] bytes = headerWithOptions(optionsHex);
        return tcp.wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    private TcpOptions options() {
        return tcp.options();
    }

    // Well-formed option lists.

    @Test
    void linuxSynOptions() {
        assertEquals(Malformed.NONE, wrapOptions(
                "02 04 05b4"      // MSS 1460
                + "04 02 08 0a"   // SACK-Permitted; Timestamps, length 10 ...
                + "00000001"      //   ... TSval 1
                + "00000000"      //   ... TSecr 0
                + "01 03 03 07")); // NOP; Window Scale 7
        assertTrue(options().hasMss());
        assertEquals(1460, options().mss());
        assertTrue(options().sackPermitted());
        assertTrue(options().hasTimestamps());
        assertEquals(1, options().timestampValue());
        assertEquals(0, options().timestampEchoReply());
        assertTrue(options().hasWindowScale());
        assertEquals(7, options().windowScale());
        assertEquals(0, options().sackBlockCount());
    }

    @Test
    void synWithoutTimestampsAsLinuxLaysItOut() {
        assertEquals(Malformed.NONE, wrapOptions(
                "02 04 2300"       // MSS 8960 (jumbo frames)
                + "01 01 04 02"    // NOP, NOP, SACK-Permitted
                + "01 03 03 0e")); // NOP, Window Scale 14
        assertEquals(8960, options().mss());
        assertTrue(options().sackPermitted());
        assertEquals(14, options().windowScale());
        assertFalse(options().hasTimestamps());
    }

    @Test
    void timestampsKeepTheirHighBitAsRawInts() {
        assertEquals(Malformed.NONE, wrapOptions(
                "01 01 08 0a"    // NOP, NOP, Timestamps ...
                + "fffffffe"     //   ... TSval 2^32 - 2
                + "80000001"));  //   ... TSecr 2^31 + 1
        assertEquals(-2, options().timestampValue());
        assertEquals(0x80000001, options().timestampEchoReply());
        assertFalse(options().hasMss());
    }

    @ParameterizedTest(name = "{0} SACK blocks")
    @ValueSource(ints = {1, 2, 3})
    void ackWithTimestampsAndSackBlocks(int blocks) {
        StringBuilder hex = new StringBuilder("01 01 08 0a 0000 0064 0000 00c8"); // NOP NOP TS val 100 ecr 200
        hex.append(String.format("01 01 05 %02x", 2 + 8 * blocks));            // NOP NOP SACK, length 2+8n
        for (int i = 0; i < blocks; i++) {
            hex.append(String.format("%08x %08x", 1000 * (i + 1), 1000 * (i + 1) + 500)); // left, right
        }
        assertEquals(Malformed.NONE, wrapOptions(hex.toString()));
        assertEquals(blocks, options().sackBlockCount());
        for (int i = 0; i < blocks; i++) {
            assertEquals(1000 * (i + 1), options().sackLeft(i));
            assertEquals(1000 * (i + 1) + 500, options().sackRight(i));
        }
        assertEquals(100, options().timestampValue());
        assertEquals(200, options().timestampEchoReply());
    }

    @Test
    void fourSackBlocksFillTheHeaderWithoutTimestamps() {
        assertEquals(Malformed.NONE, wrapOptions(
                "01 01 05 22"            // NOP, NOP, SACK, length 34 (4 blocks)
                + "00000001 00000002"    // block 0: 1..2
                + "00000003 00000004"    // block 1
                + "ffffff00 00000010"    // block 2 wraps around 2^32
                + "7fffffff 80000000")); // block 3
        assertEquals(4, options().sackBlockCount());
        assertEquals(1, options().sackLeft(0));
        assertEquals(4, options().sackRight(1));
        assertEquals(0xffffff00, options().sackLeft(2));
        assertEquals(0x10, options().sackRight(2));
        assertEquals(Integer.MAX_VALUE, options().sackLeft(3));
        assertEquals(Integer.MIN_VALUE, options().sackRight(3));
        assertThrows(IndexOutOfBoundsException.class, () -> options().sackLeft(4));
    }

    @Test
    void sackIndexBeyondTheCountIsRejected() {
        assertEquals(Malformed.NONE, wrapOptions("01 01 05 0a 00000001 00000002"));
        assertEquals(1, options().sackBlockCount());
        assertThrows(IndexOutOfBoundsException.class, () -> options().sackRight(1));
        assertThrows(IndexOutOfBoundsException.class, () -> options().sackLeft(-1));
    }

    @Test
    void unknownOptionIsSkippedByItsLength() {
        assertEquals(Malformed.NONE, wrapOptions(
                "fe 06 1234 5678" // kind 254 (RFC 6994 experimental), length 6, 4 data bytes
                + "02 04 05b4"    // MSS 1460, parsed after the unknown option
                + "01 01"));      // NOP, NOP
        assertTrue(options().hasMss());
        assertEquals(1460, options().mss());
        assertFalse(options().hasTimestamps());
    }

    @Test
    void unknownOptionWhoseDataLooksLikeOptionsIsNotParsedInside() {
        assertEquals(Malformed.NONE, wrapOptions(
                "fd 06 02 04 05 b4" // kind 253, length 6, data that happens to read as an MSS option
                + "01 01"));        // NOP, NOP
        assertFalse(options().hasMss());
    }

    @Test
    void endOfOptionListInTheMiddleStopsParsing() {
        assertEquals(Malformed.NONE, wrapOptions(
                "02 04 05b4"        // MSS 1460
                + "00"              // EOL
                + "03 03 07"));     // a Window Scale after EOL: padding, not an option
        assertEquals(1460, options().mss());
        assertFalse(options().hasWindowScale());
    }

    @Test
    void bytesAfterEndOfOptionListAreNotCheckedEvenIfMalformed() {
        assertEquals(Malformed.NONE, wrapOptions(
                "01 00"             // NOP, EOL
                + "fe 00"           // would be a length-0 option
                + "08 ff 00 00"));  // would run past the header
        assertFalse(options().hasTimestamps());
    }

    @Test
    void allZeroOptionsAreJustPadding() {
        assertEquals(Malformed.NONE, wrapOptions("00000000 00000000"));
        assertFalse(options().hasMss());
        assertEquals(0, options().sackBlockCount());
    }

    @Test
    void onlyNoOperationsAreFine() {
        assertEquals(Malformed.NONE, wrapOptions("01010101".repeat(10)));
        assertFalse(options().hasMss());
        assertFalse(options().sackPermitted());
    }

    @ParameterizedTest(name = "shift {0}")
    @ValueSource(ints = {0, 14, 15, 255})
    void windowScaleIsKeptAsSentEvenAboveFourteen(int shift) {
        // RFC 7323 2.3: above 14 the receiver uses 14; that is the TCP layer's call, not the parser's.
        assertEquals(Malformed.NONE, wrapOptions(String.format("01 03 03 %02x", shift)));
        assertEquals(shift, options().windowScale());
    }

    @Test
    void mssOfZeroAndSixtyFiveThousandAreParsedAsSent() {
        assertEquals(Malformed.NONE, wrapOptions("02 04 0000"));
        assertEquals(0, options().mss());
        assertEquals(Malformed.NONE, wrapOptions("02 04 ffff"));
        assertEquals(65535, options().mss());
    }

    @Test
    void duplicatedOptionsLastOneWins() {
        assertEquals(Malformed.NONE, wrapOptions(
                "02 04 05b4"        // MSS 1460
                + "02 04 0218"      // MSS 536: wins
                + "01 03 03 02"     // NOP, Window Scale 2
                + "01 03 03 09")); // NOP, Window Scale 9: wins
        assertEquals(536, options().mss());
        assertEquals(9, options().windowScale());
    }

    @Test
    void duplicatedSackOptionsTheLastOnesBlocksWin() {
        assertEquals(Malformed.NONE, wrapOptions(
                "01 01 05 12 00000001 00000002 00000003 00000004" // NOP NOP SACK, 2 blocks
                + "01 01 05 0a 00000009 0000000a"));                // NOP NOP SACK, 1 block: wins
        assertEquals(1, options().sackBlockCount());
        assertEquals(9, options().sackLeft(0));
        assertEquals(10, options().sackRight(0));
    }

    @Test
    void holderCanParseWithoutAFlyweight() {
        TcpOptions holder = new TcpOptions();
        MemorySegment bytes = MemorySegment.ofArray(TcpTestBytes.hex("ff 02 04 05b4 00")); // junk byte first
        assertEquals(Malformed.NONE, holder.parse(bytes, 1, 4));
        assertEquals(1460, holder.mss());
        holder.clear();
        assertFalse(holder.hasMss());
    }

    // Malformed option lists: each reason from TcpOptions.parse.

    @ParameterizedTest(name = "kind {0}")
    @ValueSource(ints = {2, 3, 4, 5, 8, 254})
    void lengthZeroIsABadLength(int kind) {
        assertEquals(Malformed.TCP_OPTION_BAD_LENGTH, wrapOptions(String.format("%02x 00 0000", kind)));
    }

    @ParameterizedTest(name = "kind {0}")
    @ValueSource(ints = {2, 8, 254})
    void lengthOneIsABadLength(int kind) {
        assertEquals(Malformed.TCP_OPTION_BAD_LENGTH, wrapOptions(String.format("01 01 %02x 01", kind)));
    }

    @Test
    void badLengthAfterAGoodOptionIsStillFound() {
        assertEquals(Malformed.TCP_OPTION_BAD_LENGTH, wrapOptions("02 04 05b4 fe 01 0000"));
    }

    @Test
    void optionRunningPastTheHeaderEnd() {
        assertEquals(Malformed.TCP_OPTION_PAST_HEADER, wrapOptions(
                "02 04 05b4"       // MSS 1460
                + "08 0a 0000"));  // Timestamps claims 10 bytes, 4 remain
    }

    @Test
    void unknownOptionRunningPastTheHeaderEnd() {
        assertEquals(Malformed.TCP_OPTION_PAST_HEADER, wrapOptions("fe 05 0000")); // 5 bytes claimed, 4 there
        assertEquals(Malformed.TCP_OPTION_PAST_HEADER, wrapOptions("fe ff 0000")); // 255 bytes claimed
    }

    @ParameterizedTest(name = "kind {0}")
    @ValueSource(ints = {2, 5, 8, 254})
    void lengthByteMissingAtTheLastByte(int kind) {
        assertEquals(Malformed.TCP_OPTION_PAST_HEADER, wrapOptions(String.format("01 01 01 %02x", kind)));
    }

    @Test
    void optionPastTheDataOffsetIsPastTheHeaderEvenIfDataFollows() {
        // Data offset 6 (4 option bytes) but the Timestamps option runs into the data.
        byte[] bytes = headerWithOptions("01 01 08 0a");
        byte[] segment = new byte[bytes.length + 8];
        System.arraycopy(bytes, 0, segment, 0, bytes.length);
        assertEquals(Malformed.TCP_OPTION_PAST_HEADER, tcp.wrap(MemorySegment.ofArray(segment), 0, segment.length));
    }

    @Test
    void sackClaimingFiveBlocksCannotFitAndIsPastTheHeader() {
        // 2 + 5 x 8 = 42 bytes: more than a 40-byte options area can hold.
        assertEquals(Malformed.TCP_OPTION_PAST_HEADER, wrapOptions("05 2a" + "00".repeat(38)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "MSS length 3,              02 03 05 00",
        "MSS length 5,              02 05 05b4 00 000000",
        "MSS length 6,              02 06 0000 05b4 0000",
        "Window Scale length 2,     03 02 0000",
        "Window Scale length 4,     03 04 0700",
        "SACK-Permitted length 3,   04 03 00 00",
        "SACK-Permitted length 4,   04 04 0000",
        "SACK without blocks,       05 02 0000",
        "SACK length 9,             05 09 00000001 000000 000000",
        "SACK length 11,            05 0b 00000001 00000002 0000",
        "SACK length 17,            05 11 00000001 00000002 00000003 00000004 00 00",
        "Timestamps length 8,       08 08 00000001 0000",
        "Timestamps length 9,       08 09 00000001 000000 000000",
        "Timestamps length 11,      08 0b 00000001 00000002 00 00",
        "Timestamps length 12,      08 0c 00000001 00000002 0000",
    })
    void knownOptionWithTheWrongSize(String what, String optionsHex) {
        assertEquals(Malformed.TCP_OPTION_WRONG_SIZE, wrapOptions(optionsHex), what);
    }
}
