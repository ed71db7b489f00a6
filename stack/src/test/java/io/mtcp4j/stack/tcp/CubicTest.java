package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** CUBIC (RFC 9438): the cubic curve, the Reno-friendly region, multiplicative decrease, timeouts. */
class CubicTest {
    /** Windows read as segment counts: 100 segments = 100000 bytes. */
    private static final int MSS = 1000;
    private static final long MS = 1_000_000;
    private static final long SECOND = 1_000_000_000;

    private final Cubic cubic = new Cubic();
    private long now = 50 * SECOND;

    private double cwndSegments() {
        return cubic.cwndBytes() / (double) MSS;
    }

    /**
     * Slow start to {@code segments}, then a loss with that much in flight and its recovery: W_max
     * = segments, cwnd = ssthresh = 0.7 segments.
     */
    private void lossAt(Cubic algorithm, int segments, long rttNs) {
        algorithm.init(MSS, now);
        while (algorithm.cwndBytes() < segments * MSS) {
            algorithm.onAck(now, MSS, rttNs, false, false);
        }
        algorithm.onEnterRecovery(now, segments * MSS);
        algorithm.onExitRecovery(now, algorithm.ssthreshBytes());
    }

    /** One round trip: the whole window acknowledged one segment per ACK, spread evenly over the RTT. */
    private void round(Cubic algorithm, long rttNs) {
        int segments = algorithm.cwndBytes() / MSS;
        for (int i = 0; i < segments; i++) {
            algorithm.onAck(now + rttNs * i / segments, MSS, rttNs, false, false);
        }
        now += rttNs;
    }

    @Nested
    class CubicFunction {
        @Test
        void kForALossAtOneHundredSegments() {
            // RFC 9438 eq. 2: K = cbrt((W_max - cwnd_epoch) / C) = cbrt(100 * 0.3 / 0.4) = cbrt(75).
            assertEquals(4.2171633, Cubic.kSeconds(100, 70), 1e-7);
        }

        @Test
        void kForOtherWindows() {
            assertEquals(Math.cbrt(1000 * 0.3 / 0.4), Cubic.kSeconds(1000, 700), 1e-12);
            assertEquals(9.0856030, Cubic.kSeconds(1000, 700), 1e-7);     // cbrt(750)
            assertEquals(0, Cubic.kSeconds(70, 70), 0);
            assertEquals(-Math.cbrt(25), Cubic.kSeconds(70, 80), 1e-12, "an epoch above W_max: already convex");
        }

        @Test
        void windowFunctionAtHandComputedPoints() {
            double k = Cubic.kSeconds(100, 70);
            assertEquals(70, Cubic.windowSegments(0, k, 100), 1e-9, "starts at cwnd_epoch");
            assertEquals(100, Cubic.windowSegments(k, k, 100), 1e-12, "plateau at W_max when t = K");
            assertEquals(99.6, Cubic.windowSegments(k - 1, k, 100), 1e-9);
            assertEquals(100.4, Cubic.windowSegments(k + 1, k, 100), 1e-9);
            assertEquals(103.2, Cubic.windowSegments(k + 2, k, 100), 1e-9);
            assertEquals(130, Cubic.windowSegments(2 * k, k, 100), 1e-9, "symmetric: 2K climbs as far above");
        }

        @Test
        void constantsOfRfc9438() {
            assertEquals(0.4, Cubic.C);
            assertEquals(0.7, Cubic.BETA);
            assertEquals(0.9 / 1.7, Cubic.ALPHA, 1e-12);   // 3 (1 - 0.7) / (1 + 0.7), about 0.53
            assertEquals("cubic", cubic.name());
        }

        @Test
        void theControlBlockSeesKAndWmaxAfterALoss() {
            lossAt(cubic, 100, 100 * MS);
            assertEquals(100_000, cubic.windowMaxBytes());
            assertEquals(70_000, cubic.cwndBytes());
            assertEquals(70_000, cubic.ssthreshBytes());
            assertFalse(cubic.epochActive(), "the epoch starts with the first ACK in congestion avoidance");
            cubic.onAck(now, MSS, 100 * MS, false, false);
            assertTrue(cubic.epochActive());
            assertEquals(now, cubic.epochStartNs());
            assertEquals(4.2171633, cubic.kSeconds(), 1e-7);
        }

