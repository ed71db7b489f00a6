package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.RttEstimator.NS_PER_MS;
import static io.mtcp4j.stack.tcp.RttEstimator.NS_PER_SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** RFC 6298 (with RFC 7323 Appendix G weighting) in integer nanoseconds. */
class RttEstimatorTest {
    private static final long US = 1_000L;

    @Nested
    class BeforeAnySample {
        @Test
        void rtoIsTheInitialOneSecond() {
            // RFC 6298 2.1
            RttEstimator rtt = new RttEstimator();
            assertFalse(rtt.hasSample());
            assertEquals(NS_PER_SECOND, rtt.rtoNs());
            assertEquals(0, rtt.srttNs());
            assertEquals(0, rtt.rttvarNs());
            assertEquals(0, rtt.backoffCount());
        }

        @Test
        void defaultsAreDocumentedOnes() {
            RttEstimator rtt = new RttEstimator();
            assertEquals(200 * NS_PER_MS, rtt.minRtoNs());
            assertEquals(120 * NS_PER_SECOND, rtt.maxRtoNs());
            assertEquals(NS_PER_SECOND, rtt.initialRtoNs());
            assertEquals(NS_PER_MS, rtt.clockGranularityNs());
        }

        @Test
        void backoffFromTheInitialRtoDoubles() {
            // A lost SYN: 1 s, 2 s, 4 s, ... (RFC 6298 5.5)
            RttEstimator rtt = new RttEstimator();
            rtt.backoff();
            assertEquals(2 * NS_PER_SECOND, rtt.rtoNs());
            rtt.backoff();
            assertEquals(4 * NS_PER_SECOND, rtt.rtoNs());
            assertEquals(2, rtt.backoffCount());
            rtt.resetBackoff();
            assertEquals(NS_PER_SECOND, rtt.rtoNs());
        }
    }

    @Nested
    class Samples {
        @Test
        void firstSampleSetsSrttToRAndRttvarToHalfR() {
            // RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, K*RTTVAR) = 100 + 200 ms.
            RttEstimator rtt = new RttEstimator();
            assertTrue(rtt.sample(100 * NS_PER_MS));
            assertTrue(rtt.hasSample());
            assertEquals(100 * NS_PER_MS, rtt.srttNs());
            assertEquals(50 * NS_PER_MS, rtt.rttvarNs());
            assertEquals(300 * NS_PER_MS, rtt.rtoNs());
        }

        @Test
        void laterSamplesUseTheRfcGains() {
            // RFC 6298 2.3 with alpha = 1/8, beta = 1/4:
            // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5 ms; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5 ms;
            // RTO = 112.5 + 4 * 62.5 = 362.5 ms.
            RttEstimator rtt = new RttEstimator();
            rtt.sample(100 * NS_PER_MS);
            rtt.sample(200 * NS_PER_MS);
            assertEquals(62_500 * US, rtt.rttvarNs());
            assertEquals(112_500 * US, rtt.srttNs());
            assertEquals(362_500 * US, rtt.rtoNs());
        }

        @Test
        void rttvarIsUpdatedWithTheOldSrtt() {
            // RFC 6298 2.3 orders the updates: RTTVAR from the SRTT before this sample.
            // 3/4 * 50 + 1/4 * |100 - 300| = 87.5 ms (with the new SRTT, 125 ms, it would be 81.25).
            RttEstimator rtt = new RttEstimator();
            rtt.sample(100 * NS_PER_MS);
            rtt.sample(300 * NS_PER_MS);
            assertEquals(87_500 * US, rtt.rttvarNs());
            assertEquals(125 * NS_PER_MS, rtt.srttNs());
        }

        @Test
        void aSampleSmallerThanSrttAlsoRaisesRttvar() {
            // 3/4 * 50 + 1/4 * |100 - 20| = 57.5 ms; SRTT = 87.5 + 2.5 = 90 ms.
            RttEstimator rtt = new RttEstimator();
            rtt.sample(100 * NS_PER_MS);
            rtt.sample(20 * NS_PER_MS);
            assertEquals(57_500 * US, rtt.rttvarNs());
            assertEquals(90 * NS_PER_MS, rtt.srttNs());
            assertEquals(320 * NS_PER_MS, rtt.rtoNs());
        }

