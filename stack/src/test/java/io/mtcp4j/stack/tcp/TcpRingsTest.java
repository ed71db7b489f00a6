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

import io.mtcp4j.stack.wire.TcpOptionSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * When a connection gives its send and receive rings back to its allocator (the "Rings" section of
 * {@link TcpConnection}): the send ring when nothing can be sent from it again, the receive ring
 * when the application will not read again, so that TIME_WAIT after close() holds none. The
 * harness's connections take their rings from a {@link RingPool}, which counts them and throws on
 * a second return.
 */
class TcpRingsTest {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;
    private static final int RING_BYTES = TcpConfig.defaults().sendBufferBytes();

    private static long ringsHeld(TcpHarness h) {
        return h.rings.ringsInUse();
    }

    /** Every accessor that reads a ring answers as for an empty one. */
    private static void assertEmptyAnswers(TcpHarness h) {
        assertEquals(0, h.connection.readableBytes());
        assertEquals(0, h.connection.writableBytes());
        assertEquals(0, h.connection.info().unreadBytes());
        assertEquals(0, h.connection.info().unsentBytes());
        assertFalse(h.connection.hasOutputDue());
    }

    @Nested
    class Opening {
        @Test
        void activeAndPassiveOpensTakeASendAndAReceiveRing() {
            TcpHarness active = new TcpHarness().synSent();
            assertEquals(2, ringsHeld(active));
            TcpHarness passive = new TcpHarness().established();
            assertEquals(2, ringsHeld(passive));
            assertEquals(RING_BYTES, passive.connection.writableBytes());
        }
    }

    @Nested
    class ActiveClose {
        @Test
        void closeGivesTheReceiveRingBackAtOnceAndTheSendRingWhenTheFinIsAcknowledged() {
            TcpHarness h = new TcpHarness().finWait1();
            assertEquals(1, ringsHeld(h), "the send ring stays until our FIN is acknowledged");
            h.send(h.segment().seq(R).ack(L + 1));
            h.expectState(TcpState.FIN_WAIT_2);
            assertEquals(0, ringsHeld(h));
            assertEmptyAnswers(h);
        }