        @Test
        void kUsesTheWindowAfterReductionWhichFollowsFlightSize() {
            // cwnd 100 segments but only 80 in flight: ssthresh = 56, W_max = 100, K = cbrt(44 / 0.4).
            cubic.init(MSS, now);
            while (cubic.cwndBytes() < 100 * MSS) {
                cubic.onAck(now, MSS, -1, false, false);
            }
            cubic.onEnterRecovery(now, 80 * MSS);
            assertEquals(56_000, cubic.ssthreshBytes());
            cubic.onExitRecovery(now, 56 * MSS);
            cubic.onAck(now, MSS, -1, false, false);
            assertEquals(4.7914199, cubic.kSeconds(), 1e-6);
        }
    }

    @Nested
    class GrowthShape {
        /** cwnd in segments at the end of each 500 ms round, for 16 rounds (8 s) after a loss at 100. */
        private List<double[]> trace() {
            long rtt = 500 * MS;
            lossAt(cubic, 100, rtt);
            long epochStart = now;
            List<double[]> points = new ArrayList<>();
            for (int r = 0; r < 16; r++) {
                round(cubic, rtt);
                points.add(new double[] {(now - epochStart) / (double) SECOND, cwndSegments(),
                        cubic.renoFriendlyWindowBytes() / MSS});
            }
            return points;
        }

        @Test
        void concaveUpToWmaxThenFlatThenConvex() {
            List<double[]> points = trace();
            double k = cubic.kSeconds();
            double previous = 70;
            double previousIncrease = Double.MAX_VALUE;
            for (double[] point : points) {
                double increase = point[1] - previous;
                if (point[0] <= k - 0.5) {
                    assertTrue(increase > 0 && increase < previousIncrease,
                            "concave: smaller steps as W_max nears, t=" + point[0]);
                }
                if (point[0] >= k + 1) {
                    assertTrue(increase > previousIncrease, "convex: larger steps past the plateau, t=" + point[0]);
                }
                if (Math.abs(point[0] - k) <= 0.5) {
                    assertEquals(100, point[1], 0.5, "plateau near W_max at t=" + point[0]);
                }
                previousIncrease = increase;
                previous = point[1];
            }
        }

        @Test
        void cwndFollowsTheCubicFunction() {
            for (double[] point : trace()) {
                double expected = Cubic.windowSegments(point[0], cubic.kSeconds(), 100);
                assertEquals(expected, point[1], 1.5, "t=" + point[0]);
            }
        }

        @Test
        void doesNotOvershootWmaxBeforeK() {
            for (double[] point : trace()) {
                if (point[0] <= cubic.kSeconds()) {
                    assertTrue(point[1] <= 100.05, "t=" + point[0] + " cwnd " + point[1]);
                }
            }
        }

        @Test
        void atLongRoundTripsTheCubicRegionDominates() {
            // 500 ms RTT: Reno would add 0.53 segment per RTT; CUBIC's curve is far ahead.
            for (double[] point : trace()) {
                assertTrue(point[1] > point[2], "t=" + point[0]);
            }
            // A round acknowledges the window it started with while cwnd grows during it: slightly under alpha per round.
            assertEquals(70 + 16 * Cubic.ALPHA, cubic.renoFriendlyWindowBytes() / MSS, 0.3);
        }

        @Test
        void aTargetIsAtMostOneAndAHalfWindows() {
            // 100 s into the epoch W_cubic is enormous; one ACK may still add only (1.5 cwnd - cwnd) / cwnd of itself.
            lossAt(cubic, 100, 100 * MS);
            cubic.onAck(now, MSS, 100 * MS, false, false);
            int before = cubic.cwndBytes();
            cubic.onAck(now + 100 * SECOND, MSS, 100 * MS, false, false);
            assertEquals(before + MSS / 2, cubic.cwndBytes(), 1);
        }
    }

    @Nested
    class RenoFriendlyRegion {
        @Test
        void atShortRoundTripsCwndFollowsTheRenoEstimate() {
            long rtt = MS;
            lossAt(cubic, 100, rtt);
            long epochStart = now;
            for (int r = 0; r < 50; r++) {
                round(cubic, rtt);
            }
            double renoEstimate = cubic.renoFriendlyWindowBytes() / MSS;
            assertEquals(renoEstimate, cwndSegments(), 0.001, "cwnd = W_est in the Reno-friendly region");
            assertEquals(70 + 50 * Cubic.ALPHA, renoEstimate, 0.5, "alpha_cubic per RTT");
            double cubicWindow = Cubic.windowSegments((now - epochStart) / (double) SECOND, cubic.kSeconds(), 100);
            assertTrue(cwndSegments() > cubicWindow + 20, "W_est " + renoEstimate + " vs W_cubic " + cubicWindow);
        }

