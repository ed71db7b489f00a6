package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/** Random event sequences for both algorithms: the invariants the control block relies on always hold. */
class CongestionControlPropertyTest {
    private static final int MSS = 1448;
    private static final int MAX = CongestionControl.MAX_CWND_BYTES;
    private static final int INFINITE = CongestionControl.INFINITE_SSTHRESH_BYTES;

    enum Kind { ACK, ENTER_RECOVERY, EXIT_RECOVERY, TIMEOUT, RESTART, UNDO, MSS_CHANGE }

    /** One event; {@code size} is acked bytes, flight size or new MSS; {@code gapNs} the time since the previous event. */
    record Event(Kind kind, int size, long gapNs, long rttNs, boolean inRecovery, boolean appLimited) {}

    @Provide
    Arbitrary<List<Event>> events() {
        Arbitrary<Kind> kind = Arbitraries.frequencyOf(
                Tuple.of(30, Arbitraries.just(Kind.ACK)),
                Tuple.of(2, Arbitraries.just(Kind.ENTER_RECOVERY)),
                Tuple.of(2, Arbitraries.just(Kind.EXIT_RECOVERY)),
                Tuple.of(1, Arbitraries.just(Kind.TIMEOUT)),
                Tuple.of(1, Arbitraries.just(Kind.RESTART)),
                Tuple.of(1, Arbitraries.just(Kind.UNDO)),
                Tuple.of(1, Arbitraries.just(Kind.MSS_CHANGE)));
        Arbitrary<Integer> size = Arbitraries.integers().between(0, 400_000);
        Arbitrary<Long> gapNs = Arbitraries.longs().between(0, 3_000_000_000L);
        Arbitrary<Long> rttNs = Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(10_000, 800_000_000L));
        Arbitrary<Boolean> rarely = Arbitraries.integers().between(0, 9).map(i -> i == 0);
        return Combinators.combine(kind, size, gapNs, rttNs, rarely, rarely).as(Event::new).list().ofMaxSize(300);
    }

    @Property(tries = 300)
    void invariantsHoldForAnyEventSequence(@ForAll("events") List<Event> events, @ForAll boolean cubic) {
        CongestionControl cc = cubic ? new Cubic() : new NewReno();
        long now = 0;
        cc.init(MSS, now);
        for (Event event : events) {
            now += event.gapNs();
            int cwndBefore = cc.cwndBytes();
            int ssthreshBefore = cc.ssthreshBytes();
            switch (event.kind()) {
                case ACK -> {
                    cc.onAck(now, event.size(), event.rttNs(), event.inRecovery(), event.appLimited());
                    assertTrue(cc.cwndBytes() >= cwndBefore, "an ACK never shrinks cwnd");
                    assertEquals(ssthreshBefore, cc.ssthreshBytes(), "an ACK never moves ssthresh");
                    if (event.inRecovery() || event.appLimited() || event.size() == 0) {
                        assertEquals(cwndBefore, cc.cwndBytes(), "no growth in recovery or when app-limited");
                    }
                    if (cwndBefore < ssthreshBefore && cc.cwndBytes() < ssthreshBefore) {
                        assertTrue(cc.cwndBytes() - cwndBefore <= 2 * cc.mssBytes(), "ABC: at most 2 MSS per ACK");
                    }
                }
                case ENTER_RECOVERY -> {
                    cc.onEnterRecovery(now, event.size());
                    assertEquals(cc.ssthreshBytes(), cc.cwndBytes(), "cwnd = ssthresh, no inflation");
                    double factor = cubic ? Cubic.BETA : 0.5;
                    assertEquals(Math.max((int) (event.size() * factor), 2 * cc.mssBytes()), cc.ssthreshBytes(), 1);
                }
                case EXIT_RECOVERY -> {
                    cc.onExitRecovery(now, event.size());
                    assertTrue(cc.cwndBytes() <= Math.max(event.size(), cc.mssBytes()) + cc.mssBytes());
                    assertTrue(cc.cwndBytes() <= cwndBefore, "leaving recovery never raises cwnd");
                }
                case TIMEOUT -> {
                    cc.onRetransmissionTimeout(now, event.size());
                    assertEquals(cc.mssBytes(), cc.cwndBytes(), "the loss window");
                }
                case RESTART -> {
                    boolean restarted = cc.onRestartAfterIdle(now, event.gapNs(), 1_000_000_000L);
                    assertEquals(event.gapNs() > 1_000_000_000L, restarted);
                    if (restarted) {
                        assertEquals(Math.min(cwndBefore, CongestionControl.initialWindowBytes(cc.mssBytes())), cc.cwndBytes());
                        assertTrue(cc.ssthreshBytes() >= ssthreshBefore);
                    }
                }
                case UNDO -> {
                    cc.undoLastReduction(now);
                    assertTrue(cc.cwndBytes() >= cwndBefore);
                    assertTrue(cc.ssthreshBytes() >= ssthreshBefore);
                }
                case MSS_CHANGE -> cc.onMssChange(536 + event.size() % 8500);
            }
            assertTrue(cc.cwndBytes() >= cc.mssBytes() && cc.cwndBytes() <= MAX, "cwnd in [1 MSS, max]: " + cc);
            assertTrue(cc.ssthreshBytes() == INFINITE || cc.ssthreshBytes() >= 2 * cc.mssBytes(),
                    "ssthresh at least 2 MSS: " + cc);
        }
    }

    @Property(tries = 200)
    void newRenoGrowthDependsOnBytesAcknowledgedNotOnHowTheyAreAcknowledged(
            @ForAll @IntRange(min = 4, max = 60) int flightSegments,
            @ForAll @IntRange(min = 0, max = 30) int outstandingSegments,
            @ForAll("ackSizes") List<Integer> ackSizes) {
        // RFC 3465: with ACKs of at most 2 MSS, slow start and congestion avoidance both count bytes,
        // so delayed, partial or per-segment ACKs of the same data give the same window.
        NewReno split = afterRecovery(flightSegments, outstandingSegments);
        NewReno whole = afterRecovery(flightSegments, outstandingSegments);
        long total = 0;
        for (int acked : ackSizes) {
            split.onAck(0, acked, -1, false, false);
            total += acked;
        }
        for (; total > 0; total -= MSS) {
            whole.onAck(0, (int) Math.min(MSS, total), -1, false, false);
        }
        assertEquals(whole.cwndBytes(), split.cwndBytes());
    }

    @Provide
    Arbitrary<List<Integer>> ackSizes() {
        return Arbitraries.integers().between(1, 2 * MSS).list().ofMaxSize(400);
    }

    private static NewReno afterRecovery(int flightSegments, int outstandingSegments) {
        NewReno reno = new NewReno();
        reno.init(MSS, 0);
        reno.onEnterRecovery(0, flightSegments * MSS);
        reno.onExitRecovery(0, outstandingSegments * MSS);
        return reno;
    }

    @Property(tries = 200)
    void cubicGrowsAtMostHalfOfWhatAnAckAcknowledgesInTheCubicRegion(
            @ForAll @IntRange(min = 20, max = 2000) int lossSegments,
            @ForAll @IntRange(min = 1, max = 600) int secondsLater,
            @ForAll @IntRange(min = 1, max = 2 * MSS) int acked) {
        // RFC 9438 4.4/4.5: the target is at most 1.5 cwnd, so one ACK adds at most half of itself
        // (the Reno-friendly estimate, which starts at cwnd, is far below W_cubic this late).
        Cubic cubic = new Cubic();
        cubic.init(MSS, 0);
        while (cubic.cwndBytes() < lossSegments * MSS) {
            cubic.onAck(0, 2 * MSS, 1_000_000, false, false);
        }
        cubic.onEnterRecovery(0, cubic.cwndBytes());
        cubic.onExitRecovery(0, cubic.ssthreshBytes());
        cubic.onAck(0, MSS, 1_000_000, false, false);
        int before = cubic.cwndBytes();
        cubic.onAck(secondsLater * 1_000_000_000L, acked, 1_000_000, false, false);
        assertTrue(cubic.cwndBytes() - before <= acked / 2 + 1, "grew " + (cubic.cwndBytes() - before));
    }
}
