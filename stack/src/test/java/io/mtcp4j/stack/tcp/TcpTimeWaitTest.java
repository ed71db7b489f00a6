package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.FIN;
import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.RST;
import static io.mtcp4j.stack.tcp.TcpHarness.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.wire.TcpOptionSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * TIME-WAIT: both FINs acknowledged, waiting 2 MSL (RFC 9293 3.10.7.4 for this state), and the
 * reuse of its four-tuple by a new SYN (RFC 6191, RFC 1122 4.2.2.13).
 */
class TcpTimeWaitTest {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;
    private static final long SECOND = 1_000_000_000L;
    /** TSval on the peer's FIN in {@link #timeWaitWithTimestamps()}: TS.Recent in TIME-WAIT. */
    private static final int PEER_FIN_TIMESTAMP = 6_000;

    /** TIME-WAIT on a connection that used timestamps; TS.Recent = {@link #PEER_FIN_TIMESTAMP}, RCV.NXT = R + 1. */
    private static TcpHarness timeWaitWithTimestamps() {
        TcpHarness h = new TcpHarness().established(TcpHarness.linuxSynOptions());
        h.connection.close(h.nowNs);
        h.transmit();
        h.expect().flags(ACK | FIN).seq(L).check();
        h.send(h.segment().seq(R).ack(L + 1).options(h.peerTimestamp(5_500)));
        h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN).options(h.peerTimestamp(PEER_FIN_TIMESTAMP)));
        h.expect().flags(ACK).ack(R + 1).timestampEcho(PEER_FIN_TIMESTAMP).check();
        h.expectState(TcpState.TIME_WAIT);
        return h;
    }

    private static TcpFlyweight syn(TcpHarness h, int seq, TcpOptionSet options) {
        return h.segment().seq(seq).ack(0).flags(SYN).options(options).wrap();
    }

    @Nested
    class Segments {
        // RFC 9293 3.10.7.4 second, TIME-WAIT: "If the RST bit is set, then enter the CLOSED state" (as Linux,
        // without RFC 1337's protection).
        @Test
        void resetAtRcvNxtCloses() {
            TcpHarness h = new TcpHarness().timeWait();
            h.send(h.segment().seq(R + 1).flags(RST));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.NONE, h.connection.error());
            h.expectNothing();
        }

        // RFC 5961 3.2 applies in TIME-WAIT too: an in-window RST elsewhere is challenged.
        @Test
        void resetInWindowIsChallenged() {
            TcpHarness h = new TcpHarness().timeWait();
            h.send(h.segment().seq(R + 10).flags(RST));
            h.expectAck(L + 1, R + 1);
            h.expectState(TcpState.TIME_WAIT);
        }

        // RFC 9293 3.10.7.4 fifth, TIME-WAIT: a repeated ACK of our FIN is no retransmitted FIN: nothing, 2 MSL unchanged.
        @Test
        void repeatedAckIsIgnored() {
            TcpHarness h = new TcpHarness().timeWait();
            long deadline = h.connection.nextDeadlineNs();
            h.advanceMs(1_000);
            h.send(h.segment().seq(R + 1).ack(L + 1));
            h.expectNothing();
            assertEquals(deadline, h.connection.nextDeadlineNs());
        }

        // RFC 9293 3.10.7.4 seventh, TIME-WAIT: text after the FIN is ignored.
        @Test
        void textIsIgnored() {
            TcpHarness h = new TcpHarness().timeWait();
            h.send(h.segment().seq(R + 1).ack(L + 1).payload("late"));
            h.expectNothing();
            assertEquals(0, h.connection.readableBytes());
            h.expectState(TcpState.TIME_WAIT);
        }

        // RFC 9293 3.10.7.4 first: an old duplicate is unacceptable: ACK.
        @Test
        void oldDuplicateIsAcknowledged() {
            TcpHarness h = new TcpHarness().timeWait();
            h.send(h.segment().seq(R - 10).ack(L).payloadLength(10));
            h.expectAck(L + 1, R + 1);
            h.expectState(TcpState.TIME_WAIT);
        }

        // RFC 5961 4.2 / RFC 9293 3.10.7.4 fourth: a SYN reaching the connection in TIME-WAIT: challenge ACK.
        @Test
        void synIsChallenged() {
            TcpHarness h = new TcpHarness().timeWait();
            h.send(h.segment().seq(R + 100).ack(0).flags(SYN));
            h.expectAck(L + 1, R + 1);
            h.expectState(TcpState.TIME_WAIT);
        }

        // RFC 9293 3.10.7.4 eighth: the peer's FIN again (with text it carried) is acknowledged, 2 MSL restarts.
        @Test
        void retransmittedFinWithTextRestartsTwoMsl() {
            TcpHarness h = new TcpHarness().established();
            h.connection.shutdownOutput(); // half-close: text from the peer still has a reader
            h.transmit();
            h.expect().flags(ACK | FIN).seq(L).check();
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN).payload("bye"));
            h.expectAck(L + 1, R + 4);
            h.advanceMs(30_000);
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN).payload("bye"));
            h.expectAck(L + 1, R + 4);
            assertEquals(h.nowNs + 60 * SECOND, h.connection.nextDeadlineNs());
        }

        // PAWS holds in TIME-WAIT: an old timestamp is acknowledged and dropped (RFC 7323 5.3 R1).
        @Test
        void oldTimestampIsRejected() {
            TcpHarness h = timeWaitWithTimestamps();
            h.send(h.segment().seq(R + 1).ack(L + 1).flags(ACK | FIN).options(h.peerTimestamp(PEER_FIN_TIMESTAMP - 1)));
            h.expect().flags(ACK).ack(R + 1).timestampEcho(PEER_FIN_TIMESTAMP).check();
            assertEquals(1, h.connection.info().pawsRejected());
        }
    }

    @Nested
    class TimerAndCalls {
        // RFC 9293 3.10.8: the 2 MSL timeout deletes the TCB; the length is a setting.
        @Test
        void closesAfterTwoMsl() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.timeWaitNs(5 * SECOND))).timeWait();
            h.advanceMs(4_999);
            h.expectState(TcpState.TIME_WAIT);
            h.advanceMs(1);
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.NONE, h.connection.error());
            assertTrue((h.connection.takeEvents() & TcpConnection.EVENT_CLOSED) != 0);
            h.expectNothing();
        }

        // Only the 2 MSL timer runs in TIME-WAIT (no retransmission, keepalive or delayed ACK).
        @Test
        void onlyTheTwoMslTimerRuns() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.keepAlive(true).keepAliveIdleNs(SECOND))).timeWait();
            assertEquals(h.nowNs + 60 * SECOND, h.connection.nextDeadlineNs());
            h.advanceMs(59_999);
            h.expectNothing();
        }

        // RFC 9293 3.10.5 ABORT in TIME-WAIT: nothing to reset; the TCB goes.
        @Test
        void abortSendsNoReset() {
            TcpHarness h = new TcpHarness().timeWait();
            h.connection.abort(h.nowNs);
            h.transmit();
            h.expectNothing();
            h.expectState(TcpState.CLOSED);
        }

        @Test
        void writeIsRefused() {
            TcpHarness h = new TcpHarness().timeWait();
            assertThrows(IllegalStateException.class, () -> h.write("x"));
        }
    }

    @Nested
    class SynReuse {
        // RFC 1122 4.2.2.13 (RFC 6191 without timestamps): a new SYN may reuse the tuple if SEG.SEQ > RCV.NXT.
        @Test
        void withoutTimestampsAHigherSequenceNumberIsAccepted() {
            TcpHarness h = new TcpHarness().timeWait();
            assertTrue(h.connection.acceptsSynInTimeWait(syn(h, R + 2, TcpOptionSet.NONE)));
        }

        @Test
        void withoutTimestampsRcvNxtOrLowerIsRefused() {
            TcpHarness h = new TcpHarness().timeWait();
            assertFalse(h.connection.acceptsSynInTimeWait(syn(h, R + 1, TcpOptionSet.NONE)));
            assertFalse(h.connection.acceptsSynInTimeWait(syn(h, R - 5_000, TcpOptionSet.NONE)));
        }

        // RFC 6191 2: timestamps on both incarnations: a newer TSval is enough, whatever the sequence number.
        @Test
        void newerTimestampIsAcceptedWhateverTheSequenceNumber() {
            TcpHarness h = timeWaitWithTimestamps();
            assertTrue(h.connection.acceptsSynInTimeWait(
                    syn(h, R - 5_000, TcpOptionSet.NONE.withTimestamps(PEER_FIN_TIMESTAMP + 1, 0))));
        }

        // RFC 6191 2: an older TSval is refused, whatever the sequence number.
        @Test
        void olderTimestampIsRefused() {
            TcpHarness h = timeWaitWithTimestamps();
            assertFalse(h.connection.acceptsSynInTimeWait(
                    syn(h, R + 5_000, TcpOptionSet.NONE.withTimestamps(PEER_FIN_TIMESTAMP - 1, 0))));
        }

        // RFC 6191 2: an equal TSval is accepted when the sequence number is greater.
        @Test
        void equalTimestampFallsBackToTheSequenceNumber() {
            TcpHarness h = timeWaitWithTimestamps();
            TcpOptionSet equal = TcpOptionSet.NONE.withTimestamps(PEER_FIN_TIMESTAMP, 0);
            assertTrue(h.connection.acceptsSynInTimeWait(syn(h, R + 2, equal)));
            assertFalse(h.connection.acceptsSynInTimeWait(syn(h, R + 1, equal)));
        }

        // RFC 6191 2: the new SYN lacks timestamps: the sequence number decides.
        @Test
        void synWithoutTimestampsUsesTheSequenceNumber() {
            TcpHarness h = timeWaitWithTimestamps();
            assertTrue(h.connection.acceptsSynInTimeWait(syn(h, R + 2, TcpOptionSet.NONE)));
            assertFalse(h.connection.acceptsSynInTimeWait(syn(h, R, TcpOptionSet.NONE)));
        }

        // Only TIME-WAIT gives its tuple away.
        @Test
        void otherStatesRefuse() {
            TcpHarness h = new TcpHarness().established();
            assertFalse(h.connection.acceptsSynInTimeWait(syn(h, R + 100_000, TcpOptionSet.NONE)));
        }
    }
}
