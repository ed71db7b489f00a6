package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HeldFramesTest {
    private final MemorySegment source = MemorySegment.ofArray(new byte[2000]);

    private boolean push(HeldFrames line, int length, byte fill, long releaseNs) {
        source.asSlice(0, length).fill(fill);
        return line.push(source, 0, length, 0, 0, 0, 0, 0, releaseNs);
    }

    private static byte firstByte(HeldFrames line) {
        return line.storage().get(ValueLayout.JAVA_BYTE, line.dataOffset(line.next()));
    }

    @Test
    void framesLeaveInOrderWithTheirBytes() {
        HeldFrames line = new HeldFrames(MemorySegment.ofArray(new byte[4096]), 10, 4096);
        assertTrue(push(line, 100, (byte) 1, 10));
        assertTrue(push(line, 200, (byte) 2, 20));
        assertEquals(10, line.nextReleaseNs());
        assertEquals(1, firstByte(line));
        assertEquals(100, line.length(line.next()));
        line.deliverAndFree();
        assertEquals(20, line.nextReleaseNs());
        assertEquals(2, firstByte(line));
        line.deliverAndFree();
        assertFalse(line.hasPending());
        assertEquals(NetDevice.NO_DEADLINE, line.nextReleaseNs());
    }

    @Test
    void limitsCountPendingFramesAndBytes() {
        HeldFrames byFrames = new HeldFrames(MemorySegment.ofArray(new byte[8192]), 2, 8192);
        assertTrue(push(byFrames, 10, (byte) 0, 0));
        assertTrue(push(byFrames, 10, (byte) 0, 0));
        assertFalse(push(byFrames, 10, (byte) 0, 0));
        HeldFrames byBytes = new HeldFrames(MemorySegment.ofArray(new byte[8192]), 100, 1000);
        assertTrue(push(byBytes, 600, (byte) 0, 0));
        assertFalse(push(byBytes, 401, (byte) 0, 0));
        assertTrue(push(byBytes, 400, (byte) 0, 0));
    }

    @Test
    void deliveredFramesKeepTheirBytesUntilFreed() {
        // 1000 bytes of storage: two 400-byte frames, the first shown in place, then a third.
        HeldFrames line = new HeldFrames(MemorySegment.ofArray(new byte[1000]), 10, 10_000);
        assertTrue(push(line, 400, (byte) 1, 0));
        assertTrue(push(line, 400, (byte) 2, 0));
        long shownAt = line.dataOffset(line.next());
        line.deliver();
        assertFalse(push(line, 400, (byte) 3, 0), "the delivered frame's bytes are still in use");
        assertEquals(1, line.storage().get(ValueLayout.JAVA_BYTE, shownAt));
        line.freeDelivered();
        assertTrue(push(line, 300, (byte) 3, 0), "wraps to the start once the first frame is freed");
        assertEquals(2, firstByte(line));
    }

    /** Random pushes and pops against a model: every frame comes out whole, in order. */
    @Test
    void wrappingStorageNeverMixesFrames() {
        HeldFrames line = new HeldFrames(MemorySegment.ofArray(new byte[5000]), 50, 1 << 20);
        ArrayDeque<int[]> model = new ArrayDeque<>(); // {length, fill}
        SplittableRandom random = new SplittableRandom(99);
        for (int step = 0; step < 20_000; step++) {
            if (random.nextBoolean()) {
                int length = 1 + random.nextInt(1500);
                int fill = random.nextInt(256);
                if (push(line, length, (byte) fill, 0)) {
                    model.add(new int[] {length, fill});
                }
            } else if (!model.isEmpty()) {
                int[] expected = model.poll();
                int slot = line.next();
                assertEquals(expected[0], line.length(slot));
                MemorySegment frame = line.storage().asSlice(line.dataOffset(slot), expected[0]);
                for (long i = 0; i < expected[0]; i++) {
                    assertEquals((byte) expected[1], frame.get(ValueLayout.JAVA_BYTE, i));
                }
                line.deliverAndFree();
            }
            assertEquals(model.size(), line.pendingCount());
        }
    }
}
