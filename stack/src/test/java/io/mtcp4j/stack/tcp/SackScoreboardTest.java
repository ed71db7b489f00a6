package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.tcp.SackScoreboard.Rule;
import io.mtcp4j.stack.testing.Allocations;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SackScoreboardTest {
    private static final int MSS = 1000;
    private static final int DUP_THRESH = SackScoreboard.DEFAULT_DUP_THRESH;

    /**
     * Sequence numbers in tests are written relative to this; the RFC examples use their own
     * numbers as they are. {@link WrapAround} moves it next to 2^32.
     */
    private int base;
    private int sndMax;
    private SackScoreboard board;

    @BeforeEach
    void newBoard() {
        base = 0;
        board = new SackScoreboard();
    }

    private void start(int sndUna, int sndMaxRelative) {
        board.reset(base + sndUna);
        sndMax = sndMaxRelative;
    }

    /** One ACK: the cumulative ACK, then SACK blocks as left, right pairs, all relative to {@link #base}. */
    private int ack(int cumulativeAck, int... edges) {
        int[] absolute = new int[edges.length];
        for (int i = 0; i < edges.length; i++) {
            absolute[i] = base + edges[i];
        }
        return board.update(base + cumulativeAck, absolute, edges.length / 2, base + sndMax);
    }

    /** The ranges as {start0, end0, start1, end1, ...} relative to {@link #base}, lowest first. */
    private int[] ranges() {
        int[] result = new int[2 * board.rangeCount()];
        for (int i = 0; i < board.rangeCount(); i++) {
            result[2 * i] = board.rangeStart(i) - base;
            result[2 * i + 1] = board.rangeEnd(i) - base;
        }
        return result;
    }

    private boolean isLost(int seq) {
        return board.isLost(base + seq, MSS, DUP_THRESH);
    }

    private int pipe(int highRxtEnd) {
        return board.pipe(base + sndMax, base + highRxtEnd, MSS, DUP_THRESH);
    }

    private Rule next(int highRxtEnd, int sendableNewBytes, boolean rescueAllowed) {
        return board.nextSegment(base + sndMax, base + highRxtEnd, sendableNewBytes, rescueAllowed, MSS, DUP_THRESH);
    }

    private void assertNext(Rule rule, int seq, int lengthBytes, Rule actual) {
        assertNext(rule, seq, lengthBytes, actual, "");
    }

    private void assertNext(Rule rule, int seq, int lengthBytes, Rule actual, String why) {
        assertEquals(rule, actual, why);
        assertEquals(seq, board.nextSegmentSeq() - base, "segment start " + why);
        assertEquals(lengthBytes, board.nextSegmentLengthBytes(), "segment length " + why);
    }

    @Nested
    class Recording {
        @Test
        void resetBoardIsEmpty() {
            start(1000, 10_000);
            assertTrue(board.isEmpty());
            assertEquals(0, board.rangeCount());
            assertEquals(0, board.sackedBytes());
            assertEquals(1000, board.sndUna());
            assertEquals(1000, board.highestSackedEnd(), "SND.UNA when nothing is SACKed");
            assertFalse(board.isSacked(1000));
        }

        @Test
        void blockIsRecordedAndItsBytesAreNew() {
            start(1000, 10_000);
            assertEquals(1000, ack(1000, 3000, 4000));
            assertArrayEquals(new int[] {3000, 4000}, ranges());
            assertEquals(1000, board.sackedBytes());
            assertEquals(4000, board.highestSackedEnd());
            assertTrue(board.isSacked(3000));
            assertTrue(board.isSacked(3999));
            assertFalse(board.isSacked(2999));
            assertFalse(board.isSacked(4000), "the right edge is just past the block");
        }

        @Test
        void repeatedBlockCarriesNoNewInformation() {
            start(1000, 10_000);
            ack(1000, 3000, 4000);
            assertEquals(0, ack(1000, 3000, 4000), "not a DupAck in the RFC 6675 section 2 sense");
            assertArrayEquals(new int[] {3000, 4000}, ranges());
            assertFalse(board.lastUpdateHadDsack());
        }

        @Test
        void overlappingBlockCountsOnlyItsNewBytes() {
            start(1000, 10_000);
            ack(1000, 3000, 4000);
            assertEquals(500, ack(1000, 3500, 4500));
            assertArrayEquals(new int[] {3000, 4500}, ranges());
            assertEquals(1500, board.sackedBytes());
        }

        @Test
        void touchingBlocksMergeIntoOneRange() {
            start(1000, 10_000);
            ack(1000, 3000, 4000);
            assertEquals(1000, ack(1000, 4000, 5000));
            assertArrayEquals(new int[] {3000, 5000}, ranges());
            assertEquals(1000, ack(1000, 2000, 3000));
            assertArrayEquals(new int[] {2000, 5000}, ranges());
        }

        @Test
        void blockBridgingRangesJoinsThem() {
            start(1000, 10_000);
            ack(1000, 2000, 3000, 4000, 5000, 6000, 7000);
            assertEquals(3, board.rangeCount());
            assertEquals(2000, ack(1000, 2500, 6500), "fills the holes 3000-4000 and 5000-6000");
            assertArrayEquals(new int[] {2000, 7000}, ranges());
            assertEquals(5000, board.sackedBytes());
        }

        @Test
        void blocksInAnyOrderAreKeptSorted() {
            start(1000, 10_000);
            // RFC 2018 section 4: the most recent block comes first, so blocks arrive unsorted.
            assertEquals(3000, ack(1000, 8000, 9000, 2000, 3000, 5000, 6000));
            assertArrayEquals(new int[] {2000, 3000, 5000, 6000, 8000, 9000}, ranges());
        }

        @Test
        void blocksOfOneAckOverlappingEachOtherAreCountedOnce() {
            start(1000, 10_000);
            assertEquals(1500, ack(1000, 3000, 4000, 3500, 4500, 3000, 4500));
            assertArrayEquals(new int[] {3000, 4500}, ranges());
        }

        @Test
        void ackWithoutBlocksRecordsNothing() {
            start(1000, 10_000);
            assertEquals(0, ack(2000));
            assertTrue(board.isEmpty());
            assertEquals(2000, board.sndUna());
        }

        @Test
        void toStringShowsUnsignedEdges() {
            base = -1000;  // SND.UNA at 2^32 - 1000
            start(0, 10_000);
            ack(0, 2000, 3000);
            assertEquals("sndUna=4294966296 sacked=1000 [1000,2000)", board.toString());
        }
    }

    @Nested
    class InvalidBlocks {
        @Test
        void emptyBlockIsIgnored() {
            start(1000, 10_000);
            assertEquals(1000, ack(1000, 3000, 4000, 5000, 5000), "the valid block still counts");
            assertArrayEquals(new int[] {3000, 4000}, ranges());
            assertEquals(1, board.invalidBlockCount());
        }

        @Test
        void reversedBlockIsIgnored() {
            start(1000, 10_000);
            assertEquals(0, ack(1000, 5000, 4000));
            assertTrue(board.isEmpty());
            assertEquals(1, board.invalidBlockCount());
        }

        @Test
        void blockBeyondSndMaxIsIgnoredWholly() {
            start(1000, 10_000);
            assertEquals(0, ack(1000, 9000, 10_001), "claims a byte never sent");
            assertTrue(board.isEmpty());
            assertEquals(1000, ack(1000, 9000, 10_000), "ending exactly at SND.MAX is fine");
            assertArrayEquals(new int[] {9000, 10_000}, ranges());
            assertEquals(1, board.invalidBlockCount());
        }

        @Test
        void laterBlockBelowTheAckIsIgnoredNotDsack() {
            start(1000, 10_000);
            // Only the first block can be a D-SACK (RFC 2883 section 4); a later one below the
            // cumulative ACK is simply stale.
            assertEquals(1000, ack(3000, 5000, 6000, 1000, 2000));
            assertFalse(board.lastUpdateHadDsack());
            assertArrayEquals(new int[] {5000, 6000}, ranges());
            assertEquals(1, board.invalidBlockCount());
        }

        @Test
        void laterBlockStraddlingTheAckKeepsItsPartAboveIt() {
            start(1000, 10_000);
            assertEquals(1500, ack(3000, 5000, 6000, 2000, 3500));
            assertArrayEquals(new int[] {3000, 3500, 5000, 6000}, ranges());
        }

        @Test
        void ackOfUnsentDataIsACallerBug() {
            start(1000, 10_000);
            assertThrows(IllegalArgumentException.class, () -> ack(10_001));
            assertEquals(1000, board.sndUna(), "nothing changed");
        }

        @Test
        void blockCountBeyondTheArrayIsACallerBug() {
            start(1000, 10_000);
            assertThrows(IllegalArgumentException.class, () -> board.update(1000, new int[4], 3, 10_000));
            assertThrows(IllegalArgumentException.class, () -> board.update(1000, new int[4], -1, 10_000));
        }
    }

    @Nested
    class CumulativeAck {
        @Test
        void rangesBelowTheAckAreDiscardedAndAStraddlingOneClipped() {
            start(1000, 10_000);
            ack(1000, 2000, 3000, 4000, 6000, 7000, 8000);
            assertEquals(0, ack(5000));
            assertArrayEquals(new int[] {5000, 6000, 7000, 8000}, ranges());
            assertEquals(2000, board.sackedBytes());
            assertEquals(5000, board.sndUna());
        }

        @Test
        void ackAtARangeStartKeepsItAndAtItsEndDropsIt() {
            start(1000, 10_000);
            ack(1000, 2000, 3000);
            ack(2000);
            assertArrayEquals(new int[] {2000, 3000}, ranges());
            ack(3000);
            assertTrue(board.isEmpty());
            assertEquals(0, board.sackedBytes());
        }

        @Test
        void olderAckMovesNothingButItsBlocksCount() {
            start(1000, 10_000);
            ack(3000);
            // A reordered ACK from before: its blocks are still news if above SND.UNA.
            assertEquals(1000, ack(2000, 5000, 6000));
            assertEquals(3000, board.sndUna());
            assertArrayEquals(new int[] {5000, 6000}, ranges());
        }

        @Test
        void newBytesAreCountedAfterTheAckMoves() {
            start(1000, 10_000);
            // The cumulative ACK passes part of a block in the same segment: those bytes are
            // acknowledged, not newly SACKed.
            assertEquals(1000, ack(2500, 3000, 3500, 2000, 3000));
            assertArrayEquals(new int[] {2500, 3500}, ranges());
            assertEquals(1000, board.sackedBytes());
        }

        @Test
        void clearSacksForgetsRangesButKeepsSndUnaAndCounters() {
            start(1000, 10_000);
            ack(1000, 2000, 3000, 4000, 4000);
            board.clearSacks();
            assertTrue(board.isEmpty());
            assertEquals(0, board.sackedBytes());
            assertEquals(1000, board.sndUna());
            assertEquals(1, board.invalidBlockCount());
            board.reset(base + 7);
            assertEquals(0, board.invalidBlockCount(), "reset starts a new connection");
            assertEquals(7, board.sndUna() - base);
        }
    }

    /** RFC 2883 section 4's examples, from the sender's side: only the ACKs that were not dropped arrive. */
    @Nested
    class DuplicateSack {
        @Test
        void example1ReportingADuplicateSegment() {
            // 3000-3499 and 3500-3999 arrive, both ACKs are dropped, 3000-3499 is retransmitted.
            start(3000, 4000);
            assertEquals(0, ack(4000, 3000, 3500));
            assertTrue(board.lastUpdateHadDsack(), "first block below the cumulative ACK");
            assertEquals(3000, board.dsackStart());
            assertEquals(3500, board.dsackEnd());
            assertTrue(board.isEmpty());
            assertEquals(4000, board.sndUna());
            assertEquals(1, board.dsackBlockCount());
            assertEquals(0, board.invalidBlockCount(), "a D-SACK is not an invalid block");
        }

        @Test
        void example2AnOutOfOrderSegmentAndADuplicateSegment() {
            // 4000-4499 lost, every ACK but the last dropped.
            start(3000, 5000);
            assertEquals(500, ack(4000, 3000, 3500, 4500, 5000));
            assertTrue(board.lastUpdateHadDsack());
            assertArrayEquals(new int[] {4500, 5000}, ranges());
        }

        @Test
        void example3ADuplicateOfAnOutOfOrderSegment() {
            start(3500, 5500);
            assertEquals(0, ack(4000));
            assertEquals(500, ack(4000, 4500, 5000));
            assertFalse(board.lastUpdateHadDsack());
            assertEquals(500, ack(4000, 4500, 5500));
            assertFalse(board.lastUpdateHadDsack());
            // 5000-5499 duplicated in the network: above the ACK, but covered by the second block.
            assertEquals(0, ack(4000, 5000, 5500, 4500, 5500));
            assertTrue(board.lastUpdateHadDsack());
            assertEquals(5000, board.dsackStart());
            assertArrayEquals(new int[] {4500, 5500}, ranges());
        }

        @Test
        void example4ASingleDuplicateSubsegment() {
            // 500-byte segments, 1000-1499 delayed, 1500-1999 lost, then 1000-1999 resent as one.
            start(500, 2500);
            ack(1000);
            assertEquals(500, ack(1000, 2000, 2500));
            assertEquals(0, ack(1500, 2000, 2500));
            assertFalse(board.lastUpdateHadDsack());
            assertEquals(0, ack(2500, 1000, 1500));
            assertTrue(board.lastUpdateHadDsack());
            assertTrue(board.isEmpty());
        }

        @Test
        void example5TwoDuplicateSubsegmentsCoveredByTheAck() {
            start(500, 3500);
            ack(1000);
            assertEquals(500, ack(1000, 3000, 3500));
            assertEquals(0, ack(1500, 3000, 3500));
            assertEquals(500, ack(1500, 2000, 2500, 3000, 3500));
            assertFalse(board.lastUpdateHadDsack());
            assertEquals(0, ack(2500, 1000, 1500, 3000, 3500));
            assertTrue(board.lastUpdateHadDsack());
            assertArrayEquals(new int[] {3000, 3500}, ranges());
        }

        @Test
        void duplicateSubsegmentsNotCoveredByTheAck() {
            // In the manner of RFC 2883 section 4.2.3: the duplicate is above the ACK, and the
            // second block (which also carries new bytes 2500-2999) covers it.
            start(500, 4000);
            ack(1000);
            assertEquals(500, ack(1000, 3500, 4000));
            assertEquals(500, ack(1000, 1500, 2000, 3500, 4000));
            assertEquals(500, ack(1000, 1500, 2500, 3500, 4000));
            assertEquals(500, ack(1000, 1500, 2000, 1500, 3000, 3500, 4000));
            assertTrue(board.lastUpdateHadDsack());
            assertArrayEquals(new int[] {1500, 3000, 3500, 4000}, ranges());
        }

        @Test
        void packetReplicatedByTheNetwork() {
            // RFC 2883 section 4.3: right edge equal to the ACK is still below it.
            start(500, 1500);
            ack(1000);
            ack(1500);
            assertEquals(0, ack(1500, 1000, 1500));
            assertTrue(board.lastUpdateHadDsack());
        }

        @Test
        void falseRetransmitDueToReordering() {
            // RFC 2883 section 4.4: 1000-1499 delayed, retransmitted after three SACKs, then both arrive.
            start(500, 3000);
            ack(1000);
            assertEquals(500, ack(1000, 1500, 2000));
            assertEquals(500, ack(1000, 1500, 2500));
            assertEquals(500, ack(1000, 1500, 3000));
            ack(3000);
            assertEquals(0, ack(3000, 1000, 1500));
            assertTrue(board.lastUpdateHadDsack(), "the retransmission was spurious");
        }

        @Test
        void firstBlockStraddlingTheAckIsDsack() {
            // Its left edge is below the cumulative ACK (the test Linux applies too); a receiver
            // following RFC 2018 never reports data below its ACK as newly received.
            start(1000, 10_000);
            assertEquals(0, ack(2500, 2000, 3000));
            assertTrue(board.lastUpdateHadDsack());
            assertTrue(board.isEmpty());
        }

        @Test
        void firstBlockOnlyOverlappingTheSecondIsNotDsack() {
            start(1000, 10_000);
            assertEquals(1500, ack(1000, 2000, 3000, 2500, 3500));
            assertFalse(board.lastUpdateHadDsack());
            assertArrayEquals(new int[] {2000, 3500}, ranges());
        }

        @Test
        void dsackFlagLastsOneUpdate() {
            start(1000, 10_000);
            ack(2000, 1000, 1500);
            assertTrue(board.lastUpdateHadDsack());
            ack(2000, 3000, 4000);
            assertFalse(board.lastUpdateHadDsack());
            assertEquals(1, board.dsackBlockCount());
        }

        @Test
        void malformedFirstBlockBelowTheAckIsInvalidNotDsack() {
            start(1000, 10_000);
            assertEquals(0, ack(2000, 1500, 1000));
            assertFalse(board.lastUpdateHadDsack());
            assertEquals(1, board.invalidBlockCount());
        }
    }

    @Nested
    class Bound {
        @BeforeEach
        void smallBoard() {
            board = new SackScoreboard(3);
        }

        @Test
        void newHighestRangeBeyondTheBoundIsNotRecorded() {
            start(0, 10_000);
            ack(0, 1000, 1100, 2000, 2100, 3000, 3100);
            assertEquals(0, ack(0, 4000, 4100));
            assertArrayEquals(new int[] {1000, 1100, 2000, 2100, 3000, 3100}, ranges());
            assertEquals(300, board.sackedBytes());
            assertEquals(1, board.droppedRangeCount());
        }

        @Test
        void lowerNewRangeEvictsTheHighest() {
            start(0, 10_000);
            ack(0, 1000, 1100, 2000, 2100, 3000, 3100);
            assertEquals(100, ack(0, 500, 600));
            assertArrayEquals(new int[] {500, 600, 1000, 1100, 2000, 2100}, ranges());
            assertEquals(300, board.sackedBytes());
            assertEquals(2100, board.highestSackedEnd());
            assertEquals(1, board.droppedRangeCount());
        }

        @Test
        void blockJoiningRangesIsAcceptedWhenFull() {
            start(0, 10_000);
            ack(0, 1000, 1100, 2000, 2100, 3000, 3100);
            assertEquals(50, ack(0, 3100, 3150));
            assertEquals(900, ack(0, 1100, 2000));
            assertArrayEquals(new int[] {1000, 2100, 3000, 3150}, ranges());
            assertEquals(0, board.droppedRangeCount());
        }

        @Test
        void maxRangesMustBePositive() {
            assertThrows(IllegalArgumentException.class, () -> new SackScoreboard(0));
            assertEquals(SackScoreboard.DEFAULT_MAX_RANGES, new SackScoreboard().maxRanges());
        }

        @Test
        void rangeViewChecksItsIndex() {
            start(0, 10_000);
            ack(0, 1000, 2000);
            assertThrows(IndexOutOfBoundsException.class, () -> board.rangeStart(1));
            assertThrows(IndexOutOfBoundsException.class, () -> board.rangeEnd(-1));
        }
    }

    @Nested
    class IsLost {
        @Test
        void thirdSackedSegmentAboveMakesTheHoleLost() {
            // Segments of SMSS bytes; the one at 1000 is lost; SACKs for the next three arrive.
            start(1000, 10_000);
            ack(1000, 2000, 3000);
            assertFalse(isLost(1000), "1000 SACKed bytes above");
            ack(1000, 2000, 4000);
            assertFalse(isLost(1000), "2000 = (DupThresh - 1) * SMSS is not more than it");
            ack(1000, 2000, 5000);
            assertTrue(isLost(1000), "3000 bytes above");
            assertTrue(isLost(1999));
        }

        @Test
        void bytesRuleNeedsMoreThanTwoSegmentsWorth() {
            start(1000, 10_000);
            ack(1000, 2000, 4000);
            assertFalse(isLost(1000));
            ack(1000, 4000, 4001);
            assertTrue(isLost(1000), "2001 bytes above");
            assertTrue(isLost(1999));
        }

        @Test
        void threeDiscontiguousSackedRunsMakeItLostWhateverTheirSize() {
            // Small segments: 300 SACKed bytes, far below 2 * SMSS, but three separate runs.
            start(1000, 10_000);
            ack(1000, 1100, 1200, 1300, 1400);
            assertFalse(isLost(1000), "two runs");
            ack(1000, 1500, 1600);
            assertTrue(isLost(1000), "three runs");
            assertTrue(isLost(1099));
            assertFalse(isLost(1200), "only two runs above it");
            assertFalse(isLost(1400), "only one run above");
        }

        @Test
        void bytesAreSummedAcrossRuns() {
            // DupThresh 4: three runs are not enough, but 3001 bytes are more than 3 * SMSS.
            start(1000, 10_000);
            ack(1000, 2000, 3000, 3500, 4500, 5000, 6001);
            assertTrue(board.isLost(base + 1000, MSS, 4));
            assertFalse(board.isLost(base + 3000, MSS, 4), "2001 bytes above");
            ack(1000, 6500, 6501, 7000, 7001);
            assertTrue(board.isLost(base + 3000, MSS, 4), "four runs above");
        }

        @Test
        void sackedAndAcknowledgedOctetsAreNeverLost() {
            start(1000, 10_000);
            ack(1000, 2000, 6000);
            assertTrue(isLost(1000));
            assertFalse(isLost(2000), "SACKed");
            assertFalse(isLost(999), "before SND.UNA");
            assertFalse(isLost(6000), "nothing SACKed above");
        }

        @Test
        void dupThreshIsAParameter() {
            start(1000, 10_000);
            ack(1000, 2000, 2001);
            assertFalse(board.isLost(base + 1000, MSS, 3));
            assertTrue(board.isLost(base + 1000, MSS, 1), "DupThresh 1: any SACK above");
            assertFalse(board.isLost(base + 1000, MSS, 2), "one run, one byte: 1 byte is not more than 1000");
            assertThrows(IllegalArgumentException.class, () -> board.isLost(base + 1000, MSS, 0));
            assertThrows(IllegalArgumentException.class, () -> board.isLost(base + 1000, 0, 3));
        }

        @Test
        void emptyBoardLosesNothing() {
            start(1000, 10_000);
            assertFalse(isLost(1000));
        }
    }

    @Nested
    class Pipe {
        @Test
        void withoutSacksPipeIsTheFlight() {
            start(1000, 10_000);
            assertEquals(9000, pipe(1000));
        }

        @Test
        void retransmittedOctetsThatAreNotLostCountTwice() {
            // RFC 6675 section 4 SetPipe: "octets retransmitted without being considered lost are
            // counted twice".
            start(1000, 10_000);
            ack(1000, 2000, 3000);
            assertEquals(8000, pipe(1000));
            assertEquals(9000, pipe(2000), "1000-1999 resent although not lost");
        }

        @Test
        void retransmittedLostOctetsCountOnce() {
            start(1000, 10_000);
            ack(1000, 2000, 5000);
            assertEquals(5000, pipe(1000), "hole lost: only 5000-9999 in flight");
            assertEquals(5500, pipe(1500), "half the hole resent");
            assertEquals(6000, pipe(2000));
            assertEquals(6000, pipe(5000), "SACKed octets below HighRxt are not in flight");
        }

        @Test
        void staleHighRxtEndCountsAsNothingRetransmitted() {
            start(1000, 10_000);
            ack(1000, 2000, 5000);
            assertEquals(5000, pipe(0));
            assertEquals(11_000, pipe(20_000), "clamped to SND.MAX: all 6000 unSACKed octets resent");
        }

        @Test
        void everythingSackedButTheLostHead() {
            start(1000, 10_000);
            ack(1000, 2000, 10_000);
            assertEquals(0, pipe(1000));
            assertEquals(1000, pipe(2000));
        }

        @Test
        void sndMaxBeforeSndUnaIsACallerBug() {
            start(1000, 10_000);
            assertThrows(IllegalArgumentException.class, () -> board.pipe(base + 999, base + 1000, MSS, DUP_THRESH));
        }
    }

    @Nested
    class NextSeg {
        @Test
        void lostHoleComesFirstEvenWithNewDataWaiting() {
            start(1000, 10_000);
            ack(1000, 2000, 5000);
            assertNext(Rule.LOST, 1000, 1000, next(1000, 5000, true));
        }

        @Test
        void lostSegmentIsCutAtSmss() {
            start(1000, 10_000);
            ack(1000, 3500, 7000);
            assertNext(Rule.LOST, 1000, 1000, next(1000, 0, false));
            assertNext(Rule.LOST, 2000, 1000, next(2000, 0, false));
            assertNext(Rule.LOST, 3000, 500, next(3000, 0, false), "stops at the SACKed range");
        }

        @Test
        void holeAfterHighRxtIsTheNextLost() {
            start(1000, 10_000);
            ack(1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000);
            // Three runs above the holes at 1000 and 3000: those are lost; 5000 and 7000 are not.
            assertNext(Rule.LOST, 1000, 1000, next(1000, 0, false));
            assertNext(Rule.LOST, 3000, 1000, next(2000, 0, false), "HighRxt skips SACKed 2000-2999");
            assertNext(Rule.UNSACKED, 5000, 1000, next(4000, 0, false), "two runs above: not lost");
            assertNext(Rule.UNSACKED, 7000, 1000, next(6000, 0, false));
            assertNext(Rule.RESCUE, 9000, 1000, next(8000, 0, true), "nothing SACKed above 9000");
        }

        @Test
        void newDataBeforeUnlostHoles() {
            start(1000, 10_000);
            ack(1000, 2000, 3000);
            assertNext(Rule.NEW_DATA, 10_000, 1000, next(1000, 4000, false));
            assertNext(Rule.NEW_DATA, 10_000, 300, next(1000, 300, false));
            assertNext(Rule.UNSACKED, 1000, 1000, next(1000, 0, false));
        }

        @Test
        void rescueIncludesTheHighestUnsackedOctet() {
            start(1000, 10_000);
            ack(1000, 2000, 5000);
            assertNext(Rule.RESCUE, 9000, 1000, next(2000, 0, true));
            assertNext(Rule.NONE, 0, 0, next(2000, 0, false), "RescueRxt says no");
        }

        @Test
        void rescueBelowASackedTail() {
            start(1000, 10_000);
            ack(1000, 1500, 3000, 9500, 10_000);
            // HighRxt past 9499; nothing for rules 1 and 3. Highest unSACKed octet: 9499.
            assertNext(Rule.RESCUE, 8500, 1000, next(9500, 0, true));
        }

        @Test
        void rescueStopsAtTheStartOfItsHole() {
            start(1000, 10_000);
            ack(1000, 1500, 9700);
            assertNext(Rule.RESCUE, 9700, 300, next(9700, 0, true));
        }

        @Test
        void rescueWithoutAnySacks() {
            start(1000, 1500);
            assertNext(Rule.RESCUE, 1000, 500, next(1000, 0, true));
        }

        @Test
        void nothingOutstandingNothingToSend() {
            start(1000, 1000);
            assertNext(Rule.NONE, 0, 0, next(1000, 0, true));
            assertNext(Rule.NEW_DATA, 1000, 1000, next(1000, 7000, true));
        }

        @Test
        void everythingSackedAboveSndUnaLeavesNoRescue() {
            // Degenerate: the peer SACKs SND.UNA itself; nothing unSACKed is outstanding.
            start(1000, 3000);
            ack(1000, 1000, 3000);
            assertNext(Rule.NONE, 0, 0, next(1000, 0, true));
        }
    }

    /** RFC 6675 worked through: ten segments of SMSS bytes, the second lost, SACKs for the next three. */
    @Nested
    class WorkedExample {
        @Test
        void lossRecoveryStepByStep() {
            start(0, 10_000);  // segments 1..10 at 0, 1000, ..., 9000
            assertEquals(0, ack(1000), "segment 1 acknowledged");
            assertEquals(9000, pipe(1000));

            assertEquals(1000, ack(1000, 2000, 3000), "segment 3 SACKed: a DupAck");
            assertFalse(isLost(1000));
            assertEquals(8000, pipe(1000));

            assertEquals(1000, ack(1000, 2000, 4000), "segment 4");
            assertFalse(isLost(1000));
            assertEquals(7000, pipe(1000));

            assertEquals(1000, ack(1000, 2000, 5000), "segment 5");
            assertTrue(isLost(1000), "RFC 6675 section 5 step (4): recovery begins");
            assertEquals(5000, pipe(1000), "segment 2 is lost, no longer in flight");

            // Section 5 step (4.3) / NextSeg rule (1): retransmit segment 2, HighRxt = 1999.
            assertNext(Rule.LOST, 1000, 1000, next(1000, 0, true));
            assertEquals(6000, pipe(2000), "its retransmission is in flight");

            // No hole left after HighRxt: new data (rule 2), else the rescue (rule 4).
            assertNext(Rule.NEW_DATA, 10_000, 1000, next(2000, 5000, true));
            assertNext(Rule.RESCUE, 9000, 1000, next(2000, 0, true));
            assertNext(Rule.NONE, 0, 0, next(2000, 0, false));

            // The retransmission arrives: the cumulative ACK jumps past the SACKed segments.
            assertEquals(0, ack(5000));
            assertTrue(board.isEmpty());
            assertEquals(5000, pipe(2000), "HighRxt is now below SND.UNA");
        }
    }

    /** The queries a sender going back to SND.UNA after a timeout uses to step over SACKed data (RFC 6675 5.1). */
    @Nested
    class GoingBack {
        @Test
        void sackedRangeEndStepsOverTheRangeHoldingTheOctet() {
            start(1000, 10_000);
            ack(1000, 3000, 4000, 6000, 7000);
            assertEquals(4000, board.sackedRangeEnd(3000) - base);
            assertEquals(4000, board.sackedRangeEnd(3999) - base);
            assertEquals(7000, board.sackedRangeEnd(6500) - base);
            assertEquals(2000, board.sackedRangeEnd(2000) - base, "not SACKed: itself");
            assertEquals(4000, board.sackedRangeEnd(4000) - base, "just past a range: itself");
            assertEquals(500, board.sackedRangeEnd(500) - base, "before SND.UNA: itself");
        }

        @Test
        void unsackedBytesFromRunsToTheNextRange() {
            start(1000, 10_000);
            ack(1000, 3000, 4000, 6000, 7000);
            assertEquals(2000, board.unsackedBytesFrom(1000));
            assertEquals(1, board.unsackedBytesFrom(2999));
            assertEquals(0, board.unsackedBytesFrom(3500), "SACKed");
            assertEquals(2000, board.unsackedBytesFrom(4000));
            assertEquals(Integer.MAX_VALUE, board.unsackedBytesFrom(7000), "no range follows");
            assertEquals(2500, board.unsackedBytesFrom(500), "before SND.UNA: to the first range");
        }

        @Test
        void sackedBytesBeforeCountsFromSndUna() {
            start(1000, 10_000);
            ack(1000, 3000, 4000, 6000, 7000);
            assertEquals(0, board.sackedBytesBefore(3000));
            assertEquals(500, board.sackedBytesBefore(3500));
            assertEquals(1000, board.sackedBytesBefore(5000));
            assertEquals(2000, board.sackedBytesBefore(10_000));
            assertEquals(0, board.sackedBytesBefore(500), "before SND.UNA");
        }
    }

    /** The same operations with SND.UNA just below 2^32, so ranges cross the wrap. */
    @Nested
    class WrapAround {
        @BeforeEach
        void nearTheWrap() {
            base = -2500;  // relative 2500 is sequence number 0
        }

        @Test
        void rangesAcrossTheWrapMergeAndCount() {
            start(1000, 10_000);
            assertEquals(1000, ack(1000, 2000, 3000));
            assertEquals(1000, ack(1000, 3000, 4000));
            assertArrayEquals(new int[] {2000, 4000}, ranges());
            assertEquals(-500, board.rangeStart(0), "the range starts 500 before 2^32");
            assertTrue(board.isSacked(0));
            assertTrue(board.isSacked(-1));
            assertEquals(2000, board.sackedBytes());
        }

        @Test
        void lossPipeAndNextSegAcrossTheWrap() {
            start(1000, 10_000);
            ack(1000, 2000, 5000);
            assertTrue(isLost(1000));
            assertEquals(5000, pipe(1000));
            assertNext(Rule.LOST, 1000, 1000, next(1000, 0, true));
            assertNext(Rule.RESCUE, 9000, 1000, next(2000, 0, true));
        }

        @Test
        void cumulativeAckAcrossTheWrapDiscards() {
            start(1000, 10_000);
            ack(1000, 2000, 3000, 4000, 5000);
            ack(2600, 6000, 7000);  // SND.UNA moves to sequence number 100
            assertEquals(100, board.sndUna());
            assertArrayEquals(new int[] {2600, 3000, 4000, 5000, 6000, 7000}, ranges());
            assertEquals(2400, board.sackedBytes());
        }

        @Test
        void dsackAcrossTheWrap() {
            start(1000, 10_000);
            assertEquals(0, ack(3000, 2000, 2600));
            assertTrue(board.lastUpdateHadDsack(), "left edge 2^32 - 500 is before the ACK at 500");
        }
    }

    @Test
    void perAckOperationsDoNotAllocate() {
        int[] edges = new int[8];
        int rounds = 20_000;
        long[] checksum = new long[1];
        long allocated = Allocations.bytesAllocatedBy(() -> checksum[0] += exercise(edges, rounds));
        assertTrue(allocated < rounds, allocated + " bytes allocated by " + rounds + " rounds");
        assertTrue(checksum[0] != 0);
    }

    private long exercise(int[] edges, int rounds) {
        long checksum = 0;
        board.reset(0);
        int una = 0;
        for (int i = 0; i < rounds; i++) {
            int max = una + 10_000;
            edges[0] = una + 2000;
            edges[1] = una + 3000;
            edges[2] = una + 4000;
            edges[3] = una + 5000;
            edges[4] = una - 500;
            edges[5] = una;
            checksum += board.update(una, edges, 2, max);
            checksum += board.update(una, edges, 3, max);
            checksum += board.pipe(max, una, MSS, DUP_THRESH);
            checksum += board.isLost(una, MSS, DUP_THRESH) ? 1 : 0;
            checksum += board.nextSegment(max, una, 0, true, MSS, DUP_THRESH).ordinal();
            checksum += board.nextSegmentSeq();
            una += 1000;
            checksum += board.update(una, edges, 0, max);
        }
        return checksum;
    }
}
