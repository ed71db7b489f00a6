package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.PcapWriter;
import io.mtcp4j.stack.wire.PcapWriter.TimestampPrecision;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Moving a batch through a device allocates nothing (STYLE.md rule 7), measured with the JVM's
 * per-thread allocation counter around loops of lend, transmit and receive, as the stack's other
 * allocation tests do. A JMH {@code -prof gc} run is the benchmark-grade proof; this catches a
 * regression in the ordinary build.
 */
class DeviceAllocationTest {
    private static final int ROUNDS = 2_000;
    private static final int CLIENT = Ipv4Address.parse("10.4.0.1");
    private static final int SERVER = Ipv4Address.parse("10.4.0.2");

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final FrameBatch tx = new FrameBatch();
    private final FrameBatch rx = new FrameBatch();
    private long nowNs = 1_000_000_000L;
    private long frames;

    @BeforeEach
    void needAllocationCounter() {
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "no per-thread allocation counter on this JVM");
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    @AfterEach
    void frameCount() {
        assertTrue(frames > 0, "the loop moved frames");
    }

    /** Runs {@code round} ROUNDS times, three times over, and returns the bytes the last run allocated. */
    private long allocatedBy(Runnable round) {
        for (int warmUp = 0; warmUp < 2; warmUp++) {
            for (int i = 0; i < ROUNDS; i++) {
                round.run();
            }
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < ROUNDS; i++) {
            round.run();
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    /** A batch of 64 frames over several flows, out of one device. */
    private void sendBatch(NetDevice device, int flowBase) {
        int n = device.lend(0, tx, FrameBatch.MAX_FRAMES);
        for (int i = 0; i < n; i++) {
            int length = TestFrames.tcp4(tx.segment(i), tx.offset(i), CLIENT, SERVER, flowBase + (i & 7), 80,
                    frames + i, 200, (i & 1) == 0);
            tx.length(i, length);
            if ((i & 1) == 0) {
                tx.checksumPartial(i, 34, 16);
            }
        }
        device.transmit(0, tx);
    }

    private void receiveAll(NetDevice device) {
        for (int q = 0; q < device.queueCount(); q++) {
            int n;
            while ((n = device.receive(q, rx)) > 0) {
                frames += n;
            }
        }
    }

    // Any allocation per batch is at least one 16-byte object per round, so ROUNDS * 16 bytes; a
    // few hundred bytes can appear once (JIT deoptimisation); under a byte per round tells them apart.

    @Test
    void linkedPairWithFourQueues() {
        try (LoopDevice.Pair pair = LoopDevice.pair(LoopDevice.Options.defaults("alloc").withQueues(4))) {
            long allocated = allocatedBy(() -> {
                sendBatch(pair.a(), 40000);
                receiveAll(pair.b());
            });
            assertTrue(allocated < ROUNDS, allocated + " bytes allocated by " + ROUNDS + " batches");
            assertEquals(0, pair.a().counters().totalDrops());
        }
    }

    @Test
    void impairedDeviceWithEveryImpairmentBothWays() {
        Impairment impairment = Impairment.NONE.withLoss(0.01).withCorruption(0.01).withDuplication(0.01)
                .withReordering(0.02, 3).withDelay(100_000, 50_000).withRate(500_000_000, 100_000)
                .withLimit(10_000, 8 << 20);
        try (LoopDevice.Pair pair = LoopDevice.pair(LoopDevice.Options.defaults("alloc2").withQueueDepth(4096));
             ImpairedDevice a = new ImpairedDevice(pair.a(), impairment, impairment, 7, () -> nowNs);
             ImpairedDevice b = new ImpairedDevice(pair.b(), impairment, impairment, 8, () -> nowNs)) {
            long allocated = allocatedBy(() -> {
                sendBatch(a, 40000);
                nowNs += 50_000;
                receiveAll(a); // lets a's held transmissions out
                receiveAll(b);
            });
            assertTrue(allocated < ROUNDS, allocated + " bytes allocated by " + ROUNDS + " batches");
            assertTrue(b.count(ImpairedDevice.Direction.RECEIVE, ImpairedDevice.Event.DELAYED) > 0);
            assertTrue(a.count(ImpairedDevice.Direction.TRANSMIT, ImpairedDevice.Event.REORDERED) > 0);
        }
    }

    @Test
    void captureDevice() {
        WritableByteChannel discard = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer source) {
                int n = source.remaining();
                source.position(source.limit());
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
        try (CaptureDevice device = new CaptureDevice(LoopDevice.loopback(LoopDevice.Options.defaults("lo")),
                new PcapWriter(discard, TimestampPrecision.NANOSECONDS, 65535), () -> nowNs)) {
            long allocated = allocatedBy(() -> {
                sendBatch(device, 40000);
                receiveAll(device);
                nowNs += 1000;
            });
            assertTrue(allocated < ROUNDS, allocated + " bytes allocated by " + ROUNDS + " batches");
            assertTrue(device.isCapturing());
            assertTrue(device.capturedFrames() > 0);
        }
    }
}
