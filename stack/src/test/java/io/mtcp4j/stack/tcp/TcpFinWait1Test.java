package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.FIN;
import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.PSH;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.RST;
import static io.mtcp4j.stack.tcp.TcpHarness.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** FIN-WAIT-1: our FIN sent, not yet acknowledged (RFC 9293 3.10.7.4 for this state). */
class TcpFinWait1Test {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;
    private static final int MSS = 1460;

    /** Half-closed (shutdownOutput, not close): our FIN at L sent, reading goes on. */
    private static TcpHarness halfClosed() {
        TcpHarness h = new TcpHarness().established();
        h.connection.shutdownOutput();
        h.transmit();
        h.expect().flags(ACK | FIN).seq(L).ack(R).check();
        h.expectState(TcpState.FIN_WAIT_1);
        return h;
    }

    /** {@code bytes} written then close(): the data and the FIN (on the last segment) in flight. */
    private static TcpHarness dataAndFinInFlight(int bytes) {
        TcpHarness h = new TcpHarness().established();
        h.write(new byte[bytes]);
        h.connection.close(h.nowNs);
        h.transmit();
        return h;
    }

    @Nested
    class AckBit {
        // RFC 9293 3.10.7.4 fifth, FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter FIN-WAIT-2".
        @Test
        void ackOfOurFinGoesToFinWait2() {
            TcpHarness h = new TcpHarness().finWait1();
            h.send(h.segment().seq(R).ack(L + 1));
            h.expectState(TcpState.FIN_WAIT_2);
            h.expectNothing();
        }

        // An ACK of the data before the FIN is not the FIN's acknowledgment.
        @Test
        void ackOfTheDataButNotTheFinStays() {
            TcpHarness h = dataAndFinInFlight(4);
            h.expect().flags(ACK | PSH | FIN).seq(L).payloadLength(4).check();
            h.send(h.segment().seq(R).ack(L + 4));
            h.expectState(TcpState.FIN_WAIT_1);
            h.send(h.segment().seq(R).ack(L + 5));
            h.expectState(TcpState.FIN_WAIT_2);
        }

        // After a timeout resent only the first segment (go-back-N), the peer's ACK of the original
        // transmissions covers our FIN: FIN-WAIT-2, and no FIN goes out again (a spurious timeout).
        @Test
        void ackCoveringTheFinAfterAGoBackNTimeout() {
            TcpHarness h = dataAndFinInFlight(3 * MSS);
            h.expect().seq(L).check();
            h.expect().seq(L + MSS).check();
            h.expect().flags(ACK | PSH | FIN).seq(L + 2 * MSS).check();
            h.advanceMs(1_000);
            h.expect().flags(ACK).seq(L).payloadLength(MSS).check();
            h.expectNothing();
            h.send(h.segment().seq(R).ack(L + 3 * MSS + 1));
            h.expectState(TcpState.FIN_WAIT_2);
            h.expectNothing();
            assertEquals(3 * MSS, h.connection.info().bytesAcked());
        }

        // As above when the late ACK stops short of the FIN: the FIN is sent again at its own number.
        @Test
        void ackOfAllDataAfterAGoBackNTimeoutResendsTheFinAtItsNumber() {
            TcpHarness h = dataAndFinInFlight(3 * MSS);
            h.discardEmitted();
            h.advanceMs(1_000);
            h.expect().seq(L).payloadLength(MSS).check();
            h.send(h.segment().seq(R).ack(L + 3 * MSS));
            h.expect().flags(ACK | FIN).seq(L + 3 * MSS).payloadLength(0).check();
            h.send(h.segment().seq(R).ack(L + 3 * MSS + 1));
            h.expectState(TcpState.FIN_WAIT_2);
        }
    }

