package io.mtcp4j.stack.wire;

import static io.mtcp4j.stack.wire.TcpTestBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The egress options layout, byte for byte as Linux's tcp_options_write lays it out. */
class TcpOptionsWriterTest {
    private final TcpOptionsWriter writer = new TcpOptionsWriter();

    /** Writes at offset 2 of a buffer pre-filled with 0xee, checks the returned length, returns the option bytes. */
    private byte[] written() {
        byte[] buffer = new byte[2 + 44];
        Arrays.fill(buffer, (byte) 0xee);
        int length = writer.writeTo(MemorySegment.ofArray(buffer), 2);
        assertEquals(writer.length(), length);
        assertEquals(0, length % 4, "options are whole words");
        assertEquals((byte) 0xee, buffer[2 + length], "nothing written past the returned length");
        return Arrays.copyOfRange(buffer, 2, 2 + length);
    }

    @Test
    void linuxSynLayout() {
        writer.mss(1460).sackPermitted().timestamps(1, 0).windowScale(7);
        assertArrayEquals(Arrays.copyOfRange(TcpTestBytes.linuxSyn(), 20, 40), written());
    }

    @Test
    void orderDoesNotDependOnTheOrderOptionsWereSet() {
        writer.windowScale(7).timestamps(1, 0).sackPermitted().mss(1460);
        assertArrayEquals(Arrays.copyOfRange(TcpTestBytes.linuxSyn(), 20, 40), written());
    }

    @Test
    void synWithoutTimestampsPadsSackPermittedWithTwoNops() {
        writer.mss(1460).sackPermitted().windowScale(7);
        assertArrayEquals(hex(
                "02 04 05b4",    // MSS 1460
                "01 01 04 02",   // NOP, NOP, SACK-Permitted
                "01 03 03 07"),  // NOP, Window Scale 7
                written());
    }

    @Test
    void synWithMssOnly() {
        writer.mss(536);
        assertArrayEquals(hex("02 04 0218"), written());
    }

    @Test
    void dataSegmentTimestamps() {
        writer.timestamps(0xdeadbeef, 2);
        assertArrayEquals(hex(
                "01 01 08 0a",   // NOP, NOP, Timestamps
                "deadbeef",      // TSval
                "00000002"),     // TSecr
                written());
    }

    @Test
    void ackWithTimestampsAndThreeSackBlocksFillsFortyBytes() {
        writer.timestamps(100, 200).sackBlock(10, 20).sackBlock(30, 40).sackBlock(50, 60);
        assertArrayEquals(hex(
                "01 01 08 0a 00000064 000000c8",                   // NOP NOP TS val 100 ecr 200
                "01 01 05 1a",                                     // NOP NOP SACK, length 26
                "0000000a 00000014 0000001e 00000028 00000032 0000003c"), // 10:20 30:40 50:60
                written());
        assertEquals(40, writer.length());
    }

    @Test
    void withTimestampsTheFourthSackBlockIsLeftOut() {
        writer.timestamps(100, 200).sackBlock(10, 20).sackBlock(30, 40).sackBlock(50, 60).sackBlock(70, 80);
        assertEquals(3, writer.sackBlocksThatFit());
        byte[] bytes = written();
        assertEquals(40, bytes.length);
        assertEquals(0x1a, bytes[15], "SACK length covers three blocks");
        assertEquals(50, bytes[35], "the third block is the last one written");
    }

    @Test
    void withoutTimestampsFourSackBlocksFit() {
        writer.sackBlock(1, 2).sackBlock(3, 4).sackBlock(5, 6).sackBlock(7, 8);
        assertEquals(4, writer.sackBlocksThatFit());
        assertArrayEquals(hex(
                "01 01 05 22",     // NOP NOP SACK, length 34
                "00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008"),
                written());
    }

    @Test
    void aFullSynLeavesRoomForTwoSackBlocks() {
        writer.mss(1460).sackPermitted().timestamps(1, 0).windowScale(7)
                .sackBlock(1, 2).sackBlock(3, 4).sackBlock(5, 6);
        assertEquals(2, writer.sackBlocksThatFit());
        assertEquals(40, writer.length());
    }

    @Test
    void nothingSetWritesNothing() {
        assertEquals(0, writer.length());
        assertEquals(0, written().length);
    }

    @Test
    void clearForgetsEverything() {
        writer.mss(1460).sackPermitted().timestamps(1, 2).windowScale(3).sackBlock(1, 2);
        writer.clear().timestamps(5, 6);
        assertArrayEquals(hex("01 01 08 0a 00000005 00000006"), written());
    }

    @Test
    void writingIntoAFlyweightSetsItsDataOffsetAndParsesBack() {
        byte[] bytes = new byte[60];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        TcpFlyweight tcp = new TcpFlyweight().wrapForWrite(segment, 0)
                .sourcePort(40000).destinationPort(80).flags(TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_AE);
        int length = writer.mss(1460).sackPermitted().timestamps(1, 0).windowScale(7).writeTo(tcp);
        assertEquals(20, length);
        assertEquals(10, tcp.dataOffsetWords());
        assertEquals(TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_AE, tcp.flags(), "flags survive the data offset write");

        assertEquals(Malformed.NONE, tcp.wrap(segment, 0, 40));
        assertEquals(1460, tcp.options().mss());
        assertEquals(7, tcp.options().windowScale());
        assertEquals(true, tcp.options().sackPermitted());
        assertEquals(1, tcp.options().timestampValue());
    }

    @Test
    void outOfRangeValuesAndAFifthBlockAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> writer.mss(65536));
        assertThrows(IllegalArgumentException.class, () -> writer.mss(-1));
        assertThrows(IllegalArgumentException.class, () -> writer.windowScale(256));
        writer.sackBlock(1, 2).sackBlock(3, 4).sackBlock(5, 6).sackBlock(7, 8);
        assertThrows(IllegalStateException.class, () -> writer.sackBlock(9, 10));
    }
}
