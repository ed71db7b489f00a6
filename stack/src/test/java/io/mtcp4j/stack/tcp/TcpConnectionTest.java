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

import io.mtcp4j.stack.wire.TcpOptionSet;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The control block's state machine, one nested class per state, each test feeding crafted
 * segments and checking the exact segments emitted and the state reached. Comments cite the RFC
 * section each branch follows.
 */
class TcpConnectionTest {
    private static final int L = LOCAL_ISS + 1;   // our first data sequence number
    private static final int R = REMOTE_ISS + 1;  // the peer's first data sequence number

    @Nested
    class SynSent {
        // RFC 9293 3.10.1: an active open sends SYN with our options.
        @Test
        void activeOpenSendsSynWithOptions() {
            TcpHarness h = new TcpHarness();
            h.connection = TcpConnection.connect(h.config, TcpHarness.ENDPOINTS, h.output, LOCAL_ISS, h.nowNs);
            h.transmit();
            h.expect().flags(SYN).seq(LOCAL_ISS).ack(0).window(65_535).options(options -> {
                assertEquals(1460, options.mss());
                assertTrue(options.sackPermitted());
                assertTrue(options.timestamps().isPresent());
                assertEquals(0, options.timestamps().get().echoReply());
                assertEquals(3, options.windowScale()); // 256 KiB receive buffer needs a shift of 3
            }).check();
            h.expectState(TcpState.SYN_SENT);
        }

        // RFC 9293 3.10.7.3: SYN-ACK acknowledging our SYN: ESTABLISHED, and an ACK.
        @Test
        void synAckEstablishes() {
            TcpHarness h = new TcpHarness().synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(L).flags(SYN | ACK).options(TcpOptionSet.NONE.withMss(1000)));
            h.expectState(TcpState.ESTABLISHED);
            h.expect().flags(ACK).seq(L).ack(R).check();
            int events = h.connection.takeEvents();
            assertTrue((events & TcpConnection.EVENT_CONNECTED) != 0);
            assertEquals(1000, h.connection.info().sendMssBytes());
        }

