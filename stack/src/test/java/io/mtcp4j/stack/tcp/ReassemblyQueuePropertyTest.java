package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * A random stream cut into segments, with extra overlapping and duplicate segments, arriving in a
 * random order: the queue must agree at every step with a bit-per-byte model of what has arrived,
 * and the receiver must end up with every byte exactly once, in order.
 */
class ReassemblyQueuePropertyTest {
    /** One segment: stream offset (from the initial RCV.NXT) and length. */
    record Segment(int offset, int length) {
        int end() {
            return offset + length;
        }
    }

    /** A stream of {@code streamLength} bytes starting at sequence number {@code isn}. */
    record Scenario(int isn, int streamLength, List<Segment> cover, List<Segment> arrivals) {}

    @Provide
    Arbitrary<Scenario> scenarios() {
        return scenarioArbitrary();
    }

    static Arbitrary<Scenario> scenarioArbitrary() {
        // Half the time start just before the 2^32 wrap so streams cross it.
        Arbitrary<Integer> isn = Arbitraries.oneOf(Arbitraries.integers(), Arbitraries.integers().between(-3000, -1));
        Arbitrary<List<Integer>> pieceLengths = Arbitraries.integers().between(1, 200).list().ofMinSize(1).ofMaxSize(40);
        Arbitrary<List<Long>> extras = Arbitraries.longs().between(0, Long.MAX_VALUE).list().ofMaxSize(25);
        return Combinators.combine(isn, pieceLengths, extras).flatAs((start, lengths, extraSeeds) -> {
            List<Segment> cover = new ArrayList<>();
            int offset = 0;
            for (int length : lengths) {
                cover.add(new Segment(offset, length));
                offset += length;
            }
            int streamLength = offset;
            List<Segment> all = new ArrayList<>(cover);
            for (long seed : extraSeeds) {
                // Either a duplicate of a cover segment or a random overlapping range.
                if ((seed & 1) == 0) {
                    all.add(cover.get((int) ((seed >>> 1) % cover.size())));
                } else {
                    int extraStart = (int) ((seed >>> 1) % streamLength);
                    int extraLength = 1 + (int) ((seed >>> 33) % (streamLength - extraStart));
                    all.add(new Segment(extraStart, extraLength));
                }
            }
            return Arbitraries.shuffle(all).map(order -> new Scenario(start, streamLength, cover, order));
        });
    }

