package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopDeviceTest {
    private static final int CLIENT = Ipv4Address.parse("192.168.7.1");
    private static final int SERVER = Ipv4Address.parse("192.168.7.2");

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final FrameBatch tx = new FrameBatch();
    private final FrameBatch rx = new FrameBatch();

    @AfterEach
    void closeDevices() throws Exception {
        for (AutoCloseable device : toClose) {
            device.close();
        }
    }

    private LoopDevice loopback(LoopDevice.Options options) {
        LoopDevice device = LoopDevice.loopback(options);
        toClose.add(device);
        return device;
    }

    private LoopDevice.Pair pair(LoopDevice.Options options) {
        LoopDevice.Pair pair = LoopDevice.pair(options);
        toClose.add(pair);
        return pair;
    }

    @Test
    void loopbackReceivesWhatItTransmitsOverIpv4AndIpv6() {
        LoopDevice device = loopback(LoopDevice.Options.defaults("lo"));
        Ipv6Address six = Ipv6Address.LOOPBACK;
        assertEquals(1, device.lend(0, tx, 2 - 1));
        int length4 = TestFrames.tcp4(tx.segment(0), tx.offset(0), Ipv4Address.parse("127.0.0.1"),
                Ipv4Address.parse("127.0.0.1"), 50000, 8080, 41, 100, false);
        tx.length(0, length4);
        assertEquals(1, device.lend(0, tx, 1));
        int length6 = TestFrames.tcp6(tx.segment(1), tx.offset(1), six.high(), six.low(), six.high(), six.low(),
                50001, 8080, 42, 200, false);
        tx.length(1, length6);
        byte[] sent4 = TestFrames.bytes(tx, 0);
        byte[] sent6 = TestFrames.bytes(tx, 1);

        assertEquals(2, device.transmit(0, tx));
        assertEquals(0, tx.count(), "transmit clears the batch");
        assertEquals(2, device.receive(0, rx));
        assertArrayEquals(sent4, TestFrames.bytes(rx, 0));
        assertArrayEquals(sent6, TestFrames.bytes(rx, 1));
        assertTrue(TestFrames.intact(rx.segment(1), rx.offset(1), rx.length(1)));
        assertEquals(0, device.receive(0, rx));

        DeviceCounters counters = device.counters();
        assertEquals(2, counters.transmittedFrames());
        assertEquals(length4 + length6, counters.transmittedBytes());
        assertEquals(2, counters.receivedFrames());
        assertEquals(length4 + length6, counters.receivedBytes());
        assertEquals(0, counters.totalDrops());
    }

    @Test
    void linkedPairCarriesFramesBothWays() {
        LoopDevice.Pair pair = pair(LoopDevice.Options.defaults("veth"));
        assertEquals("veth-a", pair.a().name());
        assertEquals("veth-b", pair.b().name());
        assertEquals(pair.a().macAddress() + 1, pair.b().macAddress());
        assertSame(pair.b(), pair.a().peer());

        TestFrames.sendTcp4(pair.a(), 0, tx, CLIENT, SERVER, 40000, 80, 1, 64);
        pair.a().transmit(0, tx);
        TestFrames.sendTcp4(pair.b(), 0, tx, SERVER, CLIENT, 80, 40000, 2, 64);
        pair.b().transmit(0, tx);

        assertEquals(1, pair.b().receive(0, rx));
        assertEquals(1, TestFrames.tag(rx.segment(0), rx.offset(0)));
        assertEquals(1, pair.a().receive(0, rx));
        assertEquals(2, TestFrames.tag(rx.segment(0), rx.offset(0)));
        assertEquals(0, pair.a().receive(0, rx), "a does not hear its own frames");
        assertEquals(0, pair.b().receive(0, rx));
    }

    @Test
    void multiQueueSteeringIsSymmetricAndStable() {
        LoopDevice.Pair pair = pair(LoopDevice.Options.defaults("mq").withQueues(4));
        FrameBatch[] received = new FrameBatch[4];
        for (int port = 40000; port < 40040; port++) {
            int expected = pair.b().steering().queueOfIpv4(CLIENT, SERVER, port, 80);
            // Same number on the other end for the reverse direction: one engine index owns the flow.
            assertEquals(expected, pair.a().steering().queueOfIpv4(SERVER, CLIENT, 80, port));
            for (int repeat = 0; repeat < 2; repeat++) {
                TestFrames.sendTcp4(pair.a(), port % 4, tx, CLIENT, SERVER, port, 80, port, 10);
                pair.a().transmit(port % 4, tx);
                TestFrames.sendTcp4(pair.b(), 0, tx, SERVER, CLIENT, 80, port, port, 10);
                pair.b().transmit(0, tx);
            }
            for (int q = 0; q < 4; q++) {
                received[q] = new FrameBatch();
                int onB = pair.b().receive(q, received[q]);
                int onA = pair.a().receive(q, rx);
                if (q == expected) {
                    assertEquals(2, onB, "both frames of port " + port + " on queue " + q + " of b");
                    assertEquals(2, onA, "both replies of port " + port + " on queue " + q + " of a");
                    assertEquals(port, TestFrames.tag(received[q].segment(1), received[q].offset(1)));
                } else {
                    assertEquals(0, onB);
                    assertEquals(0, onA);
                }
            }
        }
        assertEquals(80, pair.b().counters().receivedFrames());
        assertEquals(80, pair.a().counters().receivedFrames());
    }

    @Test
    void aFullQueueDropsAndCountsAtTheSender() {
        LoopDevice.Pair pair = pair(LoopDevice.Options.defaults("full").withQueueDepth(4));
        for (int i = 0; i < 10; i++) {
            TestFrames.sendTcp4(pair.a(), 0, tx, CLIENT, SERVER, 40000, 80, i, 10);
        }
        assertEquals(4, pair.a().transmit(0, tx));
        assertEquals(6, pair.a().counters().drops(DeviceDrop.QUEUE_FULL));
        assertEquals(6, pair.a().counters().drops(0, DeviceDrop.QUEUE_FULL));
        assertEquals(4, pair.a().counters().transmittedFrames());
        assertEquals(4, pair.b().receive(0, rx));
        for (int i = 0; i < 4; i++) {
            assertEquals(i, TestFrames.tag(rx.segment(i), rx.offset(i)), "the first four went through, in order");
        }
        // The four slots are still lent to b's engine; a cannot send until b receives again.
        TestFrames.sendTcp4(pair.a(), 0, tx, CLIENT, SERVER, 40000, 80, 10, 10);
        assertEquals(0, pair.a().transmit(0, tx));
        assertEquals(0, pair.b().receive(0, rx));
        TestFrames.sendTcp4(pair.a(), 0, tx, CLIENT, SERVER, 40000, 80, 11, 10);
        assertEquals(1, pair.a().transmit(0, tx));
        assertEquals(7, pair.a().counters().drops(DeviceDrop.QUEUE_FULL));
    }

    @Test
    void receivedFramesStayIntactUntilTheNextReceive() {
        LoopDevice device = loopback(LoopDevice.Options.defaults("lo").withQueueDepth(8));
        for (int i = 0; i < 8; i++) {
            TestFrames.sendTcp4(device, 0, tx, CLIENT, SERVER, 40000, 80, 100 + i, 300);
        }
        device.transmit(0, tx);
        FrameBatch firstFour = new FrameBatch(4);
        assertEquals(4, device.receive(0, firstFour));
        // More traffic while the engine still reads the first frames: it goes into other slots.
        for (int i = 0; i < 4; i++) {
            TestFrames.sendTcp4(device, 0, tx, CLIENT, SERVER, 40000, 80, 200 + i, 300);
        }
        assertEquals(0, device.transmit(0, tx), "the ring is full: 4 lent, 4 waiting");
        for (int i = 0; i < 4; i++) {
            assertTrue(TestFrames.intact(firstFour.segment(i), firstFour.offset(i), firstFour.length(i)));
            assertEquals(100 + i, TestFrames.tag(firstFour.segment(i), firstFour.offset(i)));
        }
        assertEquals(4, device.receive(0, firstFour));
        assertEquals(104, TestFrames.tag(firstFour.segment(0), firstFour.offset(0)));
    }

    @Test
    void receiveAndLendStopAtTheBatchLimit() {
        LoopDevice device = loopback(LoopDevice.Options.defaults("lo"));
        assertEquals(5, device.lend(0, tx.limit(5), 64));
        for (int i = 0; i < 5; i++) {
            tx.length(i, TestFrames.tcp4(tx.segment(i), 0, CLIENT, SERVER, 1, 2, i, 0, false));
        }
        device.transmit(0, tx.limit(FrameBatch.MAX_FRAMES));
        assertEquals(2, device.receive(0, rx.limit(2)));
        assertEquals(2, device.receive(0, rx));
        assertEquals(1, device.receive(0, rx.limit(FrameBatch.MAX_FRAMES)));
        assertEquals(4, TestFrames.tag(rx.segment(0), rx.offset(0)));
    }

    @Test
    void anUnusedLentBufferGoesBackUnsent() {
        LoopDevice device = loopback(LoopDevice.Options.defaults("lo").withTransmitBuffers(2));
        assertEquals(2, device.lend(0, tx, 5), "lends no more than it has");
        assertEquals(0, device.lend(0, new FrameBatch(), 1));
        assertEquals(0, device.transmit(0, tx));
        assertEquals(0, device.counters().totalDrops());
        assertEquals(2, device.lend(0, tx, 2), "both came back");
        device.transmit(0, tx);
    }

    @Test
    void lentBuffersHoldTheLargestFrame() {
        LoopDevice device = loopback(LoopDevice.Options.defaults("lo").withMtu(9000));
        assertEquals(9018, device.maxFrameBytes());
        device.lend(0, tx, 1);
        assertTrue(tx.bufferLength(0) >= 9018);
        device.transmit(0, tx);
    }

    @Test
    void aBufferTheDeviceDidNotLendIsRejected() {
        LoopDevice device = loopback(LoopDevice.Options.defaults("lo").withQueues(2));
        device.lend(1, tx, 1);
        tx.length(0, 60);
        assertThrows(IllegalArgumentException.class, () -> device.transmit(0, tx), "lent by queue 1, not 0");
        FrameBatch foreign = new FrameBatch();
        foreign.add(java.lang.foreign.MemorySegment.ofArray(new byte[100]), 0, 60, 100, 0);
        assertThrows(IllegalArgumentException.class, () -> device.transmit(0, foreign));
        device.transmit(1, tx);
    }

    @Test
    void framesOfImpossibleLengthsAreDroppedByName() {
        // TSO buffers hold 64 KiB, so an ordinary frame longer than the MTU allows can be written.
        LoopDevice device = loopback(LoopDevice.Options.defaults("lo").withOffloads(true, true).withQueueDepth(8));
        device.lend(0, tx, 3);
        tx.length(0, 13);   // shorter than an Ethernet header
        tx.length(1, 1519); // without segmentation, MTU 1500 + 18 (Ethernet with a VLAN tag) is the most
        tx.length(2, TestFrames.tcp4(tx.segment(2), 0, CLIENT, SERVER, 1, 2, 3, 1500 - 40, false));
        assertEquals(1, device.transmit(0, tx));
        assertEquals(1, device.counters().drops(DeviceDrop.FRAME_TOO_SHORT));
        assertEquals(1, device.counters().drops(DeviceDrop.FRAME_TOO_LONG));
        assertEquals(1, device.receive(0, rx));
        assertEquals(1514, rx.length(0));
        assertThrows(IllegalArgumentException.class, () -> {
            device.lend(0, tx, 1);
            tx.length(0, device.maxFrameBytes() + 1);
        }, "no frame can outgrow its buffer");
    }

    @Test
    void partialChecksumsPassWithChecksumOffloadAndAreRefusedWithout() {
        LoopDevice offloading = loopback(LoopDevice.Options.defaults("lo"));
        assertEquals(EnumSet.of(Offload.RX_CHECKSUM, Offload.TX_CHECKSUM), offloading.offloads());
        offloading.lend(0, tx, 1);
        int length = TestFrames.tcp4(tx.segment(0), 0, CLIENT, SERVER, 40000, 80, 5, 100, true);
        tx.length(0, length).checksumPartial(0, 34, 16);
        assertEquals(1, offloading.transmit(0, tx));
        assertEquals(1, offloading.receive(0, rx));
        assertEquals(FrameBatch.CHECKSUM_PARTIAL, rx.flags(0));
        assertEquals(34, rx.checksumStart(0));
        assertEquals(16, rx.checksumOffset(0));
        assertFalse(TestFrames.intact(rx.segment(0), rx.offset(0), rx.length(0)), "the checksum was never filled");

        LoopDevice plain = loopback(LoopDevice.Options.defaults("lo2").withOffloads(false, false));
        assertTrue(plain.offloads().isEmpty());
        plain.lend(0, tx, 2);
        tx.length(0, TestFrames.tcp4(tx.segment(0), 0, CLIENT, SERVER, 40000, 80, 5, 100, true)).checksumPartial(0, 34, 16);
        tx.length(1, TestFrames.tcp4(tx.segment(1), 0, CLIENT, SERVER, 40000, 80, 6, 100, true)).checksumPartial(1, 34, 2000);
        assertEquals(0, plain.transmit(0, tx));
        assertEquals(2, plain.counters().drops(DeviceDrop.OFFLOAD_NOT_ENABLED));
        offloading.lend(0, tx, 1);
        tx.length(0, length).checksumPartial(0, 34, 2000);
        assertEquals(0, offloading.transmit(0, tx));
        assertEquals(1, offloading.counters().drops(DeviceDrop.INVALID_OFFLOAD_REQUEST));
    }

    @Test
    void tsoSuperFramesPassWholeWithTheirSegmentSize() {
        LoopDevice.Pair pair = pair(LoopDevice.Options.defaults("tso").withOffloads(true, true).withQueueDepth(8));
        assertTrue(pair.a().supports(Offload.TSO));
        assertTrue(pair.b().supports(Offload.LARGE_RECEIVE));
        assertEquals(65_553, pair.a().maxFrameBytes());
        pair.a().lend(0, tx, 1);
        int payload = 45 * 1448;
        int length = TestFrames.tcp4(tx.segment(0), 0, CLIENT, SERVER, 40000, 80, 9, payload, true);
        tx.length(0, length).checksumPartial(0, 34, 16).segmentation(0, FrameBatch.SEGMENT_TCP_IPV4, 1448, 54);
        assertEquals(1, pair.a().transmit(0, tx));
        assertEquals(1, pair.b().receive(0, rx));
        assertEquals(length, rx.length(0));
        assertEquals(FrameBatch.CHECKSUM_PARTIAL | FrameBatch.SEGMENT_TCP_IPV4, rx.flags(0));
        assertEquals(1448, rx.segmentSize(0));
        assertEquals(54, rx.headerLength(0));

        LoopDevice plain = loopback(LoopDevice.Options.defaults("lo"));
        plain.lend(0, tx, 1);
        tx.length(0, 1000).segmentation(0, FrameBatch.SEGMENT_TCP_IPV4, 500, 54);
        assertEquals(0, plain.transmit(0, tx));
        assertEquals(1, plain.counters().drops(DeviceDrop.OFFLOAD_NOT_ENABLED));
    }

    @Test
    void tsoWithoutChecksumOffloadIsRefusedAtConfiguration() {
        assertThrows(IllegalArgumentException.class,
                () -> LoopDevice.Options.defaults("x").withOffloads(false, true));
        assertThrows(IllegalArgumentException.class, () -> LoopDevice.Options.defaults("x").withQueueDepth(1000));
        assertThrows(IllegalArgumentException.class, () -> LoopDevice.Options.defaults("x").withQueues(65));
    }

    @Test
    void aNamedLinkConnectsTwoEndsCreatedSeparately() {
        LoopDevice first = LoopDevice.attach("named-link-test", LoopDevice.Options.defaults("left"));
        toClose.add(first);
        assertNull(first.peer());
        TestFrames.sendTcp4(first, 0, tx, CLIENT, SERVER, 1, 2, 0, 0);
        assertEquals(0, first.transmit(0, tx));
        assertEquals(1, first.counters().drops(DeviceDrop.NO_PEER), "nothing attached yet: cable unplugged");

        LoopDevice second = LoopDevice.attach("named-link-test", LoopDevice.Options.defaults("right"));
        toClose.add(second);
        assertSame(second, first.peer());
        assertNotEquals(first.macAddress(), second.macAddress(), "the second end gets its own MAC");
        TestFrames.sendTcp4(first, 0, tx, CLIENT, SERVER, 1, 2, 7, 0);
        assertEquals(1, first.transmit(0, tx));
        assertEquals(1, second.receive(0, rx));

        IllegalArgumentException third = assertThrows(IllegalArgumentException.class,
                () -> LoopDevice.attach("named-link-test", LoopDevice.Options.defaults("third")));
        assertTrue(third.getMessage().contains("already has two ends"), third.getMessage());
    }

    @Test
    void aNamedLinkIsFreeAgainWhenBothEndsClose() {
        LoopDevice first = LoopDevice.attach("reused-link", LoopDevice.Options.defaults("one"));
        LoopDevice second = LoopDevice.attach("reused-link", LoopDevice.Options.defaults("two"));
        first.close();
        TestFrames.sendTcp4(second, 0, tx, CLIENT, SERVER, 1, 2, 0, 0);
        assertEquals(0, second.transmit(0, tx));
        assertEquals(1, second.counters().drops(DeviceDrop.NO_PEER), "the other end is closed");
        second.close();
        LoopDevice again = LoopDevice.attach("reused-link", LoopDevice.Options.defaults("three"));
        toClose.add(again);
        assertNull(again.peer(), "a new link, not the old one");
    }

    @Test
    void endsOfALinkMustAgreeOnMtuAndOffloads() {
        LoopDevice first = LoopDevice.attach("mismatch", LoopDevice.Options.defaults("one"));
        toClose.add(first);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoopDevice.attach("mismatch", LoopDevice.Options.defaults("two").withMtu(9000)));
        assertTrue(e.getMessage().contains("same mtu"), e.getMessage());
    }

    @Test
    void callsAfterCloseThrowAndCloseTwiceDoesNothing() {
        LoopDevice device = LoopDevice.loopback(LoopDevice.Options.defaults("lo"));
        device.close();
        device.close();
        assertTrue(device.isClosed());
        assertThrows(IllegalStateException.class, () -> device.receive(0, rx));
        assertThrows(IllegalStateException.class, () -> device.lend(0, tx, 1));
    }

    @Test
    void aQueueOutOfRangeIsRejected() {
        LoopDevice device = loopback(LoopDevice.Options.defaults("lo").withQueues(2));
        assertThrows(IllegalArgumentException.class, () -> device.receive(2, rx));
        assertThrows(IllegalArgumentException.class, () -> device.waitHandle(-1));
    }

    @Test
    void aParkedReceiverWakesWhenAFrameArrives() throws Exception {
        LoopDevice.Pair pair = pair(LoopDevice.Options.defaults("wake"));
        CountDownLatch parked = new CountDownLatch(1);
        long[] waitedNs = new long[1];
        Thread receiver = Thread.ofPlatform().start(() -> {
            parked.countDown();
            long start = System.nanoTime();
            FrameBatch batch = new FrameBatch();
            while (pair.b().receive(0, batch) == 0) {
                pair.b().waitHandle(0).await(TimeUnit.SECONDS.toNanos(30));
            }
            waitedNs[0] = System.nanoTime() - start;
        });
        parked.await();
        Thread.sleep(50);
        TestFrames.sendTcp4(pair.a(), 0, tx, CLIENT, SERVER, 1, 2, 0, 0);
        pair.a().transmit(0, tx);
        receiver.join(10_000);
        assertFalse(receiver.isAlive(), "the receiver was not woken");
        assertTrue(waitedNs[0] < TimeUnit.SECONDS.toNanos(10), "woken by the frame, not the 30 s timeout");
    }

    @Test
    void awaitReturnsAtTimeoutAndAtOnceAfterASignal() {
        LoopDevice device = loopback(LoopDevice.Options.defaults("lo"));
        WaitHandle handle = device.waitHandle(0);
        assertEquals(WaitHandle.NO_FILE_DESCRIPTOR, handle.fileDescriptor());
        long start = System.nanoTime();
        handle.await(TimeUnit.MILLISECONDS.toNanos(20));
        long waited = System.nanoTime() - start;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(15), "waited " + waited + " ns");

        handle.signal();
        start = System.nanoTime();
        handle.await(TimeUnit.SECONDS.toNanos(30));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "a signal before await is not lost");

        TestFrames.sendTcp4(device, 0, tx, CLIENT, SERVER, 1, 2, 0, 0);
        device.transmit(0, tx);
        start = System.nanoTime();
        handle.await(TimeUnit.SECONDS.toNanos(30));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "frames waiting: no park");
    }

    @Test
    void countersAreReadableWhileAnotherThreadWritesThem() throws Exception {
        LoopDevice device = loopback(LoopDevice.Options.defaults("lo"));
        Thread engine = Thread.ofPlatform().start(() -> {
            FrameBatch out = new FrameBatch();
            FrameBatch in = new FrameBatch();
            for (int i = 0; i < 20_000; i++) {
                TestFrames.sendTcp4(device, 0, out, CLIENT, SERVER, 1, 2, i, 0);
                device.transmit(0, out);
                device.receive(0, in);
            }
        });
        long last = 0;
        while (engine.isAlive()) {
            long now = device.counters().transmittedFrames();
            assertTrue(now >= last, "a counter never goes back");
            last = now;
        }
        engine.join();
        assertEquals(20_000, device.counters().transmittedFrames());
        assertEquals(20_000, device.counters().receivedFrames());
        assertEquals(20_000L * 54, device.counters().transmittedBytes());
    }
}
