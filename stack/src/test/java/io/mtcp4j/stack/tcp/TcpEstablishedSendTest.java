package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.FIN;
import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.PSH;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.RST;
import static io.mtcp4j.stack.tcp.TcpHarness.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.TcpOptionSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * ESTABLISHED, the sending half and the ACK field: Nagle and sender silly-window avoidance
 * (RFC 9293 3.7.4, 3.8.6.2.1), ACK acceptability and the send window (RFC 9293 3.10.7.4 fifth,
 * RFC 5961 5.2), the retransmission timer (RFC 6298, Karn), fast retransmit and NewReno
 * (RFC 5681, RFC 6582), zero-window probing (RFC 9293 3.8.6.1), keepalive (RFC 9293 3.8.4) and
 * RST/SYN handling with challenge ACKs (RFC 5961 3, 4, 7).
 */
class TcpEstablishedSendTest {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;
    private static final long MS = 1_000_000L;
    private static final int MSS = 1460;

    private static TcpHarness established(java.util.function.Consumer<TcpConfig.Builder> changes) {
        return new TcpHarness(TcpConfig.defaults().with(changes)).established();
    }

    /** Counts the payload bytes of everything emitted so far, consuming it. */
    private static int drainPayloadBytes(TcpHarness h) {
        int bytes = 0;
        while (!h.emitted.isEmpty()) {
            bytes += h.expect().check().payload().length;
        }
        return bytes;
    }

    @Nested
    class NagleAndSenderSws {
        // RFC 9293 3.7.4: Nagle holds only partial segments; a full one goes despite outstanding data.
        @Test
        void fullSegmentGoesDespiteOutstandingData() {
            TcpHarness h = new TcpHarness().established();
            h.write("a");
            h.transmit();
            h.expect().seq(L).payload("a").check();
            h.write(new byte[MSS]);
            h.transmit();
            h.expect().flags(ACK | PSH).seq(L + 1).payloadLength(MSS).check();
        }