        @Test
        void clockGranularityBoundsTheVarianceTerm() {
            // RFC 6298 2.4: RTO = SRTT + max(G, K*RTTVAR). With G = 10 ms and a 1 ms RTT, K*RTTVAR = 2 ms.
            RttEstimator rtt = new RttEstimator(NS_PER_SECOND, NS_PER_MS, 60 * NS_PER_SECOND, 10 * NS_PER_MS);
            rtt.sample(NS_PER_MS);
            assertEquals(11 * NS_PER_MS, rtt.rtoNs());
        }

        @Test
        void steadySamplesShrinkRttvarTowardZero() {
            RttEstimator rtt = new RttEstimator(NS_PER_SECOND, NS_PER_MS, 60 * NS_PER_SECOND, 0);
            for (int i = 0; i < 200; i++) {
                rtt.sample(40 * NS_PER_MS);
            }
            assertEquals(40 * NS_PER_MS, rtt.srttNs());
            assertTrue(rtt.rttvarNs() < 1_000, "RTTVAR decays by 3/4 per sample: " + rtt.rttvarNs());
            assertTrue(rtt.rtoNs() >= 40 * NS_PER_MS && rtt.rtoNs() < 40 * NS_PER_MS + 4_000);
        }

        @Test
        void zeroRttIsAValidSample() {
            // Loopback with a coarse timestamp clock measures 0.
            RttEstimator rtt = new RttEstimator();
            assertTrue(rtt.sample(0));
            assertEquals(0, rtt.srttNs());
            assertEquals(200 * NS_PER_MS, rtt.rtoNs(), "clamped to the minimum");
        }

        @Test
        void negativeAndAbsurdSamplesAreRefusedWithoutEffect() {
            RttEstimator rtt = new RttEstimator();
            rtt.sample(100 * NS_PER_MS);
            rtt.backoff();
            assertFalse(rtt.sample(-1));
            assertFalse(rtt.sample(RttEstimator.MAX_SAMPLE_NS + 1));
            assertEquals(100 * NS_PER_MS, rtt.srttNs());
            assertEquals(600 * NS_PER_MS, rtt.rtoNs(), "the backoff stands");
            assertEquals(1, rtt.backoffCount());
        }

        @Test
        void latestAndMinimumRttAreTracked() {
            RttEstimator rtt = new RttEstimator();
            rtt.sample(30 * NS_PER_MS);
            rtt.sample(10 * NS_PER_MS);
            rtt.sample(50 * NS_PER_MS);
            assertEquals(50 * NS_PER_MS, rtt.latestRttNs());
            assertEquals(10 * NS_PER_MS, rtt.minRttNs());
        }

        @Test
        void expectedSamplesDivideTheGains() {
            // RFC 7323 Appendix G with ExpectedSamples = 4: beta' = 1/16, alpha' = 1/32.
            // RTTVAR = 50 + (100 - 50)/16 = 53.125 ms; SRTT = 100 + 100/32 = 103.125 ms.
            RttEstimator rtt = new RttEstimator();
            rtt.sample(100 * NS_PER_MS, 4);
            assertEquals(100 * NS_PER_MS, rtt.srttNs(), "the first sample is taken whole");
            rtt.sample(200 * NS_PER_MS, 4);
            assertEquals(53_125 * US, rtt.rttvarNs());
            assertEquals(103_125 * US, rtt.srttNs());
            rtt.sample(200 * NS_PER_MS, 0);  // below 1 counts as 1
            assertEquals(103_125 * US + (200 * NS_PER_MS - 103_125 * US) / 8, rtt.srttNs());
        }
    }

