package io.mtcp4j.stack.engine;

import static io.mtcp4j.stack.testing.Allocations.bytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.engine.TimerWheel.Timer;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-packet operations of the flow table, the listener table and the timer wheel allocate
 * nothing (STYLE.md 7), measured with the JVM's per-thread allocation counter around loops that
 * exercise them ({@link io.mtcp4j.stack.testing.Allocations}). {@code FlowTableBenchmark} and {@code TimerWheelBenchmark} under {@code -prof gc}
 * are the benchmark-grade proof; this catches a regression in the ordinary build.
 */
class EngineNoAllocationTest {
    private static final int ROUNDS = 20_000;
    private static final int FLOWS = 4096;
    private static final long MS = 1_000_000L;

    private final FlowTable<Object> flows = new FlowTable<>(2 * FLOWS, 0.5f, new Random(1));
    private final ListenerTable<Object> listeners = new ListenerTable<>(new Random(2));
    private final long[] remoteAddresses = new long[FLOWS];
    private final int[] remotePorts = new int[FLOWS];
    private final Object flow = new Object();
    private long found;

    private final TimerWheel wheel = new TimerWheel(0);
    private final Timer[] timers = new Timer[FLOWS];
    private long nowNs;
    private long expired;
    private final TimerWheel.Handler handler = (timer, now) -> expired++;
    private final Consumer<Object> visitor = value -> found++;

    @BeforeEach
    void fill() {
        Random random = new Random(3);
        for (int i = 0; i < FLOWS; i++) {
            remoteAddresses[i] = random.nextInt() & 0xffff_ffffL;
            remotePorts[i] = random.nextInt(65_536);
            flows.put(false, 0, 0x0a00_0001L, 80, 0, remoteAddresses[i], remotePorts[i], flow);
            timers[i] = new Timer(flow, i & 3);
        }
        listeners.putWildcard(false, 80, flow);
        listeners.put(true, 1, 2, 443, flow);
    }

    @Test
    void flowLookupsHitOrMissWithoutAllocating() {
        long allocated = bytesAllocatedBy(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                int k = i & (FLOWS - 1);
                if (flows.get(false, 0, 0x0a00_0001L, 80, 0, remoteAddresses[k], remotePorts[k]) != null) {
                    found++;
                }
                if (flows.get(true, 7, 0x0a00_0001L, 80, 9, remoteAddresses[k], remotePorts[k]) != null) {
                    found--;  // an IPv6 miss
                }
            }
        });
        // Any allocation per round is at least one 16-byte object, so ROUNDS * 16 bytes; less
        // than a byte per round tells a one-off (deoptimisation) from a per-call allocation.
        assertTrue(allocated < ROUNDS, allocated + " bytes allocated by " + ROUNDS + " lookups");
        assertTrue(found > 0);
    }

    @Test
    void removingAndPuttingBackWithoutGrowingDoesNotAllocate() {
        long allocated = bytesAllocatedBy(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                int k = i & (FLOWS - 1);
                flows.remove(false, 0, 0x0a00_0001L, 80, 0, remoteAddresses[k], remotePorts[k]);
                flows.put(false, 0, 0x0a00_0001L, 80, 0, remoteAddresses[k], remotePorts[k], flow);
            }
            flows.forEach(visitor);
        });
        assertTrue(allocated < ROUNDS, allocated + " bytes allocated by " + ROUNDS + " removes and puts");
        assertEquals(FLOWS, flows.size());
    }

    @Test
    void listenerLookupsDoNotAllocate() {
        long allocated = bytesAllocatedBy(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                if (listeners.find(false, 0, remoteAddresses[i & (FLOWS - 1)], 80) != null) {
                    found++;
                }
                if (listeners.find(true, 1, 2, 443) != null) {
                    found++;
                }
            }
        });
        assertTrue(allocated < ROUNDS, allocated + " bytes allocated by " + ROUNDS + " listener lookups");
    }

    @Test
    void armingCancellingAndFiringTimersDoesNotAllocate() {
        long allocated = bytesAllocatedBy(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                Timer timer = timers[i & (FLOWS - 1)];
                // Delays from every level: delayed ACK, RTO, TIME_WAIT, keepalive.
                long delayNs = switch (i & 3) {
                    case 0 -> 40 * MS;
                    case 1 -> 200 * MS + (i & 1023) * MS;
                    case 2 -> 60_000 * MS;
                    default -> 7_200_000 * MS;
                };
                wheel.schedule(timer, nowNs + delayNs);
                if ((i & 7) == 0) {
                    wheel.cancel(timer);
                }
                nowNs += MS;
                wheel.poll(nowNs, handler, 64);
                found += wheel.nextDeadlineNs() & 1;
            }
            nowNs += 3 * 3_600_000 * MS;  // hours on: everything cascades down and fires
            wheel.poll(nowNs, handler);
        });
        assertTrue(allocated < ROUNDS, allocated + " bytes allocated by " + ROUNDS + " timer rounds");
        assertTrue(expired > 0);
        assertEquals(0, wheel.size());
    }
}