        @Test
        void timeWaitAfterCloseHoldsNoRing() {
            TcpHarness h = new TcpHarness().timeWait();
            assertEquals(0, ringsHeld(h));
            assertEquals(2L * RING_BYTES, h.rings.idleBytes(), "both wait in the pool for the next connection");
            assertEmptyAnswers(h);
            // A retransmitted FIN is still acknowledged, and 2 MSL still ends in CLOSED.
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN));
            h.expectAck(L + 1, R + 1);
            h.advanceMs(60_000);
            h.expectState(TcpState.CLOSED);
            assertEquals(2, h.rings.ringsRecycled(), "each ring given back once");
        }

        @Test
        void unacknowledgedDataIsSentAgainFromTheRingAfterClose() {
            TcpHarness h = new TcpHarness().established();
            h.write("hello");
            h.connection.close(h.nowNs);
            h.transmit();
            h.expect().flags(ACK | FIN | TcpHarness.PSH).seq(L).payload("hello").check();
            assertEquals(1, ringsHeld(h));
            h.advanceMs(1_000); // RTO: the data and FIN go again, from the send ring
            h.expect().flags(ACK | FIN | TcpHarness.PSH).seq(L).payload("hello").check();
            h.send(h.segment().seq(R).ack(L + 5)); // the data, not the FIN
            assertEquals(1, ringsHeld(h));
            h.send(h.segment().seq(R).ack(L + 6));
            h.expectState(TcpState.FIN_WAIT_2);
            assertEquals(0, ringsHeld(h));
        }

        @Test
        void theScoreboardGoesWithTheSendRingAndItsCountsStayInInfo() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.write("hello");
            h.transmit();
            h.expect().seq(L).payload("hello").check();
            // A SACK block beyond anything sent (RFC 6675: invalid, ignored and counted).
            h.send(h.segment().seq(R).ack(L).options(TcpOptionSet.NONE.withSackBlocks(L + 100, L + 200)));
            assertEquals(1, h.connection.info().sackBlocksIgnored());
            h.connection.close(h.nowNs);
            h.transmit();
            h.expect().flags(ACK | FIN).seq(L + 5).check();
            h.send(h.segment().seq(R).ack(L + 6));
            h.expectState(TcpState.FIN_WAIT_2);
            assertEquals(0, ringsHeld(h));
            assertEquals(1, h.connection.info().sackBlocksIgnored(), "kept when the scoreboard went");
            // ACKs with SACK blocks still arrive and are taken without a scoreboard.
            h.send(h.segment().seq(R).ack(L + 6).options(TcpOptionSet.NONE.withSackBlocks(L, L + 5)));
            h.expectNothing();
            h.expectState(TcpState.FIN_WAIT_2);
        }

        @Test
        void closeInSynReceivedStillOffersTheWindowOnTheSynAckSentAgain() {
            TcpHarness h = new TcpHarness().synReceived(TcpOptionSet.NONE.withMss(1460));
            int window = h.allEmitted.getLast().header().window();
            h.connection.close(h.nowNs);
            assertEquals(1, ringsHeld(h), "the application will not read");
            h.advanceMs(1_000);
            h.expect().flags(SYN | ACK).seq(LOCAL_ISS).window(window).check();
        }
    }

    @Nested
    class Reuse {
        // A pooled ring comes with the reassembly queue or scoreboard of an earlier owner; each
        // connection must start from empty ones (RFC 2018: SACK blocks report only what arrived on
        // this connection). The pool hands rings back most recent first, so two connections in a
        // row swap the rings' roles: every owner's state meets the third connection at the latest.
        @Test
        void everyConnectionOnReusedRingsStartsWithNothingHeldOrSacked() {
            TcpHarness h = new TcpHarness();
            for (int round = 1; round <= 4; round++) {
                h.establishedWithSack();
                assertEquals(2L * (round - 1), h.rings.ringsReused(), "round " + round);
                // Nothing held: in-order text is acknowledged without SACK blocks.
                h.send(h.segment().seq(R).ack(L).payload("abc"));
                h.advanceMs(40); // delayed ACK
                h.expect().flags(ACK).ack(R + 3).sack().check();
                assertEquals("abc", h.readAll());
                // Nothing SACKed: after a timeout the whole segment goes again.
                h.write("hello");
                h.transmit();
                h.expect().seq(L).payload("hello").check();
                h.advanceMs(1_000);
                h.expect().seq(L).payload("hello").check();
                // Leave state behind: text held past a hole, and a SACK of part of our data.
                h.send(h.segment().seq(R + 10).ack(L).payload("later"));
                h.expect().flags(ACK).ack(R + 3).sack(R + 10, R + 15).check();
                h.send(h.segment().seq(R + 3).ack(L).options(TcpOptionSet.NONE.withSackBlocks(L + 2, L + 5)));
                h.connection.abort(h.nowNs);
                h.transmit();
                h.discardEmitted();
                assertEquals(0, ringsHeld(h));
            }
        }
    }

    @Nested
    class PassiveClose {
        @Test
        void lastAckKeepsTheSendRingUntilTheFinIsAcknowledged() {
            TcpHarness h = new TcpHarness().lastAck();
            assertEquals(1, ringsHeld(h));
            h.send(h.segment().seq(R + 1).ack(L + 1));
            h.expectState(TcpState.CLOSED);
            assertEquals(0, ringsHeld(h));
            assertEquals(2, h.rings.ringsRecycled());
        }
    }

    @Nested
    class HalfClose {
        @Test
        void afterShutdownOutputTheReceiveRingStaysUntilClose() {
            TcpHarness h = new TcpHarness().established();
            h.connection.shutdownOutput();
            h.transmit();
            h.expect().flags(ACK | FIN).seq(L).check();
            h.send(h.segment().seq(R).ack(L + 1));
            h.expectState(TcpState.FIN_WAIT_2);
            assertEquals(1, ringsHeld(h), "the send ring is done; the application still reads");
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN).payload("abc"));
            h.expectState(TcpState.TIME_WAIT);
            assertEquals(1, ringsHeld(h));
            assertEquals("abc", h.readAll());
            assertEquals(-1, h.read(10), "end of stream");
            h.connection.close(h.nowNs);
            assertEquals(0, ringsHeld(h));
            assertEquals(-1, h.read(10), "still end of stream");
        }
    }

    @Nested
    class ResetsAndAborts {
        @Test
        void dataReceivedBeforeAResetStaysReadableThenTheRingGoesBack() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payload("hello"));
            h.send(h.segment().seq(R + 5).flags(RST));
            h.expectState(TcpState.CLOSED);
            assertEquals(1, ringsHeld(h), "the send ring is gone; the unread bytes are kept");
            assertEquals(5, h.connection.readableBytes());
            assertEquals("hello", h.readAll());
            assertEquals(0, ringsHeld(h));
            assertEquals(0, h.read(10), "a reset is no end of stream");
        }

        @Test
        void aResetWithNothingUnreadGivesBothBack() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).flags(RST));
            h.expectState(TcpState.CLOSED);
            assertEquals(0, ringsHeld(h));
            assertEmptyAnswers(h);
            assertThrows(IllegalStateException.class, () -> h.write("late"));
        }

        @Test
        void abortGivesBothBackAndDiscardsUnreadBytes() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payload("unread"));
            h.discardEmitted();
            h.connection.abort(h.nowNs);
            h.transmit();
            h.expect().flags(RST).seq(L).check();
            assertEquals(0, ringsHeld(h));
            assertEmptyAnswers(h);
            assertEquals(0, h.read(10));
        }

        @Test
        void closeWithUnreadBytesAbortsAndGivesBothBack() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payload("unread"));
            h.discardEmitted();
            h.connection.close(h.nowNs);
            h.transmit();
            h.expect().flags(RST).check();
            assertEquals(0, ringsHeld(h));
        }

        @Test
        void aTimedOutConnectionGivesBothBack() {
            TcpHarness h = new TcpHarness().synSent();
            h.advanceMs(600_000); // every SYN retransmission unanswered
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.TIMED_OUT, h.connection.error());
            assertEquals(0, ringsHeld(h));
        }
    }

    @Nested
    class AfterCloseWithoutRings {
        /** Established with "abc" received and read, closed, our FIN acknowledged: FIN-WAIT-2 with no ring. */
        private TcpHarness finWait2WithDataRead() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payload("abc"));
            assertEquals("abc", h.readAll());
            h.connection.close(h.nowNs);
            h.transmit();
            h.discardEmitted();
            h.send(h.segment().seq(R + 3).ack(L + 1));
            h.expectState(TcpState.FIN_WAIT_2);
            assertEquals(0, ringsHeld(h));
            h.discardEmitted();
            return h;
        }

        // RFC 1122 4.2.2.13 (Linux: TCPAbortOnData): new text after CLOSE is answered with RST, as
        // before the rings went back.
        @Test
        void newTextIsAnsweredWithReset() {
            TcpHarness h = finWait2WithDataRead();
            h.send(h.segment().seq(R + 3).ack(L + 1).payload("late"));
            h.expect().flags(RST).seq(L + 1).check();
            h.expectState(TcpState.CLOSED);
            assertEquals(2, h.rings.ringsRecycled(), "nothing returned twice");
        }

        // RFC 9293 3.10.7.4: a duplicate of text already received is acknowledged, with the window
        // the empty ring offered.
        @Test
        void aDuplicateIsAcknowledgedWithTheSameWindow() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payload("abc"));
            assertEquals("abc", h.readAll());
            h.send(h.segment().seq(R).ack(L).payload("abc")); // a duplicate while the rings are held
            int windowBefore = h.expectAck(L, R + 3).header().window();

            h.connection.close(h.nowNs);
            h.transmit();
            h.discardEmitted();
            h.send(h.segment().seq(R + 3).ack(L + 1));
            assertEquals(0, ringsHeld(h));
            h.send(h.segment().seq(R).ack(L + 1).payload("abc"));
            h.expect().flags(ACK).seq(L + 1).ack(R + 3).window(windowBefore).check();
            h.expectState(TcpState.FIN_WAIT_2);
        }
    }
}
