package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** NewReno's window: RFC 5681 slow start and congestion avoidance with ABC (RFC 3465), RFC 6582's cwnd side. */
class NewRenoTest {
    /** A round number so that windows read as segment counts: 10 MSS = 10000 bytes. */
    private static final int MSS = 1000;
    private static final long RTT_NS = 100_000_000;
    private static final long RTO_NS = 1_000_000_000;
    private static final int INFINITE = CongestionControl.INFINITE_SSTHRESH_BYTES;

    private final NewReno reno = new NewReno();
    private long now = 1_000_000_000;

    private void ack(int bytes) {
        reno.onAck(now, bytes, RTT_NS, false, false);
    }

    /** One round trip: the whole current window acknowledged in ACKs of {@code bytesPerAck}. */
    private void ackWindow(int bytesPerAck) {
        int window = reno.cwndBytes();
        for (int acked = 0; acked < window; acked += bytesPerAck) {
            ack(Math.min(bytesPerAck, window - acked));
        }
        now += RTT_NS;
    }

    /** Congestion avoidance at {@code segments} MSS: slow start to twice that, lose, recover. */
    private void inCongestionAvoidanceAt(int segments) {
        reno.init(MSS, now);
        while (reno.cwndBytes() < 2 * segments * MSS) {
            ack(MSS);
        }
        reno.onEnterRecovery(now, 2 * segments * MSS);
        reno.onExitRecovery(now, segments * MSS);
        assertEquals(segments * MSS, reno.cwndBytes());
        assertEquals(segments * MSS, reno.ssthreshBytes());
    }

    @Nested
    class Initialisation {
        @Test
        void initialWindowIsTenSegmentsCappedAt14600Bytes() {
            // RFC 6928: min(10 * MSS, max(2 * MSS, 14600)).
            reno.init(1000, now);
            assertEquals(10_000, reno.cwndBytes());
            reno.init(536, now);
            assertEquals(5_360, reno.cwndBytes());
            reno.init(1460, now);
            assertEquals(14_600, reno.cwndBytes());
            reno.init(4000, now);
            assertEquals(14_600, reno.cwndBytes());
            reno.init(8960, now);
            assertEquals(17_920, reno.cwndBytes());
        }

        @Test
        void retransmittedHandshakeStartsWithOneSegment() {
            // RFC 5681 3.1: a lost SYN or SYN-ACK means an initial window of one segment.
            reno.init(1460, true, now);
            assertEquals(1460, reno.cwndBytes());
        }

        @Test
        void ssthreshStartsInfiniteSoTheConnectionSlowStarts() {
            reno.init(MSS, now);
            assertEquals(INFINITE, reno.ssthreshBytes());
            assertTrue(reno.inSlowStart());
            assertEquals(MSS, reno.mssBytes());
            assertEquals("newreno", reno.name());
        }

        @Test
        void initForgetsThePreviousConnection() {
            reno.init(MSS, now);
            reno.onRetransmissionTimeout(now, 10_000);
            reno.init(1460, now);
            assertEquals(14_600, reno.cwndBytes());
            assertEquals(INFINITE, reno.ssthreshBytes());
            assertFalse(reno.undoLastReduction(now), "nothing to undo in a new connection");
            // And slow start uses the normal ABC limit again, not the after-timeout one.
            reno.onAck(now, 3 * 1460, -1, false, false);
            assertEquals(14_600 + 2 * 1460, reno.cwndBytes());
        }

        @Test
        void mssMustBePositive() {
            assertThrows(IllegalArgumentException.class, () -> reno.init(0, now));
            reno.init(MSS, now);
            assertThrows(IllegalArgumentException.class, () -> reno.onMssChange(-1));
        }
    }

    @Nested
    class SlowStart {
        @Test
        void eachFullSegmentAcknowledgedAddsOneSegment() {
            reno.init(MSS, now);
            ack(MSS);
            assertEquals(11_000, reno.cwndBytes());
        }

        @Test
        void byteCountingAddsWhatWasAcknowledged() {
            // RFC 3465: a 100-byte ACK grows cwnd by 100 bytes, not by a whole MSS.
            reno.init(MSS, now);
            ack(100);
            assertEquals(10_100, reno.cwndBytes());
        }

        @Test
        void aStretchAckAddsAtMostTwoSegments() {
            // RFC 3465 2.2: L = 2 * SMSS.
            reno.init(MSS, now);
            ack(5 * MSS);
            assertEquals(12_000, reno.cwndBytes());
        }

        @Test
        void windowDoublesEachRoundTripWithPerSegmentAcks() {
            reno.init(MSS, now);
            ackWindow(MSS);
            assertEquals(20_000, reno.cwndBytes());
            ackWindow(MSS);
            assertEquals(40_000, reno.cwndBytes());
        }

