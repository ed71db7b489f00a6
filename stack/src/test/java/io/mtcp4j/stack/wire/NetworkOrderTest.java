package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class NetworkOrderTest {
    @Test
    void readsBigEndianAtOddOffsets() {
        byte[] bytes = {0, (byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 1, 2, 3, 4};
        MemorySegment s = MemorySegment.ofArray(bytes);
        assertEquals(0xde, NetworkOrder.u8(s, 1));
        assertEquals(0xdead, NetworkOrder.u16(s, 1));
        assertEquals(0xdeadbeefL, NetworkOrder.u32(s, 1));
        assertEquals(0xdeadbeef, NetworkOrder.u32AsInt(s, 1));
        assertEquals(0xdeadbeef01020304L, NetworkOrder.u64(s, 1));
    }

    @Test
    void writesBigEndian() {
        byte[] bytes = new byte[8];
        MemorySegment s = MemorySegment.ofArray(bytes);
        NetworkOrder.u16(s, 0, 0x1234);
        NetworkOrder.u32(s, 2, 0x89abcdef);
        NetworkOrder.u8(s, 6, 0xff);
        assertArrayEquals(new byte[] {0x12, 0x34, (byte) 0x89, (byte) 0xab, (byte) 0xcd, (byte) 0xef, (byte) 0xff, 0},
                bytes);
    }

    @Test
    void outOfBoundsAccessFailsInsteadOfReadingPastTheSegment() {
        MemorySegment s = MemorySegment.ofArray(new byte[3]);
        assertThrows(IndexOutOfBoundsException.class, () -> NetworkOrder.u32(s, 0));
    }

    @Test
    void reasonCounterNamesAreStable() {
        assertEquals("tcp-bad-checksum", Malformed.TCP_BAD_CHECKSUM.counterName());
        assertEquals(Malformed.values().length, Malformed.count());
        assertEquals(Malformed.IP_FRAGMENT, Malformed.ofOrdinal(Malformed.IP_FRAGMENT.ordinal()));
    }
}
