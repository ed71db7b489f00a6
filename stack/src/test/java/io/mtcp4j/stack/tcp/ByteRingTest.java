package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ByteRingTest {
    /** Bytes 0, 1, 2, ... so that any misplaced byte shows. */
    static byte[] counting(int from, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (from + i);
        }
        return bytes;
    }

    private static ByteRing ring(int capacity) {
        return new ByteRing(MemorySegment.ofArray(new byte[capacity]));
    }

    @Nested
    class Construction {
        @Test
        void newRingIsEmptyAtOffsetZero() {
            ByteRing ring = ring(16);
            assertEquals(16, ring.capacity());
            assertEquals(0, ring.head());
            assertEquals(0, ring.tail());
            assertEquals(0, ring.size());
            assertEquals(16, ring.freeBytes());
            assertEquals(16, ring.writeLimit());
            assertTrue(ring.isEmpty());
        }

        @Test
        void sizeMustBeAPowerOfTwo() {
            assertThrows(IllegalArgumentException.class, () -> ring(12));
            assertThrows(IllegalArgumentException.class, () -> new ByteRing(MemorySegment.ofArray(new byte[0])));
            assertThrows(IllegalArgumentException.class, () -> ByteRing.allocate(3));
            assertThrows(IllegalArgumentException.class, () -> ByteRing.allocate((1 << 30) * 2));
            assertEquals(1, ring(1).capacity());
        }

        @Test
        void allocateUsesNativeMemory() {
            ByteRing ring = ByteRing.allocate(4096);
            assertEquals(4096, ring.capacity());
            assertEquals(4, ring.append(new byte[] {1, 2, 3, 4}, 0, 4));
            assertEquals(3, ring.byteAt(2));
        }

        @Test
        void resetEmptiesAndRestartsOffsets() {
            ByteRing ring = ring(8);
            ring.append(counting(0, 5), 0, 5);
            ring.reset(1_000);
            assertTrue(ring.isEmpty());
            assertEquals(1_000, ring.head());
            assertEquals(1_008, ring.writeLimit());
            assertThrows(IllegalArgumentException.class, () -> ring.reset(-1));
        }
    }

    @Nested
    class SendSide {
        @Test
        void appendAndReadRoundTrip() {
            ByteRing ring = ring(16);
            assertEquals(10, ring.append(counting(0, 10), 0, 10));
            assertEquals(10, ring.size());
            assertEquals(6, ring.freeBytes());
            byte[] out = new byte[10];
            assertEquals(10, ring.read(out, 0, 10));
            assertArrayEquals(counting(0, 10), out);
            assertTrue(ring.isEmpty());
            assertEquals(10, ring.head());
        }

        @Test
        void appendTakesOnlyWhatFits() {
            ByteRing ring = ring(8);
            assertEquals(8, ring.append(counting(0, 12), 0, 12));
            assertEquals(0, ring.freeBytes());
            assertEquals(0, ring.append(counting(0, 1), 0, 1), "full");
            assertEquals(0, ring.append(new byte[0], 0, 0));
        }

        @Test
        void appendHonoursTheSourceOffset() {
            ByteRing ring = ring(8);
            ring.append(counting(0, 10), 3, 4);
            byte[] out = new byte[4];
            ring.read(out, 0, 4);
            assertArrayEquals(new byte[] {3, 4, 5, 6}, out);
        }

        @Test
        void copyOutAcrossTheWrapLeavesTheBytesHeld() {
            ByteRing ring = ring(8);
            ring.append(counting(0, 6), 0, 6);
            ring.release(5);                         // head at 5
            ring.append(counting(6, 6), 0, 6);       // bytes 6..11 occupy positions 6,7,0,1,2,3
            byte[] out = new byte[7];
            ring.copyOut(5, MemorySegment.ofArray(out), 0, 7);
            assertArrayEquals(counting(5, 7), out);
            assertEquals(7, ring.size(), "copyOut releases nothing");
            ring.copyOut(9, MemorySegment.ofArray(out), 1, 3);
            assertArrayEquals(new byte[] {5, 9, 10, 11, 9, 10, 11}, out);
        }

        @Test
        void copyOutOutsideTheHeldBytesIsACallerBug() {
            ByteRing ring = ring(8);
            ring.append(counting(0, 4), 0, 4);
            ring.release(1);
            MemorySegment dst = MemorySegment.ofArray(new byte[8]);
            assertThrows(IndexOutOfBoundsException.class, () -> ring.copyOut(0, dst, 0, 1), "released");
            assertThrows(IndexOutOfBoundsException.class, () -> ring.copyOut(2, dst, 0, 3), "past tail");
            assertThrows(IndexOutOfBoundsException.class, () -> ring.copyOut(1, dst, 6, 3), "destination too small");
            assertThrows(IllegalArgumentException.class, () -> ring.copyOut(1, dst, 0, -1));
            ring.copyOut(4, dst, 0, 0); // an empty range at the tail is fine
        }

        @Test
        void releaseFreesUpToAnOffsetAndIgnoresOldOnes() {
            ByteRing ring = ring(16);
            ring.append(counting(0, 10), 0, 10);
            assertEquals(4, ring.release(4));
            assertEquals(4, ring.head());
            assertEquals(10, ring.freeBytes());
            assertEquals(0, ring.release(3), "an old acknowledgment");
            assertEquals(0, ring.release(4));
            assertThrows(IndexOutOfBoundsException.class, () -> ring.release(11));
            assertEquals(6, ring.release(10));
            assertTrue(ring.isEmpty());
        }

        @Test
        void sendRingWithUnaNxtAndWrite() {
            // SND.UNA = head, write = tail; SND.NXT is the caller's cursor in between.
            ByteRing ring = ring(16);
            ring.append(counting(0, 12), 0, 12);
            long nxt = ring.head();
            byte[] segment = new byte[5];
            ring.copyOut(nxt, MemorySegment.ofArray(segment), 0, 5);   // first segment [0, 5)
            nxt += 5;
            ring.copyOut(nxt, MemorySegment.ofArray(segment), 0, 5);   // second [5, 10)
            nxt += 5;
            assertArrayEquals(counting(5, 5), segment);
            ring.release(5);                                           // ACK of the first
            assertEquals(9, ring.freeBytes());
            assertEquals(9, ring.append(counting(12, 20), 0, 20));     // the app refills, wrapping
            // Retransmission timeout: go back to SND.UNA and resend from there.
            nxt = ring.head();
            ring.copyOut(nxt, MemorySegment.ofArray(segment), 0, 5);
            assertArrayEquals(counting(5, 5), segment);
            byte[] wrapped = new byte[16];
            ring.copyOut(ring.head(), MemorySegment.ofArray(wrapped), 0, 16);
            assertArrayEquals(counting(5, 16), wrapped);
        }

        @Test
        void worksAtStreamOffsetsBeyondFourGigabytes() {
            ByteRing ring = ring(8);
            long start = (1L << 40) - 3;
            ring.reset(start);
            assertEquals(8, ring.append(counting(0, 8), 0, 8));
            assertEquals(start + 8, ring.tail());
            assertEquals(5, ring.byteAt(start + 5));
            byte[] out = new byte[8];
            ring.copyOut(start, MemorySegment.ofArray(out), 0, 8);
            assertArrayEquals(counting(0, 8), out);
        }

        @Test
        void negativeLengthsAreCallerBugs() {
            ByteRing ring = ring(8);
            assertThrows(IllegalArgumentException.class, () -> ring.append(new byte[4], 0, -1));
            assertThrows(IllegalArgumentException.class, () -> ring.read(new byte[4], 0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> ring.append(new byte[4], 2, 3));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> ring.append(MemorySegment.ofArray(new byte[4]), 2, 3));
        }
    }

    @Nested
    class ReceiveSide {
        @Test
        void outOfOrderBytesAreInvisibleUntilCommitted() {
            ByteRing ring = ring(16);
            ring.writeAt(4, MemorySegment.ofArray(counting(4, 4)), 0, 4);     // [4, 8) arrives first
            assertTrue(ring.isEmpty());
            assertEquals(0, ring.read(new byte[16], 0, 16));
            ring.writeAt(0, MemorySegment.ofArray(counting(0, 4)), 0, 4);     // the hole [0, 4)
            ring.commit(8);
            assertEquals(8, ring.size());
            byte[] out = new byte[8];
            assertEquals(8, ring.read(out, 0, 8));
            assertArrayEquals(counting(0, 8), out);
        }

        @Test
        void writeAtWrapsAroundTheRing() {
            ByteRing ring = ring(8);
            ring.append(counting(0, 6), 0, 6);
            ring.read(new byte[6], 0, 6);                                    // head = tail = 6
            ring.writeAt(8, MemorySegment.ofArray(counting(8, 6)), 0, 6);    // positions 0..5
            ring.writeAt(6, MemorySegment.ofArray(counting(6, 2)), 0, 2);    // positions 6, 7
            assertEquals(8, ring.freeBytes(), "nothing committed yet");
            ring.commit(8);
            byte[] out = new byte[8];
            ring.read(out, 0, 8);
            assertArrayEquals(counting(6, 8), out);
        }

        @Test
        void writeAtMustStayBetweenTailAndWriteLimit() {
            ByteRing ring = ring(8);
            ring.append(counting(0, 3), 0, 3);
            MemorySegment src = MemorySegment.ofArray(new byte[8]);
            assertThrows(IndexOutOfBoundsException.class, () -> ring.writeAt(2, src, 0, 1), "before tail");
            assertThrows(IndexOutOfBoundsException.class, () -> ring.writeAt(6, src, 0, 3), "past head + capacity");
            ring.writeAt(6, src, 0, 2);                                      // ends exactly at the limit
            assertThrows(IndexOutOfBoundsException.class, () -> ring.commit(6));
            ring.commit(5);
            assertEquals(0, ring.freeBytes());
        }

        @Test
        void readStopsAtTheCommittedBytes() {
            ByteRing ring = ring(8);
            ring.append(counting(0, 3), 0, 3);
            byte[] out = new byte[8];
            Arrays.fill(out, (byte) -1);
            assertEquals(3, ring.read(out, 2, 6));
            assertArrayEquals(new byte[] {-1, -1, 0, 1, 2, -1, -1, -1}, out);
        }

        @Test
        void readIntoAMemorySegmentAcrossTheWrap() {
            ByteRing ring = ring(8);
            ring.append(counting(0, 7), 0, 7);
            ring.read(new byte[5], 0, 5);
            ring.append(counting(7, 5), 0, 5);
            byte[] out = new byte[7];
            assertEquals(7, ring.read(MemorySegment.ofArray(out), 0, 7));
            assertArrayEquals(counting(5, 7), out);
        }
    }

    @Nested
    class ByteBuffers {
        @Test
        void appendFromHeapAndDirectBuffersAdvancesTheirPosition() {
            ByteRing ring = ring(8);
            ByteBuffer heap = ByteBuffer.wrap(counting(0, 5));
            heap.position(1);
            assertEquals(4, ring.append(heap));
            assertEquals(5, heap.position());
            ByteBuffer direct = ByteBuffer.allocateDirect(6);
            direct.put(counting(5, 6)).flip();
            assertEquals(4, ring.append(direct), "only 4 bytes free");
            assertEquals(4, direct.position());
            byte[] out = new byte[8];
            ring.read(out, 0, 8);
            assertArrayEquals(counting(1, 8), out);
        }

        @Test
        void readIntoBuffersAcrossTheWrap() {
            ByteRing ring = ring(8);
            ring.append(counting(0, 6), 0, 6);
            ring.read(new byte[6], 0, 6);
            ring.append(ByteBuffer.wrap(counting(6, 7)));                 // wraps after 2 bytes
            ByteBuffer direct = ByteBuffer.allocateDirect(4);
            assertEquals(4, ring.read(direct));
            assertFalse(direct.hasRemaining());
            direct.flip();
            byte[] first = new byte[4];
            direct.get(first);
            assertArrayEquals(counting(6, 4), first);
            ByteBuffer heap = ByteBuffer.allocate(10);
            heap.position(2);
            assertEquals(3, ring.read(heap));
            assertEquals(5, heap.position());
            assertArrayEquals(new byte[] {0, 0, 10, 11, 12, 0, 0, 0, 0, 0}, heap.array());
            assertEquals(0, ring.read(heap), "empty: 0, not end of stream");
        }

        @Test
        void readOnlyBuffersCanBeAppended() {
            ByteRing ring = ring(4);
            assertEquals(3, ring.append(ByteBuffer.wrap(counting(0, 3)).asReadOnlyBuffer()));
            assertEquals(2, ring.byteAt(2));
        }
    }

    @Test
    void byteAtChecksTheRange() {
        ByteRing ring = ring(4);
        ring.append(counting(0, 2), 0, 2);
        assertEquals(1, ring.byteAt(1));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.byteAt(2));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.byteAt(-1));
    }

    @Test
    void toStringShowsTheIndices() {
        ByteRing ring = ring(4);
        ring.append(counting(0, 3), 0, 3);
        ring.release(1);
        assertEquals("ByteRing[head=1, tail=3, capacity=4]", ring.toString());
    }
}