        @Test
        void windowStillDoublesWithDelayedAcks() {
            // The point of ABC: one ACK per two segments grows cwnd as fast as one per segment.
            reno.init(MSS, now);
            ackWindow(2 * MSS);
            assertEquals(20_000, reno.cwndBytes());
            ackWindow(2 * MSS);
            assertEquals(40_000, reno.cwndBytes());
        }

        @Test
        void slowStartStopsAtSsthreshAndTheRestCountsForAvoidance() {
            reno.init(MSS, now);
            reno.onRetransmissionTimeout(now, 16_000);            // ssthresh 8000, cwnd 1000
            for (int i = 0; i < 13; i++) {
                ack(500);
            }
            assertEquals(7_500, reno.cwndBytes());
            ack(MSS);                                             // 500 to reach ssthresh, 500 left over
            assertEquals(8_000, reno.cwndBytes());
            assertFalse(reno.inSlowStart());
            ack(7_499);
            assertEquals(8_000, reno.cwndBytes(), "500 + 7499 bytes is still short of one window");
            ack(1);
            assertEquals(9_000, reno.cwndBytes());
        }

        @Test
        void afterATimeoutSlowStartGrowsAtMostOneSegmentPerAck() {
            // RFC 3465 2.3: L = 1 * SMSS in the slow start that follows a retransmission timeout.
            reno.init(MSS, now);
            reno.onRetransmissionTimeout(now, 40_000);
            ack(3 * MSS);
            assertEquals(2_000, reno.cwndBytes());
            ack(3 * MSS);
            assertEquals(3_000, reno.cwndBytes());
        }

        @Test
        void theAfterTimeoutLimitEndsWithTheNextLossEpisode() {
            reno.init(MSS, now);
            reno.onRetransmissionTimeout(now, 40_000);            // ssthresh 20000
            ack(MSS);
            reno.onEnterRecovery(now, 30_000);                     // ssthresh 15000, cwnd 15000
            reno.onExitRecovery(now, 0);                           // cwnd 2000: slow start again
            assertEquals(2_000, reno.cwndBytes());
            ack(3 * MSS);
            assertEquals(4_000, reno.cwndBytes(), "L is back to 2 MSS");
        }
    }

    @Nested
    class CongestionAvoidance {
        @Test
        void oneSegmentPerWindowOfAcknowledgedBytes() {
            inCongestionAvoidanceAt(20);
            for (int i = 0; i < 19; i++) {
                ack(MSS);
            }
            assertEquals(20_000, reno.cwndBytes(), "19 of 20 segments acknowledged: no growth yet");
            ack(MSS);
            assertEquals(21_000, reno.cwndBytes());
        }

        @Test
        void aboutOneSegmentPerRoundTrip() {
            inCongestionAvoidanceAt(20);
            for (int round = 1; round <= 10; round++) {
                ackWindow(MSS);
                assertEquals((20 + round) * MSS, reno.cwndBytes(), "round " + round);
            }
        }

        @Test
        void delayedAcksGrowAtTheSameRate() {
            inCongestionAvoidanceAt(20);
            for (int round = 1; round <= 10; round++) {
                ackWindow(2 * MSS);
            }
            assertEquals(30_000, reno.cwndBytes());
        }

        @Test
        void aSmallMssChangeDoesNotLoseTheWindow() {
            inCongestionAvoidanceAt(20);
            reno.onMssChange(500);
            assertEquals(20_000, reno.cwndBytes(), "bytes are kept");
            assertEquals(500, reno.mssBytes());
            for (int i = 0; i < 40; i++) {
                ack(500);
            }
            assertEquals(20_500, reno.cwndBytes(), "growth steps use the new MSS");
        }
    }

    @Nested
    class FastRecovery {
        @Test
        void ssthreshIsHalfTheFlightSizeAndCwndEqualsIt() {
            // RFC 5681 eq. 4; no +3 MSS inflation here (the control block counts duplicate ACKs in pipe).
            reno.init(MSS, now);
            reno.onEnterRecovery(now, 20_000);
            assertEquals(10_000, reno.ssthreshBytes());
            assertEquals(10_000, reno.cwndBytes());
        }

        @Test
        void ssthreshUsesFlightSizeNotCwnd() {
            reno.init(MSS, now);
            ackWindow(MSS);                                       // cwnd 20000
            reno.onEnterRecovery(now, 5_001);
            assertEquals(2_500, reno.ssthreshBytes());
        }

        @Test
        void ssthreshIsAtLeastTwoSegments() {
            reno.init(MSS, now);
            reno.onEnterRecovery(now, 3_000);
            assertEquals(2_000, reno.ssthreshBytes());
            assertEquals(2_000, reno.cwndBytes());
        }

