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
import io.mtcp4j.stack.wire.TcpSegment;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * SYN-RECEIVED: our SYN-ACK sent, waiting for the ACK of our SYN (RFC 9293 3.10.7.4 for this
 * state), reached passively from a listener's SYN or actively by a simultaneous open.
 */
class TcpSynReceivedTest {
    private static final int ISS = LOCAL_ISS;
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;
    private static final long MS = 1_000_000L;

    /** Passive open, SYN with MSS 1460 only; our SYN-ACK advertised 65,535. */
    private static TcpHarness passive() {
        return new TcpHarness().synReceived(TcpOptionSet.NONE.withMss(1460));
    }

    /** Active open that met the peer's SYN (simultaneous open, RFC 9293 figure 8). */
    private static TcpHarness simultaneous() {
        TcpHarness h = new TcpHarness().synSent();
        h.send(h.segment().seq(REMOTE_ISS).ack(0).flags(SYN).options(TcpOptionSet.NONE.withMss(1460)));
        h.expect().flags(SYN | ACK).seq(ISS).ack(R).check();
        h.expectState(TcpState.SYN_RECEIVED);
        return h;
    }

    @Nested
    class ResetBit {
        // RFC 9293 3.10.7.4 second, SYN-RECEIVED: passive open: back to LISTEN; for the connection, CLOSED.
        @Test
        void resetAtRcvNxtClosesPassiveOpen() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R).ack(0).flags(RST));
            h.expectNothing();
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_RESET, h.connection.error());
            assertTrue((h.connection.takeEvents() & TcpConnection.EVENT_CLOSED) != 0);
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
        }

        // RFC 9293 3.10.7.4 second, SYN-RECEIVED: active open: "connection refused".
        @Test
        void resetAtRcvNxtRefusesSimultaneousOpen() {
            TcpHarness h = simultaneous();
            h.send(h.segment().seq(R).ack(0).flags(RST));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_REFUSED, h.connection.error());
        }

        // RFC 5961 3.2: in the window but not at RCV.NXT: challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>.
        @Test
        void resetInWindowGetsChallengeAck() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R + 1_000).ack(0).flags(RST));
            h.expectAck(L, R);
            h.expectState(TcpState.SYN_RECEIVED);
            assertEquals(1, h.connection.info().challengeAcksSent());
        }

        // RFC 9293 3.10.7.4 first: a RST outside the window is dropped without reply.
        @Test
        void resetOutsideWindowIsDropped() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R + 70_000).ack(0).flags(RST));
            h.expectNothing();
            h.expectState(TcpState.SYN_RECEIVED);
        }

        // RFC 9293 3.10.7.4 second: the ACK field of a RST is not examined.
        @Test
        void resetWithUnrelatedAckAtRcvNxtStillResets() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R).ack(12_345).flags(RST | ACK));
            h.expectState(TcpState.CLOSED);
            h.expectNothing();
        }
    }

    @Nested
    class SynBit {
        // RFC 9293 3.10.7.4 fourth, SYN-RECEIVED of a passive open: "return this connection to the LISTEN
        // state and return": the embryonic connection is dropped, nothing is sent.
        @Test
        void synInWindowDropsPassiveConnection() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R + 100).ack(0).flags(SYN));
            h.expectNothing();
            h.expectState(TcpState.CLOSED);
        }

        // RFC 9293 3.10.7.4 fourth: an actively opened SYN-RECEIVED is handled as a synchronized state: challenge ACK.
        @Test
        void synInWindowOnSimultaneousOpenGetsChallengeAck() {
            TcpHarness h = simultaneous();
            h.send(h.segment().seq(R + 100).ack(0).flags(SYN));
            h.expectAck(L, R);
            h.expectState(TcpState.SYN_RECEIVED);
        }

        // RFC 9293 3.10.7.4 first: a SYN before the window is unacceptable: ACK and drop.
        @Test
        void synBeforeTheWindowGetsAck() {
            TcpHarness h = passive();
            h.send(h.segment().seq(REMOTE_ISS - 1_000).ack(0).flags(SYN));
            h.expectAck(L, R);
            h.expectState(TcpState.SYN_RECEIVED);
        }

        // The SYN again (same ISN, as Linux does): our SYN-ACK was lost; it goes again with the same options.
        @Test
        void retransmittedSynGetsAnIdenticalSynAck() {
            TcpHarness h = new TcpHarness().synReceived(TcpHarness.linuxSynOptions());
            TcpSegment first = h.allEmitted.getFirst();
            h.send(h.segment().seq(REMOTE_ISS).ack(0).flags(SYN).options(TcpHarness.linuxSynOptions()));
            TcpSegment again = h.expect().flags(SYN | ACK).seq(ISS).ack(R).check();
            assertEquals(first.header().options(), again.header().options());
            assertEquals(first.header().window(), again.header().window());
            h.expectState(TcpState.SYN_RECEIVED);
        }
    }

    @Nested
    class AckBit {
        // RFC 9293 3.10.7.4 fifth: SEG.ACK must satisfy SND.UNA < SEG.ACK =< SND.NXT; else <SEQ=SEG.ACK><CTL=RST>.
        @Test
        void ackBelowIssIsReset() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R).ack(ISS - 5));
            h.expect().flags(RST).seq(ISS - 5).ack(0).check();
            h.expectState(TcpState.SYN_RECEIVED);
        }

        @Test
        void ackEqualToIssIsReset() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R).ack(ISS));
            h.expect().flags(RST).seq(ISS).check();
            h.expectState(TcpState.SYN_RECEIVED);
            // The right ACK still completes the handshake afterwards.
            h.send(h.segment().seq(R).ack(L));
            h.expectState(TcpState.ESTABLISHED);
            h.expectNothing();
        }

        // RFC 9293 3.10.7.4 fifth: "if the ACK bit is off, drop the segment and return": text before the ACK is lost.
        @Test
        void dataWithoutAckIsDropped() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R).ack(0).flags(PSH).payload("early"));
            h.expectNothing();
            h.expectState(TcpState.SYN_RECEIVED);
            assertEquals(0, h.connection.readableBytes());
        }

        // RFC 9293 3.10.7.4 fifth: the same for a FIN without ACK.
        @Test
        void finWithoutAckIsDropped() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R).ack(0).flags(FIN));
            h.expectNothing();
            h.expectState(TcpState.SYN_RECEIVED);
        }

        // RFC 9293 3.10.7.4 fifth then eighth: a FIN on the handshake's ACK: ESTABLISHED, then CLOSE-WAIT.
        @Test
        void finOnHandshakeAckGoesToCloseWait() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R).ack(L).flags(ACK | FIN));
            h.expectState(TcpState.CLOSE_WAIT);
            h.expectAck(L, R + 1);
            int events = h.connection.takeEvents();
            assertTrue((events & TcpConnection.EVENT_CONNECTED) != 0);
            assertTrue((events & TcpConnection.EVENT_READABLE) != 0);
            assertTrue(h.connection.isEndOfStream());
        }

        @Test
        void dataAndFinOnHandshakeAck() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R).ack(L).flags(ACK | PSH | FIN).payload("bye"));
            h.expectState(TcpState.CLOSE_WAIT);
            h.expectAck(L, R + 4);
            assertEquals("bye", h.readAll());
        }

        // RFC 5681 4.2: out-of-order data on the handshake's ACK is queued and drawn an immediate duplicate ACK.
        @Test
        void outOfOrderDataOnHandshakeAck() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R + 10).ack(L).payloadLength(10));
            h.expectState(TcpState.ESTABLISHED);
            h.expectAck(L, R);
            h.send(h.segment().seq(R).ack(L).payloadLength(10));
            h.expectAck(L, R + 20);
        }

        // RFC 7323 2.2: the SYN's window is used unscaled; the handshake's ACK is scaled by the peer's shift.
        @Test
        void synWindowUnscaledHandshakeAckScaled() {
            TcpHarness h = new TcpHarness().synReceived(TcpOptionSet.NONE.withMss(1460).withWindowScale(7));
            assertEquals(64_240, h.connection.info().sendWindowBytes());
            h.send(h.segment().seq(R).ack(L).window(100));
            assertEquals(12_800, h.connection.info().sendWindowBytes());
        }

        // RFC 7323 2.2: our SYN-ACK's window field is unscaled (65,535 at most), even when we will scale by 3.
        @Test
        void ourSynAckWindowIsUnscaled() {
            TcpHarness h = new TcpHarness().synReceived(TcpHarness.linuxSynOptions());
            TcpSegment synAck = h.allEmitted.getFirst();
            assertEquals(65_535, synAck.header().window());
            assertEquals(3, synAck.header().options().windowScale());
        }

        // RFC 6298 2.2: the SYN-ACK's round trip is the first RTT sample.
        @Test
        void handshakeRoundTripSampled() {
            TcpHarness h = passive();
            h.advanceMs(50);
            h.send(h.segment().seq(R).ack(L));
            assertEquals(50 * MS, h.connection.info().smoothedRttNs());
        }

        // RFC 7323 4.1: with timestamps the TSecr of the handshake's ACK times the SYN-ACK.
        @Test
        void handshakeRoundTripFromTimestampEcho() {
            TcpHarness h = new TcpHarness().synReceived(TcpHarness.linuxSynOptions());
            h.advanceMs(30);
            h.send(h.segment().seq(R).ack(L).options(h.peerTimestamp(5_001)));
            h.expectState(TcpState.ESTABLISHED);
            assertEquals(30 * MS, h.connection.info().smoothedRttNs());
        }

        // RFC 9293 3.10.7.4 first: a data segment outside the window is answered <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
        @Test
        void segmentOutsideWindowGetsAck() {
            TcpHarness h = passive();
            h.send(h.segment().seq(R + 70_000).ack(L).payloadLength(10));
            h.expectAck(L, R);
            h.expectState(TcpState.SYN_RECEIVED);
        }
    }

    @Nested
    class Paws {
        // RFC 7323 5.3 R1: the handshake's ACK with a TSval older than the SYN's: ACK and drop, still SYN-RECEIVED.
        @Test
        void oldTimestampOnHandshakeAckIsDropped() {
            TcpHarness h = new TcpHarness().synReceived(TcpHarness.linuxSynOptions());
            h.send(h.segment().seq(R).ack(L).options(h.peerTimestamp(4_999)));
            h.expect().flags(ACK).seq(L).ack(R).timestampEcho(5_000).check();
            h.expectState(TcpState.SYN_RECEIVED);
            assertEquals(1, h.connection.info().pawsRejected());
        }
    }

    @Nested
    class Timers {
        // RFC 6298 5.5: the SYN-ACK backs off 1 s, 2 s, 4 s.
        @Test
        void synAckBacksOffExponentially() {
            TcpHarness h = passive();
            for (long intervalMs : new long[] {1_000, 2_000, 4_000}) {
                h.advanceMs(intervalMs - 1);
                h.expectNothing();
                h.advanceMs(1);
                h.expect().flags(SYN | ACK).seq(ISS).ack(R).check();
            }
        }

        // RFC 9293 3.8.3 R2: after the SYN-ACK retries, give up; we tell the peer with <SEQ=SND.NXT><CTL=RST>.
        @Test
        void synAckRetriesExhausted() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.synRetries(1))).synReceived(TcpOptionSet.NONE);
            h.advanceMs(1_000);
            h.expect().flags(SYN | ACK).check();
            h.advanceMs(2_000);
            h.expect().flags(RST).seq(L).check();
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.TIMED_OUT, h.connection.error());
        }

        // RFC 6298 5.7: the SYN-ACK timed out and nothing was measured: data starts with RTO = 3 s.
        @Test
        void rtoIsThreeSecondsAfterALostSynAck() {
            TcpHarness h = passive();
            h.advanceMs(1_000);
            h.expect().flags(SYN | ACK).check();
            h.send(h.segment().seq(R).ack(L));
            assertEquals(3_000 * MS, h.connection.info().rtoNs());
        }
    }

    @Nested
    class UserCalls {
        // RFC 9293 3.10.5 ABORT in SYN-RECEIVED: <SEQ=SND.NXT><CTL=RST>.
        @Test
        void abortSendsReset() {
            TcpHarness h = passive();
            h.connection.abort(h.nowNs);
            h.transmit();
            h.expect().flags(RST).seq(L).ack(0).check();
            h.expectNothing();
            h.expectState(TcpState.CLOSED);
        }

        // RFC 9293 3.10.4 CLOSE in SYN-RECEIVED lets the FIN wait for ESTABLISHED; it then leaves at once.
        @Test
        void closeSendsFinOnceEstablished() {
            TcpHarness h = passive();
            h.connection.close(h.nowNs);
            h.transmit();
            h.expectNothing();
            h.send(h.segment().seq(R).ack(L));
            h.expect().flags(ACK | FIN).seq(L).ack(R).check();
            h.expectState(TcpState.FIN_WAIT_1);
        }

        // RFC 9293 3.10.2 SEND in SYN-RECEIVED: queued until ESTABLISHED.
        @Test
        void writeIsSentOnceEstablished() {
            TcpHarness h = passive();
            assertEquals(2, h.write("hi"));
            h.transmit();
            h.expectNothing();
            h.send(h.segment().seq(R).ack(L));
            h.expect().flags(ACK | PSH).seq(L).ack(R).payload("hi").check();
        }
    }
}