        // RFC 9293 3.7.4: the partial tail of a write waits for the ACK of what is outstanding.
        @Test
        void partialTailWaitsBehindFullSegments() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[2_000]);
            h.transmit();
            h.expect().flags(ACK).seq(L).payloadLength(MSS).check();
            h.expectNothing();
            h.send(h.segment().seq(R).ack(L + MSS));
            h.expect().flags(ACK | PSH).seq(L + MSS).payloadLength(540).check();
        }

        // A queued FIN lets the last partial segment go at once (Linux: TCP_NAGLE_PUSH on close).
        @Test
        void queuedFinReleasesThePartialSegment() {
            TcpHarness h = new TcpHarness().established();
            h.write("a");
            h.transmit();
            h.expect().payload("a").check();
            h.write("b");
            h.transmit();
            h.expectNothing();
            h.connection.shutdownOutput();
            h.transmit();
            h.expect().flags(ACK | PSH | FIN).seq(L + 1).payload("b").check();
            h.expectState(TcpState.FIN_WAIT_1);
        }

        // PSH marks the segment that empties the send ring, and only it.
        @Test
        void pushOnlyOnTheLastSegment() {
            TcpHarness h = established(b -> b.noDelay(true));
            h.write(new byte[3_000]);
            h.transmit();
            h.expect().flags(ACK).seq(L).payloadLength(MSS).check();
            h.expect().flags(ACK).seq(L + MSS).payloadLength(MSS).check();
            h.expect().flags(ACK | PSH).seq(L + 2 * MSS).payloadLength(80).check();
        }

        // RFC 9293 3.8.6.2.1: a usable window below MSS and below half the largest window seen is a silly window.
        @Test
        void sillyUsableWindowSendsNothing() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).window(100));
            h.write(new byte[1_000]);
            h.transmit();
            h.expectNothing();
        }

        // RFC 9293 3.8.6.2.1: TCP_NODELAY turns Nagle off, not sender silly-window avoidance.
        @Test
        void noDelayStillAvoidsSillyWindows() {
            TcpHarness h = established(b -> b.noDelay(true));
            h.send(h.segment().seq(R).ack(L).window(100));
            h.write(new byte[1_000]);
            h.transmit();
            h.expectNothing();
        }

        // RFC 9293 3.8.6.2.1: with nothing outstanding, a segment of at least half the largest window goes.
        @Test
        void segmentOfHalfTheLargestWindowGoes() {
            TcpHarness h = new TcpHarness();
            h.synWindow = 1_000;
            h.synReceived(TcpOptionSet.NONE.withMss(1460));
            h.send(h.segment().seq(R).ack(L).window(1_000));
            h.write(new byte[2_000]);
            h.transmit();
            h.expect().flags(ACK).seq(L).payloadLength(1_000).check();
            h.expectNothing();
            h.send(h.segment().seq(R).ack(L + 1_000).window(1_000));
            h.expect().flags(ACK | PSH).seq(L + 1_000).payloadLength(1_000).check();
        }

        // RFC 9293 3.7: the peer's window bounds the bytes in flight.
        @Test
        void peerWindowBoundsTheFlight() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).window(3_000));
            h.write(new byte[10_000]);
            h.transmit();
            assertEquals(2 * MSS, drainPayloadBytes(h));
            assertEquals(2 * MSS, h.connection.info().bytesInFlight());
        }
    }

    @Nested
    class AckField {
        // RFC 6298 5.2: everything acknowledged: the retransmission timer stops.
        @Test
        void ackOfEverythingStopsTheTimer() {
            TcpHarness h = new TcpHarness().established();
            h.write("0123456789");
            h.transmit();
            h.expect().payloadLength(10).check();
            assertEquals(h.nowNs + 1_000 * MS, h.connection.nextDeadlineNs());
            h.send(h.segment().seq(R).ack(L + 10));
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
        }

        // RFC 6298 5.3: an ACK of new data restarts the timer with the fresh RTO (RFC 6298 2.2 from a 500 ms sample).
        @Test
        void partialAckRestartsTheTimer() {
            TcpHarness h = established(b -> b.noDelay(true));
            h.write(new byte[2 * MSS]);
            h.transmit();
            drainPayloadBytes(h);
            h.advanceMs(500);
            h.send(h.segment().seq(R).ack(L + MSS));
            assertEquals(1_500 * MS, h.connection.info().rtoNs());
            assertEquals(h.nowNs + 1_500 * MS, h.connection.nextDeadlineNs());
        }

        // RFC 5961 5.2: SND.UNA - MAX.SND.WND =< SEG.ACK < SND.UNA is an old duplicate ACK: ignored, the text kept.
        @Test
        void oldAckInsideTheMaxWindowKeepsItsText() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[100]);
            h.transmit();
            h.expect().payloadLength(100).check();
            h.send(h.segment().seq(R).ack(L + 100));
            h.send(h.segment().seq(R).ack(L + 50).payload("hello"));
            assertEquals(5, h.connection.readableBytes());
            assertEquals(0, h.connection.info().challengeAcksSent());
        }

        // RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND: drop the segment and send a (challenge) ACK.
        @Test
        void ackOlderThanTheMaxWindowDrawsAChallengeAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L - 65_536).payload("x"));
            h.expectAck(L, R);
            assertEquals(0, h.connection.readableBytes());
            assertEquals(1, h.connection.info().challengeAcksSent());
        }

        // RFC 5961 5.2: SEG.ACK = SND.UNA - MAX.SND.WND is still acceptable.
        @Test
        void ackExactlyTheMaxWindowBehindIsAcceptable() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L - 65_535).payload("x"));
            assertEquals(1, h.connection.readableBytes());
            assertEquals(0, h.connection.info().challengeAcksSent());
        }

        // RFC 9293 3.10.7.4 fifth: the window is updated only when SND.UNA =< SEG.ACK; an old ACK leaves it
        // (Linux: old_ack in tcp_ack), even on a segment with a newer sequence number.
        @Test
        void oldAckDoesNotUpdateTheWindow() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[100]);
            h.transmit();
            h.expect().payloadLength(100).check();
            h.send(h.segment().seq(R).ack(L + 100));
            h.send(h.segment().seq(R + 5).ack(L + 50).window(10).payload("x"));
            assertEquals(65_535, h.connection.info().sendWindowBytes());
        }

        // RFC 9293 3.10.7.4 fifth: SND.WL1 < SEG.SEQ: take the window.
        @Test
        void windowTakenFromANewerSegment() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payloadLength(10).window(5_000));
            assertEquals(5_000, h.connection.info().sendWindowBytes());
            h.send(h.segment().seq(R + 10).ack(L).window(6_000));
            assertEquals(6_000, h.connection.info().sendWindowBytes());
        }

        // RFC 9293 3.10.7.4 fifth: SND.WL1 > SEG.SEQ (a reordered older segment): keep the window.
        @Test
        void windowNotTakenFromAnOlderSegment() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(10).window(5_000));
            assertEquals(5_000, h.connection.info().sendWindowBytes());
            h.send(h.segment().seq(R).ack(L).payloadLength(100).window(9_000));
            assertEquals(5_000, h.connection.info().sendWindowBytes());
        }

        // RFC 9293 3.10.7.4 fifth: SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK: take the window.
        @Test
        void windowTakenFromTheSameSequenceWithANewerAck() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[10]);
            h.transmit();
            h.expect().payloadLength(10).check();
            h.send(h.segment().seq(R).ack(L + 10).window(7_000));
            assertEquals(7_000, h.connection.info().sendWindowBytes());
        }

        // RFC 5681 2: ACK = SND.UNA, no data, no SYN/FIN, window unchanged, data outstanding: a duplicate.
        @Test
        void duplicateAckIsCounted() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[2 * MSS]);
            h.transmit();
            drainPayloadBytes(h);
            h.send(h.segment().seq(R).ack(L));
            assertEquals(1, h.connection.info().duplicateAcksReceived());
        }

        // RFC 5681 2 (b): an ACK carrying data is not a duplicate.
        @Test
        void ackCarryingDataIsNotADuplicate() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[2 * MSS]);
            h.transmit();
            drainPayloadBytes(h);
            h.send(h.segment().seq(R).ack(L).payloadLength(5));
            assertEquals(0, h.connection.info().duplicateAcksReceived());
        }

        // RFC 5681 2 (e): an ACK that changes the window is not a duplicate.
        @Test
        void ackChangingTheWindowIsNotADuplicate() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[2 * MSS]);
            h.transmit();
            drainPayloadBytes(h);
            h.send(h.segment().seq(R).ack(L).window(60_000));
            assertEquals(0, h.connection.info().duplicateAcksReceived());
        }

        // RFC 5681 2 (a): with nothing outstanding an ACK of SND.UNA is no duplicate.
        @Test
        void ackWithNothingOutstandingIsNotADuplicate() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L));
            assertEquals(0, h.connection.info().duplicateAcksReceived());
        }
    }

    @Nested
    class RetransmissionTimer {
        // RFC 6298 5.5 and 2.5: the RTO doubles up to the maximum and stays there.
        @Test
        void rtoBacksOffUpToTheMaximum() {
            TcpHarness h = established(b -> b.maxRtoNs(3_000 * MS));
            h.write("data");
            h.transmit();
            h.expect().payload("data").check();
            for (long intervalMs : new long[] {1_000, 2_000, 3_000, 3_000}) {
                h.advanceMs(intervalMs - 1);
                h.expectNothing();
                h.advanceMs(1);
                h.expect().seq(L).payload("data").check();
            }
        }

        // RFC 9293 3.8.3 R2 (RFC 1122 4.2.3.5): after the retries, give up: <SEQ=SND.NXT><CTL=RST>, "timed out".
        @Test
        void retriesExhaustedResetAndTimeOut() {
            TcpHarness h = established(b -> b.maxRetransmissions(2));
            h.write("data");
            h.transmit();
            h.expect().payload("data").check();
            h.advanceMs(1_000);
            h.expect().payload("data").check();
            h.advanceMs(2_000);
            h.expect().payload("data").check();
            h.advanceMs(3_999);
            h.expectNothing();
            h.advanceMs(1);
            h.expect().flags(RST).seq(L + 4).ack(0).check();
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.TIMED_OUT, h.connection.error());
            assertTrue((h.connection.takeEvents() & TcpConnection.EVENT_CLOSED) != 0);
        }

        // RFC 1122 4.2.3.9: an ICMP error on an open connection is soft: nothing changes until the
        // retries run out, and then it is the reason given (Linux: sk_err_soft), not a bare timeout.
        @Test
        void aSoftIcmpErrorIsTheReasonWhenRetriesRunOut() {
            TcpHarness h = established(b -> b.maxRetransmissions(2));
            h.write("data");
            h.transmit();
            h.expect().payload("data").check();
            h.connection.icmpUnreachable(TcpError.HOST_UNREACHABLE);
            h.expectState(TcpState.ESTABLISHED);
            assertEquals(TcpError.NONE, h.connection.error());
            h.advanceMs(1_000);
            h.expect().payload("data").check();
            h.advanceMs(2_000);
            h.expect().payload("data").check();
            h.advanceMs(4_000);
            h.expect().flags(RST).seq(L + 4).ack(0).check();
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.HOST_UNREACHABLE, h.connection.error());
        }

        // RFC 6298 3 (Karn): no sample from a retransmitted segment, and the backed-off RTO stays for new data.
        @Test
        void karnNoSampleAndTheBackoffStays() {
            TcpHarness h = new TcpHarness().established();
            h.write("data");
            h.transmit();
            h.expect().payload("data").check();
            h.advanceMs(1_000);
            h.expect().payload("data").check();
            h.advanceMs(100);
            h.send(h.segment().seq(R).ack(L + 4));
            assertEquals(0, h.connection.info().smoothedRttNs());
            h.write("more");
            h.transmit();
            h.expect().seq(L + 4).payload("more").check();
            h.advanceMs(1_999);
            h.expectNothing();
            h.advanceMs(1);
            h.expect().seq(L + 4).payload("more").check();
        }

        // RFC 6298 2.2: without timestamps one segment at a time is timed; the sample sets SRTT and RTTVAR.
        @Test
        void sampleWithoutTimestamps() {
            TcpHarness h = new TcpHarness().established();
            h.write("data");
            h.transmit();
            h.expect().payload("data").check();
            h.advanceMs(100);
            h.send(h.segment().seq(R).ack(L + 4));
            assertEquals(100 * MS, h.connection.info().smoothedRttNs());
            assertEquals(50 * MS, h.connection.info().rttVarianceNs());
            h.write("x");
            h.transmit();
            h.expect().payload("x").check();
            assertEquals(h.nowNs + 300 * MS, h.connection.nextDeadlineNs());
        }

        // RFC 7323 4.1 (RTTM): the TSecr dates the transmission it echoes, a retransmission included.
        @Test
        void timestampSampleTimesARetransmission() {
            TcpHarness h = new TcpHarness().synReceived(TcpHarness.linuxSynOptions());
            h.advanceMs(100);
            h.send(h.segment().seq(R).ack(L).options(h.peerTimestamp(5_001)));
            assertEquals(100 * MS, h.connection.info().smoothedRttNs());
            assertEquals(300 * MS, h.connection.info().rtoNs());
            h.write("x");
            h.transmit();
            h.expect().payload("x").check();
            h.advanceMs(300);
            h.expect().payload("x").check();
            h.advanceMs(100);
            h.send(h.segment().seq(R).ack(L + 1).options(h.peerTimestamp(5_002)));
            // 100 ms from the retransmission; timing the original would have given 400 ms.
            assertEquals(100 * MS, h.connection.info().smoothedRttNs());
        }

        // RFC 6298 2.4 with Linux's floor: the RTO never goes below the configured minimum (200 ms).
        @Test
        void rtoNeverBelowTheMinimum() {
            TcpHarness h = new TcpHarness().established();
            h.write("data");
            h.transmit();
            h.expect().payload("data").check();
            h.advanceMs(5);
            h.send(h.segment().seq(R).ack(L + 4));
            assertEquals(5 * MS, h.connection.info().smoothedRttNs());
            assertEquals(200 * MS, h.connection.info().rtoNs());
        }

        // RFC 6298 5.4 and RFC 5681 3.1: one segment after the timeout, then slow start resends the rest.
        @Test
        void goBackNAfterTheTimeout() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[3 * MSS]);
            h.transmit();
            assertEquals(3 * MSS, drainPayloadBytes(h));
            h.advanceMs(1_000);
            h.expect().seq(L).payloadLength(MSS).check();
            h.expectNothing();
            h.send(h.segment().seq(R).ack(L + MSS));
            h.expect().seq(L + MSS).payloadLength(MSS).check();
            h.expect().seq(L + 2 * MSS).payloadLength(MSS).check();
            h.expectNothing();
        }

        // RFC 6298 5.4: the timeout retransmits the earliest unacknowledged segment, even when the
        // peer's window is smaller than a segment (Linux sends what the window allows). Held back by
        // sender silly-window avoidance as new data is, it waited for the persist timer, whose
        // backoff then multiplied the timeout's: a hostile-link transfer with 4 KiB receive
        // windows stalled for more than 10 s after one lost segment.
        @Test
        void timeoutRetransmitsWhatASillyWindowAllows() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).window(1_000));
            h.write(new byte[3 * MSS]);
            h.transmit();
            h.expectNothing();
            h.advanceMs(1_000);
            h.expect().flags(ACK).seq(L).payloadLength(1_000).check(); // the silly-window override
            h.expectNothing();
            h.advanceMs(999);
            h.expectNothing();
            h.advanceMs(1); // the segment's retransmission timeout (RTO 1 s)
            h.expect().flags(ACK).seq(L).payloadLength(1_000).check();
            h.expectNothing();
            assertEquals(1, h.connection.info().retransmissionTimeouts());
            h.send(h.segment().seq(R).ack(L + 1_000).window(1_000));
            h.expectNothing(); // new data again waits for a sensible window
        }

        // After go-back-N, an ACK up to the highest sequence ever sent is acceptable (a spurious timeout).
        @Test
        void ackOfTheOriginalsAfterATimeoutIsAccepted() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[3 * MSS]);
            h.transmit();
            drainPayloadBytes(h);
            h.advanceMs(1_000);
            h.expect().seq(L).check();
            h.send(h.segment().seq(R).ack(L + 3 * MSS));
            h.expectNothing();
            assertEquals(3 * MSS, h.connection.info().bytesAcked());
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
        }

        // A retransmission carries the current ACK field.
        @Test
        void retransmissionCarriesTheCurrentAck() {
            TcpHarness h = new TcpHarness().established();
            h.write("data");
            h.transmit();
            h.expect().ack(R).payload("data").check();
            h.send(h.segment().seq(R).ack(L).payload("xyz"));
            h.advanceMs(1_000);
            h.expectAck(L + 4, R + 3); // the delayed ACK at 40 ms
            h.expect().seq(L).ack(R + 3).payload("data").check();
        }
    }

    @Nested
    class FastRecovery {
        /** NewReno, 15 segments written, the initial window of 10 in flight. */
        private static TcpHarness tenInFlight() {
            TcpHarness h = established(b -> b.congestionControl("newreno"));
            h.write(new byte[15 * MSS]);
            h.transmit();
            assertEquals(10 * MSS, drainPayloadBytes(h));
            return h;
        }

        private static void duplicateAck(TcpHarness h) {
            h.send(h.segment().seq(R).ack(L));
        }

        // RFC 5681 3.2 steps 1-3: the third duplicate ACK retransmits SND.UNA; ssthresh = FlightSize / 2.
        @Test
        void thirdDuplicateAckRetransmitsAndHalvesTheWindow() {
            TcpHarness h = tenInFlight();
            duplicateAck(h);
            duplicateAck(h);
            h.expectNothing();
            duplicateAck(h);
            h.expect().flags(ACK).seq(L).payloadLength(MSS).check();
            h.expectNothing();
            assertEquals(5 * MSS, h.connection.info().slowStartThresholdBytes());
            assertEquals(5 * MSS, h.connection.info().congestionWindowBytes());
            assertEquals(1, h.connection.info().fastRetransmits());
        }

        // RFC 5681 3.2 step 4 (RFC 6582 3.2 step 3): each further duplicate inflates cwnd by SMSS;
        // new data goes once cwnd + inflation exceeds the flight.
        @Test
        void furtherDuplicatesInflateTheWindow() {
            TcpHarness h = tenInFlight();
            for (int i = 0; i < 3; i++) {
                duplicateAck(h);
            }
            h.expect().seq(L).check();
            duplicateAck(h);
            duplicateAck(h);
            h.expectNothing();
            duplicateAck(h);
            h.expect().seq(L + 10 * MSS).payloadLength(MSS).check();
            h.expectNothing();
        }

        // RFC 6582 3.2 step 5: a partial ACK retransmits the first unacknowledged segment and stays in recovery.
        @Test
        void partialAckRetransmitsTheNextHole() {
            TcpHarness h = tenInFlight();
            for (int i = 0; i < 3; i++) {
                duplicateAck(h);
            }
            h.expect().seq(L).check();
            h.send(h.segment().seq(R).ack(L + 2 * MSS));
            h.expect().seq(L + 2 * MSS).payloadLength(MSS).check();
            h.expectNothing();
            assertEquals(5 * MSS, h.connection.info().congestionWindowBytes());
        }

        // RFC 6582 3.2 step 5: a partial ACK deflates cwnd by what it acknowledged and adds back one SMSS
        // only "if the partial ACK acknowledges at least one SMSS of new data".
        @Test
        void partialAckOfLessThanAnMssAddsNothingBack() {
            TcpHarness h = tenInFlight();
            for (int i = 0; i < 3; i++) {
                duplicateAck(h);
            }
            h.expect().seq(L).check();
            h.send(h.segment().seq(R).ack(L + 100));
            h.expect().seq(L + 100).payloadLength(MSS).check();
            // cwnd 5 MSS + inflation (3 MSS - 100); the flight is 10 MSS - 100: three more duplicates
            // (not two) release the first new segment.
            h.send(h.segment().seq(R).ack(L + 100));
            h.send(h.segment().seq(R).ack(L + 100));
            h.expectNothing();
            h.send(h.segment().seq(R).ack(L + 100));
            h.expect().seq(L + 10 * MSS).payloadLength(MSS).check();
        }

        // RFC 6582 3.2 step 4: the full ACK ends recovery with cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
        @Test
        void fullAckEndsRecovery() {
            TcpHarness h = tenInFlight();
            for (int i = 0; i < 3; i++) {
                duplicateAck(h);
            }
            h.expect().seq(L).check();
            h.send(h.segment().seq(R).ack(L + 10 * MSS));
            assertEquals(5 * MSS, h.connection.info().slowStartThresholdBytes());
            assertEquals(2 * MSS, h.connection.info().congestionWindowBytes());
            h.expect().seq(L + 10 * MSS).payloadLength(MSS).check();
            h.expect().seq(L + 11 * MSS).payloadLength(MSS).check();
            h.expectNothing();
        }

        // RFC 6582 3.2 step 1 (and 4.1 after a timeout): duplicates for data sent before "recover" start no fast retransmit.
        @Test
        void noFastRetransmitForLossesBeforeRecoverAfterATimeout() {
            TcpHarness h = tenInFlight();
            h.advanceMs(1_000);
            h.expect().seq(L).check();
            for (int i = 0; i < 3; i++) {
                duplicateAck(h);
            }
            h.expectNothing();
            assertEquals(0, h.connection.info().fastRetransmits());
        }

        // RFC 6582 3.2 step 1: "recover" starts at ISS, so fast retransmit works whatever half of the
        // sequence space the ISS falls in (RFC 6528 ISNs are uniformly random).
        @Test
        void fastRetransmitWithAnIssInTheUpperHalf() {
            TcpHarness h = new TcpHarness();
            h.localIss = 0x9000_0000;
            h.established();
            h.write(new byte[5 * MSS]);
            h.transmit();
            drainPayloadBytes(h);
            for (int i = 0; i < 3; i++) {
                h.send(h.segment().seq(R).ack(0x9000_0001));
            }
            h.expect().seq(0x9000_0001).payloadLength(MSS).check();
            assertEquals(1, h.connection.info().fastRetransmits());
        }

        // RFC 5681 3.2: duplicates are counted consecutively; an ACK of new data starts the count again.
        @Test
        void newAckResetsTheDuplicateCount() {
            TcpHarness h = established(b -> b.congestionControl("newreno"));
            h.write(new byte[5 * MSS]);
            h.transmit();
            drainPayloadBytes(h);
            duplicateAck(h);
            duplicateAck(h);
            h.send(h.segment().seq(R).ack(L + MSS));
            h.send(h.segment().seq(R).ack(L + MSS));
            h.send(h.segment().seq(R).ack(L + MSS));
            h.expectNothing();
            assertEquals(0, h.connection.info().fastRetransmits());
        }
    }

    @Nested
    class ZeroWindowAndPersist {
        /** The peer closed its window; "abc" waits to be sent. */
        private static TcpHarness zeroWindow(java.util.function.Consumer<TcpConfig.Builder> changes) {
            TcpHarness h = established(changes);
            h.send(h.segment().seq(R).ack(L).window(0));
            h.write("abc");
            h.transmit();
            h.expectNothing();
            return h;
        }

        private static TcpHarness zeroWindow() {
            return zeroWindow(b -> { });
        }

        // RFC 9293 3.8.6.1 (Linux's form): probe with SEG.SEQ = SND.UNA - 1 and no data, which any receiver
        // answers with its window; the persist timer backs off (RFC 1122 4.2.2.17).
        @Test
        void probesBackOffWhileThePeerAnswers() {
            TcpHarness h = zeroWindow();
            for (long intervalMs : new long[] {1_000, 2_000, 4_000}) {
                h.advanceMs(intervalMs - 1);
                h.expectNothing();
                h.advanceMs(1);
                h.expect().flags(ACK).seq(L - 1).payloadLength(0).check();
                h.send(h.segment().seq(R).ack(L).window(0));
                h.expectNothing();
            }
            assertEquals(3, h.connection.info().zeroWindowProbes());
        }

        // RFC 1122 4.2.2.17: "A TCP MUST NOT close a connection due to zero window as long as the receiving
        // TCP continues to send acknowledgments in response to the probe segments".
        @Test
        void answeredProbesNeverTimeOut() {
            TcpHarness h = zeroWindow(b -> b.maxRetransmissions(2).maxRtoNs(4_000 * MS));
            long[] intervalsMs = {1_000, 2_000, 4_000, 4_000, 4_000, 4_000, 4_000, 4_000, 4_000, 4_000};
            for (long intervalMs : intervalsMs) {
                h.advanceMs(intervalMs);
                h.expect().seq(L - 1).payloadLength(0).check();
                h.expectNothing();
                h.send(h.segment().seq(R).ack(L).window(0));
            }
            h.expectState(TcpState.ESTABLISHED);
        }

        // Probes carry no data: when the window opens, sending starts at SND.UNA.
        @Test
        void windowOpeningResumesAtSndUna() {
            TcpHarness h = zeroWindow();
            h.advanceMs(1_000);
            h.expect().seq(L - 1).payloadLength(0).check();
            h.send(h.segment().seq(R).ack(L).window(0));
            h.send(h.segment().seq(R).ack(L).window(1_000));
            h.expect().flags(ACK | PSH).seq(L).payload("abc").check();
            h.expectNothing();
        }

        // RFC 5681 2: answers to probes show no loss; they are not duplicate ACKs (no fast retransmit).
        @Test
        void probeAnswersAreNotDuplicateAcks() {
            TcpHarness h = zeroWindow();
            for (long intervalMs : new long[] {1_000, 2_000, 4_000, 8_000}) {
                h.advanceMs(intervalMs);
                h.expect().seq(L - 1).payloadLength(0).check();
                h.send(h.segment().seq(R).ack(L).window(0));
                h.expectNothing();
            }
            assertEquals(0, h.connection.info().fastRetransmits());
            assertEquals(0, h.connection.info().duplicateAcksReceived());
        }

        // The persist timer stops when the window opens; with everything acknowledged no timer is left.
        @Test
        void windowUpdateStopsThePersistTimer() {
            TcpHarness h = zeroWindow();
            assertEquals(h.nowNs + 1_000 * MS, h.connection.nextDeadlineNs());
            h.send(h.segment().seq(R).ack(L).window(1_000));
            h.expect().seq(L).payload("abc").check();
            h.send(h.segment().seq(R).ack(L + 3).window(1_000));
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
        }

        // No data waiting, no probe.
        @Test
        void noProbeWithoutData() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).window(0));
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
            h.advanceMs(10_000);
            h.expectNothing();
        }

        // RFC 9293 3.8.6.2.1 (RFC 1122 4.2.3.4): a silly usable window with nothing in flight would wait
        // forever for a lost window update, so an override timeout sends what the window allows.
        @Test
        void sillyWindowOverrideTimeout() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).window(100));
            h.write(new byte[1_000]);
            h.transmit();
            h.expectNothing();
            h.advanceMs(999);
            h.expectNothing();
            h.advanceMs(1);
            h.expect().flags(ACK).seq(L).payloadLength(100).check();
            h.expectNothing();
        }
    }

    @Nested
    class KeepAlive {
        private static TcpHarness keepAlive() {
            return established(b -> b.keepAlive(true).keepAliveIdleNs(10_000 * MS)
                    .keepAliveIntervalNs(1_000 * MS).keepAliveProbes(2));
        }

        // RFC 9293 3.8.4: keepalive is off unless asked for.
        @Test
        void offByDefault() {
            TcpHarness h = new TcpHarness().established();
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
            h.advanceMs(3 * 3_600_000L);
            h.expectNothing();
        }

        // RFC 9293 3.8.4: the idle time counts from the last segment received.
        @Test
        void incomingSegmentRestartsTheIdleTime() {
            TcpHarness h = keepAlive();
            h.advanceMs(5_000);
            h.send(h.segment().seq(R).ack(L).payload("x"));
            h.advanceMs(40);
            h.expectAck(L, R + 1);
            h.advanceMs(9_959);
            h.expectNothing();
            h.advanceMs(1);
            h.expect().flags(ACK).seq(L - 1).ack(R + 1).payloadLength(0).check();
            assertEquals(1, h.connection.info().keepAliveProbes());
        }

        // RFC 9293 3.8.4 / 3.10.7.4 first: the peer's probe <SEQ=RCV.NXT-1> is unacceptable and so acknowledged.
        @Test
        void peersProbeIsAnswered() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R - 1).ack(L));
            h.expectAck(L, R);
        }

        // RFC 9293 3.8.4: some stacks put one garbage byte in the probe; it is old, so acknowledged and not delivered.
        @Test
        void peersProbeWithAGarbageByteIsAnswered() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R - 1).ack(L).payloadLength(1));
            h.expectAck(L, R);
            assertEquals(0, h.connection.readableBytes());
        }
    }

    @Nested
    class ResetAndSyn {
        // RFC 5961 3.2: a RST exactly at RCV.NXT resets, whatever else it carries.
        @Test
        void resetWithAckAtRcvNxtResets() {
            TcpHarness h = new TcpHarness().established();
            h.write("pending");
            h.send(h.segment().seq(R).ack(L).flags(RST | ACK));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_RESET, h.connection.error());
            int events = h.connection.takeEvents();
            assertEquals(TcpConnection.EVENT_CLOSED | TcpConnection.EVENT_READABLE | TcpConnection.EVENT_WRITABLE,
                    events & (TcpConnection.EVENT_CLOSED | TcpConnection.EVENT_READABLE | TcpConnection.EVENT_WRITABLE));
            assertEquals(0, h.connection.writableBytes());
            h.expectNothing();
        }

        // RFC 5961 3.2: the last byte of the window is in the window: challenge ACK.
        @Test
        void resetAtTheLastByteOfTheWindowIsChallenged() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 65_534).flags(RST));
            h.expectAck(L, R);
            h.expectState(TcpState.ESTABLISHED);
        }

        // RFC 5961 3.2: the right edge is outside: drop silently.
        @Test
        void resetAtTheRightEdgeIsIgnored() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 65_535).flags(RST));
            h.expectNothing();
            h.expectState(TcpState.ESTABLISHED);
        }

        @Test
        void resetJustBeforeRcvNxtIsIgnored() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R - 1).flags(RST));
            h.expectNothing();
            h.expectState(TcpState.ESTABLISHED);
        }

        // RFC 5961 3.2: the challenge ACK tells the true peer RCV.NXT; its RST at that number then resets.
        @Test
        void challengeAckThenTheExactResetCloses() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 10).flags(RST));
            h.expectAck(L, R);
            h.send(h.segment().seq(R).flags(RST));
            h.expectState(TcpState.CLOSED);
        }

        // RFC 5961 7: the throttle counts per second; a new second allows a new challenge ACK.
        @Test
        void throttleWindowIsOneSecond() {
            TcpHarness h = established(b -> b.challengeAcksPerSecond(1));
            h.send(h.segment().seq(R + 10).flags(RST));
            h.expectAck(L, R);
            h.advanceMs(999);
            h.send(h.segment().seq(R + 10).flags(RST));
            h.expectNothing();
            h.advanceMs(1);
            h.send(h.segment().seq(R + 10).flags(RST));
            h.expectAck(L, R);
        }

        // RFC 5961 7: SYNs, RSTs and old ACKs share one throttle.
        @Test
        void synRstAndOldAckShareTheThrottle() {
            TcpHarness h = established(b -> b.challengeAcksPerSecond(2));
            h.send(h.segment().seq(R + 5).ack(0).flags(SYN));
            h.expectAck(L, R);
            h.send(h.segment().seq(R).ack(L - 70_000));
            h.expectAck(L, R);
            h.send(h.segment().seq(R + 10).flags(RST));
            h.expectNothing();
            assertEquals(2, h.connection.info().challengeAcksSent());
        }

        // RFC 5961 4.2: a SYN at RCV.NXT is challenged too, and its text is not delivered.
        @Test
        void synAtRcvNxtWithTextIsChallenged() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).flags(SYN | ACK).payload("x"));
            h.expectAck(L, R);
            assertEquals(0, h.connection.readableBytes());
            h.expectState(TcpState.ESTABLISHED);
        }

        // RFC 9293 3.10.5: ABORT after a reset sends nothing more.
        @Test
        void abortAfterAResetSendsNothing() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).flags(RST));
            h.connection.abort(h.nowNs);
            h.transmit();
            h.expectNothing();
            assertEquals(TcpError.CONNECTION_RESET, h.connection.error());
        }
    }
}
