package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.RssSteering;
import io.mtcp4j.stack.device.ToeplitzHash;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

class EphemeralPortsTest {
    private static final int LOCAL = Ipv4Address.parse("10.0.0.1");
    private static final int REMOTE = Ipv4Address.parse("10.0.0.2");
    private final FlowOwnership fourEngines = FlowOwnership.of(RssSteering.symmetric(4), 4, ToeplitzHash.microsoftKey());

    @Test
    void aReservedPortSteersTheFlowBackToTheAskingEngine() {
        EphemeralPorts ports = new EphemeralPorts(32768, 60999, fourEngines);
        Set<Integer> taken = new HashSet<>();
        for (int round = 0; round < 100; round++) {
            for (int engine = 0; engine < 4; engine++) {
                int port = ports.reserveIpv4(engine, LOCAL, REMOTE, 80);
                assertTrue(port >= 32768 && port <= 60999, "in range: " + port);
                assertEquals(engine, fourEngines.ownerOfIpv4(LOCAL, port, REMOTE, 80), "port " + port);
                assertTrue(taken.add(port), "port " + port + " handed out twice");
                assertTrue(ports.isReserved(port));
            }
        }
        assertEquals(400, ports.reservedCount());
    }

    @Test
    void ipv6PortsSteerBackToo() {
        EphemeralPorts ports = new EphemeralPorts(32768, 60999, fourEngines);
        Ipv6Address local = Ipv6Address.parse("fd00::1");
        Ipv6Address remote = Ipv6Address.parse("fd00::2");
        for (int engine = 0; engine < 4; engine++) {
            int port = ports.reserve(engine, true, local.high(), local.low(), remote.high(), remote.low(), 443);
            assertEquals(engine, fourEngines.ownerOfIpv6(local.high(), local.low(), port, remote.high(), remote.low(), 443));
        }
    }

    @Test
    void aTinyRangeRunsOutWithTheExhaustedSignalAndAReleaseMakesRoom() {
        EphemeralPorts ports = new EphemeralPorts(40_000, 40_007, fourEngines);
        List<Integer> engine1 = new ArrayList<>();
        int port;
        while ((port = ports.reserveIpv4(1, LOCAL, REMOTE, 80)) != EphemeralPorts.EXHAUSTED) {
            engine1.add(port);
        }
        int fitting = 0;
        for (int candidate = 40_000; candidate <= 40_007; candidate++) {
            fitting += fourEngines.ownerOfIpv4(LOCAL, candidate, REMOTE, 80) == 1 ? 1 : 0;
        }
        assertEquals(fitting, engine1.size(), "every port of the range that steers to engine 1, and no other");
        assertTrue(fitting > 0 && fitting < 8, "the range holds some ports for engine 1: " + fitting);
        ports.release(engine1.get(0));
        assertEquals(engine1.get(0), ports.reserveIpv4(1, LOCAL, REMOTE, 80));
        assertEquals(EphemeralPorts.EXHAUSTED, ports.reserveIpv4(1, LOCAL, REMOTE, 80));
    }

    @Test
    void aListenersPortIsNotHandedOutUntilEveryListenerOnItStopped() {
        FlowOwnership single = FlowOwnership.single();
        EphemeralPorts ports = new EphemeralPorts(40_000, 40_001, single);
        ports.listenerAdded(40_000);
        ports.listenerAdded(40_000); // a second engine's (or family's) listener on the same port
        assertEquals(40_001, ports.reserveIpv4(0, LOCAL, REMOTE, 80));
        assertEquals(EphemeralPorts.EXHAUSTED, ports.reserveIpv4(0, LOCAL, REMOTE, 80));
        assertFalse(ports.tryReserve(40_000));
        ports.listenerRemoved(40_000);
        assertEquals(EphemeralPorts.EXHAUSTED, ports.reserveIpv4(0, LOCAL, REMOTE, 80), "one listener still uses it");
        ports.listenerRemoved(40_000);
        assertEquals(40_000, ports.reserveIpv4(0, LOCAL, REMOTE, 80));
        assertThrows(IllegalStateException.class, () -> ports.listenerRemoved(40_000));
        ports.listenerAdded(5000); // outside the range: nothing to do
        ports.listenerRemoved(5000);
    }

    @Test
    void releasingAPortThatIsNotReservedIsAnError() {
        EphemeralPorts ports = new EphemeralPorts(40_000, 40_001, FlowOwnership.single());
        assertThrows(IllegalStateException.class, () -> ports.release(40_000));
        assertThrows(IllegalArgumentException.class, () -> ports.release(39_999));
        assertTrue(ports.tryReserve(40_001));
        assertFalse(ports.tryReserve(40_001));
        ports.release(40_001);
        assertFalse(ports.isReserved(40_001));
    }

    @Test
    void theScanStartRotatesSoSuccessivePortsDiffer() {
        EphemeralPorts ports = new EphemeralPorts(32768, 60999, FlowOwnership.single());
        int first = ports.reserveIpv4(0, LOCAL, REMOTE, 80);
        ports.release(first);
        assertNotEquals(first, ports.reserveIpv4(0, LOCAL, REMOTE, 80), "a released port is not reused at once");
    }

    // Threads race for a small range: a port is never held twice at once.
    @Test
    void concurrentReservationsNeverShareAPort() throws InterruptedException {
        EphemeralPorts ports = new EphemeralPorts(40_000, 40_063, fourEngines);
        AtomicReferenceArray<Thread> holders = new AtomicReferenceArray<>(0x10000);
        AtomicInteger conflicts = new AtomicInteger();
        AtomicInteger reservations = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int engine = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    int port = ports.reserveIpv4(engine, LOCAL, REMOTE, 80 + (i & 7));
                    if (port == EphemeralPorts.EXHAUSTED) {
                        continue;
                    }
                    reservations.incrementAndGet();
                    if (!holders.compareAndSet(port, null, Thread.currentThread())) {
                        conflicts.incrementAndGet();
                    }
                    holders.set(port, null);
                    ports.release(port);
                }
            }));
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(0, conflicts.get());
        assertTrue(reservations.get() > 0);
        assertEquals(0, ports.reservedCount());
    }
}
