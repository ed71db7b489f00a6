package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.FIN;
import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.RST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** CLOSING: both FINs sent, ours not yet acknowledged (simultaneous close, RFC 9293 3.10.7.4). */
class TcpClosingTest {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;

    // RFC 9293 3.10.7.4 fifth, CLOSING: the ACK of our FIN: TIME-WAIT, for 2 MSL.
    @Test
    void ackOfOurFinGoesToTimeWait() {
        TcpHarness h = new TcpHarness().closing();
        h.send(h.segment().seq(R + 1).ack(L + 1));
        h.expectState(TcpState.TIME_WAIT);
        h.expectNothing();
        assertEquals(h.nowNs + 60_000_000_000L, h.connection.nextDeadlineNs());
    }

    // RFC 9293 3.10.7.4 fifth: otherwise ignore the segment.
    @Test
    void ackNotCoveringOurFinStays() {
        TcpHarness h = new TcpHarness().closing();
        h.send(h.segment().seq(R + 1).ack(L));
        h.expectState(TcpState.CLOSING);
        h.expectNothing();
    }

    // RFC 9293 3.10.7.4 second, CLOSING: RST at RCV.NXT: CLOSED (no error: both sides had finished).
    @Test
    void resetClosesWithoutError() {
        TcpHarness h = new TcpHarness().closing();
        h.send(h.segment().seq(R + 1).flags(RST));
        h.expectState(TcpState.CLOSED);
        assertEquals(TcpError.NONE, h.connection.error());
        h.expectNothing();
    }

    // RFC 9293 3.10.7.4 eighth, CLOSING: a retransmitted FIN is acknowledged again.
    @Test
    void retransmittedFinIsAcknowledged() {
        TcpHarness h = new TcpHarness().closing();
        h.send(h.segment().seq(R).ack(L).flags(ACK | FIN));
        h.expectAck(L + 1, R + 1);
        h.expectState(TcpState.CLOSING);
    }

    // RFC 6298 5.4: our unacknowledged FIN is retransmitted, now acknowledging the peer's.
    @Test
    void ourFinIsRetransmitted() {
        TcpHarness h = new TcpHarness().closing();
        h.advanceMs(1_000);
        h.expect().flags(ACK | FIN).seq(L).ack(R + 1).check();
        h.expectState(TcpState.CLOSING);
        h.send(h.segment().seq(R + 1).ack(L + 1));
        h.expectState(TcpState.TIME_WAIT);
    }

    // RFC 5961 3.2: challenge ACK for an in-window RST.
    @Test
    void resetInWindowIsChallenged() {
        TcpHarness h = new TcpHarness().closing();
        h.send(h.segment().seq(R + 3).flags(RST));
        h.expectAck(L + 1, R + 1);
        h.expectState(TcpState.CLOSING);
    }

    @Test
    void writeIsRefused() {
        TcpHarness h = new TcpHarness().closing();
        assertThrows(IllegalStateException.class, () -> h.write("x"));
    }
}