        @Test
        void noGrowthDuringRecovery() {
            reno.init(MSS, now);
            reno.onEnterRecovery(now, 20_000);
            reno.onAck(now, 5 * MSS, RTT_NS, true, false);        // partial ACK
            assertEquals(10_000, reno.cwndBytes());
        }

        @Test
        void fullAcknowledgmentLimitsTheWindowToFlightPlusOneSegment() {
            // RFC 6582 3.2 step 3 option (1): cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
            reno.init(MSS, now);
            reno.onEnterRecovery(now, 20_000);
            reno.onExitRecovery(now, 4_000);
            assertEquals(5_000, reno.cwndBytes());
            assertEquals(10_000, reno.ssthreshBytes());
            assertTrue(reno.inSlowStart(), "slow start climbs back to ssthresh");
        }

        @Test
        void fullAcknowledgmentWithNothingOutstanding() {
            reno.init(MSS, now);
            reno.onEnterRecovery(now, 20_000);
            reno.onExitRecovery(now, 0);
            assertEquals(2_000, reno.cwndBytes());
        }

        @Test
        void fullAcknowledgmentWithMuchOutstandingIsSsthresh() {
            reno.init(MSS, now);
            reno.onEnterRecovery(now, 20_000);
            reno.onExitRecovery(now, 15_000);
            assertEquals(10_000, reno.cwndBytes());
        }

        @Test
        void leavingRecoveryThatNeverBeganDoesNotRaiseCwnd() {
            reno.init(MSS, now);
            reno.onExitRecovery(now, 50_000);
            assertEquals(10_000, reno.cwndBytes());
        }

        @Test
        void spuriousRecoveryCanBeUndone() {
            inCongestionAvoidanceAt(20);                          // cwnd 20000, ssthresh 20000
            reno.onEnterRecovery(now, 20_000);
            assertEquals(10_000, reno.cwndBytes());
            assertTrue(reno.undoLastReduction(now));
            assertEquals(20_000, reno.cwndBytes());
            assertEquals(20_000, reno.ssthreshBytes());
            assertFalse(reno.undoLastReduction(now), "only once");
        }

        @Test
        void nothingToUndoBeforeAnyReduction() {
            reno.init(MSS, now);
            assertFalse(reno.undoLastReduction(now));
            assertEquals(10_000, reno.cwndBytes());
        }
    }

    @Nested
    class RetransmissionTimeout {
        @Test
        void lossWindowIsOneSegmentAndSsthreshHalfTheFlight() {
            reno.init(MSS, now);
            ackWindow(MSS);
            reno.onRetransmissionTimeout(now, 18_000);
            assertEquals(MSS, reno.cwndBytes());
            assertEquals(9_000, reno.ssthreshBytes());
        }

        @Test
        void ssthreshFloorIsTwoSegments() {
            reno.init(MSS, now);
            reno.onRetransmissionTimeout(now, MSS);
            assertEquals(2 * MSS, reno.ssthreshBytes());
            assertEquals(MSS, reno.cwndBytes());
        }

        @Test
        void repeatedTimeoutOfTheSameSegmentKeepsSsthresh() {
            // RFC 5681 section 3.1 note on eq. 4: ssthresh is held across backoff.
            reno.init(MSS, now);
            reno.onRetransmissionTimeout(now, 20_000);
            reno.onRetransmissionTimeout(now + RTO_NS, 20_000);
            reno.onRetransmissionTimeout(now + 3 * RTO_NS, 20_000);
            assertEquals(10_000, reno.ssthreshBytes());
            assertEquals(MSS, reno.cwndBytes());
        }

        @Test
        void aTimeoutAfterNewDataWasAcknowledgedComputesSsthreshAgain() {
            reno.init(MSS, now);
            reno.onRetransmissionTimeout(now, 20_000);
            ack(MSS);
            reno.onRetransmissionTimeout(now, 6_000);
            assertEquals(3_000, reno.ssthreshBytes());
        }

        @Test
        void spuriousTimeoutCanBeUndone() {
            inCongestionAvoidanceAt(20);
            reno.onRetransmissionTimeout(now, 20_000);
            assertTrue(reno.undoLastReduction(now));
            assertEquals(20_000, reno.cwndBytes());
            assertEquals(20_000, reno.ssthreshBytes());
            ack(3 * MSS);
            assertEquals(20_000, reno.cwndBytes(), "back in congestion avoidance, not slow start after timeout");
        }
    }

