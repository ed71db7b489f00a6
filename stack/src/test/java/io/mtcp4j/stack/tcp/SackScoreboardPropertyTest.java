package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.tcp.SackScoreboard.Rule;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random ACK streams (cumulative ACKs moving, standing still or arriving late; SACK blocks valid,
 * malformed, beyond SND.MAX, below the ACK, overlapping, D-SACK) against a model that keeps one
 * boolean per byte and applies RFC 6675's definitions literally, octet by octet: after every ACK
 * the scoreboard's ranges, counts, IsLost for every octet, SetPipe and NextSeg must agree with it.
 */
class SackScoreboardPropertyTest {
    /**
     * A SACK block, placed by {@code anchor}: {@link #FROM_UNA} puts its left edge at SND.UNA +
     * {@code position}; {@link #AT_SND_MAX} puts its right edge at or a little before SND.MAX;
     * {@link #INSIDE_NEXT} makes it share an edge with the next block of the same ACK (inside it
     * when short enough), the D-SACK shape of RFC 2883 section 4. A length of zero or less makes
     * it invalid.
     */
    record Block(int anchor, int position, int lengthBytes) {
        static final int FROM_UNA = 0;
        static final int AT_SND_MAX = 1;
        static final int INSIDE_NEXT = 2;
    }

    /**
     * One ACK and the questions asked after it. {@code ackStep} moves the cumulative ACK from
     * SND.UNA (negative: a late, older ACK); {@code growthBytes} is new data sent before it.
     */
    record Event(int ackStep, int growthBytes, List<Block> blocks, int mssBytes, int dupThresh,
                 int highRxtFromUna, int sendableNewBytes, boolean rescueAllowed) {}