        @Test
        void alphaBecomesOneOnceTheEstimateReachesThePriorWindow() {
            long rtt = MS;
            lossAt(cubic, 100, rtt);
            for (int r = 0; r < 70; r++) {
                round(cubic, rtt);
            }
            assertTrue(cwndSegments() > 100, "past cwnd_prior");
            double before = cwndSegments();
            for (int r = 0; r < 10; r++) {
                round(cubic, rtt);
            }
            assertEquals(10, cwndSegments() - before, 0.3, "Reno's one segment per RTT");
        }
    }

    @Nested
    class MultiplicativeDecrease {
        @Test
        void windowBecomesSevenTenthsOfTheFlight() {
            lossAt(cubic, 100, 100 * MS);
            assertEquals(70_000, cubic.ssthreshBytes());
            assertEquals(70_000, cubic.cwndBytes());
            assertEquals(100_000, cubic.cwndPriorBytes());
        }

        @Test
        void neverBelowTwoSegments() {
            cubic.init(MSS, now);
            cubic.onEnterRecovery(now, 2 * MSS);
            assertEquals(2 * MSS, cubic.ssthreshBytes());
            assertEquals(2 * MSS, cubic.cwndBytes());
        }

        @Test
        void fastConvergenceLowersWmaxWhenLossComesBelowIt() {
            // RFC 9438 4.7: a loss at 70 < W_max = 100 remembers 70 * (1 + 0.7) / 2 = 59.5.
            lossAt(cubic, 100, 100 * MS);
            cubic.onEnterRecovery(now, 70 * MSS);
            assertEquals(59_500, cubic.windowMaxBytes(), 1e-9);
            assertEquals(49_000, cubic.cwndBytes());
        }

        @Test
        void withoutFastConvergenceWmaxIsTheWindowAtLoss() {
            Cubic plain = new Cubic(false);
            lossAt(plain, 100, 100 * MS);
            plain.onEnterRecovery(now, 70 * MSS);
            assertEquals(70_000, plain.windowMaxBytes(), 1e-9);
        }

        @Test
        void aLossAboveTheOldWmaxRemembersTheNewWindow() {
            long rtt = 500 * MS;
            lossAt(cubic, 100, rtt);
            for (int r = 0; r < 16; r++) {
                round(cubic, rtt);
            }
            int atLoss = cubic.cwndBytes();
            assertTrue(atLoss > 110_000);
            cubic.onEnterRecovery(now, atLoss);
            assertEquals(atLoss, cubic.windowMaxBytes(), 1e-9);
            assertEquals((int) (atLoss * 0.7), cubic.cwndBytes());
        }

        @Test
        void noGrowthAndNoEpochDuringRecovery() {
            lossAt(cubic, 100, 100 * MS);
            cubic.onEnterRecovery(now, 70 * MSS);
            int during = cubic.cwndBytes();
            cubic.onAck(now + SECOND, 10 * MSS, 100 * MS, true, false);
            assertEquals(during, cubic.cwndBytes());
            assertFalse(cubic.epochActive());
        }

        @Test
        void spuriousLossUndoRestoresWindowAndWmax() {
            lossAt(cubic, 100, 100 * MS);
            cubic.onAck(now, MSS, 100 * MS, false, false);
            double windowMaxBefore = cubic.windowMaxBytes();
            int cwndBefore = cubic.cwndBytes();
            cubic.onEnterRecovery(now, cwndBefore);
            assertTrue(cubic.windowMaxBytes() < windowMaxBefore);
            assertTrue(cubic.undoLastReduction(now));
            assertEquals(windowMaxBefore, cubic.windowMaxBytes(), 1e-9);
            assertEquals(cwndBefore, cubic.cwndBytes());
            assertFalse(cubic.epochActive(), "a new epoch starts from the restored window");
        }
    }

    @Nested
    class Timeout {
        @Test
        void lossWindowAndSsthreshFromBeta() {
            lossAt(cubic, 100, 100 * MS);
            cubic.onRetransmissionTimeout(now, 60 * MSS);
            assertEquals(MSS, cubic.cwndBytes());
            assertEquals(42_000, cubic.ssthreshBytes(), "0.7 of the flight size, RFC 9438 4.8");
            assertEquals(-1, cubic.windowMaxBytes(), "W_max is set again when congestion avoidance begins");
        }

        @Test
        void firstEpochAfterATimeoutHasKZeroAndWmaxAtItsStart() {
            lossAt(cubic, 100, 100 * MS);
            cubic.onRetransmissionTimeout(now, 60 * MSS);
            while (cubic.inSlowStart()) {
                cubic.onAck(now, MSS, 100 * MS, false, false);
            }
            assertEquals(42_000, cubic.cwndBytes());
            cubic.onAck(now, MSS, 100 * MS, false, false);
            assertTrue(cubic.epochActive());
            assertEquals(0, cubic.kSeconds());
            assertEquals(42_000, cubic.windowMaxBytes(), 1e-9);
        }

