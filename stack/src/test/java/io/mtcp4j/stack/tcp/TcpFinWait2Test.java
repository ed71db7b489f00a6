package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.FIN;
import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.RST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** FIN-WAIT-2: our FIN acknowledged, waiting for the peer's (RFC 9293 3.10.7.4 for this state). */
class TcpFinWait2Test {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;
    private static final long SECOND = 1_000_000_000L;

    /** Half-closed with shutdownOutput: FIN sent and acknowledged, the application still reads. */
    private static TcpHarness halfClosed(TcpConfig config) {
        TcpHarness h = new TcpHarness(config).established();
        h.connection.shutdownOutput();
        h.transmit();
        h.expect().flags(ACK | FIN).seq(L).check();
        h.send(h.segment().seq(R).ack(L + 1));
        h.expectState(TcpState.FIN_WAIT_2);
        return h;
    }

    private static TcpHarness halfClosed() {
        return halfClosed(TcpConfig.defaults());
    }

    @Nested
    class FinBit {
        // RFC 9293 3.10.7.4 eighth, FIN-WAIT-2: enter TIME-WAIT and acknowledge the FIN.
        @Test
        void finGoesToTimeWait() {
            TcpHarness h = new TcpHarness().finWait2();
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN));
            h.expectState(TcpState.TIME_WAIT);
            h.expectAck(L + 1, R + 1);
        }

        // The half-close: text then FIN are delivered, and end of stream follows the text.
        @Test
        void textThenFinAreDelivered() {
            TcpHarness h = halfClosed();
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN).payload("tail"));
            h.expectState(TcpState.TIME_WAIT);
            h.expectAck(L + 1, R + 5);
            assertEquals("tail", h.readAll());
            assertTrue(h.connection.isEndOfStream());
        }

        // RFC 9293 3.10.7.4 eighth: a FIN past a hole waits for the text before it.
        @Test
        void finPastAHoleWaits() {
            TcpHarness h = halfClosed();
            h.send(h.segment().seq(R + 5).ack(L + 1).flags(ACK | FIN).payload("world"));
            h.expectAck(L + 1, R);
            h.expectState(TcpState.FIN_WAIT_2);
            h.send(h.segment().seq(R).ack(L + 1).payload("hello"));
            h.expectAck(L + 1, R + 11);
            h.expectState(TcpState.TIME_WAIT);
        }

        // RFC 9293 3.8.6.3: text in FIN-WAIT-2 is acknowledged like any other (delayed).
        @Test
        void textIsAcknowledgedAfterTheDelay() {
            TcpHarness h = halfClosed();
            h.send(h.segment().seq(R).ack(L + 1).payload("more"));
            h.expectNothing();
            h.advanceMs(40);
            h.expectAck(L + 1, R + 4);
        }

        // A repeated ACK of our FIN changes nothing.
        @Test
        void repeatedAckOfOurFinIsIgnored() {
            TcpHarness h = halfClosed();
            h.send(h.segment().seq(R).ack(L + 1));
            h.expectNothing();
            h.expectState(TcpState.FIN_WAIT_2);
        }
    }

    @Nested
    class OrphanTimeout {
        // Linux tcp_fin_timeout: a connection the application closed waits finWait2TimeoutNs for the
        // peer's FIN, then disappears silently.
        @Test
        void closedConnectionGivesUpAfterTheTimeout() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.finWait2TimeoutNs(10 * SECOND))).finWait2();
            h.advanceMs(9_999);
            h.expectState(TcpState.FIN_WAIT_2);
            h.advanceMs(1);
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.NONE, h.connection.error());
            h.expectNothing();
        }

        // A half-closed connection (shutdownOutput only) may wait for the peer's FIN forever (RFC 9293 3.10.4).
        @Test
        void halfClosedConnectionWaitsWithoutTimeout() {
            TcpHarness h = halfClosed(TcpConfig.defaults().with(b -> b.finWait2TimeoutNs(10 * SECOND)));
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
            h.advanceMs(600_000);
            h.expectState(TcpState.FIN_WAIT_2);
        }

        // Linux (tcp_close in FIN_WAIT2): close() after the half-close orphans the connection: the timeout starts.
        @Test
        void closeAfterTheHalfCloseStartsTheTimeout() {
            TcpHarness h = halfClosed(TcpConfig.defaults().with(b -> b.finWait2TimeoutNs(10 * SECOND)));
            h.advanceMs(5_000);
            h.connection.close(h.nowNs);
            h.advanceMs(9_999);
            h.expectState(TcpState.FIN_WAIT_2);
            h.advanceMs(1);
            h.expectState(TcpState.CLOSED);
            h.expectNothing();
        }

        // The peer's FIN within the timeout: TIME-WAIT's 2 MSL replaces the orphan timeout.
        @Test
        void timeWaitReplacesTheOrphanTimeout() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.finWait2TimeoutNs(10 * SECOND))).finWait2();
            h.advanceMs(5_000);
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN));
            h.expect().flags(ACK).check();
            h.advanceMs(59_999);
            h.expectState(TcpState.TIME_WAIT);
            h.advanceMs(1);
            h.expectState(TcpState.CLOSED);
        }
    }

    @Nested
    class ResetBit {
        // RFC 9293 3.10.7.4 second, FIN-WAIT-2: RST at RCV.NXT: "connection reset".
        @Test
        void resetCloses() {
            TcpHarness h = halfClosed();
            h.send(h.segment().seq(R).flags(RST));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_RESET, h.connection.error());
        }

        // RFC 5961 3.2: challenge ACK for a RST in the window.
        @Test
        void resetInWindowIsChallenged() {
            TcpHarness h = halfClosed();
            h.send(h.segment().seq(R + 100).flags(RST));
            h.expectAck(L + 1, R);
            h.expectState(TcpState.FIN_WAIT_2);
        }
    }
}