        // RFC 9293 3.10.7.3 first: an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST>.
        @Test
        void unacceptableAckIsReset() {
            TcpHarness h = new TcpHarness().synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(LOCAL_ISS).flags(SYN | ACK));
            h.expect().flags(RST).seq(LOCAL_ISS).check();
            h.expectState(TcpState.SYN_SENT);
        }

        // RFC 9293 3.10.7.3 second: RST with an acceptable ACK: connection refused.
        @Test
        void resetWithAcceptableAckRefuses() {
            TcpHarness h = new TcpHarness().synSent();
            h.send(h.segment().seq(0).ack(L).flags(RST | ACK));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_REFUSED, h.connection.error());
            h.expectNothing();
        }

        // RFC 9293 3.10.7.3 second: a RST without ACK is dropped (RFC 5961 3.2 keeps this).
        @Test
        void resetWithoutAckIsIgnored() {
            TcpHarness h = new TcpHarness().synSent();
            h.send(h.segment().seq(0).ack(0).flags(RST));
            h.expectState(TcpState.SYN_SENT);
            h.expectNothing();
        }

        // RFC 9293 3.10.7.3 fourth, figure 7: SYN without ACK is a simultaneous open.
        @Test
        void simultaneousOpenGoesToSynReceived() {
            TcpHarness h = new TcpHarness().synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(0).flags(SYN).options(TcpOptionSet.NONE.withMss(1460)));
            h.expectState(TcpState.SYN_RECEIVED);
            h.expect().flags(SYN | ACK).seq(LOCAL_ISS).ack(R).check();
            h.send(h.segment().seq(R).ack(L).flags(ACK));
            h.expectState(TcpState.ESTABLISHED);
        }

        // RFC 6298 5.4-5.5: the SYN is retransmitted with the RTO doubling; RFC 9293 3.8.3 R2 gives up.
        @Test
        void synRetransmittedWithBackoffThenTimesOut() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.synRetries(2))).synSent();
            h.advanceMs(999);
            h.expectNothing();
            h.advanceMs(1);
            h.expect().flags(SYN).seq(LOCAL_ISS).check();
            h.advanceMs(1_999);
            h.expectNothing();
            h.advanceMs(1); // RFC 6298 5.5: doubled (5.7's 3 s applies once the handshake is over)
            h.expect().flags(SYN).seq(LOCAL_ISS).check();
            h.advanceMs(12_000);
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.TIMED_OUT, h.connection.error());
        }

        // A segment without SYN or RST is dropped in SYN-SENT (RFC 9293 3.10.7.3 fifth).
        @Test
        void plainAckWithoutSynIsDropped() {
            TcpHarness h = new TcpHarness().synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(L).flags(ACK));
            h.expectState(TcpState.SYN_SENT);
            h.expectNothing();
        }

        // Options the peer did not offer are not used (RFC 7323 2.2, RFC 2018 2).
        @Test
        void optionsOnlyWhenBothOffer() {
            TcpHarness h = new TcpHarness().synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(L).flags(SYN | ACK));
            h.expect().flags(ACK).options(options -> assertTrue(options.isEmpty())).check();
            assertEquals(536, h.connection.info().sendMssBytes()); // RFC 9293 3.7.1 default
        }
    }

    @Nested
    class SynReceived {
        // RFC 9293 3.10.7.2: a SYN-ACK answers the SYN, with only the options the SYN offered.
        @Test
        void synAckCarriesNegotiatedOptions() {
            TcpHarness h = new TcpHarness();
            h.connection = TcpConnection.accept(h.config, TcpHarness.ENDPOINTS, h.output, LOCAL_ISS,
                    h.segment().seq(REMOTE_ISS).ack(0).flags(SYN).options(TcpHarness.linuxSynOptions()).wrap(), h.nowNs);
            h.transmit();
            h.expect().flags(SYN | ACK).seq(LOCAL_ISS).ack(R).options(options -> {
                assertEquals(1460, options.mss());
                assertTrue(options.sackPermitted());
                assertEquals(5_000, options.timestamps().orElseThrow().echoReply());
                assertEquals(3, options.windowScale());
            }).check();
        }

        @Test
        void synAckWithoutOptionsTheSynLacked() {
            TcpHarness h = new TcpHarness().synReceived(TcpOptionSet.NONE.withMss(1400));
            h.send(h.segment().seq(R).ack(L).flags(ACK));
            h.expectState(TcpState.ESTABLISHED);
            assertEquals(1400, h.connection.info().sendMssBytes());
        }

        // RFC 9293 3.10.7.4 fifth: SYN-RECEIVED and an acceptable ACK: ESTABLISHED.
        @Test
        void ackEstablishes() {
            TcpHarness h = new TcpHarness().synReceived(TcpOptionSet.NONE);
            h.send(h.segment().seq(R).ack(L).flags(ACK));
            h.expectState(TcpState.ESTABLISHED);
            assertTrue((h.connection.takeEvents() & TcpConnection.EVENT_CONNECTED) != 0);
            h.expectNothing();
        }

        // RFC 9293 3.10.7.4 fifth: an unacceptable ACK in SYN-RECEIVED gets <SEQ=SEG.ACK><CTL=RST>.
        @Test
        void unacceptableAckIsReset() {
            TcpHarness h = new TcpHarness().synReceived(TcpOptionSet.NONE);
            h.send(h.segment().seq(R).ack(L + 100).flags(ACK));
            h.expect().flags(RST).seq(L + 100).check();
            h.expectState(TcpState.SYN_RECEIVED);
        }

        // RFC 9293 3.10.7.4 second: RST at RCV.NXT closes a passively opened connection.
        @Test
        void resetCloses() {
            TcpHarness h = new TcpHarness().synReceived(TcpOptionSet.NONE);
            h.send(h.segment().seq(R).ack(0).flags(RST));
            h.expectState(TcpState.CLOSED);
            h.expectNothing();
        }

        // The peer's retransmitted SYN means our SYN-ACK was lost: send it again.
        @Test
        void retransmittedSynGetsSynAckAgain() {
            TcpHarness h = new TcpHarness().synReceived(TcpOptionSet.NONE);
            h.send(h.segment().seq(REMOTE_ISS).ack(0).flags(SYN));
            h.expect().flags(SYN | ACK).seq(LOCAL_ISS).ack(R).check();
        }

        // RFC 6298: the SYN-ACK is retransmitted on the timer.
        @Test
        void synAckRetransmittedOnTimer() {
            TcpHarness h = new TcpHarness().synReceived(TcpOptionSet.NONE);
            h.advanceMs(1_000);
            h.expect().flags(SYN | ACK).seq(LOCAL_ISS).ack(R).check();
        }

        // Data on the ACK that completes the handshake is delivered (RFC 9293 3.10.7.4 seventh).
        @Test
        void dataOnHandshakeAckDelivered() {
            TcpHarness h = new TcpHarness().synReceived(TcpOptionSet.NONE);
            h.send(h.segment().seq(R).ack(L).flags(ACK | PSH).payload("hello"));
            h.expectState(TcpState.ESTABLISHED);
            assertEquals("hello", h.readAll());
        }
    }

    @Nested
    class Established {
        // RFC 9293 3.8.6.3: a lone segment is acknowledged after the delayed-ACK timer.
        @Test
        void inOrderDataIsDeliveredAndAckDelayed() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).flags(ACK | PSH).payload("hello"));
            assertEquals(5, h.connection.readableBytes());
            h.expectNothing();
            h.advanceMs(39);
            h.expectNothing();
            h.advanceMs(1);
            h.expect().flags(ACK).seq(L).ack(R + 5).check();
            assertEquals("hello", h.readAll());
        }

        // RFC 9293 3.8.6.3 / RFC 5681 4.2: at least every second full-sized segment is acknowledged at once.
        @Test
        void everySecondFullSegmentAcknowledgedAtOnce() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payloadLength(1460));
            h.expectNothing();
            h.send(h.segment().seq(R + 1460).ack(L).payloadLength(1460));
            h.expect().flags(ACK).ack(R + 2920).check();
        }

        // RFC 5681 4.2: an out-of-order segment is acknowledged at once (a duplicate ACK).
        @Test
        void outOfOrderSegmentGetsImmediateDuplicateAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(50));
            h.expect().flags(ACK).ack(R).check();
            assertEquals(0, h.connection.readableBytes());
            // The hole is filled: everything is delivered and acknowledged at once.
            h.send(h.segment().seq(R).ack(L).payloadLength(100));
            h.expect().flags(ACK).ack(R + 150).check();
            assertEquals(150, h.connection.readableBytes());
        }

        // RFC 2018 4: with SACK, the duplicate ACK reports the received block.
        @Test
        void outOfOrderSegmentIsSacked() {
            TcpHarness h = new TcpHarness().synReceived(TcpOptionSet.NONE.withMss(1460).withSackPermitted(true));
            h.send(h.segment().seq(R).ack(L));
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(50));
            h.expect().flags(ACK).ack(R).options(options ->
                    assertEquals(List.of(new TcpOptionSet.SackBlock(R + 100, R + 150)), options.sackBlocks())).check();
        }

        // RFC 2018 3: SACK blocks on the peer's ACKs are counted in the connection's info.
        @Test
        void sackBlocksFromPeerAreCounted() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.write(new byte[4 * 1460]);
            h.transmit();
            for (int i = 0; i < 4; i++) {
                h.expect().check();
            }
            h.send(h.segment().seq(R).ack(L).options(TcpOptionSet.NONE.withSackBlocks(
                    L + 1460, L + 2920, L + 4380, L + 5840)));
            assertEquals(2, h.connection.info().sackBlocksReceived());
        }

        // RFC 2018 4: SACK blocks ride on data only where they fit beside it: a full-sized segment
        // would exceed the MSS, so it carries none; a short one carries what its spare bytes hold.
        @Test
        void sackBlocksOnDataOnlyWhereTheyFit() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            int mss = h.connection.info().sendMssBytes();
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(10));
            h.expect().flags(ACK).ack(R).options(options -> assertEquals(1, options.sackBlocks().size())).check();
            h.write(new byte[mss + 100]);
            h.transmit();
            h.expect().seq(L).payloadLength(mss).options(options -> assertTrue(options.sackBlocks().isEmpty())).check();
            h.send(h.segment().seq(R + 100).ack(L + mss).payloadLength(10));
            h.expect().seq(L + mss).payloadLength(100).options(options ->
                    assertEquals(List.of(new TcpOptionSet.SackBlock(R + 100, R + 110)), options.sackBlocks())).check();
        }

        // RFC 9293 3.7: data is sent at SND.NXT, PSH on the last segment of what was written.
        @Test
        void writtenDataIsSent() {
            TcpHarness h = new TcpHarness().established();
            h.write("request");
            h.transmit();
            h.expect().flags(ACK | PSH).seq(L).ack(R).payload("request").check();
        }

        // RFC 9293 3.7.4 Nagle: a small segment waits while data is outstanding.
        @Test
        void nagleHoldsSmallSegmentUntilAck() {
            TcpHarness h = new TcpHarness().established();
            h.write("a");
            h.transmit();
            h.expect().payload("a").check();
            h.write("b");
            h.transmit();
            h.expectNothing();
            h.send(h.segment().seq(R).ack(L + 1));
            h.expect().seq(L + 1).payload("b").check();
        }

        // TCP_NODELAY turns Nagle off.
        @Test
        void noDelaySendsSmallSegmentsAtOnce() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.noDelay(true))).established();
            h.write("a");
            h.transmit();
            h.write("b");
            h.transmit();
            h.expect().payload("a").check();
            h.expect().seq(L + 1).payload("b").check();
        }

        // Large writes go out in MSS-sized segments within the initial window (RFC 6928: 10 segments).
        @Test
        void bulkWriteIsSegmentedAtMssWithinInitialWindow() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[20 * 1460]);
            h.transmit();
            for (int i = 0; i < 10; i++) {
                h.expect().seq(L + i * 1460).payloadLength(1460).check();
            }
            h.expectNothing();
            assertEquals(10 * 1460, h.connection.info().bytesInFlight());
        }

        // An ACK frees the send ring and reports it writable.
        @Test
        void ackFreesSendBuffer() {
            TcpHarness h = new TcpHarness().established();
            int free = h.connection.writableBytes();
            h.write("0123456789");
            h.transmit();
            h.expect().payloadLength(10).check();
            assertEquals(free - 10, h.connection.writableBytes());
            h.send(h.segment().seq(R).ack(L + 10));
            assertEquals(free, h.connection.writableBytes());
            assertTrue((h.connection.takeEvents() & TcpConnection.EVENT_WRITABLE) != 0);
            assertEquals(10, h.connection.info().bytesAcked());
        }

        // RFC 6298 5.4: on timeout the earliest unacknowledged segment is sent again.
        @Test
        void retransmissionTimeoutResendsFirstSegment() {
            TcpHarness h = new TcpHarness().established();
            h.write("data");
            h.transmit();
            h.expect().payload("data").check();
            h.advanceMs(1_000);
            h.expect().seq(L).payload("data").check();
            assertEquals(1, h.connection.info().retransmissionTimeouts());
            // RFC 6298 5.5: the timer backs off to twice the RTO.
            h.advanceMs(1_999);
            h.expectNothing();
            h.advanceMs(1);
            h.expect().seq(L).payload("data").check();
        }

        // RFC 5681 3.2: the third duplicate ACK triggers a fast retransmit of the first segment.
        @Test
        void threeDuplicateAcksTriggerFastRetransmit() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[5 * 1460]);
            h.transmit();
            for (int i = 0; i < 5; i++) {
                h.expect().check();
            }
            h.send(h.segment().seq(R).ack(L));
            h.send(h.segment().seq(R).ack(L));
            h.expectNothing();
            h.send(h.segment().seq(R).ack(L));
            h.expect().seq(L).payloadLength(1460).check();
            assertEquals(1, h.connection.info().fastRetransmits());
        }

        // RFC 5961 3.2: RST exactly at RCV.NXT resets the connection.
        @Test
        void resetAtRcvNxtResets() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).flags(RST));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_RESET, h.connection.error());
            assertTrue((h.connection.takeEvents() & TcpConnection.EVENT_CLOSED) != 0);
        }

        // RFC 5961 3.2: RST in the window but not at RCV.NXT draws a challenge ACK.
        @Test
        void resetInWindowGetsChallengeAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 10).flags(RST));
            h.expectState(TcpState.ESTABLISHED);
            h.expect().flags(ACK).seq(L).ack(R).check();
            assertEquals(1, h.connection.info().challengeAcksSent());
        }

        // RFC 9293 3.10.7.4 first: a RST outside the window is dropped silently.
        @Test
        void resetOutsideWindowIgnored() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 1_000_000).flags(RST));
            h.expectState(TcpState.ESTABLISHED);
            h.expectNothing();
        }

        // RFC 5961 4.2: any SYN in a synchronized state draws a challenge ACK.
        @Test
        void synGetsChallengeAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 5).ack(0).flags(SYN));
            h.expectState(TcpState.ESTABLISHED);
            h.expect().flags(ACK).seq(L).ack(R).check();
        }

        // RFC 5961 7: challenge ACKs are throttled.
        @Test
        void challengeAcksAreThrottled() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.challengeAcksPerSecond(2))).established();
            for (int i = 0; i < 5; i++) {
                h.send(h.segment().seq(R + 10).flags(RST));
            }
            h.expect().flags(ACK).check();
            h.expect().flags(ACK).check();
            h.expectNothing();
            h.advanceMs(1_000);
            h.send(h.segment().seq(R + 10).flags(RST));
            h.expect().flags(ACK).check();
        }

        // RFC 9293 3.10.7.4 first: an unacceptable segment gets an ACK and is dropped.
        @Test
        void segmentOutsideWindowGetsAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R - 100).ack(L).payloadLength(10));
            h.expect().flags(ACK).seq(L).ack(R).check();
            assertEquals(0, h.connection.readableBytes());
        }

        // RFC 9293 3.10.7.4 fifth: an ACK of something not yet sent gets an ACK and is dropped.
        @Test
        void ackOfUnsentDataGetsAckAndIsDropped() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L + 500).payload("x"));
            h.expect().flags(ACK).seq(L).ack(R).check();
            assertEquals(0, h.connection.readableBytes());
        }

        // RFC 9293 3.8.6.1: a zero window is probed by the persist timer (Linux's probe: an old
        // sequence number, no data, which the peer must answer with its window).
        @Test
        void zeroWindowIsProbed() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).window(0));
            h.write("abc");
            h.transmit();
            h.expectNothing();
            h.advanceMs(1_000);
            h.expect().flags(ACK).seq(L - 1).ack(R).payloadLength(0).check();
            assertEquals(1, h.connection.info().zeroWindowProbes());
            // The window opens: the data follows.
            h.send(h.segment().seq(R).ack(L).window(1000));
            h.expect().seq(L).payload("abc").check();
        }

        // RFC 9293 3.10.7.4 eighth: the peer's FIN: CLOSE-WAIT, ACK, end of stream after the data.
        @Test
        void finMovesToCloseWait() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).flags(ACK | FIN).payload("bye"));
            h.expectState(TcpState.CLOSE_WAIT);
            h.expect().flags(ACK).ack(R + 4).check();
            assertFalse(h.connection.isEndOfStream());
            assertEquals("bye", h.readAll());
            assertTrue(h.connection.isEndOfStream());
            assertEquals(-1, h.connection.read(new byte[10], 0, 10));
        }

        // A FIN past a hole waits for the data before it.
        @Test
        void finAfterHoleWaitsForData() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 5).ack(L).flags(ACK | FIN).payload("world"));
            h.expect().flags(ACK).ack(R).check();
            h.expectState(TcpState.ESTABLISHED);
            h.send(h.segment().seq(R).ack(L).payload("hello"));
            h.expect().flags(ACK).ack(R + 11).check();
            h.expectState(TcpState.CLOSE_WAIT);
            assertEquals("helloworld", h.readAll());
        }

        // RFC 9293 3.10.4: CLOSE sends FIN after the queued data.
        @Test
        void closeSendsFinAfterData() {
            TcpHarness h = new TcpHarness().established();
            h.write("last");
            h.connection.close(h.nowNs);
            h.transmit();
            h.expect().flags(ACK | PSH | FIN).seq(L).payload("last").check();
            h.expectState(TcpState.FIN_WAIT_1);
        }

        // RFC 9293 3.6 (Linux): close with unread received data resets.
        @Test
        void closeWithUnreadDataResets() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payload("unread"));
            h.connection.close(h.nowNs);
            h.transmit();
            h.expect().flags(RST).seq(L).check();
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.ABORTED, h.connection.error());
        }

        // RFC 9293 3.10.5: ABORT sends RST.
        @Test
        void abortSendsReset() {
            TcpHarness h = new TcpHarness().established();
            h.connection.abort(h.nowNs);
            h.transmit();
            h.expect().flags(RST).seq(L).check();
            h.expectState(TcpState.CLOSED);
        }

        @Test
        void writeAfterShutdownIsRefused() {
            TcpHarness h = new TcpHarness().established();
            h.connection.shutdownOutput();
            assertThrows(IllegalStateException.class, () -> h.write("x"));
        }
    }

    @Nested
    class Closing {
        // RFC 9293 3.10.7.4: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED after 2 MSL.
        @Test
        void activeCloseThroughTimeWait() {
            TcpHarness h = new TcpHarness().established();
            h.connection.close(h.nowNs);
            h.transmit();
            h.expect().flags(ACK | FIN).seq(L).check();
            h.expectState(TcpState.FIN_WAIT_1);
            h.send(h.segment().seq(R).ack(L + 1));
            h.expectState(TcpState.FIN_WAIT_2);
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN));
            h.expectState(TcpState.TIME_WAIT);
            h.expect().flags(ACK).seq(L + 1).ack(R + 1).check();
            h.advance(59_999_000_000L);
            h.expectState(TcpState.TIME_WAIT);
            h.advanceMs(1);
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.NONE, h.connection.error());
        }

        // RFC 9293 3.10.7.4 eighth: a retransmitted FIN in TIME-WAIT is acknowledged and restarts 2 MSL.
        @Test
        void timeWaitAcknowledgesRetransmittedFin() {
            TcpHarness h = new TcpHarness().established();
            h.connection.close(h.nowNs);
            h.transmit();
            h.expect().flags(ACK | FIN).check();
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN));
            h.expect().flags(ACK).ack(R + 1).check();
            h.advance(30_000_000_000L);
            h.send(h.segment().seq(R).ack(L + 1).flags(ACK | FIN));
            h.expect().flags(ACK).ack(R + 1).check();
            h.advance(59_000_000_000L);
            h.expectState(TcpState.TIME_WAIT);
        }

        // RFC 9293 3.10.7.4: simultaneous close, FIN-WAIT-1 -> CLOSING -> TIME-WAIT.
        @Test
        void simultaneousClose() {
            TcpHarness h = new TcpHarness().established();
            h.connection.close(h.nowNs);
            h.transmit();
            h.expect().flags(ACK | FIN).seq(L).check();
            h.send(h.segment().seq(R).ack(L).flags(ACK | FIN));
            h.expectState(TcpState.CLOSING);
            h.expect().flags(ACK).seq(L + 1).ack(R + 1).check();
            h.send(h.segment().seq(R + 1).ack(L + 1));
            h.expectState(TcpState.TIME_WAIT);
        }

        // RFC 9293 3.10.7.4: passive close, CLOSE-WAIT -> LAST-ACK -> CLOSED.
        @Test
        void passiveCloseThroughLastAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).flags(ACK | FIN));
            h.expect().flags(ACK).ack(R + 1).check();
            h.expectState(TcpState.CLOSE_WAIT);
            h.write("reply");
            h.connection.close(h.nowNs);
            h.transmit();
            h.expect().flags(ACK | PSH | FIN).seq(L).ack(R + 1).payload("reply").check();
            h.expectState(TcpState.LAST_ACK);
            h.send(h.segment().seq(R + 1).ack(L + 6));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.NONE, h.connection.error());
        }

        // A lost FIN is retransmitted by the timer.
        @Test
        void finRetransmittedOnTimeout() {
            TcpHarness h = new TcpHarness().established();
            h.connection.close(h.nowNs);
            h.transmit();
            h.expect().flags(ACK | FIN).seq(L).check();
            h.advanceMs(1_000);
            h.expect().flags(ACK | FIN).seq(L).check();
        }

        // Half-close: after our FIN the peer's data still arrives (FIN-WAIT-2 receives).
        @Test
        void finWait2StillReceives() {
            TcpHarness h = new TcpHarness().established();
            h.connection.shutdownOutput();
            h.transmit();
            h.expect().flags(ACK | FIN).check();
            h.send(h.segment().seq(R).ack(L + 1).payload("more"));
            h.expectState(TcpState.FIN_WAIT_2);
            assertEquals("more", h.readAll());
        }
    }

    @Nested
    class KeepAlive {
        // RFC 9293 3.8.4: after the idle time a probe <SEQ=SND.NXT-1> is sent; unanswered probes reset.
        @Test
        void probesThenTimesOut() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.keepAlive(true)
                    .keepAliveIdleNs(10_000_000_000L).keepAliveIntervalNs(1_000_000_000L).keepAliveProbes(2))).established();
            h.advanceMs(9_999);
            h.expectNothing();
            h.advanceMs(1);
            h.expect().flags(ACK).seq(L - 1).ack(R).payloadLength(0).check();
            h.advanceMs(1_000);
            h.expect().flags(ACK).seq(L - 1).check();
            h.advanceMs(1_000);
            h.expect().flags(RST).check();
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.TIMED_OUT, h.connection.error());
        }

        // An answer to the probe keeps the connection.
        @Test
        void answeredProbeKeepsConnection() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.keepAlive(true)
                    .keepAliveIdleNs(10_000_000_000L).keepAliveIntervalNs(1_000_000_000L).keepAliveProbes(2))).established();
            h.advanceMs(10_000);
            h.expect().seq(L - 1).check();
            h.send(h.segment().seq(R).ack(L));
            h.advanceMs(5_000);
            h.expectNothing();
            h.expectState(TcpState.ESTABLISHED);
        }
    }

    @Nested
    class Timestamps {
        // RFC 7323 5.3: a segment with an older timestamp is dropped (PAWS) and acknowledged.
        @Test
        void pawsRejectsOldTimestamp() {
            TcpHarness h = new TcpHarness().synReceived(TcpHarness.linuxSynOptions());
            h.send(h.segment().seq(R).ack(L).options(TcpOptionSet.NONE.withTimestamps(5_001, 0)));
            h.expectState(TcpState.ESTABLISHED);
            h.send(h.segment().seq(R).ack(L).options(TcpOptionSet.NONE.withTimestamps(4_000, 0)).payload("old"));
            h.expect().flags(ACK).ack(R).check();
            assertEquals(0, h.connection.readableBytes());
            assertEquals(1, h.connection.info().pawsRejected());
        }

        // RFC 7323 5.4: the timestamp clock's offset is set before the first segment, and fixed after it.
        @Test
        void timestampOffsetIsSetBeforeTheSynOnly() {
            TcpHarness h = new TcpHarness();
            h.connection = TcpConnection.connect(h.config, TcpHarness.ENDPOINTS, h.output, LOCAL_ISS, h.nowNs);
            h.connection.timestampOffset(1_000);
            h.transmit();
            long expected = h.nowNs / 1_000_000 + 1_000;
            h.expect().flags(SYN).options(options ->
                    assertEquals((int) expected, options.timestamps().orElseThrow().value())).check();
            assertThrows(IllegalStateException.class, () -> h.connection.timestampOffset(2_000));
        }

        // RFC 7323 4.3: we echo the newest timestamp of an in-sequence segment.
        @Test
        void echoesTsRecent() {
            TcpHarness h = new TcpHarness().synReceived(TcpHarness.linuxSynOptions());
            h.send(h.segment().seq(R).ack(L).options(TcpOptionSet.NONE.withTimestamps(5_001, 0)));
            h.send(h.segment().seq(R).ack(L).options(TcpOptionSet.NONE.withTimestamps(5_002, 0)).payloadLength(1448));
            h.send(h.segment().seq(R + 1448).ack(L).options(TcpOptionSet.NONE.withTimestamps(5_003, 0)).payloadLength(1448));
            h.expect().flags(ACK).ack(R + 2896).options(options ->
                    assertEquals(5_002, options.timestamps().orElseThrow().echoReply())).check();
        }
    }

    @Nested
    class Closed {
        // RFC 9293 3.10.7.1: a segment with ACK to a closed port gets <SEQ=SEG.ACK><CTL=RST>.
        @Test
        void resetForAckSegment() {
            TcpHarness h = new TcpHarness();
            OutgoingSegment reply = new OutgoingSegment();
            assertTrue(TcpResets.replyToClosedPort(h.segment().seq(7).ack(99).flags(ACK).wrap(), reply));
            assertEquals(99, reply.sequenceNumber());
            assertEquals(RST, reply.flags());
        }

        // RFC 9293 3.10.7.1: without ACK, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; SYN and FIN count.
        @Test
        void resetForSynCountsTheSyn() {
            TcpHarness h = new TcpHarness();
            OutgoingSegment reply = new OutgoingSegment();
            assertTrue(TcpResets.replyToClosedPort(h.segment().seq(7).ack(0).flags(SYN).payload("ab").wrap(), reply));
            assertEquals(0, reply.sequenceNumber());
            assertEquals(10, reply.acknowledgmentNumber());
            assertEquals(RST | ACK, reply.flags());
        }

        // RFC 9293 3.10.7.1: a RST is never answered.
        @Test
        void noResetForReset() {
            TcpHarness h = new TcpHarness();
            assertFalse(TcpResets.replyToClosedPort(h.segment().seq(7).flags(RST).wrap(), new OutgoingSegment()));
        }
    }
}
