package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.FIN;
import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.PSH;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.RST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** LAST-ACK: the peer closed first, then we did; waiting for the ACK of our FIN (RFC 9293 3.10.7.4). */
class TcpLastAckTest {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;

    // RFC 9293 3.10.7.4 fifth, LAST-ACK: the ACK of our FIN: delete the TCB (CLOSED), no TIME-WAIT.
    @Test
    void ackOfOurFinCloses() {
        TcpHarness h = new TcpHarness().lastAck();
        h.send(h.segment().seq(R + 1).ack(L + 1));
        h.expectState(TcpState.CLOSED);
        assertEquals(TcpError.NONE, h.connection.error());
        assertTrue((h.connection.takeEvents() & TcpConnection.EVENT_CLOSED) != 0);
        assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
        h.expectNothing();
    }

    // The ACK of the data before the FIN is not enough.
    @Test
    void ackOfTheDataButNotTheFinStays() {
        TcpHarness h = new TcpHarness().closeWait();
        h.write("reply");
        h.connection.close(h.nowNs);
        h.transmit();
        h.expect().flags(ACK | PSH | FIN).seq(L).ack(R + 1).payload("reply").check();
        h.send(h.segment().seq(R + 1).ack(L + 5));
        h.expectState(TcpState.LAST_ACK);
        h.send(h.segment().seq(R + 1).ack(L + 6));
        h.expectState(TcpState.CLOSED);
    }

    // RFC 9293 3.10.7.4 second, LAST-ACK: RST at RCV.NXT: CLOSED without error.
    @Test
    void resetClosesWithoutError() {
        TcpHarness h = new TcpHarness().lastAck();
        h.send(h.segment().seq(R + 1).flags(RST));
        h.expectState(TcpState.CLOSED);
        assertEquals(TcpError.NONE, h.connection.error());
        h.expectNothing();
    }

    // RFC 5961 3.2: challenge ACK for a RST in the window.
    @Test
    void resetInWindowIsChallenged() {
        TcpHarness h = new TcpHarness().lastAck();
        h.send(h.segment().seq(R + 2).flags(RST));
        h.expectAck(L + 1, R + 1);
        h.expectState(TcpState.LAST_ACK);
    }

    // RFC 6298 5.4-5.5: our FIN is retransmitted, backing off.
    @Test
    void ourFinIsRetransmittedWithBackoff() {
        TcpHarness h = new TcpHarness().lastAck();
        h.advanceMs(1_000);
        h.expect().flags(ACK | FIN).seq(L).ack(R + 1).check();
        h.advanceMs(1_999);
        h.expectNothing();
        h.advanceMs(1);
        h.expect().flags(ACK | FIN).seq(L).ack(R + 1).check();
    }

    // RFC 9293 3.10.7.4 eighth, LAST-ACK: the peer's retransmitted FIN is acknowledged again.
    @Test
    void retransmittedPeerFinIsAcknowledged() {
        TcpHarness h = new TcpHarness().lastAck();
        h.send(h.segment().seq(R).ack(L).flags(ACK | FIN));
        h.expectAck(L + 1, R + 1);
        h.expectState(TcpState.LAST_ACK);
    }

    // RFC 9293 3.8.3 R2: the FIN's retries exhausted: <SEQ=SND.NXT><CTL=RST>, "timed out".
    @Test
    void retriesExhaustedResetAndTimeOut() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.maxRetransmissions(1))).lastAck();
        h.advanceMs(1_000);
        h.expect().flags(ACK | FIN).seq(L).check();
        h.advanceMs(2_000);
        h.expect().flags(RST).seq(L + 1).check();
        h.expectState(TcpState.CLOSED);
        assertEquals(TcpError.TIMED_OUT, h.connection.error());
    }
}