    @Nested
    class RestartAfterIdle {
        @Test
        void idleLongerThanTheRtoShrinksCwndToTheRestartWindow() {
            reno.init(MSS, now);
            ackWindow(MSS);
            ackWindow(MSS);                                        // cwnd 40000
            assertTrue(reno.onRestartAfterIdle(now, RTO_NS + 1, RTO_NS));
            assertEquals(10_000, reno.cwndBytes(), "RFC 5681 4.1: min(RW, cwnd), RW = initial window");
            assertEquals(INFINITE, reno.ssthreshBytes(), "max(infinite, 3/4 cwnd)");
        }

        @Test
        void ssthreshRemembersThreeQuartersOfTheOldWindow() {
            inCongestionAvoidanceAt(4);                            // ssthresh 4000
            for (int round = 0; round < 12; round++) {
                ackWindow(MSS);
            }
            assertEquals(16_000, reno.cwndBytes());
            assertTrue(reno.onRestartAfterIdle(now, 2 * RTO_NS, RTO_NS));
            assertEquals(10_000, reno.cwndBytes());
            assertEquals(12_000, reno.ssthreshBytes(), "max(4000, 3/4 of 16000)");
            assertTrue(reno.inSlowStart());
        }

        @Test
        void aWindowAboveThreeQuartersKeepsSsthresh() {
            inCongestionAvoidanceAt(20);                           // ssthresh 20000
            for (int round = 0; round < 4; round++) {
                ackWindow(MSS);
            }
            assertEquals(24_000, reno.cwndBytes());
            assertTrue(reno.onRestartAfterIdle(now, 2 * RTO_NS, RTO_NS));
            assertEquals(20_000, reno.ssthreshBytes(), "max(20000, 18000)");
        }

        @Test
        void idleUpToTheRtoChangesNothing() {
            reno.init(MSS, now);
            ackWindow(MSS);
            assertFalse(reno.onRestartAfterIdle(now, RTO_NS, RTO_NS));
            assertEquals(20_000, reno.cwndBytes());
        }

        @Test
        void aSmallWindowIsNotRaisedByRestart() {
            reno.init(MSS, now);
            reno.onRetransmissionTimeout(now, 20_000);
            assertTrue(reno.onRestartAfterIdle(now, 5 * RTO_NS, RTO_NS));
            assertEquals(MSS, reno.cwndBytes());
        }
    }

    @Nested
    class ApplicationLimited {
        @Test
        void noGrowthInSlowStartWhenTheWindowWasNotUsed() {
            reno.init(MSS, now);
            reno.onAck(now, 2 * MSS, RTT_NS, false, true);
            assertEquals(10_000, reno.cwndBytes());
        }

        @Test
        void noGrowthInCongestionAvoidanceAndNoCreditSaved() {
            inCongestionAvoidanceAt(20);
            for (int i = 0; i < 40; i++) {
                reno.onAck(now, MSS, RTT_NS, false, true);
            }
            assertEquals(20_000, reno.cwndBytes());
            for (int i = 0; i < 19; i++) {
                ack(MSS);
            }
            assertEquals(20_000, reno.cwndBytes(), "app-limited ACKs did not count toward the next step");
        }
    }

    @Nested
    class Limits {
        @Test
        void ackOfNothingChangesNothing() {
            reno.init(MSS, now);
            reno.onAck(now, 0, RTT_NS, false, false);
            reno.onAck(now, -5, RTT_NS, false, false);
            assertEquals(10_000, reno.cwndBytes());
        }

        @Test
        void cwndStopsAtTheMaximum() {
            int mss = 1 << 24;
            reno.init(mss, now);
            for (int i = 0; i < 100; i++) {
                reno.onAck(now, 2 * mss, -1, false, false);
            }
            assertEquals(CongestionControl.MAX_CWND_BYTES, reno.cwndBytes());
            reno.onEnterRecovery(now, CongestionControl.MAX_CWND_BYTES);
            reno.onExitRecovery(now, CongestionControl.MAX_CWND_BYTES);
            for (int i = 0; i < 1000; i++) {
                reno.onAck(now, CongestionControl.MAX_CWND_BYTES, -1, false, false);
            }
            assertEquals(CongestionControl.MAX_CWND_BYTES, reno.cwndBytes());
        }

        @Test
        void mssChangeKeepsAtLeastOneSegmentOfCwndAndTwoOfSsthresh() {
            reno.init(MSS, now);
            reno.onRetransmissionTimeout(now, 1_000);               // cwnd 1000, ssthresh 2000
            reno.onMssChange(1460);
            assertEquals(1460, reno.cwndBytes());
            assertEquals(2920, reno.ssthreshBytes());
        }

        @Test
        void describesItself() {
            reno.init(MSS, now);
            assertEquals("newreno[cwnd=10000 ssthresh=2147483647 mss=1000]", reno.toString());
        }
    }
}