    @Nested
    class Clamping {
        @Test
        void minimumRtoIs200MillisecondsByDefault() {
            RttEstimator rtt = new RttEstimator();
            rtt.sample(NS_PER_MS);   // 1 + max(1, 2) = 3 ms
            assertEquals(200 * NS_PER_MS, rtt.rtoNs());
            assertEquals(NS_PER_MS, rtt.srttNs(), "SRTT itself is not clamped");
        }

        @Test
        void rfc6298MinimumCanBeChosen() {
            RttEstimator rtt = new RttEstimator(NS_PER_SECOND, RttEstimator.RFC6298_MIN_RTO_NS,
                    60 * NS_PER_SECOND, NS_PER_MS);
            rtt.sample(100 * NS_PER_MS);
            assertEquals(NS_PER_SECOND, rtt.rtoNs());
        }

        @Test
        void maximumRtoCapsALargeSample() {
            // 50 s + 4 * 25 s = 150 s > 120 s
            RttEstimator rtt = new RttEstimator();
            rtt.sample(50 * NS_PER_SECOND);
            assertEquals(120 * NS_PER_SECOND, rtt.rtoNs());
        }

        @Test
        void backoffStopsAtTheMaximum() {
            RttEstimator rtt = new RttEstimator(NS_PER_SECOND, 200 * NS_PER_MS, 60 * NS_PER_SECOND, NS_PER_MS);
            long[] expectedSeconds = {2, 4, 8, 16, 32, 60, 60};
            for (long seconds : expectedSeconds) {
                rtt.backoff();
                assertEquals(seconds * NS_PER_SECOND, rtt.rtoNs());
            }
            assertEquals(7, rtt.backoffCount());
        }

        @Test
        void backoffNeverOverflowsEvenWithTheLargestMaximum() {
            RttEstimator rtt = new RttEstimator(NS_PER_SECOND, NS_PER_MS, RttEstimator.MAX_SAMPLE_NS, NS_PER_MS);
            for (int i = 0; i < 100; i++) {
                rtt.backoff();
            }
            assertEquals(RttEstimator.MAX_SAMPLE_NS, rtt.rtoNs());
            rtt.sample(RttEstimator.MAX_SAMPLE_NS);
            assertEquals(RttEstimator.MAX_SAMPLE_NS, rtt.rtoNs());
        }

