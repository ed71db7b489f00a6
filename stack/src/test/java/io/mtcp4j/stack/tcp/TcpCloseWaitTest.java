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

import org.junit.jupiter.api.Test;

/** CLOSE-WAIT: the peer's FIN received, our side still open (RFC 9293 3.10.7.4 for this state). */
class TcpCloseWaitTest {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;

    // RFC 9293 3.10.2 SEND in CLOSE-WAIT: allowed; the data carries ACK = RCV.NXT past the FIN.
    @Test
    void writesAreStillSent() {
        TcpHarness h = new TcpHarness().closeWait();
        assertTrue(h.connection.writableBytes() > 0);
        h.write("reply");
        h.transmit();
        h.expect().flags(ACK | PSH).seq(L).ack(R + 1).payload("reply").check();
        h.send(h.segment().seq(R + 1).ack(L + 5));
        h.expectState(TcpState.CLOSE_WAIT);
        assertEquals(5, h.connection.info().bytesAcked());
    }

    // RFC 9293 3.10.7.4 eighth, CLOSE-WAIT: a retransmitted FIN is acknowledged again; the state stays.
    @Test
    void retransmittedFinIsAcknowledged() {
        TcpHarness h = new TcpHarness().closeWait();
        h.send(h.segment().seq(R).ack(L).flags(ACK | FIN));
        h.expectAck(L, R + 1);
        h.expectState(TcpState.CLOSE_WAIT);
    }

    // RFC 9293 3.10.4 CLOSE in CLOSE-WAIT: FIN, LAST-ACK.
    @Test
    void shutdownOutputSendsFinAndGoesToLastAck() {
        TcpHarness h = new TcpHarness().closeWait();
        h.connection.shutdownOutput();
        h.transmit();
        h.expect().flags(ACK | FIN).seq(L).ack(R + 1).payloadLength(0).check();
        h.expectState(TcpState.LAST_ACK);
    }

    // RFC 9293 3.10.7.4 second, CLOSE-WAIT: RST at RCV.NXT: "connection reset".
    @Test
    void resetCloses() {
        TcpHarness h = new TcpHarness().closeWait();
        h.send(h.segment().seq(R + 1).flags(RST));
        h.expectState(TcpState.CLOSED);
        assertEquals(TcpError.CONNECTION_RESET, h.connection.error());
        h.expectNothing();
    }

    // RFC 5961 3.2: a RST in the window but not at RCV.NXT is challenged.
    @Test
    void resetInWindowIsChallenged() {
        TcpHarness h = new TcpHarness().closeWait();
        h.send(h.segment().seq(R + 2).flags(RST));
        h.expectAck(L, R + 1);
        h.expectState(TcpState.CLOSE_WAIT);
    }

    // RFC 9293 3.10.3 RECEIVE in CLOSE-WAIT: nothing more will come: end of stream.
    @Test
    void readReportsEndOfStream() {
        TcpHarness h = new TcpHarness().closeWait();
        assertTrue(h.connection.isEndOfStream());
        assertEquals(-1, h.connection.read(new byte[8], 0, 8));
    }

    // RFC 9293 3.10.7.4 seventh, CLOSE-WAIT: "This should not occur ... Ignore the segment text."
    @Test
    void textAfterTheFinIsIgnored() {
        TcpHarness h = new TcpHarness().closeWait();
        h.send(h.segment().seq(R + 1).ack(L).payload("more"));
        h.expectNothing();
        assertEquals(0, h.connection.readableBytes());
        assertTrue(h.connection.isEndOfStream());
    }

    // RFC 5961 4.2: SYN in CLOSE-WAIT: challenge ACK.
    @Test
    void synIsChallenged() {
        TcpHarness h = new TcpHarness().closeWait();
        h.send(h.segment().seq(R + 1).ack(0).flags(SYN));
        h.expectAck(L, R + 1);
        h.expectState(TcpState.CLOSE_WAIT);
    }

    // The peer's window still governs our sending; its ACKs update it.
    @Test
    void peerWindowStillApplies() {
        TcpHarness h = new TcpHarness().closeWait();
        h.send(h.segment().seq(R + 1).ack(L).window(0));
        h.write("x");
        h.transmit();
        h.expectNothing();
        h.send(h.segment().seq(R + 1).ack(L).window(100));
        h.expect().seq(L).ack(R + 1).payload("x").check();
    }
}
