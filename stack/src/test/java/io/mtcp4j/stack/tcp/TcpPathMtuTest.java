package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.PSH;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mtcp4j.stack.wire.TcpOptionSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * ESTABLISHED (and SYN-SENT), a smaller path MTU reported by ICMP "fragmentation needed" (RFC
 * 1191) or ICMPv6 "packet too big" (RFC 8201) through {@link TcpConnection#pathMtuChanged}: the
 * MSS we send falls, later segments are cut to it, and data in flight that was too big goes again
 * at once, as Linux's tcp_simple_retransmit does, without a congestion response.
 */
class TcpPathMtuTest {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;
    private static final int MSS = 1460;
    private static final long MS = 1_000_000L;

    private static TcpHarness established(Consumer<TcpConfig.Builder> changes) {
        return new TcpHarness(TcpConfig.defaults().with(changes)).established();
    }

    private static void pathMtu(TcpHarness h, int mssBytes) {
        h.connection.pathMtuChanged(h.nowNs, mssBytes);
        h.transmit();
    }

    /** Expects segments of the given lengths, back to back from {@code seq}, and nothing after them. */
    private static void expectRun(TcpHarness h, int seq, int... lengths) {
        for (int length : lengths) {
            h.expect().seq(seq).ack(R).payloadLength(length).check();
            seq += length;
        }
        h.expectNothing();
    }

    @Nested
    class TheMss {
        // RFC 1191 / RFC 8201: segments sent after the report fit the new MSS.
        @Test
        void laterSegmentsFitTheNewMss() {
            TcpHarness h = established(b -> b.noDelay(true));
            pathMtu(h, 1000);
            assertEquals(1000, h.connection.info().sendMssBytes());
            h.write(new byte[2_500]);
            h.transmit();
            h.expect().flags(ACK).seq(L).payloadLength(1000).check();
            h.expect().flags(ACK).seq(L + 1000).payloadLength(1000).check();
            h.expect().flags(ACK | PSH).seq(L + 2000).payloadLength(500).check();
            h.expectNothing();
        }

        // RFC 6691 / RFC 9293 3.7.1: the MSS excludes TCP options; the timestamp option we add to
        // every segment comes off the path's MSS as it comes off the peer's.
        @Test
        void timestampOptionComesOffThePathMss() {
            TcpHarness h = new TcpHarness().established(TcpHarness.linuxSynOptions());
            assertEquals(1448, h.connection.info().sendMssBytes());
            pathMtu(h, 1000);
            assertEquals(988, h.connection.info().sendMssBytes());
        }

        // The path may raise its estimate again (RFC 1191 6.3), never past the MSS the handshake agreed.
        @Test
        void neverAboveTheNegotiatedMss() {
            TcpHarness h = new TcpHarness().established();
            pathMtu(h, 9_000);
            assertEquals(MSS, h.connection.info().sendMssBytes());
            pathMtu(h, 1_000);
            assertEquals(1_000, h.connection.info().sendMssBytes());
            pathMtu(h, 1_400);
            assertEquals(1_400, h.connection.info().sendMssBytes());
            pathMtu(h, 65_495);
            assertEquals(MSS, h.connection.info().sendMssBytes());
        }

        // A floor against forged messages (RFC 5927 7): never fewer than 64 data bytes a segment.
        @Test
        void neverBelowTheFloor() {
            TcpHarness h = established(b -> b.noDelay(true));
            pathMtu(h, 10);
            assertEquals(64, h.connection.info().sendMssBytes());
            h.write(new byte[150]);
            h.transmit();
            expectRun(h, L, 64, 64, 22);
        }

        @Test
        void nonPositiveMssIsRejected() {
            TcpHarness h = new TcpHarness().established();
            assertThrows(IllegalArgumentException.class, () -> h.connection.pathMtuChanged(h.nowNs, 0));
            assertEquals(MSS, h.connection.info().sendMssBytes());
        }

        // Reported during the handshake (our SYN was too big for nothing: it carries no data), the
        // path's MSS still bounds what the SYN-ACK's MSS option allows.
        @Test
        void reportedBeforeTheHandshakeEndsItBoundsTheNegotiatedMss() {
            TcpHarness h = new TcpHarness().synSent();
            h.connection.pathMtuChanged(h.nowNs, 1_000);
            h.send(h.segment().seq(REMOTE_ISS).ack(L).flags(SYN | ACK).options(TcpOptionSet.NONE.withMss(1460)));
            h.expect().flags(ACK).seq(L).ack(R).check();
            assertEquals(1_000, h.connection.info().sendMssBytes());
        }

        // CongestionControl.onMssChange: cwnd and ssthresh keep their size in bytes; smaller units
        // are no congestion signal.
        @Test
        void windowKeepsItsBytes() {
            TcpHarness h = new TcpHarness().established();
            int cwnd = h.connection.info().congestionWindowBytes();
            int ssthresh = h.connection.info().slowStartThresholdBytes();
            pathMtu(h, 1_000);
            assertEquals(cwnd, h.connection.info().congestionWindowBytes());
            assertEquals(ssthresh, h.connection.info().slowStartThresholdBytes());
        }
    }

    @Nested
    class DataInFlight {
        // RFC 1191 / RFC 8201 with Linux's tcp_simple_retransmit: the segments the path dropped as
        // too big go again at once, cut to the new MSS (the last one short, not held by Nagle), with
        // no change to cwnd or ssthresh; new data then uses the new MSS too.
        @Test
        void tooBigSegmentsGoAgainAtOnceCutToTheNewMss() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[3 * MSS]);
            h.transmit();
            expectRun(h, L, MSS, MSS, MSS);
            int cwnd = h.connection.info().congestionWindowBytes();
            pathMtu(h, 1_040);
            h.expect().flags(ACK).seq(L).payloadLength(1_040).check();
            h.expect().flags(ACK).seq(L + 1_040).payloadLength(1_040).check();
            h.expect().flags(ACK).seq(L + 2_080).payloadLength(1_040).check();
            h.expect().flags(ACK).seq(L + 3_120).payloadLength(1_040).check();
            h.expect().flags(ACK | PSH).seq(L + 4_160).payloadLength(220).check();
            h.expectNothing();
            assertEquals(1, h.connection.info().pathMtuRetransmissions());
            assertEquals(5, h.connection.info().retransmittedSegments());
            assertEquals(cwnd, h.connection.info().congestionWindowBytes());
            h.write(new byte[2_000]);
            h.transmit();
            expectRun(h, L + 3 * MSS, 1_040); // the 960-byte rest waits for Nagle
        }

        // Nothing in flight was larger than the new MSS: nothing goes again.
        @Test
        void smallFlightIsNotSentAgain() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[500]);
            h.transmit();
            expectRun(h, L, 500);
            pathMtu(h, 1_000);
            h.expectNothing();
            assertEquals(0, h.connection.info().pathMtuRetransmissions());
        }

        // With SACK the range the peer reports holding is stepped over (RFC 6675 5.1's rule for
        // going back), the rest is cut to the new MSS.
        @Test
        void sackedDataIsNotSentAgain() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.write(new byte[4 * MSS]);
            h.transmit();
            expectRun(h, L, MSS, MSS, MSS, MSS);
            h.send(h.segment().seq(R).ack(L).options(TcpOptionSet.NONE.withSackBlocks(L + 2 * MSS, L + 3 * MSS)));
            h.expectNothing();
            pathMtu(h, 1_000);
            h.expect().seq(L).payloadLength(1_000).check();
            h.expect().seq(L + 1_000).payloadLength(1_000).check();
            h.expect().seq(L + 2_000).payloadLength(920).check(); // up to the SACKed segment 2
            h.expect().seq(L + 3 * MSS).payloadLength(1_000).check();
            h.expect().seq(L + 3 * MSS + 1_000).payloadLength(460).check();
            h.expectNothing();
        }

        // RFC 6582 4.1 / RFC 6675 5.1 applied to the drop: duplicate ACKs for the holes the too-big
        // segments left start no fast retransmit; the resend already covers them.
        @Test
        void duplicateAcksForTheDroppedSegmentsStartNoFastRetransmit() {
            TcpHarness h = established(b -> b.congestionControl("newreno"));
            h.write(new byte[10 * MSS]);
            h.transmit();
            for (int i = 0; i < 10; i++) {
                h.expect().seq(L + i * MSS).check();
            }
            pathMtu(h, 1_000);
            int[] run = new int[15];
            java.util.Arrays.fill(run, 1_000);
            run[14] = 600;
            expectRun(h, L, run); // cwnd 10 x 1460 bytes: the whole flight again
            for (int i = 0; i < 3; i++) {
                h.send(h.segment().seq(R).ack(L));
            }
            h.expectNothing();
            assertEquals(0, h.connection.info().fastRetransmits());
        }

        // RFC 6675 recovery in progress ends without a further reduction; what the peer SACKed is
        // stepped over, and the resend stops at cwnd in whole segments.
        @Test
        void sackRecoveryInProgressEnds() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.congestionControl("newreno")))
                    .establishedWithSack();
            h.write(new byte[10 * MSS]);
            h.transmit();
            h.discardEmitted();
            h.send(h.segment().seq(R).ack(L).options(TcpOptionSet.NONE.withSackBlocks(L + MSS, L + 4 * MSS)));
            h.expect().seq(L).payloadLength(MSS).check(); // fast retransmit: IsLost(SND.UNA)
            h.expectNothing();
            assertEquals(5 * MSS, h.connection.info().congestionWindowBytes());
            pathMtu(h, 1_000);
            h.expect().seq(L).payloadLength(1_000).check();
            h.expect().seq(L + 1_000).payloadLength(460).check();
            // 1 to 3 are SACKed; pipe 1,460 bytes, then five segments of 1,000 up to 6,460 of cwnd 7,300.
            expectRun(h, L + 4 * MSS, 1_000, 1_000, 1_000, 1_000, 1_000);
            assertEquals(5 * MSS, h.connection.info().congestionWindowBytes());
            assertEquals(5 * MSS, h.connection.info().slowStartThresholdBytes());
        }

        // RFC 6298 5.3 in spirit: the oldest outstanding data was just sent again, so the
        // retransmission timer counts from now.
        @Test
        void retransmissionTimerRestarts() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[2 * MSS]);
            h.transmit();
            h.discardEmitted();
            h.advanceMs(500);
            pathMtu(h, 1_000);
            h.discardEmitted();
            assertEquals(h.nowNs + 1_000 * MS, h.connection.nextDeadlineNs());
        }
    }
}