    /** Sequence numbers are offsets from {@code isn}, which is often just below 2^32. */
    record Scenario(int isn, int initialFlightBytes, List<Event> events) {}

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Integer> isn = Arbitraries.oneOf(Arbitraries.integers(), Arbitraries.integers().between(-4000, -1));
        Arbitrary<Block> block = Combinators.combine(
                Arbitraries.integers().between(Block.FROM_UNA, Block.INSIDE_NEXT),
                Arbitraries.integers().between(-400, 2500),
                Arbitraries.oneOf(Arbitraries.integers().between(1, 600), Arbitraries.integers().between(-10, 0)))
                .as(Block::new);
        Arbitrary<Integer> ackStep = Arbitraries.oneOf(
                Arbitraries.just(0), Arbitraries.integers().between(-100, 500));
        Arbitrary<Event> event = Combinators.combine(
                ackStep,
                Arbitraries.integers().between(0, 100),
                block.list().ofMaxSize(4),
                Arbitraries.integers().between(1, 400),
                Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(-50, 2500),
                Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, 500)),
                Arbitraries.of(true, false))
                .as(Event::new);
        return Combinators.combine(isn, Arbitraries.integers().between(0, 2000), event.list().ofMinSize(1).ofMaxSize(25))
                .as(Scenario::new);
    }

    /** Fills {@code edges} (offsets from the ISN) and {@code absolute} (sequence numbers) for one ACK's blocks. */
    static void placeBlocks(List<Block> blocks, Model model, int isn, int[] edges, int[] absolute) {
        int count = blocks.size();
        for (int i = count - 1; i >= 0; i--) {
            Block block = blocks.get(i);
            if (block.anchor() == Block.INSIDE_NEXT && i + 1 < count) {
                int nextLeft = edges[2 * i + 2];
                int nextRight = edges[2 * i + 3];
                if ((block.position() & 1) == 0) {
                    edges[2 * i] = nextLeft;
                    edges[2 * i + 1] = nextLeft + block.lengthBytes();
                } else {
                    edges[2 * i] = nextRight - block.lengthBytes();
                    edges[2 * i + 1] = nextRight;
                }
            } else if (block.anchor() == Block.AT_SND_MAX) {
                edges[2 * i + 1] = model.max - Math.max(0, block.position() / 10 - 20);
                edges[2 * i] = edges[2 * i + 1] - block.lengthBytes();
            } else {
                edges[2 * i] = model.una + block.position();
                edges[2 * i + 1] = edges[2 * i] + block.lengthBytes();
            }
        }
        for (int i = 0; i < 2 * count; i++) {
            absolute[i] = isn + edges[i];
        }
    }

    /** The per-byte model: SACKed flags by offset from the ISN, plus SND.UNA and SND.MAX offsets. */
    static final class Model {
        final boolean[] sacked;
        int una;
        int max;

        Model(int capacity, int flight) {
            sacked = new boolean[capacity];
            max = flight;
        }

        boolean isSacked(int offset) {
            return offset >= una && offset < max && sacked[offset];
        }

        /** RFC 2883 section 4 as the scoreboard documents it: the first block reports a duplicate. */
        boolean isDsack(int ack, int[] edges, int count) {
            if (count == 0) {
                return false;
            }
            int left = edges[0];
            int right = edges[1];
            if (left >= right || right > max) {
                return false;
            }
            if (left < ack) {
                return true;
            }
            return count >= 2 && edges[2] < edges[3] && edges[3] <= max && edges[2] <= left && right <= edges[3];
        }

        /** Applies one ACK; returns the number of bytes SACKed now that were not SACKed or acknowledged before. */
        int update(int ack, int[] edges, int count, boolean dsack) {
            una = Math.max(una, ack);
            int newly = 0;
            for (int block = dsack ? 1 : 0; block < count; block++) {
                int left = edges[2 * block];
                int right = edges[2 * block + 1];
                if (left >= right || right > max || right <= una) {
                    continue;
                }
                for (int offset = Math.max(left, una); offset < right; offset++) {
                    if (!sacked[offset]) {
                        sacked[offset] = true;
                        newly++;
                    }
                }
            }
            return newly;
        }

        /**
         * RFC 6675 IsLost for every octet in [una, max), literally: SACKed bytes after it, and
         * maximal runs of SACKed octets after it, against DupThresh and (DupThresh - 1) * SMSS.
         */
        boolean[] lost(int mss, int dupThresh) {
            boolean[] lost = new boolean[max + 1];
            long bytesAbove = 0;
            int runStartsAbove = 0;
            for (int s = max - 1; s >= una; s--) {
                // Octet s + 1 joins "above": count it, and count its run once, where the run begins.
                int next = s + 1;
                if (isSacked(next)) {
                    bytesAbove++;
                    if (!isSacked(next + 1)) {
                        runStartsAbove++;  // the run's highest octet: count each run once
                    }
                }
                boolean enoughRuns = runStartsAbove >= dupThresh;
                boolean enoughBytes = bytesAbove > (long) (dupThresh - 1) * mss;
                lost[s] = !isSacked(s) && (enoughRuns || enoughBytes);
            }
            return lost;
        }
    }

    @Property(tries = 250)
    void agreesWithThePerByteModel(@ForAll("scenarios") Scenario scenario) {
        int isn = scenario.isn();
        int capacity = scenario.initialFlightBytes() + 100 * scenario.events().size() + 1;
        Model model = new Model(capacity, scenario.initialFlightBytes());
        // Large enough that the bound never drops a range: 4 blocks an ACK, 25 ACKs.
        SackScoreboard board = new SackScoreboard(128);
        board.reset(isn);
        int[] edges = new int[8];
        int[] absolute = new int[8];

        for (Event event : scenario.events()) {
            model.max += event.growthBytes();
            int ack = Math.min(model.una + event.ackStep(), model.max);
            int count = event.blocks().size();
            placeBlocks(event.blocks(), model, isn, edges, absolute);
            boolean dsack = model.isDsack(ack, edges, count);
            int expectedNewly = model.update(ack, edges, count, dsack);

            int newly = board.update(isn + ack, absolute, count, isn + model.max);

            String where = board.toString();
            assertEquals(expectedNewly, newly, where);
            assertEquals(dsack, board.lastUpdateHadDsack(), where);
            if (dsack) {
                assertEquals(absolute[0], board.dsackStart());
                assertEquals(absolute[1], board.dsackEnd());
            }
            assertEquals(isn + model.una, board.sndUna());
            assertRangesMatch(model, board, isn);

            int mss = event.mssBytes();
            int dupThresh = event.dupThresh();
            boolean[] lost = model.lost(mss, dupThresh);
            for (int s = model.una - 3; s < model.max + 3; s++) {
                boolean expected = s >= model.una && s < model.max && lost[s];
                assertEquals(expected, board.isLost(isn + s, mss, dupThresh), "IsLost(" + s + ") " + where);
            }

            int highRxtEnd = model.una + event.highRxtFromUna();
            int expectedPipe = 0;
            for (int s = model.una; s < model.max; s++) {
                if (!model.isSacked(s)) {
                    expectedPipe += lost[s] ? 0 : 1;
                    expectedPipe += s < highRxtEnd ? 1 : 0;
                }
            }
            assertEquals(expectedPipe, board.pipe(isn + model.max, isn + highRxtEnd, mss, dupThresh), where);

            assertNextSegmentMatches(model, lost, board, isn, event, highRxtEnd, where);
            assertGoingBackQueriesMatch(model, board, isn, where);
        }
    }

    /** sackedRangeEnd, unsackedBytesFrom and sackedBytesBefore, octet by octet, around the flight. */
    private static void assertGoingBackQueriesMatch(Model model, SackScoreboard board, int isn, String where) {
        for (int s = model.una - 3; s < model.max + 3; s++) {
            int runEnd = s;
            while (model.isSacked(runEnd)) {
                runEnd++;
            }
            assertEquals(isn + runEnd, board.sackedRangeEnd(isn + s), "sackedRangeEnd(" + s + ") " + where);
            int expectedUnsacked;
            if (model.isSacked(s)) {
                expectedUnsacked = 0;
            } else {
                int next = s + 1;
                while (next < model.max && !model.isSacked(next)) {
                    next++;
                }
                expectedUnsacked = next < model.max ? next - s : Integer.MAX_VALUE;
            }
            assertEquals(expectedUnsacked, board.unsackedBytesFrom(isn + s), "unsackedBytesFrom(" + s + ") " + where);
            int sackedBefore = 0;
            for (int t = model.una; t < s; t++) {
                sackedBefore += model.isSacked(t) ? 1 : 0;
            }
            assertEquals(sackedBefore, board.sackedBytesBefore(isn + s), "sackedBytesBefore(" + s + ") " + where);
        }
    }

    private static void assertRangesMatch(Model model, SackScoreboard board, int isn) {
        int range = 0;
        int sackedBytes = 0;
        int s = model.una;
        while (s < model.max) {
            if (!model.isSacked(s)) {
                s++;
                continue;
            }
            int start = s;
            while (model.isSacked(s)) {
                s++;
            }
            assertTrue(range < board.rangeCount(), "missing range " + start + ".." + s + " in " + board);
            assertEquals(isn + start, board.rangeStart(range), board.toString());
            assertEquals(isn + s, board.rangeEnd(range), board.toString());
            assertTrue(board.isSacked(isn + start) && board.isSacked(isn + s - 1));
            assertTrue(!board.isSacked(isn + s));
            sackedBytes += s - start;
            range++;
        }
        assertEquals(range, board.rangeCount(), board.toString());
        assertEquals(sackedBytes, board.sackedBytes());
        int highestEnd = range == 0 ? model.una : board.rangeEnd(range - 1) - isn;
        assertEquals(isn + highestEnd, board.highestSackedEnd());
    }

    /** RFC 6675 section 4 NextSeg rules (1)-(4), one octet at a time. */
    private static void assertNextSegmentMatches(Model model, boolean[] lost, SackScoreboard board, int isn,
                                                 Event event, int highRxtEnd, String where) {
        int mss = event.mssBytes();
        int highestSacked = -1;
        for (int s = model.una; s < model.max; s++) {
            if (model.isSacked(s)) {
                highestSacked = s;
            }
        }
        int low = Math.max(model.una, highRxtEnd);
        Rule expectedRule = Rule.NONE;
        int expectedSeq = 0;
        int expectedLength = 0;
        // Rule (1): smallest unSACKed S2 > HighRxt, below the highest SACKed octet, lost.
        for (int s = low; s < highestSacked; s++) {
            if (!model.isSacked(s) && lost[s]) {
                expectedRule = Rule.LOST;
                expectedSeq = s;
                expectedLength = unsackedRunFrom(model, s, mss);
                break;
            }
        }
        if (expectedRule == Rule.NONE && event.sendableNewBytes() > 0) {
            expectedRule = Rule.NEW_DATA;
            expectedSeq = model.max;
            expectedLength = Math.min(mss, event.sendableNewBytes());
        }
        if (expectedRule == Rule.NONE) {
            // Rule (3): the same without IsLost.
            for (int s = low; s < highestSacked; s++) {
                if (!model.isSacked(s)) {
                    expectedRule = Rule.UNSACKED;
                    expectedSeq = s;
                    expectedLength = unsackedRunFrom(model, s, mss);
                    break;
                }
            }
        }
        if (expectedRule == Rule.NONE && event.rescueAllowed()) {
            // Rule (4): a segment of up to SMSS ending with the highest unSACKed octet, inside its hole.
            int highestUnsacked = -1;
            for (int s = model.una; s < model.max; s++) {
                if (!model.isSacked(s)) {
                    highestUnsacked = s;
                }
            }
            if (highestUnsacked >= 0) {
                int holeStart = highestUnsacked;
                while (holeStart - 1 >= model.una && !model.isSacked(holeStart - 1)) {
                    holeStart--;
                }
                expectedRule = Rule.RESCUE;
                expectedSeq = Math.max(holeStart, highestUnsacked + 1 - mss);
                expectedLength = highestUnsacked + 1 - expectedSeq;
            }
        }

        Rule rule = board.nextSegment(isn + model.max, isn + highRxtEnd, event.sendableNewBytes(),
                event.rescueAllowed(), mss, event.dupThresh());
        assertEquals(expectedRule, rule, "NextSeg " + where + " highRxtEnd=" + highRxtEnd);
        if (rule != Rule.NONE) {
            assertEquals(isn + expectedSeq, board.nextSegmentSeq(), "NextSeg start " + where);
            assertEquals(expectedLength, board.nextSegmentLengthBytes(), "NextSeg length " + where);
        }
    }

    private static int unsackedRunFrom(Model model, int s, int mss) {
        int end = s;
        while (end < model.max && !model.isSacked(end) && end - s < mss) {
            end++;
        }
        return end - s;
    }

    @Property(tries = 200)
    void boundedBoardHoldsASubsetInOrder(@ForAll("scenarios") Scenario scenario,
                                         @ForAll("smallBounds") int maxRanges) {
        int isn = scenario.isn();
        int capacity = scenario.initialFlightBytes() + 100 * scenario.events().size() + 1;
        Model model = new Model(capacity, scenario.initialFlightBytes());
        SackScoreboard board = new SackScoreboard(maxRanges);
        board.reset(isn);
        int[] edges = new int[8];
        int[] absolute = new int[8];
        for (Event event : scenario.events()) {
            model.max += event.growthBytes();
            int ack = Math.min(model.una + event.ackStep(), model.max);
            int count = event.blocks().size();
            placeBlocks(event.blocks(), model, isn, edges, absolute);
            boolean dsack = model.isDsack(ack, edges, count);
            model.update(ack, edges, count, dsack);
            board.update(isn + ack, absolute, count, isn + model.max);

            assertEquals(dsack, board.lastUpdateHadDsack());
            assertTrue(board.rangeCount() <= maxRanges, board.toString());
            int total = 0;
            int previousEnd = model.una - 1;
            for (int i = 0; i < board.rangeCount(); i++) {
                int start = board.rangeStart(i) - isn;
                int end = board.rangeEnd(i) - isn;
                assertTrue(start > previousEnd && start < end && end <= model.max,
                        "sorted, disjoint, not touching, within the flight: " + board);
                for (int s = start; s < end; s++) {
                    assertTrue(model.isSacked(s), "SACKed only what the peer SACKed: " + s + " in " + board);
                }
                total += end - start;
                previousEnd = end;
            }
            assertEquals(total, board.sackedBytes());
            if (board.droppedRangeCount() == 0) {
                assertRangesMatch(model, board, isn);  // the bound has not bitten yet: exact
            }
        }
    }

    @Provide
    Arbitrary<Integer> smallBounds() {
        return Arbitraries.integers().between(1, 5);
    }
}