    @Property(tries = 300)
    void everyByteIsDeliveredExactlyOnceInOrder(@ForAll("scenarios") Scenario scenario) {
        int length = scenario.streamLength();
        byte[] stream = new byte[length];
        for (int i = 0; i < length; i++) {
            stream[i] = (byte) (i * 131 + 17);
        }
        // The receive ring, as the control block would use it: payload placed at its offset.
        byte[] ring = new byte[length];
        BitSet placed = new BitSet(length);
        byte[] delivered = new byte[length];
        int deliveredCount = 0;

        ReassemblyQueue queue = new ReassemblyQueue(1024, length);
        queue.reset(scenario.isn());
        BitSet model = new BitSet(length);
        long freshTotal = 0;
        int[] edges = new int[8];

        for (Segment segment : scenario.arrivals()) {
            int rcvOffset = queue.rcvNxt() - scenario.isn();
            int fresh = queue.add(scenario.isn() + segment.offset(), segment.length());
            assertTrue(fresh >= 0, "never over the limits here");

            // Expected news: bytes of the segment neither held nor delivered yet.
            BitSet segmentBits = new BitSet();
            segmentBits.set(segment.offset(), segment.end());
            segmentBits.andNot(model);
            segmentBits.clear(0, rcvOffset);
            assertEquals(segmentBits.cardinality(), fresh);
            freshTotal += fresh;
            model.set(segment.offset(), segment.end());

            for (int i = Math.max(segment.offset(), rcvOffset); i < segment.end(); i++) {
                ring[i] = stream[i];
                placed.set(i);
            }

            // SACK before advancing: the first block holds the part of this segment past RCV.NXT.
            int blocks = queue.sackBlocks(edges, 4);
            if (segment.end() > rcvOffset) {
                assertTrue(blocks >= 1);
                int from = Math.max(segment.offset(), rcvOffset);
                assertTrue(SeqNum.le(edges[0], scenario.isn() + from)
                        && SeqNum.le(scenario.isn() + segment.end(), edges[1]), "RFC 2018 section 4 first block");
            }

            int contiguous = queue.advance(queue.rcvNxt());
            for (int i = rcvOffset; i < rcvOffset + contiguous; i++) {
                assertTrue(placed.get(i), "delivered a byte that never arrived: " + i);
                delivered[deliveredCount++] = ring[i];
            }
            assertMatchesModel(queue, scenario.isn(), model, length);
        }

        assertEquals(length, freshTotal, "each byte is news exactly once");
        assertEquals(length, deliveredCount);
        assertArrayEquals(stream, delivered);
        assertEquals(scenario.isn() + length, queue.rcvNxt());
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.bytesHeld());
    }

    @Property(tries = 300)
    void boundedQueueStillConverges(@ForAll("scenarios") Scenario scenario,
                                    @ForAll @IntRange(min = 1, max = 6) int maxRanges,
                                    @ForAll boolean inOrderBypassesTheQueue) {
        int length = scenario.streamLength();
        int isn = scenario.isn();
        ReassemblyQueue queue = new ReassemblyQueue(maxRanges, length);
        queue.reset(isn);
        BitSet model = new BitSet(length);

        for (Segment segment : scenario.arrivals()) {
            receive(queue, isn, model, segment, maxRanges, length, inOrderBypassesTheQueue);
        }
        // The sender retransmits everything unacknowledged, in order: that always completes.
        for (Segment segment : scenario.cover()) {
            receive(queue, isn, model, segment, maxRanges, length, inOrderBypassesTheQueue);
        }
        assertEquals(isn + length, queue.rcvNxt());
        assertTrue(queue.isEmpty());
    }

    /**
     * The control block's receive path: out-of-order segments go through add; in-order ones either
     * bypass the queue (the caller moves RCV.NXT) or go through add too.
     */
    private static void receive(ReassemblyQueue queue, int isn, BitSet model, Segment segment,
                                int maxRanges, int length, boolean inOrderBypassesTheQueue) {
        int rcvOffset = queue.rcvNxt() - isn;
        if (inOrderBypassesTheQueue && segment.offset() <= rcvOffset && rcvOffset < segment.end()) {
            model.set(segment.offset(), segment.end());
            int contiguous = queue.advance(isn + segment.end());
            assertEquals(model.nextClearBit(0), segment.end() + contiguous);
        } else {
            int fresh = queue.add(isn + segment.offset(), segment.length());
            if (fresh == ReassemblyQueue.REJECTED_TOO_MANY_RANGES) {
                // Only a segment opening a new range may be refused, and only when the queue is full.
                assertEquals(maxRanges, queue.rangeCount());
                assertTrue(segment.offset() > rcvOffset, "refused in-order data");
                int touching = model.nextSetBit(Math.max(segment.offset() - 1, rcvOffset));
                assertTrue(touching < 0 || touching > segment.end(), "refused a segment that touches held data");
            } else {
                assertTrue(fresh >= 0);
                model.set(segment.offset(), segment.end());
                queue.advance(queue.rcvNxt());
            }
        }
        assertTrue(queue.rangeCount() <= maxRanges);
        assertMatchesModel(queue, isn, model, length);
    }

    /** RCV.NXT is the end of the received prefix; the ranges are exactly the runs of bytes past it. */
    private static void assertMatchesModel(ReassemblyQueue queue, int isn, BitSet model, int length) {
        int rcvOffset = model.nextClearBit(0);
        assertEquals(isn + Math.min(rcvOffset, length), queue.rcvNxt());
        int range = 0;
        int held = 0;
        for (int start = model.nextSetBit(rcvOffset); start >= 0; start = model.nextSetBit(start)) {
            int end = model.nextClearBit(start);
            assertTrue(range < queue.rangeCount(), "missing range from " + start);
            assertEquals(isn + start, queue.rangeStart(range), "start of range " + range);
            assertEquals(isn + end, queue.rangeEnd(range), "end of range " + range);
            held += end - start;
            range++;
            start = end;
        }
        assertEquals(range, queue.rangeCount());
        assertEquals(held, queue.bytesHeld());
        assertEquals(isn + (range == 0 ? Math.min(rcvOffset, length) : model.length()), queue.highestEnd());
    }
}
