package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.ImpairedDevice.Direction;
import io.mtcp4j.stack.device.ImpairedDevice.Event;
import io.mtcp4j.stack.wire.Ipv4Address;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ImpairedDeviceTest {
    private static final int CLIENT = Ipv4Address.parse("10.1.0.1");
    private static final int SERVER = Ipv4Address.parse("10.1.0.2");
    private static final int PAYLOAD_BYTES = 46; // 100-byte frames
    private static final int FRAME_BYTES = 14 + 20 + 20 + PAYLOAD_BYTES;
    private static final long MILLISECOND_NS = 1_000_000L;

    /** The injected clock: tests move it by hand. */
    private long nowNs = 5_000_000_000L;
    private final LongSupplier clock = () -> nowNs;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final FrameBatch tx = new FrameBatch();
    private final FrameBatch rx = new FrameBatch();

    @AfterEach
    void closeDevices() throws Exception {
        for (AutoCloseable device : toClose) {
            device.close();
        }
    }

    /** A loopback device whose received frames are impaired. */
    private ImpairedDevice receiveImpaired(Impairment receive, long seed) {
        return impaired(LoopDevice.loopback(LoopDevice.Options.defaults("lo").withQueueDepth(4096)),
                receive, Impairment.NONE, seed);
    }

    private ImpairedDevice impaired(NetDevice inner, Impairment receive, Impairment transmit, long seed) {
        ImpairedDevice device = new ImpairedDevice(inner, receive, transmit, seed, clock);
        toClose.add(device);
        return device;
    }

    /** Sends frames tagged {@code firstTag ..} in batches of 64. */
    private void send(NetDevice device, long firstTag, int count) {
        for (int sent = 0; sent < count; ) {
            int n = Math.min(FrameBatch.MAX_FRAMES, count - sent);
            for (int k = 0; k < n; k++) {
                TestFrames.sendTcp4(device, 0, tx, CLIENT, SERVER, 40000, 80, firstTag + sent + k, PAYLOAD_BYTES);
            }
            device.transmit(0, tx);
            sent += n;
        }
    }

    /** Receives until nothing is left now; returns the tags in arrival order. */
    private List<Long> receiveTags(NetDevice device) {
        List<Long> tags = new ArrayList<>();
        while (device.receive(0, rx) > 0) {
            for (int i = 0; i < rx.count(); i++) {
                tags.add(TestFrames.tag(rx.segment(i), rx.offset(i)));
            }
        }
        return tags;
    }

    /** Sends {@code total} frames 64 at a time, receiving after each batch; returns the tags received. */
    private List<Long> pump(ImpairedDevice device, int total) {
        List<Long> tags = new ArrayList<>();
        for (int sent = 0; sent < total; sent += FrameBatch.MAX_FRAMES) {
            send(device, sent, FrameBatch.MAX_FRAMES);
            tags.addAll(receiveTags(device));
        }
        return tags;
    }

    private static void assertNear(double expected, long actual, double tolerance, String what) {
        assertTrue(Math.abs(actual - expected) <= tolerance,
                what + ": " + actual + " is not within " + tolerance + " of " + expected);
    }

    // ---- rates over many frames ----------------------------------------------------------------------

    @Test
    void lossMatchesItsRate() {
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withLoss(0.1), 1);
        List<Long> tags = pump(device, 100_032);
        long lost = device.count(Direction.RECEIVE, Event.LOST);
        // Binomial(100032, 0.1): standard deviation 95; five of them.
        assertNear(10_003, lost, 475, "lost");
        assertEquals(100_032, device.count(Direction.RECEIVE, Event.ARRIVED));
        assertEquals(100_032 - lost, tags.size());
        assertEquals(tags.size(), device.count(Direction.RECEIVE, Event.PASSED));
        for (int i = 1; i < tags.size(); i++) {
            assertTrue(tags.get(i) > tags.get(i - 1), "loss alone keeps order");
        }
    }

    @Test
    void duplicationMatchesItsRateAndACopyFollowsItsOriginal() {
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withDuplication(0.05), 2);
        List<Long> tags = pump(device, 100_032);
        long duplicated = device.count(Direction.RECEIVE, Event.DUPLICATED);
        assertNear(5_001.6, duplicated, 350, "duplicated");
        assertEquals(100_032 + duplicated, tags.size());
        long repeats = 0;
        for (int i = 1; i < tags.size(); i++) {
            if (tags.get(i).equals(tags.get(i - 1))) {
                repeats++;
            } else {
                assertEquals(tags.get(i - 1) + 1, tags.get(i));
            }
        }
        assertEquals(duplicated, repeats);
    }

    @Test
    void reorderingMatchesItsRateAndEveryFrameArrivesOnce() {
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withReordering(0.05, 3), 3);
        List<Long> tags = pump(device, 100_032);
        nowNs += TimeUnit.SECONDS.toNanos(1); // let the last held frames out
        tags.addAll(receiveTags(device));
        long reordered = device.count(Direction.RECEIVE, Event.REORDERED);
        assertNear(5_001.6, reordered, 350, "reordered");
        assertEquals(100_032, tags.size());
        assertEquals(100_032, tags.stream().distinct().count());
        // A frame that overtook nothing arrives above everything before it; each held frame
        // arrives once below the highest seen so far.
        long late = 0;
        long highest = -1;
        for (long tag : tags) {
            if (tag < highest) {
                late++;
            }
            highest = Math.max(highest, tag);
        }
        assertEquals(reordered, late);
    }

    @Test
    void corruptionMatchesItsRateAndFlipsExactlyOneBitPerFrame() {
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withCorruption(0.02), 4);
        MemorySegment original = MemorySegment.ofArray(new byte[FRAME_BYTES]);
        long changed = 0;
        long tag = 0;
        for (int round = 0; round < 1563; round++) {
            send(device, tag, FrameBatch.MAX_FRAMES);
            while (device.receive(0, rx) > 0) {
                for (int i = 0; i < rx.count(); i++, tag++) {
                    TestFrames.tcp4(original, 0, CLIENT, SERVER, 40000, 80, tag, PAYLOAD_BYTES, false);
                    int bits = differingBits(original, 0, rx.segment(i), rx.offset(i), FRAME_BYTES);
                    assertTrue(bits <= 1, "frame " + tag + " differs in " + bits + " bits");
                    changed += bits;
                }
            }
        }
        long corrupted = device.count(Direction.RECEIVE, Event.CORRUPTED);
        assertNear(2_000.6, corrupted, 250, "corrupted");
        assertEquals(corrupted, changed);
    }

    @Test
    void theSameSeedGivesTheSameFramesAndAnotherSeedDoesNot() {
        Impairment impairment = Impairment.NONE.withLoss(0.03).withDuplication(0.02).withReordering(0.02, 2);
        List<Long> first = pump(receiveImpaired(impairment, 42), 20_032);
        List<Long> again = pump(receiveImpaired(impairment, 42), 20_032);
        List<Long> other = pump(receiveImpaired(impairment, 43), 20_032);
        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    // ---- time: delay, jitter, reordering holds, rate ---------------------------------------------------

    @Test
    void delayHoldsFramesUntilTheirTimeAndKeepsOrder() {
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withDelay(MILLISECOND_NS, 0), 5);
        long start = nowNs;
        send(device, 0, 10);
        assertEquals(List.of(), receiveTags(device));
        assertEquals(start + MILLISECOND_NS, device.wakeupDeadlineNs(0));
        nowNs = start + MILLISECOND_NS - 1;
        assertEquals(List.of(), receiveTags(device));
        nowNs = start + MILLISECOND_NS;
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), receiveTags(device));
        assertEquals(10, device.count(Direction.RECEIVE, Event.DELAYED));
        assertEquals(NetDevice.NO_DEADLINE, device.wakeupDeadlineNs(0));
    }

    @Test
    void jitterSpreadsDelaysWithinItsBoundsWithoutReordering() {
        long delay = MILLISECOND_NS;
        long jitter = 500_000;
        long step = 10_000;
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withDelay(delay, jitter), 6);
        long start = nowNs;
        List<Long> arrivals = new ArrayList<>();
        List<Long> tags = new ArrayList<>();
        for (int i = 0; i < 1000 + 200; i++) {
            nowNs = start + i * step;
            if (i < 1000) {
                send(device, i, 1);
            }
            for (long tag : receiveTags(device)) {
                tags.add(tag);
                arrivals.add(nowNs);
            }
        }
        assertEquals(1000, tags.size());
        long shortest = Long.MAX_VALUE;
        long longest = 0;
        for (int i = 0; i < tags.size(); i++) {
            assertEquals(i, tags.get(i), "a delay line keeps order");
            long waited = arrivals.get(i) - (start + i * step);
            assertTrue(waited >= delay - jitter && waited <= delay + jitter + step, "frame " + i + " waited " + waited);
            shortest = Math.min(shortest, waited);
            longest = Math.max(longest, waited);
        }
        assertTrue(longest - shortest > jitter, "jitter varied the delay: " + shortest + " to " + longest);
    }

    @Test
    void aHeldBackFrameComesAfterTheGapOfLaterFrames() {
        // Rate 1: every frame is held while a reorder slot is free; the eight slots fill with
        // frames 0-7, frames 8 and 9 find none and pass, and the second of them closes the gap.
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withReordering(1.0, 2), 7);
        send(device, 0, 10);
        assertEquals(List.of(8L, 9L, 0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), receiveTags(device));
        assertEquals(8, device.count(Direction.RECEIVE, Event.REORDERED));
    }

    @Test
    void aHeldBackFrameGoesAtItsHoldTimeWhenTrafficStops() {
        long hold = 3 * MILLISECOND_NS;
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withReordering(1.0, 5).withReorderHold(hold), 8);
        long start = nowNs;
        send(device, 0, 1);
        assertEquals(List.of(), receiveTags(device));
        assertEquals(start + hold, device.wakeupDeadlineNs(0));
        nowNs = start + hold - 1;
        assertEquals(List.of(), receiveTags(device));
        nowNs = start + hold;
        assertEquals(List.of(0L), receiveTags(device));
    }

    @Test
    void aTokenBucketSpacesFramesAfterTheBurst() {
        // 1,000,000 bytes/s and a 3,000-byte bucket: 100-byte frames, 30 at once, then one every 100 us.
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withRate(1_000_000, 3_000), 9);
        long start = nowNs;
        send(device, 0, 40);
        assertEquals(30, receiveTags(device).size(), "the full bucket's burst");
        for (int k = 1; k <= 10; k++) {
            nowNs = start + k * 100_000L - 1;
            assertEquals(0, receiveTags(device).size());
            nowNs = start + k * 100_000L;
            assertEquals(1, receiveTags(device).size(), "frame " + (30 + k) + " at " + k * 100 + " us");
        }
        assertEquals(10, device.count(Direction.RECEIVE, Event.DELAYED));
    }

    @Test
    void aTokenBucketHoldsItsRateOverTime() {
        long rate = 12_500_000; // 100 Mbit/s
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withRate(rate, 10_000).withLimit(30_000, 4L << 20), 10);
        long start = nowNs;
        long received = 0;
        for (int ms = 0; ms < 1000; ms++) {
            nowNs = start + ms * MILLISECOND_NS;
            send(device, ms * 150L, 150); // 15,000 bytes offered per millisecond, the link carries 12,500
            received += receiveTags(device).size();
        }
        long bytes = received * FRAME_BYTES;
        // 999 ms of refill plus the initial bucket, within one frame.
        assertNear(rate * 999 / 1000 + 10_000, bytes, FRAME_BYTES, "bytes through the bucket");
    }

    @Test
    void theDelayLineDropsAboveItsLimit() {
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withDelay(MILLISECOND_NS, 0).withLimit(5, 1 << 20), 11);
        send(device, 0, 10);
        assertEquals(List.of(), receiveTags(device)); // received frames meet the impairment here
        assertEquals(5, device.count(Direction.RECEIVE, Event.DELAYED));
        assertEquals(5, device.count(Direction.RECEIVE, Event.OVERFLOWED));
        nowNs += MILLISECOND_NS;
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), receiveTags(device));
    }

    @Test
    void framesWaitingForRoomInTheReceiveBatchKeepTheirOrder() {
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withDuplication(1.0), 12);
        send(device, 0, 8);
        FrameBatch small = new FrameBatch(5);
        List<Long> tags = new ArrayList<>();
        while (device.receive(0, small) > 0) {
            for (int i = 0; i < small.count(); i++) {
                tags.add(TestFrames.tag(small.segment(i), small.offset(i)));
            }
        }
        assertEquals(List.of(0L, 0L, 1L, 1L, 2L, 2L, 3L, 3L, 4L, 4L, 5L, 5L, 6L, 6L, 7L, 7L), tags);
    }

    // ---- corruption and checksums -------------------------------------------------------------------

    @Test
    void corruptingAPartialChecksumFrameCompletesTheChecksumFirst() {
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withCorruption(1.0), 13);
        MemorySegment expected = MemorySegment.ofArray(new byte[FRAME_BYTES]);
        int caughtByChecksum = 0;
        for (int tag = 0; tag < 200; tag++) {
            device.lend(0, tx, 1);
            TestFrames.tcp4(tx.segment(0), tx.offset(0), CLIENT, SERVER, 40000, 80, tag, PAYLOAD_BYTES, true);
            tx.length(0, FRAME_BYTES).checksumPartial(0, 34, 16);
            device.transmit(0, tx);
            assertEquals(1, device.receive(0, rx));
            assertEquals(0, rx.flags(0), "a damaged frame must not claim its checksum is good");
            TestFrames.tcp4(expected, 0, CLIENT, SERVER, 40000, 80, tag, PAYLOAD_BYTES, false);
            assertEquals(1, differingBits(expected, 0, rx.segment(0), rx.offset(0), FRAME_BYTES),
                    "one bit away from the frame with its checksum filled in");
            if (!TestFrames.intact(rx.segment(0), rx.offset(0), rx.length(0))) {
                caughtByChecksum++;
            }
        }
        // Only a flipped bit in the 14-byte Ethernet header escapes the IP and TCP checksums.
        assertTrue(caughtByChecksum > 150, caughtByChecksum + " of 200 caught");
    }

    // ---- the transmit direction ---------------------------------------------------------------------

    @Test
    void transmitImpairmentsActOnTheWayOutAndHeldFramesLeaveFromReceiveCalls() {
        LoopDevice.Pair pair = LoopDevice.pair(LoopDevice.Options.defaults("imp"));
        ImpairedDevice a = impaired(pair.a(), Impairment.NONE,
                Impairment.NONE.withLoss(0.5).withDelay(2 * MILLISECOND_NS, 0), 14);
        toClose.add(pair.b());
        long start = nowNs;
        send(a, 0, 64);
        assertEquals(0, pair.b().receive(0, rx), "nothing before the delay");
        nowNs = start + 2 * MILLISECOND_NS;
        a.receive(0, rx); // a's engine loop: its receive call lets due transmissions out
        List<Long> arrived = receiveTags(pair.b());
        long lost = a.count(Direction.TRANSMIT, Event.LOST);
        assertTrue(lost > 16 && lost < 48, lost + " of 64 lost at 50%");
        assertEquals(64 - lost, arrived.size());
        assertEquals(64 - lost, a.count(Direction.TRANSMIT, Event.PASSED));
        assertEquals(64 - lost, pair.a().counters().transmittedFrames(), "the inner device's counters are the wire's");
        assertEquals(0, a.count(Direction.RECEIVE, Event.ARRIVED));
    }

    @Test
    void transmitCorruptionIsSeenByTheReceiver() {
        LoopDevice.Pair pair = LoopDevice.pair(LoopDevice.Options.defaults("imp2"));
        ImpairedDevice a = impaired(pair.a(), Impairment.NONE, Impairment.NONE.withCorruption(1.0), 15);
        toClose.add(pair.b());
        a.lend(0, tx, 1);
        TestFrames.tcp4(tx.segment(0), tx.offset(0), CLIENT, SERVER, 40000, 80, 77, PAYLOAD_BYTES, true);
        tx.length(0, FRAME_BYTES).checksumPartial(0, 34, 16);
        assertEquals(1, a.transmit(0, tx));
        assertEquals(1, pair.b().receive(0, rx));
        assertEquals(0, rx.flags(0) & FrameBatch.CHECKSUM_PARTIAL);
        MemorySegment expected = MemorySegment.ofArray(new byte[FRAME_BYTES]);
        TestFrames.tcp4(expected, 0, CLIENT, SERVER, 40000, 80, 77, PAYLOAD_BYTES, false);
        assertEquals(1, differingBits(expected, 0, rx.segment(0), rx.offset(0), FRAME_BYTES));
    }

    @Test
    void anUnimpairedDirectionIsTheInnerDeviceItself() {
        LoopDevice inner = LoopDevice.loopback(LoopDevice.Options.defaults("lo"));
        ImpairedDevice device = impaired(inner, Impairment.NONE, Impairment.NONE, 16);
        device.lend(0, tx, 1);
        FrameBatch direct = new FrameBatch();
        inner.lend(0, direct, 1);
        assertEquals(direct.bufferLength(0), tx.bufferLength(0));
        TestFrames.tcp4(tx.segment(0), 0, CLIENT, SERVER, 1, 2, 3, 4, false);
        tx.length(0, 58);
        byte[] sent = TestFrames.bytes(tx, 0);
        inner.transmit(0, direct);
        assertEquals(1, device.transmit(0, tx));
        assertEquals(1, device.receive(0, rx));
        assertArrayEquals(sent, TestFrames.bytes(rx, 0));
        assertEquals(0, device.count(Direction.RECEIVE, Event.ARRIVED));
        assertEquals(inner.offloads(), device.offloads());
        assertEquals(inner.steering(), device.steering());
    }

    @Test
    void theWaitHandleWakesForADueFrame() {
        ImpairedDevice device = receiveImpaired(Impairment.NONE.withDelay(MILLISECOND_NS, 0), 17);
        send(device, 0, 1);
        assertEquals(List.of(), receiveTags(device)); // now in the delay line
        // The injected clock stands still, so the frame is always 1 ms away: await must not
        // sleep 30 s on the inner device, only until the frame is due.
        long start = System.nanoTime();
        device.waitHandle(0).await(TimeUnit.SECONDS.toNanos(30));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        nowNs += MILLISECOND_NS;
        start = System.nanoTime();
        device.waitHandle(0).await(TimeUnit.SECONDS.toNanos(30));
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(500), "due now: no wait at all");
    }

    @Test
    void impairmentSettingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Impairment.NONE.withLoss(1.5));
        assertThrows(IllegalArgumentException.class, () -> Impairment.NONE.withLoss(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Impairment.NONE.withDelay(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> Impairment.NONE.withRate(1000, 0));
        assertThrows(IllegalArgumentException.class, () -> Impairment.NONE.withReordering(0.1, 0));
        assertTrue(Impairment.NONE.isNone());
        assertFalse(Impairment.NONE.withDelay(1, 0).isNone());
    }

    @Test
    void closingTheImpairedDeviceClosesTheInnerOne() {
        LoopDevice inner = LoopDevice.loopback(LoopDevice.Options.defaults("lo"));
        ImpairedDevice device = new ImpairedDevice(inner, Impairment.NONE.withDelay(1, 0), Impairment.NONE, 1, clock);
        device.close();
        device.close();
        assertTrue(inner.isClosed());
        assertThrows(IllegalStateException.class, () -> device.receive(0, rx));
    }

    static int differingBits(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int length) {
        int bits = 0;
        for (int i = 0; i < length; i++) {
            bits += Integer.bitCount((a.get(ValueLayout.JAVA_BYTE, aOffset + i) ^ b.get(ValueLayout.JAVA_BYTE, bOffset + i)) & 0xff);
        }
        return bits;
    }
}
