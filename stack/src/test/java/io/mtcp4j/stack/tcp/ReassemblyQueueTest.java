package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ReassemblyQueueTest {
    /** Sequence numbers are written relative to this RCV.NXT unless a test says otherwise. */
    private static final int BASE = 1_000;

    private ReassemblyQueue queue;

    @BeforeEach
    void newQueue() {
        queue = new ReassemblyQueue(ReassemblyQueue.DEFAULT_MAX_RANGES, 65_536);
        queue.reset(BASE);
    }

    /** The ranges as {start0, end0, start1, end1, ...} relative to BASE, lowest first. */
    private int[] ranges() {
        int[] result = new int[2 * queue.rangeCount()];
        for (int i = 0; i < queue.rangeCount(); i++) {
            result[2 * i] = queue.rangeStart(i) - BASE;
            result[2 * i + 1] = queue.rangeEnd(i) - BASE;
        }
        return result;
    }

    private int add(int relativeStart, int length) {
        return queue.add(BASE + relativeStart, length);
    }

    @Nested
    class Holding {
        @Test
        void newQueueIsEmpty() {
            assertTrue(queue.isEmpty());
            assertEquals(0, queue.rangeCount());
            assertEquals(0, queue.bytesHeld());
            assertEquals(BASE, queue.rcvNxt());
            assertEquals(BASE, queue.highestEnd());
        }

        @Test
        void outOfOrderSegmentIsHeldAndNotDelivered() {
            assertEquals(100, add(500, 100));
            assertArrayEquals(new int[] {500, 600}, ranges());
            assertEquals(100, queue.bytesHeld());
            assertEquals(0, queue.advance(BASE), "a hole before it");
            assertEquals(BASE, queue.rcvNxt());
            assertEquals(BASE + 600, queue.highestEnd());
        }

        @Test
        void rangesStaySortedWhateverTheArrivalOrder() {
            add(800, 100);
            add(200, 100);
            add(500, 100);
            assertArrayEquals(new int[] {200, 300, 500, 600, 800, 900}, ranges());
            assertEquals(300, queue.bytesHeld());
        }

        @Test
        void adjacentRangesMergeSoHolesAreRealGaps() {
            add(100, 100);
            assertEquals(100, add(200, 100), "touches the right edge");
            assertEquals(50, add(50, 50), "touches the left edge");
            assertArrayEquals(new int[] {50, 300}, ranges());
            assertEquals(250, queue.bytesHeld());
        }

        @Test
        void overlapCountsOnlyTheNewBytes() {
            add(100, 100);                       // [100, 200)
            assertEquals(50, add(150, 100));     // [150, 250): 50 new
            assertEquals(30, add(70, 60));       // [70, 130): 30 new
            assertArrayEquals(new int[] {70, 250}, ranges());
            assertEquals(180, queue.bytesHeld());
        }

        @Test
        void segmentBridgingSeveralRangesMergesThemAndCountsTheGaps() {
            add(100, 10);   // [100, 110)
            add(200, 10);   // [200, 210)
            add(300, 10);   // [300, 310)
            add(400, 10);   // [400, 410)
            // [105, 305) covers the gaps [110,200) and [210,300): 180 new bytes, three ranges become one.
            assertEquals(180, add(105, 200));
            assertArrayEquals(new int[] {100, 310, 400, 410}, ranges());
            assertEquals(220, queue.bytesHeld());
        }

        @Test
        void segmentCoveringRangesEntirely() {
            add(100, 10);
            add(200, 10);
            assertEquals(280, add(50, 300));  // [50, 350) minus 20 held
            assertArrayEquals(new int[] {50, 350}, ranges());
            assertEquals(300, queue.bytesHeld());
        }

        @Test
        void completeDuplicateIsRecognisedAndChangesNothing() {
            add(100, 100);
            assertEquals(0, add(100, 100), "exact duplicate");
            assertEquals(0, add(120, 30), "inside a held range");
            assertArrayEquals(new int[] {100, 200}, ranges());
            assertEquals(100, queue.bytesHeld());
        }

        @Test
        void bytesBeforeRcvNxtAreAlreadyDeliveredAndIgnored() {
            assertEquals(0, add(-100, 100), "ends exactly at RCV.NXT");
            assertEquals(0, add(-5000, 10));
            assertTrue(queue.isEmpty());
        }

        @Test
        void segmentStraddlingRcvNxtIsClippedToIt() {
            assertEquals(50, add(-50, 100));  // [-50, 50): only [0, 50) is news
            assertArrayEquals(new int[] {0, 50}, ranges());
            assertEquals(50, queue.advance(BASE));
            assertEquals(BASE + 50, queue.rcvNxt());
        }

        @Test
        void zeroLengthChangesNothingAndNegativeLengthIsACallerBug() {
            assertEquals(0, add(100, 0));
            assertTrue(queue.isEmpty());
            assertThrows(IllegalArgumentException.class, () -> add(100, -1));
        }
    }

    @Nested
    class Advancing {
        @Test
        void inOrderSegmentPassedThroughAddIsDeliveredByAdvance() {
            assertEquals(100, add(0, 100));
            assertEquals(100, queue.advance(BASE));
            assertTrue(queue.isEmpty());
            assertEquals(0, queue.bytesHeld());
            assertEquals(BASE + 100, queue.rcvNxt());
        }

        @Test
        void fillingTheHoleDeliversTheHeldRangeToo() {
            add(100, 100);                         // [100, 200) waits for [0, 100)
            // The caller takes the in-order segment itself and moves RCV.NXT to its end.
            assertEquals(100, queue.advance(BASE + 100));
            assertEquals(BASE + 200, queue.rcvNxt());
            assertTrue(queue.isEmpty());
            assertEquals(0, queue.bytesHeld());
        }

        @Test
        void fillingTheHoleThroughAddDeliversEverything() {
            add(100, 100);
            add(300, 100);
            assertEquals(100, add(0, 100));
            assertEquals(200, queue.advance(BASE), "[0, 200) is contiguous; [300, 400) still waits");
            assertArrayEquals(new int[] {300, 400}, ranges());
            assertEquals(BASE + 200, queue.rcvNxt());
            assertEquals(100, queue.bytesHeld());
            assertEquals(1, queue.rangeCount());
        }

        @Test
        void inOrderSegmentEndingInsideARangeDeliversOnlyTheRest() {
            add(100, 100);                         // [100, 200)
            // A retransmission [0, 150) overlapped it; the caller moved RCV.NXT to 150.
            assertEquals(50, queue.advance(BASE + 150));
            assertEquals(BASE + 200, queue.rcvNxt());
            assertTrue(queue.isEmpty());
        }

        @Test
        void inOrderSegmentCoveringSeveralRangesDiscardsThem() {
            add(100, 10);
            add(200, 10);
            add(300, 10);
            // A large in-order segment [0, 250) overwrote the first two; the third waits.
            assertEquals(0, queue.advance(BASE + 250));
            assertEquals(BASE + 250, queue.rcvNxt());
            assertEquals(1, queue.rangeCount());
            assertEquals(BASE + 300, queue.rangeStart(0));
            assertEquals(10, queue.bytesHeld());
        }

        @Test
        void advanceWithNothingHeldJustMovesRcvNxt() {
            assertEquals(0, queue.advance(BASE + 5));
            assertEquals(BASE + 5, queue.rcvNxt());
            assertEquals(0, add(0, 5), "now before RCV.NXT");
        }

        @Test
        void rcvNxtNeverMovesBack() {
            queue.advance(BASE + 10);
            assertThrows(IllegalArgumentException.class, () -> queue.advance(BASE + 9));
        }

        @Test
        void worksAcrossTheSequenceWrap() {
            queue.reset(0xffff_ff00);
            assertEquals(0x200, queue.add(0xffff_ff80, 0x200));   // [0xffffff80, 0x180) crosses 2^32
            assertEquals(0x10, queue.add(0x200, 0x10));
            assertEquals(2, queue.rangeCount());
            assertEquals(0xffff_ff80, queue.rangeStart(0));
            assertEquals(0x180, queue.rangeEnd(0));
            assertEquals(0x80, queue.add(0xffff_ff00, 0x80));     // fills the hole at RCV.NXT
            assertEquals(0x280, queue.advance(0xffff_ff00));
            assertEquals(0x180, queue.rcvNxt());
            assertEquals(0x10, queue.bytesHeld());
            assertEquals(0x210, queue.highestEnd());
        }

        @Test
        void resetForgetsEverything() {
            add(100, 100);
            queue.reset(77);
            assertTrue(queue.isEmpty());
            assertEquals(0, queue.bytesHeld());
            assertEquals(77, queue.rcvNxt());
        }
    }

    @Nested
    class Bounds {
        @Test
        void rangeLimitRejectsANewRangeAndChangesNothing() {
            ReassemblyQueue small = new ReassemblyQueue(3, 65_536);
            small.reset(0);
            small.add(100, 10);
            small.add(200, 10);
            small.add(300, 10);
            assertEquals(ReassemblyQueue.REJECTED_TOO_MANY_RANGES, small.add(400, 10));
            assertEquals(ReassemblyQueue.REJECTED_TOO_MANY_RANGES, small.add(50, 10));
            assertEquals(3, small.rangeCount());
            assertEquals(30, small.bytesHeld());
            assertEquals(300, small.rangeStart(2));
        }

        @Test
        void atTheRangeLimitExtensionsDuplicatesAndHoleFillersAreStillAccepted() {
            ReassemblyQueue small = new ReassemblyQueue(3, 65_536);
            small.reset(0);
            small.add(100, 10);
            small.add(200, 10);
            small.add(300, 10);
            assertEquals(10, small.add(310, 10), "extends the last range");
            assertEquals(0, small.add(100, 10), "duplicate");
            assertEquals(90, small.add(110, 90), "joins two ranges: a slot frees");
            assertEquals(2, small.rangeCount());
            assertEquals(10, small.add(500, 10), "and can be used again");
            assertEquals(100, small.add(0, 100), "the hole at RCV.NXT");
            assertEquals(210, small.advance(0), "[300, 320) and [500, 510) still wait");
            assertEquals(2, small.rangeCount());
        }

        @Test
        void aFullQueueStillAcceptsTheSegmentAtRcvNxt() {
            // Otherwise the retransmission that fills the first hole would be refused forever.
            ReassemblyQueue small = new ReassemblyQueue(2, 65_536);
            small.reset(0);
            small.add(100, 10);
            small.add(300, 10);
            assertEquals(10, small.add(-5, 15), "straddles RCV.NXT: [0, 10) is in order");
            assertEquals(3, small.rangeCount(), "one over maxRanges until advance");
            assertEquals(ReassemblyQueue.REJECTED_TOO_MANY_RANGES, small.add(500, 10), "out of order: still full");
            assertEquals(5, small.add(10, 5), "extends the in-order range");
            assertEquals(15, small.advance(0));
            assertEquals(2, small.rangeCount());
            assertEquals(ReassemblyQueue.REJECTED_TOO_MANY_RANGES, small.add(200, 10));
        }

        @Test
        void byteLimitIsOnHowFarPastRcvNxtDataLands() {
            ReassemblyQueue small = new ReassemblyQueue(8, 1_000);
            small.reset(BASE);
            assertEquals(100, small.add(BASE + 900, 100), "ends exactly at the limit");
            assertEquals(ReassemblyQueue.REJECTED_BEYOND_LIMIT, small.add(BASE + 950, 51));
            assertEquals(ReassemblyQueue.REJECTED_BEYOND_LIMIT, small.add(BASE + 2_000, 1));
            assertEquals(1, small.rangeCount());
            assertEquals(100, small.bytesHeld());
            // The limit slides with RCV.NXT.
            small.advance(BASE + 100);
            assertEquals(1, small.add(BASE + 1_050, 1));
        }

        @Test
        void constructorRejectsNonsense() {
            assertThrows(IllegalArgumentException.class, () -> new ReassemblyQueue(0, 100));
            assertThrows(IllegalArgumentException.class, () -> new ReassemblyQueue(4, 0));
            assertThrows(IllegalArgumentException.class, () -> new ReassemblyQueue(4, (1 << 30) + 1));
            assertEquals(32, new ReassemblyQueue(32, 1 << 30).maxRanges());
        }

        @Test
        void rangeAccessorsCheckTheIndex() {
            add(100, 1);
            assertThrows(IndexOutOfBoundsException.class, () -> queue.rangeStart(1));
            assertThrows(IndexOutOfBoundsException.class, () -> queue.rangeEnd(-1));
        }
    }

    @Nested
    class Sack {
        private final int[] edges = new int[8];

        private int[] blocks(int maxBlocks) {
            int count = queue.sackBlocks(edges, maxBlocks);
            return Arrays.copyOf(edges, 2 * count);
        }

        @Test
        void noBlocksWhenNothingIsHeld() {
            assertEquals(0, queue.sackBlocks(edges, 4));
        }

        @Test
        void firstBlockContainsTheMostRecentSegmentThenTheMostRecentlyReported() {
            // RFC 2018 section 4.
            add(500, 100);
            add(100, 100);
            add(300, 100);
            assertArrayEquals(new int[] {BASE + 300, BASE + 400, BASE + 100, BASE + 200, BASE + 500, BASE + 600},
                    blocks(4));
            add(600, 50);  // extends [500, 600): that block becomes first
            assertArrayEquals(new int[] {BASE + 500, BASE + 650, BASE + 300, BASE + 400, BASE + 100, BASE + 200},
                    blocks(4));
        }

        @Test
        void rfc2018Section6Case3() {
            // Segments of 500 bytes from 5000; the 2nd, 4th, 6th and 8th are lost.
            queue.reset(5000);
            queue.add(5000, 500);
            assertEquals(500, queue.advance(5000));                    // ACK 5500, no SACK
            assertEquals(0, queue.sackBlocks(edges, 3));
            queue.add(6000, 500);                                      // ACK 5500
            assertArrayEquals(new int[] {6000, 6500}, blocks(3));
            queue.add(7000, 500);
            assertArrayEquals(new int[] {7000, 7500, 6000, 6500}, blocks(3));
            queue.add(8000, 500);
            assertArrayEquals(new int[] {8000, 8500, 7000, 7500, 6000, 6500}, blocks(3));
            // The 4th segment arrives out of order.
            queue.add(6500, 500);
            assertEquals(0, queue.advance(5500));
            assertArrayEquals(new int[] {6000, 7500, 8000, 8500}, blocks(3));
            // Then the 2nd: ACK 7500, SACK 8000-8500.
            queue.add(5500, 500);
            assertEquals(2000, queue.advance(5500));
            assertEquals(7500, queue.rcvNxt());
            assertArrayEquals(new int[] {8000, 8500}, blocks(3));
        }

        @Test
        void blockCountIsBoundedByMaxBlocksAndTheArray() {
            for (int i = 0; i < 6; i++) {
                add(100 * (i + 1), 10);
            }
            assertEquals(3, queue.sackBlocks(edges, 3));
            assertEquals(4, queue.sackBlocks(edges, 10), "edges holds only 4 pairs");
            assertEquals(2, queue.sackBlocks(new int[5], 4), "an odd tail element is not a block");
            // Four most recent, newest first.
            assertArrayEquals(new int[] {BASE + 600, BASE + 610, BASE + 500, BASE + 510, BASE + 400, BASE + 410,
                    BASE + 300, BASE + 310}, blocks(4));
        }

        @Test
        void duplicateInsideARangeMakesThatRangeFirstForDSack() {
            // RFC 2883 section 4: after the D-SACK block, the block containing the duplicate.
            add(100, 100);
            add(300, 100);
            assertEquals(0, add(120, 10));
            assertArrayEquals(new int[] {BASE + 100, BASE + 200, BASE + 300, BASE + 400}, blocks(4));
        }

        @Test
        void deliveredRangesAreNoLongerReported() {
            add(100, 100);
            add(300, 100);
            queue.advance(BASE + 100);  // delivers [100, 200)
            assertArrayEquals(new int[] {BASE + 300, BASE + 400}, blocks(4));
        }

        @Test
        void rejectedSegmentDoesNotChangeTheOrder() {
            ReassemblyQueue small = new ReassemblyQueue(2, 10_000);
            small.reset(0);
            small.add(100, 10);
            small.add(300, 10);
            small.add(100, 5);           // refresh [100, 110)
            assertEquals(ReassemblyQueue.REJECTED_TOO_MANY_RANGES, small.add(500, 10));
            assertEquals(2, small.sackBlocks(edges, 4));
            assertArrayEquals(new int[] {100, 110, 300, 310}, Arrays.copyOf(edges, 4));
        }
    }

    @Test
    void toStringShowsUnsignedRanges() {
        queue.reset(0xffff_fff0);
        queue.add(0xffff_fff8, 16);
        assertEquals("rcvNxt=4294967280 [4294967288,8)", queue.toString());
        assertFalse(queue.isEmpty());
    }
}
