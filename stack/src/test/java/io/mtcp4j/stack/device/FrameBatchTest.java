package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class FrameBatchTest {
    private final MemorySegment memory = MemorySegment.ofArray(new byte[4096]);

    @Test
    void capacityIsOneToSixtyFour() {
        assertEquals(FrameBatch.MAX_FRAMES, new FrameBatch().capacity());
        assertEquals(1, new FrameBatch(1).capacity());
        assertThrows(IllegalArgumentException.class, () -> new FrameBatch(0));
        assertThrows(IllegalArgumentException.class, () -> new FrameBatch(FrameBatch.MAX_FRAMES + 1));
    }

    @Test
    void addedFrameReadsBackWithNoMetadata() {
        FrameBatch batch = new FrameBatch(4);
        batch.add(memory, 100, 0, 200, 7);
        batch.metadata(0, FrameBatch.CHECKSUM_PARTIAL, 34, 16, 0, 0);
        batch.clear();
        int i = batch.add(memory, 64, 60, 1514, 3);
        assertEquals(0, i);
        assertSame(memory, batch.segment(0));
        assertEquals(64, batch.offset(0));
        assertEquals(60, batch.length(0));
        assertEquals(1514, batch.bufferLength(0));
        assertEquals(3, batch.bufferId(0));
        // Reused index, fresh metadata: nothing leaks from the frame that was there before.
        assertEquals(0, batch.flags(0));
        assertEquals(0, batch.checksumStart(0));
        assertEquals(0, batch.checksumOffset(0));
        assertEquals(1, batch.count());
        assertEquals(3, batch.remaining());
    }

    @Test
    void lengthMustFitTheBuffer() {
        FrameBatch batch = new FrameBatch(2);
        batch.add(memory, 0, 0, 1514, 0);
        batch.length(0, 1514);
        assertEquals(1514, batch.length(0));
        assertThrows(IllegalArgumentException.class, () -> batch.length(0, 1515));
        assertThrows(IllegalArgumentException.class, () -> batch.length(0, -1));
        assertThrows(IllegalArgumentException.class, () -> batch.add(memory, 0, 100, 50, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> batch.add(memory, 4000, 0, 1514, 0));
    }

    @Test
    void indexesBeyondTheCountAreRejected() {
        FrameBatch batch = new FrameBatch(2);
        batch.add(memory, 0, 60, 60, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> batch.length(1));
        assertThrows(IndexOutOfBoundsException.class, () -> batch.segment(-1));
    }

    @Test
    void addingToAFullBatchThrows() {
        FrameBatch batch = new FrameBatch(1);
        batch.add(memory, 0, 60, 60, 0);
        assertThrows(IllegalStateException.class, () -> batch.add(memory, 60, 60, 60, 1));
    }

    @Test
    void aLimitCapsFillingUntilChanged() {
        FrameBatch batch = new FrameBatch(8).limit(3);
        assertEquals(3, batch.remaining());
        batch.add(memory, 0, 60, 60, 0);
        assertThrows(IllegalArgumentException.class, () -> batch.limit(0));
        assertThrows(IllegalArgumentException.class, () -> batch.limit(9));
        batch.add(memory, 60, 60, 60, 1);
        batch.add(memory, 120, 60, 60, 2);
        assertThrows(IllegalStateException.class, () -> batch.add(memory, 180, 60, 60, 3));
        batch.clear();
        assertEquals(3, batch.limit(), "clearing keeps the limit");
        assertEquals(8, batch.limit(8).remaining());
    }

    @Test
    void offloadRequestsSetFlagsAndFields() {
        FrameBatch batch = new FrameBatch(1);
        batch.add(memory, 0, 1000, 2000, 0);
        batch.checksumPartial(0, 34, 16).segmentation(0, FrameBatch.SEGMENT_TCP_IPV4, 1448, 54);
        assertTrue(batch.hasFlags(0, FrameBatch.CHECKSUM_PARTIAL | FrameBatch.SEGMENT_TCP_IPV4));
        assertFalse(batch.hasFlags(0, FrameBatch.SEGMENT_TCP_IPV6));
        assertEquals(34, batch.checksumStart(0));
        assertEquals(16, batch.checksumOffset(0));
        assertEquals(1448, batch.segmentSize(0));
        assertEquals(54, batch.headerLength(0));
        // Switching the segmentation kind replaces the flag rather than adding a second one.
        batch.segmentation(0, FrameBatch.SEGMENT_TCP_IPV6, 1428, 74);
        assertEquals(FrameBatch.CHECKSUM_PARTIAL | FrameBatch.SEGMENT_TCP_IPV6, batch.flags(0));
    }

    @Test
    void contradictoryOrUnknownFlagsAreRejected() {
        FrameBatch batch = new FrameBatch(1);
        batch.add(memory, 0, 60, 60, 0);
        assertThrows(IllegalArgumentException.class,
                () -> batch.flags(0, FrameBatch.SEGMENT_TCP_IPV4 | FrameBatch.SEGMENT_TCP_IPV6));
        assertThrows(IllegalArgumentException.class, () -> batch.flags(0, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> batch.segmentation(0, FrameBatch.CHECKSUM_PARTIAL, 1448, 54));
        assertThrows(IllegalArgumentException.class, () -> batch.segmentation(0, FrameBatch.SEGMENT_TCP_IPV4, 0, 54));
        assertThrows(IllegalArgumentException.class, () -> batch.checksumPartial(0, -1, 16));
    }

    @Test
    void metadataCopiesBetweenBatches() {
        FrameBatch from = new FrameBatch(1);
        from.add(memory, 0, 100, 100, 0);
        from.checksumPartial(0, 54, 16).segmentation(0, FrameBatch.SEGMENT_TCP_IPV6, 1428, 74);
        FrameBatch to = new FrameBatch(1);
        to.add(memory, 200, 100, 100, 1);
        to.copyMetadata(0, from, 0);
        assertEquals(from.flags(0), to.flags(0));
        assertEquals(54, to.checksumStart(0));
        assertEquals(16, to.checksumOffset(0));
        assertEquals(1428, to.segmentSize(0));
        assertEquals(74, to.headerLength(0));
    }
}
