package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.testing.Allocations.bytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The per-segment operations allocate nothing (STYLE.md 7), measured with the JVM's per-thread
 * allocation counter ({@link io.mtcp4j.stack.testing.Allocations}) around a loop that exercises
 * them. A JMH {@code -prof gc} run is the
 * benchmark-grade proof; this catches a regression in the ordinary build.
 */
class NoAllocationTest {
    private static final int ROUNDS = 20_000;

    private final ReassemblyQueue queue = new ReassemblyQueue(32, 1 << 20);
    private final int[] edges = new int[8];
    private final ByteRing ring = ByteRing.allocate(4096);
    private final MemorySegment frame = MemorySegment.ofArray(new byte[1500]);
    private final byte[] application = new byte[700];
    private final ByteBuffer applicationBuffer = ByteBuffer.allocateDirect(700);
    private final RttEstimator rtt = new RttEstimator();
    private long checksum;

    @Test
    void perSegmentOperationsDoNotAllocate() {
        queue.reset(0);
        long allocated = bytesAllocatedBy(this::exercise);
        // Any allocation per round is at least one 16-byte object, so ROUNDS * 16 bytes. A few
        // dozen bytes can appear once, from the JIT rematerialising an object on deoptimisation;
        // less than a byte per round tells the two apart.
        assertTrue(allocated < ROUNDS, allocated + " bytes allocated by " + ROUNDS + " rounds");
    }

    private void exercise() {
        int rcvNxt = queue.rcvNxt();
        for (int i = 0; i < ROUNDS; i++) {
            // Receive: a segment out of order, then the one that fills the hole.
            checksum += queue.add(rcvNxt + 500, 500);
            checksum += queue.sackBlocks(edges, 3);
            checksum += queue.add(rcvNxt, 500);
            int contiguous = queue.advance(rcvNxt);
            rcvNxt += contiguous;
            ring.writeAt(ring.tail() + 500, frame, 40, 500);
            ring.writeAt(ring.tail(), frame, 40, 500);
            ring.commit(contiguous);
            applicationBuffer.clear();
            checksum += ring.read(applicationBuffer);
            checksum += ring.read(application, 0, application.length);
            // Send: the application writes, the engine copies a segment out and gets an ACK.
            applicationBuffer.flip();
            checksum += ring.append(applicationBuffer);
            checksum += ring.append(application, 0, 300);
            ring.copyOut(ring.head(), frame, 54, Math.min(ring.size(), 1400));
            checksum += ring.release(ring.tail());
            rtt.sample(1_000_000L + (i & 1023) * 1_000L);
            if ((i & 63) == 0) {
                rtt.backoff();
            }
            checksum += rtt.rtoNs();
        }
    }
}