    @Nested
    class FinBit {
        // RFC 9293 3.10.7.4 eighth, FIN-WAIT-1: FIN and the ACK of ours together: TIME-WAIT.
        @Test
        void finAcknowledgingOursGoesToTimeWait() {
            TcpHarness h = new TcpHarness().finWait1();
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN));
            h.expectState(TcpState.TIME_WAIT);
            h.expectAck(L + 1, R + 1);
        }

        // RFC 9293 3.10.7.4 eighth: the peer's FIN before the ACK of ours: CLOSING (simultaneous close).
        @Test
        void finAloneGoesToClosing() {
            TcpHarness h = new TcpHarness().finWait1();
            h.send(h.segment().seq(R).ack(L).flags(ACK | FIN));
            h.expectState(TcpState.CLOSING);
            h.expectAck(L + 1, R + 1);
        }

        // RFC 9293 3.10.7.4 seventh: FIN-WAIT-1 still receives text (the half-close).
        @Test
        void textIsStillDelivered() {
            TcpHarness h = halfClosed();
            h.send(h.segment().seq(R).ack(L).payload("more"));
            assertEquals("more", h.readAll());
            h.advanceMs(40);
            h.expectAck(L + 1, R + 4);
            h.expectState(TcpState.FIN_WAIT_1);
        }

        // RFC 1122 4.2.2.13 (Linux: LINUX_MIB_TCPABORTONDATA): text arriving after CLOSE cannot be read;
        // the peer learns it was lost from a RST.
        @Test
        void textAfterCloseIsAnsweredWithReset() {
            TcpHarness h = new TcpHarness().finWait1();
            h.send(h.segment().seq(R).ack(L + 1).payload("late"));
            h.expect().flags(RST).seq(L + 1).check();
            h.expectNothing();
            h.expectState(TcpState.CLOSED);
        }
    }

    @Nested
    class ResetAndSyn {
        // RFC 9293 3.10.7.4 second, FIN-WAIT-1: RST at RCV.NXT: "connection reset", CLOSED.
        @Test
        void resetCloses() {
            TcpHarness h = new TcpHarness().finWait1();
            h.send(h.segment().seq(R).flags(RST));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_RESET, h.connection.error());
            h.expectNothing();
        }

        // RFC 5961 3.2: in the window but not at RCV.NXT: challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>.
        @Test
        void resetInWindowIsChallenged() {
            TcpHarness h = new TcpHarness().finWait1();
            h.send(h.segment().seq(R + 1).flags(RST));
            h.expectAck(L + 1, R);
            h.expectState(TcpState.FIN_WAIT_1);
        }

        // RFC 5961 4.2: SYN: challenge ACK.
        @Test
        void synIsChallenged() {
            TcpHarness h = new TcpHarness().finWait1();
            h.send(h.segment().seq(R).ack(0).flags(SYN));
            h.expectAck(L + 1, R);
            h.expectState(TcpState.FIN_WAIT_1);
        }
    }

    @Nested
    class TimersAndCalls {
        // RFC 6298 5.4: the FIN is retransmitted with its data, then backs off.
        @Test
        void dataAndFinRetransmittedTogether() {
            TcpHarness h = dataAndFinInFlight(4);
            h.expect().flags(ACK | PSH | FIN).seq(L).payloadLength(4).check();
            h.advanceMs(1_000);
            h.expect().flags(ACK | PSH | FIN).seq(L).payloadLength(4).check();
            h.advanceMs(1_999);
            h.expectNothing();
            h.advanceMs(1);
            h.expect().flags(ACK | PSH | FIN).seq(L).payloadLength(4).check();
        }

        // RFC 9293 3.10.2: SEND after CLOSE is an error.
        @Test
        void writeIsRefused() {
            TcpHarness h = new TcpHarness().finWait1();
            assertEquals(0, h.connection.writableBytes());
            assertThrows(IllegalStateException.class, () -> h.write("x"));
        }

        // Our choice: FIN-WAIT-1 starts when the FIN leaves; while data queued before it waits for the
        // congestion window the state reads ESTABLISHED (RFC 9293 3.10.4 enters FIN-WAIT-1 at once).
        @Test
        void finWaitsBehindQueuedData() {
            TcpHarness h = dataAndFinInFlight(12 * MSS);
            for (int i = 0; i < 10; i++) {
                h.expect().flags(ACK).seq(L + i * MSS).payloadLength(MSS).check();
            }
            h.expectNothing();
            h.expectState(TcpState.ESTABLISHED);
            assertThrows(IllegalStateException.class, () -> h.write("x"));
            h.send(h.segment().seq(R).ack(L + 2 * MSS));
            h.expect().flags(ACK).seq(L + 10 * MSS).payloadLength(MSS).check();
            h.expect().flags(ACK | PSH | FIN).seq(L + 11 * MSS).payloadLength(MSS).check();
            h.expectState(TcpState.FIN_WAIT_1);
        }
    }
}
