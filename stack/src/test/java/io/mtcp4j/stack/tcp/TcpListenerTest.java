package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.PSH;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.RST;
import static io.mtcp4j.stack.tcp.TcpHarness.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.TcpOptionSet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** LISTEN (RFC 9293 3.10.7.2): backlog, accept queue and SYN cookies (RFC 4987 3.6). */
class TcpListenerTest {
    private static final int R = REMOTE_ISS + 1;

    private final TcpHarness h = new TcpHarness();
    private final OutgoingSegment reply = new OutgoingSegment();
    private final MemorySegment unusedPayload = Arena.ofAuto().allocate(1);

    private TcpListener listener(int backlog, TcpListener.CookieMode mode) {
        return new TcpListener(h.config, TcpHarness.LOCAL_PORT, backlog, h.output,
                new InitialSequenceNumbers(1, 2), new SynCookies(3, 4), mode);
    }

    private TcpListener.Verdict arrive(TcpListener listener, TcpHarness.SegmentBuilder segment) {
        TcpEndpoints e = TcpHarness.ENDPOINTS;
        return listener.segmentArrived(h.nowNs, false, 0, e.localLow(), 0, e.remoteLow(), segment.wrap(),
                unusedPayload, reply);
    }

    private TcpHarness.SegmentBuilder syn() {
        return h.segment().seq(REMOTE_ISS).ack(0).flags(SYN).options(TcpHarness.linuxSynOptions());
    }

    // RFC 9293 3.10.7.2 third: a SYN creates a connection in SYN-RECEIVED that sends SYN-ACK.
    @Test
    void synCreatesConnectionThatIsAcceptedOnceEstablished() {
        TcpListener listener = listener(8, TcpListener.CookieMode.WHEN_FULL);
        assertEquals(TcpListener.Verdict.NEW_CONNECTION, arrive(listener, syn()));
        h.connection = listener.newConnection();
        assertEquals(TcpState.SYN_RECEIVED, h.connection.state());
        h.transmit();
        int iss = h.expect().flags(SYN | ACK).ack(R).check().header().sequenceNumber();
        assertNull(listener.accept(), "not established yet");
        assertEquals(1, listener.pendingConnections());
        h.send(h.segment().seq(R).ack(iss + 1).flags(ACK).options(TcpOptionSet.NONE.withTimestamps(5_001, 0)));
        assertEquals(TcpState.ESTABLISHED, h.connection.state());
        assertEquals(1, listener.acceptQueueLength());
        assertSame(h.connection, listener.accept());
        assertEquals(0, listener.pendingConnections());
    }

    // RFC 9293 3.10.7.2 first: a RST to a listener is ignored.
    @Test
    void resetIsIgnored() {
        assertEquals(TcpListener.Verdict.DROP, arrive(listener(8, TcpListener.CookieMode.WHEN_FULL),
                h.segment().seq(5).ack(0).flags(RST)));
    }

    // RFC 9293 3.10.7.2 second: an ACK (no valid cookie) gets <SEQ=SEG.ACK><CTL=RST>.
    @Test
    void strayAckIsReset() {
        TcpListener listener = listener(8, TcpListener.CookieMode.WHEN_FULL);
        assertEquals(TcpListener.Verdict.REPLY, arrive(listener, h.segment().seq(R).ack(12_345).flags(ACK)));
        assertEquals(RST, reply.flags());
        assertEquals(12_345, reply.sequenceNumber());
        assertEquals(1, listener.cookiesRejected());
    }

    // A full backlog without cookies drops the SYN; the peer retries.
    @Test
    void fullBacklogDropsSynWithoutCookies() {
        TcpListener listener = listener(1, TcpListener.CookieMode.NEVER);
        assertEquals(TcpListener.Verdict.NEW_CONNECTION, arrive(listener, syn()));
        assertEquals(TcpListener.Verdict.DROP, arrive(listener, syn().seq(REMOTE_ISS + 777)));
        assertEquals(1, listener.backlogDrops());
    }

    // RFC 4987 3.6: with the backlog full, the SYN is answered by a stateless SYN-ACK carrying a cookie,
    // and the ACK that returns it creates an established connection with the SYN's options.
    @Test
    void fullBacklogAnswersWithCookieAndCookieAckEstablishes() {
        TcpListener listener = listener(1, TcpListener.CookieMode.WHEN_FULL);
        arrive(listener, syn().seq(REMOTE_ISS + 999));
        assertEquals(TcpListener.Verdict.REPLY, arrive(listener, syn()));
        assertEquals(SYN | ACK, reply.flags());
        assertEquals(R, reply.acknowledgmentNumber());
        int cookie = reply.sequenceNumber();
        assertEquals(1, listener.cookiesSent());

        TcpHarness.SegmentBuilder ack = h.segment().seq(R).ack(cookie + 1).flags(ACK | PSH)
                .options(TcpOptionSet.NONE.withTimestamps(5_001, 0)).payload("hello");
        TcpEndpoints e = TcpHarness.ENDPOINTS;
        var tcp = ack.wrap();
        assertEquals(TcpListener.Verdict.NEW_CONNECTION,
                listener.segmentArrived(h.nowNs, false, 0, e.localLow(), 0, e.remoteLow(), tcp, tcp.segment(), reply));
        TcpConnection connection = listener.newConnection();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(1460 - 12, connection.info().sendMssBytes()); // MSS class 1460, less the timestamp option
        byte[] buffer = new byte[16];
        assertEquals(5, connection.read(buffer, 0, buffer.length));
        assertEquals("hello", new String(buffer, 0, 5));
        assertEquals(1, listener.cookiesAccepted());
        assertNotNull(listener.accept());
    }

    // A forged cookie is answered with RST and creates nothing.
    @Test
    void forgedCookieIsReset() {
        TcpListener listener = listener(1, TcpListener.CookieMode.ALWAYS);
        arrive(listener, syn());
        int cookie = reply.sequenceNumber();
        assertEquals(TcpListener.Verdict.REPLY, arrive(listener, h.segment().seq(R).ack(cookie + 2).flags(ACK)));
        assertEquals(RST, reply.flags());
        assertEquals(0, listener.cookiesAccepted());
    }

    // A child that is reset before it is accepted frees its backlog slot.
    @Test
    void closedChildFreesBacklog() {
        TcpListener listener = listener(1, TcpListener.CookieMode.NEVER);
        arrive(listener, syn());
        h.connection = listener.newConnection();
        h.transmit();
        h.expect().flags(SYN | ACK).check();
        h.send(h.segment().seq(R).ack(0).flags(RST));
        assertEquals(TcpState.CLOSED, h.connection.state());
        assertEquals(0, listener.pendingConnections());
        assertEquals(TcpListener.Verdict.NEW_CONNECTION, arrive(listener, syn().seq(REMOTE_ISS + 5)));
    }

    // A closed listener takes no new connections.
    @Test
    void closedListenerDropsSyn() {
        TcpListener listener = listener(8, TcpListener.CookieMode.WHEN_FULL);
        listener.close();
        assertEquals(TcpListener.Verdict.DROP, arrive(listener, syn()));
        assertTrue(listener.isClosed());
    }
}
