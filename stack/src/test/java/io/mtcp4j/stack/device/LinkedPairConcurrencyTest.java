package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mtcp4j.stack.wire.Ipv4Address;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The linked pair under real threads: engines on both ends, frames both ways, wait handles in
 * use. Frames carry a tag and a payload derived from it, and every one is checked on arrival.
 */
class LinkedPairConcurrencyTest {
    private static final int CLIENT = Ipv4Address.parse("10.3.0.1");
    private static final int SERVER = Ipv4Address.parse("10.3.0.2");
    private static final long IDLE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long DEADLINE_MS = 120_000;

    /**
     * A million frames from a to b, with b acknowledging what it has received over the other
     * direction, and a keeping at most 512 frames unacknowledged so that b's 1024-slot queue
     * never fills: nothing may be lost, reordered or damaged.
     */
    @Test
    void aMillionFramesCrossWithoutLossOrDamage() throws Exception {
        int total = 1_000_000;
        int window = 512;
        try (LoopDevice.Pair pair = LoopDevice.pair(LoopDevice.Options.defaults("conc").withQueueDepth(1024))) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long[] receivedCount = new long[1];
            Thread sender = Thread.ofPlatform().name("engine-a").start(() -> {
                try {
                    FrameBatch out = new FrameBatch();
                    FrameBatch in = new FrameBatch();
                    long next = 0;
                    long acknowledged = 0;
                    while (acknowledged < total) {
                        int n = (int) Math.min(Math.min(FrameBatch.MAX_FRAMES, total - next), acknowledged + window - next);
                        for (int k = 0; k < n; k++) {
                            TestFrames.sendTcp4(pair.a(), 0, out, CLIENT, SERVER, 40000, 80, next + k, 46);
                        }
                        if (n > 0) {
                            pair.a().transmit(0, out);
                            next += n;
                        }
                        int acks = pair.a().receive(0, in);
                        for (int i = 0; i < acks; i++) {
                            acknowledged = Math.max(acknowledged, TestFrames.tag(in.segment(i), in.offset(i)));
                        }
                        if (acks == 0 && n == 0) {
                            pair.a().waitHandle(0).await(IDLE_WAIT_NS);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            Thread receiver = Thread.ofPlatform().name("engine-b").start(() -> {
                try {
                    FrameBatch in = new FrameBatch();
                    FrameBatch out = new FrameBatch();
                    long expected = 0;
                    while (expected < total && failure.get() == null) {
                        int n = pair.b().receive(0, in);
                        if (n == 0) {
                            pair.b().waitHandle(0).await(IDLE_WAIT_NS);
                            continue;
                        }
                        for (int i = 0; i < n; i++) {
                            long tag = TestFrames.tag(in.segment(i), in.offset(i));
                            if (tag != expected || !TestFrames.intact(in.segment(i), in.offset(i), in.length(i))) {
                                throw new AssertionError("frame " + expected + " arrived as tag " + tag
                                        + (tag == expected ? ", damaged" : ""));
                            }
                            expected++;
                        }
                        // Acknowledge everything so far: the ack's tag is the count received.
                        TestFrames.sendTcp4(pair.b(), 0, out, SERVER, CLIENT, 80, 40000, expected, 0);
                        pair.b().transmit(0, out);
                    }
                    receivedCount[0] = expected;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            sender.join(DEADLINE_MS);
            receiver.join(DEADLINE_MS);
            assertFalse(sender.isAlive() || receiver.isAlive(), "the transfer stalled");
            assertNull(failure.get(), () -> "failed: " + failure.get());
            assertEquals(total, receivedCount[0]);
            assertEquals(total, pair.b().counters().receivedFrames());
            assertEquals(total, pair.a().counters().transmittedFrames());
            assertEquals(0, pair.a().counters().totalDrops());
            assertEquals(0, pair.b().counters().totalDrops());
        }
    }

    /**
     * Four engines on one end all sending into the single queue of the other end: the ring's
     * many-producer path. A full queue drops and the sender sends the frame again, so every
     * frame still arrives exactly once, each sender's frames in its own order.
     */
    @Test
    void fourSendingQueuesShareOneReceivingQueue() throws Exception {
        int senders = 4;
        int perSender = 100_000;
        LoopDevice.Options options = LoopDevice.Options.defaults("mpsc").withQueueDepth(256);
        try (LoopDevice a = LoopDevice.attach("mpsc-concurrency", options.withQueues(senders));
             LoopDevice b = LoopDevice.attach("mpsc-concurrency", options.withQueues(1))) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long[] resends = new long[senders];
            Thread[] threads = new Thread[senders];
            for (int s = 0; s < senders; s++) {
                int queue = s;
                threads[s] = Thread.ofPlatform().name("engine-a" + s).start(() -> {
                    try {
                        FrameBatch out = new FrameBatch();
                        long sequence = 0;
                        while (sequence < perSender) {
                            TestFrames.sendTcp4(a, queue, out, CLIENT, SERVER, 40000 + queue, 80,
                                    ((long) queue << 32) | sequence, 20);
                            if (a.transmit(queue, out) == 1) {
                                sequence++;
                            } else {
                                resends[queue]++;
                                Thread.onSpinWait();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            long[] nextPerSender = new long[senders];
            long received = 0;
            FrameBatch in = new FrameBatch();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
            while (received < (long) senders * perSender && failure.get() == null && System.nanoTime() < deadline) {
                int n = b.receive(0, in);
                if (n == 0) {
                    b.waitHandle(0).await(IDLE_WAIT_NS);
                }
                for (int i = 0; i < n; i++) {
                    long tag = TestFrames.tag(in.segment(i), in.offset(i));
                    int sender = (int) (tag >>> 32);
                    assertEquals(nextPerSender[sender], tag & 0xffff_ffffL, "sender " + sender + " out of order");
                    assertEquals(true, TestFrames.intact(in.segment(i), in.offset(i), in.length(i)));
                    nextPerSender[sender]++;
                    received++;
                }
            }
            for (Thread thread : threads) {
                thread.join(DEADLINE_MS);
            }
            assertNull(failure.get(), () -> "failed: " + failure.get());
            assertEquals((long) senders * perSender, received);
            long totalResends = 0;
            for (int s = 0; s < senders; s++) {
                assertEquals(perSender, nextPerSender[s]);
                assertEquals(resends[s], a.counters().drops(s, DeviceDrop.QUEUE_FULL), "each drop counted on its own queue");
                totalResends += resends[s];
            }
            assertEquals(totalResends, a.counters().totalDrops());
        }
    }
}
