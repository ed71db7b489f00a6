package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.FIN;
import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.PSH;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.RST;
import static io.mtcp4j.stack.tcp.TcpHarness.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * CLOSED: a connection that is gone ignores segments (the engine answers them with
 * {@link TcpResets}, RFC 9293 3.10.7.1), and refuses application calls.
 */
class TcpClosedTest {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;

    @Nested
    class Connection {
        // RFC 9293 3.10.7.1: the TCB is gone; the connection object itself processes nothing more.
        @Test
        void segmentsAfterCloseAreIgnored() {
            TcpHarness h = new TcpHarness().lastAck();
            h.send(h.segment().seq(R + 1).ack(L + 1));
            h.expectState(TcpState.CLOSED);
            h.send(h.segment().seq(R + 1).ack(L + 1).payload("more"));
            h.send(h.segment().seq(R + 1).ack(0).flags(SYN));
            h.expectNothing();
            assertEquals(0, h.connection.readableBytes());
        }

        // RFC 9293 3.10.2 SEND in CLOSED: "error: connection does not exist".
        @Test
        void writeAfterResetIsRefused() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).flags(RST));
            assertEquals(0, h.connection.writableBytes());
            assertThrows(IllegalStateException.class, () -> h.write("x"));
        }

        // A normal close keeps end of stream for the reader.
        @Test
        void readAfterAnOrderlyCloseReportsEndOfStream() {
            TcpHarness h = new TcpHarness().lastAck();
            h.send(h.segment().seq(R + 1).ack(L + 1));
            assertEquals(-1, h.connection.read(new byte[4], 0, 4));
        }

        // RFC 9293 3.10.5: a second ABORT finds no connection; one RST only, the first error kept.
        @Test
        void abortTwiceSendsOneReset() {
            TcpHarness h = new TcpHarness().established();
            h.connection.abort(h.nowNs);
            h.connection.abort(h.nowNs);
            h.transmit();
            h.expect().flags(RST).seq(L).check();
            h.expectNothing();
            assertEquals(TcpError.ABORTED, h.connection.error());
        }

        // Nothing is due and no timer runs once CLOSED.
        @Test
        void noTimersAndNothingDue() {
            TcpHarness h = new TcpHarness().established();
            h.write("unsent data");
            h.send(h.segment().seq(R).flags(RST));
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
            assertFalse(h.connection.hasOutputDue());
            h.advanceMs(100_000);
            h.expectNothing();
        }
    }

    @Nested
    class Resets {
        // RFC 9293 3.10.7.1: no ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; the FIN counts in SEG.LEN.
        @Test
        void finWithoutAckCountsTheFin() {
            TcpHarness h = new TcpHarness();
            OutgoingSegment reply = new OutgoingSegment();
            assertTrue(TcpResets.replyToClosedPort(h.segment().seq(7).ack(0).flags(FIN).wrap(), reply));
            assertEquals(0, reply.sequenceNumber());
            assertEquals(8, reply.acknowledgmentNumber());
            assertEquals(RST | ACK, reply.flags());
            assertEquals(0, reply.window());
            assertEquals(0, reply.payloadLength());
        }

        // RFC 9293 3.10.7.1: text without ACK: SEG.LEN is the text length.
        @Test
        void textWithoutAckIsAcknowledgedInTheReset() {
            TcpHarness h = new TcpHarness();
            OutgoingSegment reply = new OutgoingSegment();
            assertTrue(TcpResets.replyToClosedPort(h.segment().seq(7).ack(0).flags(PSH).payload("hello").wrap(), reply));
            assertEquals(0, reply.sequenceNumber());
            assertEquals(12, reply.acknowledgmentNumber());
            assertEquals(RST | ACK, reply.flags());
        }

        // RFC 9293 3.10.7.1: with ACK: <SEQ=SEG.ACK><CTL=RST>, no ACK bit (a SYN-ACK to a closed port).
        @Test
        void synAckGetsResetAtItsAck() {
            TcpHarness h = new TcpHarness();
            OutgoingSegment reply = new OutgoingSegment();
            assertTrue(TcpResets.replyToClosedPort(h.segment().seq(7).ack(99).flags(SYN | ACK).wrap(), reply));
            assertEquals(99, reply.sequenceNumber());
            assertEquals(0, reply.acknowledgmentNumber());
            assertEquals(RST, reply.flags());
        }

        // RFC 9293 3.10.7.1: SEG.SEQ + SEG.LEN wraps modulo 2^32.
        @Test
        void acknowledgmentWrapsModulo2To32() {
            TcpHarness h = new TcpHarness();
            OutgoingSegment reply = new OutgoingSegment();
            assertTrue(TcpResets.replyToClosedPort(h.segment().seq(-1).ack(0).flags(SYN).wrap(), reply));
            assertEquals(0, reply.acknowledgmentNumber());
        }

        // RFC 9293 3.10.7.1: "An incoming segment containing a RST is discarded", with or without ACK.
        @Test
        void resetWithAckIsNeverAnswered() {
            TcpHarness h = new TcpHarness();
            assertFalse(TcpResets.replyToClosedPort(h.segment().seq(7).ack(9).flags(RST | ACK).wrap(), new OutgoingSegment()));
        }
    }
}
