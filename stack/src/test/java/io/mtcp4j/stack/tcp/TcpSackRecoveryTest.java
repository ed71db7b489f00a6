package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.TcpOptionSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * ESTABLISHED, the sender's loss recovery when SACK was negotiated: RFC 6675 (conservative
 * SACK-based loss recovery) with the scoreboard fed by every ACK, Limited Transmit by pipe, the
 * rescue retransmission, the retransmission timeout of its section 5.1 (with RFC 2018 section 8),
 * D-SACK (RFC 2883) and proportional rate reduction (RFC 6937).
 *
 * <p>The connection negotiated SACK without timestamps (four blocks fit, every field plain) and
 * runs NewReno, so ssthresh is FlightSize / 2. Segments are numbered: segment {@code i} starts at
 * {@link #seg seg(i)} = L + i * SMSS. The peer's ACKs name SACK blocks by segment numbers:
 * {@code sack(h, 0, 1, 4)} is "ACK seg(0), SACK [seg(1), seg(4))". Where a test works out pipe
 * (RFC 6675 SetPipe), "lost" is IsLost: more than 2 SMSS SACKed above, or 3 SACKed ranges above.
 */
class TcpSackRecoveryTest {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;
    private static final int MSS = 1460;
    private static final long MS = 1_000_000L;

    /** Sequence number of our segment {@code index}. */
    private static int seg(int index) {
        return L + index * MSS;
    }

    /**
     * SACK on, no timestamps, NewReno; {@code segments} full segments written and the initial
     * window (10) of them sent. Proportional rate reduction off: RFC 6675 alone decides.
     */
    private static TcpHarness inFlight(int segments) {
        return inFlight(segments, b -> b.proportionalRateReduction(false));
    }

    private static TcpHarness inFlight(int segments, Consumer<TcpConfig.Builder> changes) {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> {
            b.congestionControl("newreno");
            changes.accept(b);
        }));
        h.establishedWithSack();
        h.write(new byte[segments * MSS]);
        h.transmit();
        for (int i = 0; i < Math.min(segments, 10); i++) {
            h.expect().seq(seg(i)).payloadLength(MSS).check();
        }
        h.expectNothing();
        return h;
    }

    /** The peer's ACK of seg(ackIndex) with SACK blocks [seg(from), seg(to)) given as from, to pairs. */
    private static void sack(TcpHarness h, int ackIndex, int... blockIndices) {
        h.send(sackAck(h, ackIndex, blockIndices));
    }

    private static TcpHarness.SegmentBuilder sackAck(TcpHarness h, int ackIndex, int... blockIndices) {
        int[] edges = new int[blockIndices.length];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = seg(blockIndices[i]);
        }
        TcpHarness.SegmentBuilder ack = h.segment().seq(R).ack(seg(ackIndex));
        return edges.length == 0 ? ack : ack.options(TcpOptionSet.NONE.withSackBlocks(edges));
    }

    /** Expects our full segment {@code index} (a first transmission or a retransmission), and nothing after it. */
    private static void expectOnly(TcpHarness h, int... indices) {
        for (int index : indices) {
            h.expect().seq(seg(index)).ack(R).payloadLength(MSS).check();
        }
        h.expectNothing();
    }

    @Nested
    class EnteringRecovery {
        // RFC 6675 section 2: with SACK a "DupAck" is an ACK carrying new SACK information; three
        // duplicate ACKs without SACK blocks say nothing about which data is missing.
        @Test
        void threePlainDuplicateAcksDoNotRetransmit() {
            TcpHarness h = inFlight(15);
            for (int i = 0; i < 3; i++) {
                sack(h, 0);
            }
            h.expectNothing();
            assertEquals(0, h.connection.info().fastRetransmits());
            assertEquals(3, h.connection.info().duplicateAcksReceived(), "RFC 5681 duplicates, counted for the record");
        }

        // RFC 6675 section 5 step (1.c) (Limited Transmit, RFC 3042): SACKed data left the network, so
        // pipe falls below cwnd and each of the first two DupAcks releases one new segment.
        @Test
        void firstTwoDupAcksReleaseNewData() {
            TcpHarness h = inFlight(15);
            sack(h, 0, 1, 2);
            expectOnly(h, 10);
            sack(h, 0, 1, 3);
            expectOnly(h, 11);
            assertEquals(0, h.connection.info().fastRetransmits());
        }

        // RFC 6675 section 5 step (1.a) and (4): the DupThresh-th DupAck retransmits SND.UNA (4.3);
        // ssthresh = cwnd = FlightSize / 2 with the Limited Transmit segments not counted (4.2).
        @Test
        void thirdSackedSegmentRetransmitsTheHole() {
            TcpHarness h = inFlight(15);
            sack(h, 0, 1, 2);
            expectOnly(h, 10);
            sack(h, 0, 1, 3);
            expectOnly(h, 11);
            sack(h, 0, 1, 4);
            expectOnly(h, 0); // pipe is 8 SMSS not lost + 1 retransmitted, above cwnd 5 SMSS: nothing more
            assertEquals(1, h.connection.info().fastRetransmits());
            assertEquals(5 * MSS, h.connection.info().slowStartThresholdBytes());
            assertEquals(5 * MSS, h.connection.info().congestionWindowBytes());
            assertEquals(1, h.connection.info().retransmittedSegments());
        }

        // RFC 6675 section 5 step (1.b): one ACK SACKing three segments (its predecessors were lost)
        // makes IsLost(SND.UNA) true: recovery starts on the first DupAck.
        @Test
        void isLostStartsRecoveryOnTheFirstDupAck() {
            TcpHarness h = inFlight(10);
            sack(h, 0, 1, 4);
            expectOnly(h, 0);
            assertEquals(1, h.connection.info().fastRetransmits());
            assertEquals(5 * MSS, h.connection.info().congestionWindowBytes());
        }

        // RFC 6675 section 2: an ACK repeating SACK information already held is no DupAck.
        @Test
        void repeatedSackInformationIsNoDupAck() {
            TcpHarness h = inFlight(15);
            sack(h, 0, 1, 2);
            expectOnly(h, 10);
            for (int i = 0; i < 3; i++) {
                sack(h, 0, 1, 2);
            }
            h.expectNothing();
            assertEquals(0, h.connection.info().fastRetransmits());
        }

        // RFC 6675 section 4 Update() and RFC 2018: a block reaching past SND.MAX reports data never
        // sent; it is ignored whole (counted), and so starts nothing.
        @Test
        void sackBlocksBeyondSndMaxAreIgnored() {
            TcpHarness h = inFlight(10);
            sack(h, 0, 10, 13);
            sack(h, 0, 8, 11);
            sack(h, 0, 11, 14);
            h.expectNothing();
            assertEquals(0, h.connection.info().fastRetransmits());
            assertEquals(3, h.connection.info().sackBlocksIgnored());
            assertEquals(3, h.connection.info().sackBlocksReceived());
        }

        // RFC 6675 section 5: "a new recovery phase ... MUST NOT be initiated until HighACK is
        // greater than or equal to the new value of RecoveryPoint" after a timeout (5.1).
        @Test
        void noNewRecoveryForLossesBeforeTheTimeoutsRecoveryPoint() {
            TcpHarness h = inFlight(10);
            h.advanceMs(1_000);
            expectOnly(h, 0);
            // SACKs for the originals arrive before the retransmission: DupAcks, and IsLost(SND.UNA),
            // but SND.UNA is before RecoveryPoint (SND.MAX at the timeout).
            sack(h, 0, 1, 2);
            sack(h, 0, 1, 3);
            sack(h, 0, 1, 4);
            h.expectNothing(); // cwnd 1 SMSS, and 0 is in flight again
            assertEquals(0, h.connection.info().fastRetransmits());
            sack(h, 4); // cwnd 2 SMSS; go-back-N resumes after the SACKed 1 to 3
            expectOnly(h, 4, 5);
        }

        // The engine asks hasOutputDue() after a burst of input: the fast retransmission is due
        // before transmit() runs.
        @Test
        void fastRetransmitIsOutputDue() {
            TcpHarness h = inFlight(10);
            h.arrive(sackAck(h, 0, 1, 2));
            h.arrive(sackAck(h, 0, 1, 3));
            assertFalse(h.connection.hasOutputDue(), "nothing to send: no new data, no loss yet");
            h.arrive(sackAck(h, 0, 1, 4));
            assertTrue(h.connection.hasOutputDue());
            h.transmit();
            expectOnly(h, 0);
            assertFalse(h.connection.hasOutputDue());
        }
    }

    @Nested
    class DuringRecovery {
        // RFC 6675 section 5 step (C) with NextSeg() rule (1): holes are retransmitted lowest first,
        // each once IsLost() says so and cwnd - pipe allows one SMSS. Segments 0, 2 and 4 lost.
        @Test
        void holesAreRetransmittedInOrder() {
            TcpHarness h = inFlight(15);
            sack(h, 0, 1, 2);
            expectOnly(h, 10);
            sack(h, 0, 3, 4, 1, 2);
            expectOnly(h, 11);
            sack(h, 0, 5, 6, 3, 4, 1, 2);
            expectOnly(h, 0); // three SACKed ranges above segment 0: DupThresh DupAcks
            sack(h, 0, 5, 7, 3, 4, 1, 2);
            h.expectNothing(); // pipe 7 SMSS (2 is lost now)
            sack(h, 0, 5, 8, 3, 4, 1, 2);
            h.expectNothing(); // pipe 5 SMSS (4 is lost now)
            sack(h, 0, 5, 9, 3, 4, 1, 2);
            expectOnly(h, 2); // pipe 4 SMSS: rule (1), the lowest lost hole after HighRxt
            sack(h, 0, 5, 10, 3, 4, 1, 2);
            expectOnly(h, 4);
            sack(h, 0, 5, 11, 3, 4, 1, 2);
            expectOnly(h, 12); // no hole left after HighRxt: rule (2), new data
            assertEquals(3, h.connection.info().retransmittedSegments());
            assertEquals(1, h.connection.info().fastRetransmits());
        }

        // RFC 6675 section 5 step (C) with rule (2): once pipe falls below cwnd (5 SMSS) each
        // further SACKed segment lets one new segment go; the full acknowledgment of RecoveryPoint
        // (seg 12) ends recovery (step A) with cwnd = ssthresh and sending goes on from there.
        @Test
        void newDataDuringRecoveryThenTheFullAckEndsIt() {
            TcpHarness h = inFlight(30);
            sack(h, 0, 1, 2);
            expectOnly(h, 10);
            sack(h, 0, 1, 3);
            expectOnly(h, 11);
            sack(h, 0, 1, 4);
            expectOnly(h, 0);
            for (int sackedEnd = 5; sackedEnd <= 8; sackedEnd++) {
                sack(h, 0, 1, sackedEnd);
                h.expectNothing(); // pipe 8, 7, 6, then 5 SMSS
            }
            for (int sackedEnd = 9; sackedEnd <= 14; sackedEnd++) {
                sack(h, 0, 1, sackedEnd);
                expectOnly(h, sackedEnd + 3); // pipe 4 SMSS before each: segments 12 to 17
            }
            assertEquals(5 * MSS, h.connection.info().congestionWindowBytes(), "no inflation: pipe did the work");
            sack(h, 14); // the retransmission of 0 arrived: everything up to 14 is acknowledged
            assertEquals(5 * MSS, h.connection.info().slowStartThresholdBytes());
            assertEquals(5 * MSS, h.connection.info().congestionWindowBytes());
            expectOnly(h, 18); // 4 SMSS in flight after the ACK, cwnd 5 SMSS
            assertEquals(1, h.connection.info().retransmittedSegments());
            // Out of recovery: a new hole, Limited Transmit, and on the third DupAck a new recovery.
            sack(h, 14, 15, 16);
            expectOnly(h, 19);
            sack(h, 14, 15, 17);
            expectOnly(h, 20);
            sack(h, 14, 15, 18);
            expectOnly(h, 14);
            assertEquals(2, h.connection.info().fastRetransmits());
        }

        // RFC 6675 section 4 NextSeg() rule (4): the last segment of the window was lost too and no
        // SACK will ever cover it; once a cumulative ACK passes RescueRxt (the end of the first
        // retransmission, step 4.3) it is sent once, without waiting for the timeout.
        @Test
        void rescueRetransmissionOfTheLostTail() {
            TcpHarness h = inFlight(10);
            sack(h, 0, 1, 4);
            expectOnly(h, 0);
            for (int sackedEnd = 5; sackedEnd <= 9; sackedEnd++) {
                sack(h, 0, 1, sackedEnd);
            }
            h.expectNothing(); // pipe is small but NextSeg() has nothing: 9 is above every SACKed octet
            sack(h, 9); // partial ACK: the retransmission of 0 arrived, 9 is still missing
            expectOnly(h, 9);
            sack(h, 9);
            h.expectNothing(); // once per recovery: RescueRxt is now RecoveryPoint
            assertEquals(2, h.connection.info().retransmittedSegments());
            sack(h, 10);
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
        }

        // Rule (4) narrowed (TcpConnection#nextRecoverySegment): when new data went out during
        // recovery, the highest unSACKed octet is that new data; it is not sent twice.
        @Test
        void noRescueOfNewDataSentDuringRecovery() {
            TcpHarness h = inFlight(13);
            sack(h, 0, 1, 2);
            expectOnly(h, 10);
            sack(h, 0, 1, 3);
            expectOnly(h, 11);
            sack(h, 0, 1, 4);
            expectOnly(h, 0);
            for (int sackedEnd = 5; sackedEnd <= 8; sackedEnd++) {
                sack(h, 0, 1, sackedEnd);
            }
            sack(h, 0, 1, 9);
            expectOnly(h, 12); // the last new segment
            sack(h, 9); // partial ACK past RescueRxt; 9, 10, 11 and 12 unSACKed
            h.expectNothing();
            assertEquals(1, h.connection.info().retransmittedSegments());
        }

        // RFC 6675 section 5.1: a timeout ends recovery (cwnd 1 SMSS, go-back-N from SND.UNA) and
        // clears the scoreboard; SACK blocks on the ACKs after it are used again, so data the peer
        // still reports holding (6 to 11) is not sent again.
        @Test
        void timeoutDuringRecoveryGoesBackButSkipsWhatIsStillSacked() {
            TcpHarness h = inFlight(15);
            sack(h, 0, 1, 2);
            expectOnly(h, 10);
            sack(h, 0, 1, 3);
            expectOnly(h, 11);
            sack(h, 0, 1, 4);
            expectOnly(h, 0);
            h.advanceMs(1_000); // the retransmission of 0 was lost as well
            expectOnly(h, 0);
            assertEquals(MSS, h.connection.info().congestionWindowBytes());
            assertEquals(6 * MSS, h.connection.info().slowStartThresholdBytes(), "FlightSize 12 SMSS / 2");
            sack(h, 5, 6, 12); // 0 arrived; 5 is missing, 6 to 11 are held
            expectOnly(h, 5, 12); // cwnd 2 SMSS: the hole, then new data; 6 to 11 are stepped over
            sack(h, 13);
            expectOnly(h, 13, 14);
            assertEquals(3, h.connection.info().retransmittedSegments());
            assertEquals(1, h.connection.info().retransmissionTimeouts());
        }

        // RFC 2018 section 8 (RFC 6675 5.1): SACK information from before a timeout does not decide
        // what is sent again; a peer that reneged on 1 to 3 gets them again.
        @Test
        void sackInformationFromBeforeATimeoutIsForgotten() {
            TcpHarness h = inFlight(10);
            sack(h, 0, 1, 4);
            expectOnly(h, 0);
            h.advanceMs(1_000);
            expectOnly(h, 0);
            sack(h, 1); // no SACK blocks: the peer dropped what it had SACKed
            expectOnly(h, 1, 2);
        }

        // RFC 6675 section 5 (B): the recovery's ACKs keep feeding the scoreboard; segments SACKed
        // during recovery are never retransmitted even when their hole neighbours are.
        @Test
        void sackedSegmentsAreNeverRetransmitted() {
            TcpHarness h = inFlight(10);
            sack(h, 0, 1, 4);
            expectOnly(h, 0);
            sack(h, 0, 5, 9, 1, 4); // 4 lost as well; pipe 1 SMSS (segment 9) + 1 retransmitted
            expectOnly(h, 4); // rule (1); nothing else: 9 is above every SACKed octet and 1 to 3, 5 to 8 are held
            assertEquals(2, h.connection.info().retransmittedSegments());
        }
    }

    @Nested
    class DuplicateSack {
        // RFC 2883 / RFC 6675: a D-SACK reports a duplicate (here our fast retransmission was spurious,
        // the original was only reordered). It is counted and changes nothing: no DupAck, no recovery,
        // no window change.
        @Test
        void dsackForASpuriousRetransmissionIsOnlyCounted() {
            TcpHarness h = inFlight(10);
            sack(h, 0, 1, 2);
            sack(h, 0, 1, 3);
            sack(h, 0, 1, 4);
            expectOnly(h, 0);
            sack(h, 10); // the original 0 arrived late, then everything: recovery over
            int cwnd = h.connection.info().congestionWindowBytes();
            int ssthresh = h.connection.info().slowStartThresholdBytes();
            sack(h, 10, 0, 1); // the retransmission arrived too: D-SACK below the ACK
            h.expectNothing();
            assertEquals(1, h.connection.info().dsackBlocksReceived());
            assertEquals(cwnd, h.connection.info().congestionWindowBytes());
            assertEquals(ssthresh, h.connection.info().slowStartThresholdBytes());
            assertEquals(1, h.connection.info().fastRetransmits());
            assertEquals(0, h.connection.info().sackBlocksIgnored());
        }

        // RFC 2883 section 4 (second case): a first block covered by the second is a D-SACK; the
        // second block still counts as SACK information.
        @Test
        void dsackInsideTheSecondBlockKeepsTheSecondBlock() {
            TcpHarness h = inFlight(15);
            sack(h, 0, 1, 2);
            expectOnly(h, 10);
            sack(h, 0, 1, 2, 1, 3); // segment 1 twice (D-SACK), 2 new: a DupAck
            expectOnly(h, 11);
            assertEquals(1, h.connection.info().dsackBlocksReceived());
            assertEquals(0, h.connection.info().fastRetransmits(), "two DupAcks, 2 SMSS SACKed: no loss yet");
        }
    }

    @Nested
    class ProportionalRateReduction {
        private static TcpHarness withPrr(int segments) {
            return inFlight(segments, b -> b.proportionalRateReduction(true));
        }

        // RFC 6937 section 3, pipe > ssthresh: sending keeps to ssthresh / RecoverFS (10 / 22) of the
        // bytes delivered, so new data goes on about every other SACKed segment from the start of
        // recovery; RFC 6675 alone would send nothing until pipe fell below cwnd, nine ACKs later.
        @Test
        void proportionalPartSpreadsSendingOverTheRecovery() {
            TcpHarness h = withPrr(60);
            for (int acked = 1; acked <= 10; acked++) {
                sack(h, acked); // slow start to cwnd 20 SMSS: each ACK releases two segments
            }
            h.discardEmitted();
            assertEquals(20 * MSS, h.connection.info().congestionWindowBytes());
            sack(h, 10, 11, 12);
            expectOnly(h, 30);
            sack(h, 10, 11, 13);
            expectOnly(h, 31);
            sack(h, 10, 11, 14);
            expectOnly(h, 10); // ssthresh 10 SMSS, RecoverFS 22 SMSS; the retransmission is forced
            // From here prr_delivered = sackedEnd - 13 SMSS; the quota is ceil(delivered * 10 / 22) - prr_out.
            int next = 32;
            for (int sackedEnd = 15; sackedEnd <= 24; sackedEnd++) {
                sack(h, 10, 11, sackedEnd);
                if (sackedEnd >= 18 && sackedEnd % 2 == 0) {
                    expectOnly(h, next++); // delivered 5, 7, 9, 11: the quota reaches one SMSS
                } else {
                    h.expectNothing();
                }
            }
            assertEquals(10 * MSS, h.connection.info().slowStartThresholdBytes());
        }

        // RFC 6937 section 3, pipe <= ssthresh (heavy loss, 0 to 6 lost): the slow start reduction
        // bound lets at most DeliveredData + 1 SMSS go per ACK, where RFC 6675 alone would send
        // cwnd - pipe at once.
        @Test
        void slowStartReductionBoundAfterHeavyLoss() {
            TcpHarness h = withPrr(15);
            sack(h, 0, 7, 8);
            expectOnly(h, 10);
            sack(h, 0, 7, 9);
            expectOnly(h, 11);
            sack(h, 0, 7, 10);
            expectOnly(h, 0, 1); // pipe 2 SMSS: sndcnt = min(5 - 2, 1 delivered + 1) = 2
            sack(h, 0, 7, 11);
            expectOnly(h, 2, 3); // pipe 3 SMSS: min(5 - 3, max(0, 1) + 1) = 2
        }

        // The same loss without PRR: RFC 6675 step (C) sends while cwnd - pipe allows.
        @Test
        void withoutPrrTheSameLossSendsCwndMinusPipeAtOnce() {
            TcpHarness h = inFlight(15);
            sack(h, 0, 7, 8);
            expectOnly(h, 10);
            sack(h, 0, 7, 9);
            expectOnly(h, 11);
            sack(h, 0, 7, 10);
            expectOnly(h, 0, 1, 2); // cwnd 5 SMSS, pipe 2 SMSS
        }

        // RFC 6937 section 3: once pipe is at ssthresh the slow start reduction bound holds it there,
        // one new segment per SACKed one, as RFC 6675 alone would; recovery ends at RecoveryPoint
        // (seg 12) with cwnd = ssthresh.
        @Test
        void recoveryEndsWithCwndAtSsthresh() {
            TcpHarness h = withPrr(30);
            sack(h, 0, 1, 2);
            expectOnly(h, 10);
            sack(h, 0, 1, 3);
            expectOnly(h, 11);
            sack(h, 0, 1, 4);
            expectOnly(h, 0);
            for (int sackedEnd = 5; sackedEnd <= 8; sackedEnd++) {
                sack(h, 0, 1, sackedEnd);
                h.expectNothing(); // the proportional quota stays below one SMSS; at pipe 5 SMSS, ssthresh - pipe is 0
            }
            for (int sackedEnd = 9; sackedEnd <= 12; sackedEnd++) {
                sack(h, 0, 1, sackedEnd);
                expectOnly(h, sackedEnd + 3); // pipe 4 SMSS: sndcnt = ssthresh - pipe = 1 SMSS
            }
            sack(h, 12);
            assertEquals(5 * MSS, h.connection.info().slowStartThresholdBytes());
            assertEquals(5 * MSS, h.connection.info().congestionWindowBytes());
            expectOnly(h, 16); // 4 SMSS in flight (12 to 15), cwnd 5 SMSS
        }
    }

    @Nested
    class WithoutSack {
        // RFC 6582 is kept whole when SACK is off: blocks the peer sends anyway are not read, and the
        // third duplicate ACK retransmits with NewReno's inflation.
        @Test
        void sackBlocksAreNotReadWhenSackIsOff() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.congestionControl("newreno").selectiveAcks(false)));
            h.established(TcpOptionSet.NONE.withMss(1460).withSackPermitted(true));
            h.write(new byte[10 * MSS]);
            h.transmit();
            for (int i = 0; i < 10; i++) {
                h.expect().seq(seg(i)).check();
            }
            sack(h, 0, 1, 4); // would be IsLost(SND.UNA) with SACK: here one duplicate ACK
            h.expectNothing();
            sack(h, 0, 1, 4);
            sack(h, 0, 1, 4);
            expectOnly(h, 0);
            assertEquals(0, h.connection.info().sackBlocksReceived());
            assertEquals(5 * MSS, h.connection.info().congestionWindowBytes());
        }
    }
}
