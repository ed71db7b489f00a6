package io.mtcp4j.stack.engine;

import static io.mtcp4j.stack.testing.Allocations.leastBytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class FrameHandoffTest {
    private final MemorySegment frame = MemorySegment.ofArray(new byte[256]);

    @Test
    void aFrameArrivesCopiedAtItsDestinationAndItsSlotReturnsToTheSender() {
        FrameHandoff handoff = new FrameHandoff(3, 2, 128);
        for (int i = 0; i < 100; i++) {
            frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 10 + i, (byte) i);
        }
        assertTrue(handoff.offer(0, 2, frame, 10, 100, FrameHandoff.KIND_OWNED));
        assertFalse(handoff.hasFrames(1));
        assertTrue(handoff.hasFrames(2));
        assertEquals(1, handoff.freeSlots(0));
        FrameHandoff.Slot slot = handoff.poll(2);
        assertNotNull(slot);
        assertEquals(100, slot.length);
        assertEquals(FrameHandoff.KIND_OWNED, slot.kind);
        assertEquals(-1, slot.buffer.asSlice(0, 100).mismatch(frame.asSlice(10, 100)), "the frame's bytes");
        assertNull(handoff.poll(2));
        handoff.release(slot);
        assertEquals(2, handoff.freeSlots(0));
    }

    @Test
    void aSenderWithEverySlotInFlightIsRefusedAndOthersAreNot() {
        FrameHandoff handoff = new FrameHandoff(3, 2, 128);
        assertTrue(handoff.offer(0, 1, frame, 0, 60, FrameHandoff.KIND_OWNED));
        assertTrue(handoff.offer(0, 2, frame, 0, 60, FrameHandoff.KIND_OWNED));
        assertFalse(handoff.offer(0, 1, frame, 0, 60, FrameHandoff.KIND_OWNED), "engine 0's two slots are in flight");
        assertTrue(handoff.offer(0, 1, frame, 0, 60, FrameHandoff.KIND_NEIGHBOR_COPY), "neighbour copies have slots of their own");
        assertTrue(handoff.offer(2, 1, frame, 0, 60, FrameHandoff.KIND_OWNED), "engine 2 has its own slots");
        assertFalse(handoff.offer(2, 1, frame, 0, 129, FrameHandoff.KIND_OWNED), "larger than a slot");
        FrameHandoff.Slot slot = handoff.poll(1);
        assertEquals(FrameHandoff.KIND_OWNED, slot.kind);
        handoff.release(slot);
        assertEquals(1, handoff.freeSlots(0));
        assertTrue(handoff.offer(0, 1, frame, 0, 60, FrameHandoff.KIND_OWNED), "a slot came back");
    }

    @Test
    void handingOverAndTakingBackAllocatesNothing() {
        FrameHandoff handoff = new FrameHandoff(2, 16, 1518);
        long allocated = leastBytesAllocatedBy(5, () -> {
            for (int i = 0; i < 10_000; i++) {
                handoff.offer(0, 1, frame, 0, 200, FrameHandoff.KIND_OWNED);
                handoff.release(handoff.poll(1));
            }
        });
        assertEquals(0, allocated);
    }
}
