package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.tcp.ReassemblyQueuePropertyTest.Scenario;
import io.mtcp4j.stack.tcp.ReassemblyQueuePropertyTest.Segment;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The receive path as the control block will write it ({@link ReassemblyQueue}'s class comment):
 * payload placed straight into a {@link ByteRing}, ranges in the queue, a slow reader, segments
 * trimmed to the window the ring can offer. The reader gets the stream exactly, once.
 */
class ReceivePathPropertyTest {
    @Provide
    Arbitrary<Scenario> scenarios() {
        return ReassemblyQueuePropertyTest.scenarioArbitrary();
    }

    @Property(tries = 300)
    void readerGetsTheStreamExactly(@ForAll("scenarios") Scenario scenario,
                                    @ForAll @IntRange(min = 4, max = 12) int ringLog2,
                                    @ForAll @IntRange(min = 1, max = 4) int maxRanges,
                                    @ForAll @IntRange(min = 1, max = 500) int readChunk) {
        int length = scenario.streamLength();
        byte[] stream = new byte[length];
        for (int i = 0; i < length; i++) {
            stream[i] = (byte) (i * 7 + 3);
        }
        MemorySegment wire = MemorySegment.ofArray(stream);  // every segment's payload comes from here
        ByteRing ring = new ByteRing(MemorySegment.ofArray(new byte[1 << ringLog2]));
        ReassemblyQueue queue = new ReassemblyQueue(maxRanges, ring.capacity());
        queue.reset(scenario.isn());
        ByteBuffer received = ByteBuffer.allocate(length);

        for (Segment segment : scenario.arrivals()) {
            deliver(scenario.isn(), segment, wire, ring, queue);
            ring.read(received.limit(Math.min(length, received.position() + readChunk)));
        }
        // The sender retransmits whatever is not acknowledged until everything is; the reader keeps reading.
        for (int pass = 0; received.position() < length; pass++) {
            assertTrue(pass <= length, "no progress: retransmissions keep being refused");
            int acknowledged = queue.rcvNxt() - scenario.isn();
            for (Segment segment : scenario.cover()) {
                if (segment.end() > acknowledged) {
                    deliver(scenario.isn(), segment, wire, ring, queue);
                }
            }
            received.limit(length);
            ring.read(received);
        }
        assertArrayEquals(stream, received.array());
        assertEquals(scenario.isn() + length, queue.rcvNxt());
        assertTrue(queue.isEmpty());
        assertTrue(ring.isEmpty());
    }

    /** One segment through the receive path; bytes past the window the ring offers are not sent. */
    private static void deliver(int isn, Segment segment, MemorySegment wire, ByteRing ring, ReassemblyQueue queue) {
        int rcvNxt = queue.rcvNxt();
        int seq = isn + segment.offset();
        // The sender respects the advertised window: RCV.NXT + ring.freeBytes() (RFC 9293 3.8.6).
        int windowEnd = rcvNxt + ring.freeBytes();
        int segmentLength = SeqNum.lt(windowEnd, seq + segment.length())
                ? Math.max(0, SeqNum.delta(seq, windowEnd)) : segment.length();
        if (segmentLength == 0) {
            return;
        }
        int fresh = queue.add(seq, segmentLength);
        if (fresh < 0) {
            assertEquals(ReassemblyQueue.REJECTED_TOO_MANY_RANGES, fresh, "the window keeps it within the limit");
            assertTrue(SeqNum.gt(seq, rcvNxt), "in-order data is never refused");
            return;
        }
        int skip = Math.max(0, SeqNum.delta(seq, rcvNxt));
        if (skip < segmentLength) {
            ring.writeAt(ring.tail() + SeqNum.delta(rcvNxt, seq + skip), wire, segment.offset() + skip,
                    segmentLength - skip);
        }
        int contiguous = queue.advance(rcvNxt);
        ring.commit(contiguous);
        assertEquals(ring.tail(), (long) (queue.rcvNxt() - isn), "ring tail is RCV.NXT's stream offset");
    }
}
