package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.testing.Allocations.leastBytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.testing.Allocations;
import org.junit.jupiter.api.Test;

/**
 * The per-ACK path (every congestion control event) and the SYN path (ISN, cookie, cookie check)
 * allocate nothing: measured with the JVM's per-thread allocation counter after a warm-up, so
 * that class loading and first-call setup are not counted; the least of five measured runs, so
 * that a one-off allocation by the JVM itself is not blamed on the code ({@link Allocations}).
 */
class AllocationFreeTest {
    /** Warm-up runs, then measured runs of which the least counts. */
    private static final int RUNS = 5;
    /** Escapes the calibration allocation so that it cannot be optimised away. */
    static volatile Object escaped;

    @Test
    void theCounterSeesAnAllocation() {
        // Calibration: without this, a counter stuck at zero would pass every test below.
        long bytes = bytesAllocatedBy(() -> escaped = new byte[64]);
        assertTrue(bytes >= 64, "counted " + bytes);
    }

    private static long bytesAllocatedBy(Allocations.Work<RuntimeException> work) {
        return leastBytesAllocatedBy(RUNS, work);
    }

    private static void exercise(CongestionControl cc) {
        long now = 0;
        cc.init(1448, now);
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < 50; i++) {
                now += 1_000_000;
                cc.onAck(now, 1448, 20_000_000, false, (i & 15) == 0);
            }
            switch (round % 20) {
                case 5 -> cc.onEnterRecovery(now, cc.cwndBytes());
                case 6 -> cc.onExitRecovery(now, cc.ssthreshBytes());
                case 11 -> cc.onRetransmissionTimeout(now, cc.cwndBytes());
                case 12 -> cc.undoLastReduction(now);
                case 17 -> cc.onRestartAfterIdle(now, 2_000_000_000L, 1_000_000_000L);
                default -> { }
            }
        }
    }

    @Test
    void cubicEventsAllocateNothing() {
        Cubic cubic = new Cubic();
        assertEquals(0, bytesAllocatedBy(() -> exercise(cubic)));
    }

    @Test
    void newRenoEventsAllocateNothing() {
        NewReno reno = new NewReno();
        assertEquals(0, bytesAllocatedBy(() -> exercise(reno)));
    }

    @Test
    void synPathAllocatesNothing() {
        InitialSequenceNumbers isns = new InitialSequenceNumbers(1, 2);
        SynCookies cookies = new SynCookies(3, 4);
        int[] sink = new int[1];
        Allocations.Work<RuntimeException> work = () -> {
            for (int i = 0; i < 1000; i++) {
                sink[0] += isns.isn(0x0a000001, 80, 0x0a000002 + i, 40000, i * 4_000L);
                sink[0] += isns.isn(1L, 2L, 443, 3L, i, 50000, i);
                int cookie = cookies.cookie(0x0a000001, 80, 0x0a000002 + i, 40000, i, 1460, true, 7, true, i);
                sink[0] += cookies.check(cookie + 1, i + 1, 0x0a000001, 80, 0x0a000002 + i, 40000, i).mssBytes();
                int v6 = cookies.cookie(1L, 2L, 443, 3L, i, 50000, i, 1440, false, -1, true, i);
                sink[0] += cookies.check(v6 + 1, i + 1, 1L, 2L, 443, 3L, i, 50000, i).windowScale();
            }
        };
        assertEquals(0, bytesAllocatedBy(work));
    }
}