        @Test
        void backoffKeepsSsthresh() {
            lossAt(cubic, 100, 100 * MS);
            cubic.onRetransmissionTimeout(now, 60 * MSS);
            cubic.onRetransmissionTimeout(now + SECOND, 60 * MSS);
            assertEquals(42_000, cubic.ssthreshBytes());
        }

        @Test
        void spuriousTimeoutUndoRestoresWmax() {
            lossAt(cubic, 100, 100 * MS);
            cubic.onRetransmissionTimeout(now, 70 * MSS);
            assertTrue(cubic.undoLastReduction(now));
            assertEquals(100_000, cubic.windowMaxBytes(), 1e-9);
            assertEquals(70_000, cubic.cwndBytes());
        }
    }

    @Nested
    class ApplicationLimitedAndIdle {
        @Test
        void noGrowthWhenApplicationLimited() {
            lossAt(cubic, 100, 100 * MS);
            cubic.onAck(now, MSS, 100 * MS, false, false);
            int before = cubic.cwndBytes();
            for (int i = 1; i <= 100; i++) {
                cubic.onAck(now + i * 100 * MS, MSS, 100 * MS, false, true);
            }
            assertEquals(before, cubic.cwndBytes());
        }

        @Test
        void applicationLimitedTimeIsNotPartOfT() {
            // RFC 9438 5.8: t excludes periods when the window was not used.
            Cubic busy = new Cubic();
            long start = now;
            lossAt(cubic, 100, 100 * MS);
            lossAt(busy, 100, 100 * MS);
            cubic.onAck(start, MSS, 100 * MS, false, false);
            busy.onAck(start, MSS, 100 * MS, false, false);
            cubic.onAck(start + 10 * SECOND, MSS, 100 * MS, false, true);      // 10 s of app-limited sending
            assertEquals(start + 10 * SECOND, cubic.epochStartNs());
            cubic.onAck(start + 10 * SECOND + 300 * MS, MSS, 100 * MS, false, false);
            busy.onAck(start + 300 * MS, MSS, 100 * MS, false, false);
            assertEquals(busy.cwndBytes(), cubic.cwndBytes(), "as if the idle 10 s had not happened");
        }

        @Test
        void restartAfterIdleShrinksToTheInitialWindowAndStartsANewEpoch() {
            lossAt(cubic, 100, 100 * MS);
            cubic.onAck(now, MSS, 100 * MS, false, false);
            assertTrue(cubic.epochActive());
            assertTrue(cubic.onRestartAfterIdle(now + 5 * SECOND, 5 * SECOND, SECOND));
            assertEquals(10 * MSS, cubic.cwndBytes());
            assertEquals(70_000, cubic.ssthreshBytes(), "max(70000, 3/4 of 70000)");
            assertFalse(cubic.epochActive());
            assertEquals(100_000, cubic.windowMaxBytes(), 1e-9, "W_max survives: the curve plateaus there again");
        }

        @Test
        void minimumRttIsTheSmallestSample() {
            cubic.init(MSS, now);
            assertEquals(-1, cubic.minRttNs());
            cubic.onAck(now, MSS, 50 * MS, false, false);
            cubic.onAck(now, MSS, 30 * MS, false, false);
            cubic.onAck(now, MSS, -1, false, false);
            cubic.onAck(now, MSS, 40 * MS, true, false);
            assertEquals(30 * MS, cubic.minRttNs());
        }

        @Test
        void mssChangeStartsANewEpochAndKeepsBytes() {
            lossAt(cubic, 100, 100 * MS);
            cubic.onAck(now, MSS, 100 * MS, false, false);
            int before = cubic.cwndBytes();
            cubic.onMssChange(500);
            assertFalse(cubic.epochActive());
            assertEquals(before, cubic.cwndBytes());
            cubic.onAck(now, 500, 100 * MS, false, false);
            assertEquals(Cubic.kSeconds(200, before / 500.0), cubic.kSeconds(), 1e-9, "K in the new segments");
        }

        @Test
        void slowStartIsTheSameAsNewReno() {
            NewReno reno = new NewReno();
            cubic.init(1460, now);
            reno.init(1460, now);
            int[] acks = {1460, 100, 2920, 5000, 1, 1460, 730, 20000};
            for (int acked : acks) {
                cubic.onAck(now, acked, MS, false, false);
                reno.onAck(now, acked, MS, false, false);
                assertEquals(reno.cwndBytes(), cubic.cwndBytes());
            }
        }
    }
}