        @Test
        void constructorRejectsInconsistentBounds() {
            assertThrows(IllegalArgumentException.class, () -> new RttEstimator(NS_PER_SECOND, 0, NS_PER_SECOND, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> new RttEstimator(NS_PER_SECOND, 2 * NS_PER_SECOND, NS_PER_SECOND, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> new RttEstimator(10 * NS_PER_SECOND, NS_PER_MS, NS_PER_SECOND, 0), "initial above max");
            assertThrows(IllegalArgumentException.class,
                    () -> new RttEstimator(NS_PER_SECOND, NS_PER_MS, NS_PER_SECOND, -1));
        }
    }

    @Nested
    class KarnAndBackoff {
        @Test
        void backoffDoublesTheComputedRtoUntilANewSample() {
            RttEstimator rtt = new RttEstimator();
            rtt.sample(100 * NS_PER_MS);           // RTO 300 ms
            rtt.backoff();
            rtt.backoff();
            assertEquals(1_200 * NS_PER_MS, rtt.rtoNs());
            // Karn: the retransmitted segment's ACK gives no sample, so the backed-off RTO stays.
            assertEquals(1_200 * NS_PER_MS, rtt.rtoNs());
            // A segment sent once is acknowledged: its sample recomputes RTO and ends the backoff.
            rtt.sample(100 * NS_PER_MS);
            assertEquals(0, rtt.backoffCount());
            assertTrue(rtt.rtoNs() < 1_200 * NS_PER_MS);
        }

        @Test
        void resetBackoffReturnsToTheComputedRto() {
            RttEstimator rtt = new RttEstimator();
            rtt.sample(100 * NS_PER_MS);
            rtt.backoff();
            rtt.resetBackoff();
            assertEquals(300 * NS_PER_MS, rtt.rtoNs());
            assertEquals(0, rtt.backoffCount());
            assertEquals(100 * NS_PER_MS, rtt.srttNs(), "no sample was invented");
        }

        @Test
        void handshakeTimeoutFallsBackToThreeSeconds() {
            // RFC 6298 5.7: SYN retransmitted, no sample: RTO is 3 s once data flows.
            RttEstimator rtt = new RttEstimator();
            rtt.backoff();
            rtt.fallBackAfterHandshakeTimeout();
            assertEquals(3 * NS_PER_SECOND, rtt.rtoNs());
            assertEquals(0, rtt.backoffCount());
            rtt.backoff();
            assertEquals(6 * NS_PER_SECOND, rtt.rtoNs());
            rtt.resetBackoff();
            assertEquals(3 * NS_PER_SECOND, rtt.rtoNs(), "3 s is the new base");
        }

        @Test
        void handshakeFallbackIsIgnoredOnceMeasuredAndClampedToTheMaximum() {
            RttEstimator measured = new RttEstimator();
            measured.sample(100 * NS_PER_MS);      // e.g. from a timestamp echo on the SYN-ACK
            measured.fallBackAfterHandshakeTimeout();
            assertEquals(300 * NS_PER_MS, measured.rtoNs());

            RttEstimator lowMax = new RttEstimator(NS_PER_SECOND, NS_PER_MS, 2 * NS_PER_SECOND, NS_PER_MS);
            lowMax.fallBackAfterHandshakeTimeout();
            assertEquals(2 * NS_PER_SECOND, lowMax.rtoNs());
        }

        @Test
        void resetForgetsTheConnection() {
            RttEstimator rtt = new RttEstimator();
            rtt.sample(100 * NS_PER_MS);
            rtt.backoff();
            rtt.reset();
            assertFalse(rtt.hasSample());
            assertEquals(NS_PER_SECOND, rtt.rtoNs());
            assertEquals(0, rtt.minRttNs());
            assertEquals(0, rtt.backoffCount());
            rtt.sample(40 * NS_PER_MS);
            assertEquals(20 * NS_PER_MS, rtt.rttvarNs(), "a first sample again");
        }
    }

    // ---------------------------------------------------------------- properties

    @Property
    void rtoStaysWithinItsBoundsWhateverTheSamples(@ForAll @LongRange(min = 0, max = 1L << 40) long first,
                                                   @ForAll @LongRange(min = 0, max = 1L << 40) long second,
                                                   @ForAll @IntRange(min = 0, max = 20) int backoffs,
                                                   @ForAll @IntRange(min = 1, max = 64) int expectedSamples) {
        RttEstimator rtt = new RttEstimator();
        rtt.sample(first);
        rtt.sample(second, expectedSamples);
        assertTrue(rtt.rtoNs() >= rtt.minRtoNs() && rtt.rtoNs() <= rtt.maxRtoNs());
        long before = rtt.rtoNs();
        for (int i = 0; i < backoffs; i++) {
            rtt.backoff();
        }
        assertTrue(rtt.rtoNs() <= rtt.maxRtoNs());
        assertTrue(rtt.rtoNs() >= before);
        assertEquals(Math.min(rtt.maxRtoNs(), before << backoffs), rtt.rtoNs());
    }

    @Property
    void srttStaysBetweenTheSmallestAndLargestSample(@ForAll @LongRange(min = 0, max = 1L << 40) long a,
                                                     @ForAll @LongRange(min = 0, max = 1L << 40) long b,
                                                     @ForAll @LongRange(min = 0, max = 1L << 40) long c) {
        RttEstimator rtt = new RttEstimator();
        rtt.sample(a);
        rtt.sample(b);
        rtt.sample(c);
        long low = Math.min(a, Math.min(b, c));
        long high = Math.max(a, Math.max(b, c));
        assertTrue(rtt.srttNs() >= low && rtt.srttNs() <= high);
        assertTrue(rtt.rttvarNs() >= 0 && rtt.rttvarNs() <= high);
        assertEquals(low, rtt.minRttNs());
        assertEquals(c, rtt.latestRttNs());
    }
}
