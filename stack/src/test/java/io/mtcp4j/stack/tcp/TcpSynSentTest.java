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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.TcpOptionSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * SYN-SENT: an active open waiting for the peer's SYN (RFC 9293 3.10.7.3), with the options the
 * SYN-ACK negotiates and the handshake's timers.
 */
class TcpSynSentTest {
    private static final int ISS = LOCAL_ISS;
    private static final int L = LOCAL_ISS + 1;   // our first data sequence number, SND.NXT after the SYN
    private static final int R = REMOTE_ISS + 1;  // the peer's first data sequence number
    private static final long MS = 1_000_000L;

    private static TcpHarness synSent() {
        return new TcpHarness().synSent();
    }

    private static TcpHarness synSent(TcpConfig config) {
        return new TcpHarness(config).synSent();
    }

    /** The SYN-ACK acknowledging our SYN. */
    private static TcpHarness.SegmentBuilder synAck(TcpHarness h) {
        return h.segment().seq(REMOTE_ISS).ack(L).flags(SYN | ACK);
    }

    @Nested
    class AckCheck {
        // RFC 9293 3.10.7.3 first: SEG.ACK =< ISS is unacceptable; <SEQ=SEG.ACK><CTL=RST>, state unchanged.
        @Test
        void ackEqualToIssIsReset() {
            TcpHarness h = synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(ISS).flags(ACK));
            h.expect().flags(RST).seq(ISS).ack(0).window(0).payloadLength(0).noOptions().check();
            h.expectNothing();
            h.expectState(TcpState.SYN_SENT);
        }

        // RFC 9293 3.10.7.3 first: an ACK below ISS is reset with its own value as sequence number.
        @Test
        void ackBelowIssIsReset() {
            TcpHarness h = synSent();
            h.send(synAck(h).ack(ISS - 1_000));
            h.expect().flags(RST).seq(ISS - 1_000).check();
            h.expectState(TcpState.SYN_SENT);
        }

        // RFC 9293 3.10.7.3 first: SEG.ACK > SND.NXT is unacceptable; the real SYN-ACK still works afterwards.
        @Test
        void ackPastSndNxtIsResetAndTheRealSynAckStillEstablishes() {
            TcpHarness h = synSent();
            h.send(synAck(h).ack(L + 1));
            h.expect().flags(RST).seq(L + 1).check();
            h.expectState(TcpState.SYN_SENT);
            h.send(synAck(h));
            h.expectState(TcpState.ESTABLISHED);
            h.expectAck(L, R);
        }

        // RFC 9293 3.10.7.3 first, compared modulo 2^32 (RFC 9293 3.4): half the space ahead is "beyond SND.NXT".
        @Test
        void ackHalfTheSequenceSpaceAheadIsReset() {
            TcpHarness h = synSent();
            h.send(synAck(h).ack(ISS + 0x4000_0000));
            h.expect().flags(RST).seq(ISS + 0x4000_0000).check();
            h.expectState(TcpState.SYN_SENT);
        }

        // RFC 9293 3.10.7.3 first: an unacceptable ACK on a RST is dropped, never answered.
        @Test
        void unacceptableAckOnResetIsDropped() {
            TcpHarness h = synSent();
            h.send(h.segment().seq(0).ack(L + 5).flags(RST | ACK));
            h.expectNothing();
            h.expectState(TcpState.SYN_SENT);
        }

        // RFC 9293 3.10.7.3 first: ISS = 2^32 - 1, so SND.NXT wraps to 0 and ACK 0 is the acceptable one.
        @Test
        void acceptableAckAcrossTheWrap() {
            TcpHarness h = new TcpHarness();
            h.localIss = -1;
            h.synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(0).flags(SYN | ACK));
            h.expectState(TcpState.ESTABLISHED);
            h.expectAck(0, R);
        }

        // RFC 9293 3.10.7.3 first: with ISS = 2^32 - 1, ACK = ISS is still "=< ISS".
        @Test
        void ackEqualToIssAcrossTheWrapIsReset() {
            TcpHarness h = new TcpHarness();
            h.localIss = -1;
            h.synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(-1).flags(SYN | ACK));
            h.expect().flags(RST).seq(-1).check();
            h.expectState(TcpState.SYN_SENT);
        }
    }

    @Nested
    class ResetBit {
        // RFC 9293 3.10.7.3 second: RST with an acceptable ACK: "connection reset", CLOSED, and no timer left.
        @Test
        void resetWithAcceptableAckClosesAndStopsTimers() {
            TcpHarness h = synSent();
            h.send(h.segment().seq(0).ack(L).flags(RST | ACK));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_REFUSED, h.connection.error());
            assertTrue((h.connection.takeEvents() & TcpConnection.EVENT_CLOSED) != 0);
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
            h.advanceMs(10_000);
            h.expectNothing();
        }

        // RFC 9293 3.10.7.3: the RST bit is checked before the SYN bit, so RST+SYN+ACK refuses.
        @Test
        void resetWithSynAndAcceptableAckRefuses() {
            TcpHarness h = synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(L).flags(RST | SYN | ACK));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_REFUSED, h.connection.error());
            h.expectNothing();
        }

        // RFC 5961 3.2 keeps RFC 793's SYN-SENT rule: a RST without ACK is dropped whatever its sequence number.
        @Test
        void resetWithoutAckDoesNotStopTheSynTimer() {
            TcpHarness h = synSent();
            h.send(h.segment().seq(R).ack(0).flags(RST));
            h.expectNothing();
            h.advanceMs(1_000);
            h.expect().flags(SYN).seq(ISS).check();
            h.expectState(TcpState.SYN_SENT);
        }
    }

    @Nested
    class SynBit {
        // RFC 9293 3.10.7.3 fourth: text on the SYN-ACK continues at the sixth step; the ACK covers it at once.
        @Test
        void dataOnSynAckIsDelivered() {
            TcpHarness h = synSent();
            h.send(synAck(h).payload("hello"));
            h.expectState(TcpState.ESTABLISHED);
            h.expectAck(L, R + 5);
            h.expectNothing();
            assertTrue((h.connection.takeEvents() & TcpConnection.EVENT_READABLE) != 0);
            assertEquals("hello", h.readAll());
        }

        // RFC 9293 3.10.7.3 fourth, then 3.10.7.4 eighth: a FIN on the SYN-ACK: CLOSE-WAIT, the ACK covers the FIN.
        @Test
        void finOnSynAckGoesToCloseWait() {
            TcpHarness h = synSent();
            h.send(synAck(h).flags(SYN | ACK | FIN));
            h.expectState(TcpState.CLOSE_WAIT);
            h.expectAck(L, R + 1);
            assertTrue(h.connection.isEndOfStream());
        }

        // As above with text before the FIN: the FIN's sequence number is after the data.
        @Test
        void dataAndFinOnSynAck() {
            TcpHarness h = synSent();
            h.send(synAck(h).flags(SYN | ACK | FIN | PSH).payload("bye"));
            h.expectState(TcpState.CLOSE_WAIT);
            h.expectAck(L, R + 4);
            assertEquals("bye", h.readAll());
            assertTrue(h.connection.isEndOfStream());
        }

        // RFC 7323 2.2: the window field of a SYN is never scaled; later segments are, by the peer's shift.
        @Test
        void synAckWindowIsNotScaled() {
            TcpHarness h = synSent();
            h.send(synAck(h).window(1_000).options(TcpOptionSet.NONE.withMss(1460).withWindowScale(7)));
            assertEquals(1_000, h.connection.info().sendWindowBytes());
            h.expect().flags(ACK).check();
            h.send(h.segment().seq(R).ack(L).window(1_000));
            assertEquals(128_000, h.connection.info().sendWindowBytes());
        }

        // RFC 7323 2.3: a shift above 14 is used as 14.
        @Test
        void windowScaleAbove14IsClampedTo14() {
            TcpHarness h = synSent();
            h.send(synAck(h).options(TcpOptionSet.NONE.withWindowScale(15)));
            h.expect().flags(ACK).check();
            h.send(h.segment().seq(R).ack(L).window(1));
            assertEquals(1 << 14, h.connection.info().sendWindowBytes());
        }

        // RFC 9293 3.10.7.3 fourth: "Data or controls that were queued for transmission MAY be included" with the ACK.
        @Test
        void dataWrittenBeforeTheHandshakeRidesOnTheAck() {
            TcpHarness h = synSent();
            assertEquals(5, h.write("early"));
            h.transmit();
            h.expectNothing(); // nothing but the SYN may leave in SYN-SENT
            h.send(synAck(h));
            h.expect().flags(ACK | PSH).seq(L).ack(R).payload("early").check();
            h.expectNothing();
        }

        // The handshake's completion is reported once: connected and writable.
        @Test
        void synAckReportsConnectedAndWritable() {
            TcpHarness h = synSent();
            h.send(synAck(h));
            int events = h.connection.takeEvents();
            assertEquals(TcpConnection.EVENT_CONNECTED | TcpConnection.EVENT_WRITABLE, events);
            assertEquals(0, h.connection.takeEvents());
        }

        // RFC 9293 3.10.7.3 fourth, figure 8: a SYN alone; SYN-ACK <SEQ=ISS><ACK=RCV.NXT> with the options both offered.
        @Test
        void simultaneousOpenSynAckCarriesNegotiatedOptions() {
            TcpHarness h = synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(0).flags(SYN).options(TcpHarness.linuxSynOptions()));
            h.expectState(TcpState.SYN_RECEIVED);
            h.expect().flags(SYN | ACK).seq(ISS).ack(R).options(options -> {
                assertEquals(1460, options.mss());
                assertEquals(3, options.windowScale());
                assertTrue(options.sackPermitted());
                assertEquals(5_000, options.timestamps().orElseThrow().echoReply());
            }).check();
            h.expectNothing();
        }

        // RFC 9293 3.10.7.4 first: in the simultaneous open the peer's SYN-ACK lies before RCV.NXT (its SYN
        // is already acknowledged), so it is answered with an ACK; the peer's ACK of our SYN-ACK establishes.
        @Test
        void simultaneousOpenPeerSynAckIsAcknowledged() {
            TcpHarness h = synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(0).flags(SYN));
            h.expect().flags(SYN | ACK).seq(ISS).ack(R).check();
            h.send(h.segment().seq(REMOTE_ISS).ack(L).flags(SYN | ACK));
            h.expectAck(L, R);
            h.expectState(TcpState.SYN_RECEIVED);
            h.send(h.segment().seq(R).ack(L));
            h.expectState(TcpState.ESTABLISHED);
            assertTrue((h.connection.takeEvents() & TcpConnection.EVENT_CONNECTED) != 0);
        }

        // RFC 9293 3.10.7.3 fourth lets text on a bare SYN be queued; we drop it and do not acknowledge it, so the peer resends.
        @Test
        void simultaneousOpenTextOnSynIsNotAcknowledged() {
            TcpHarness h = synSent();
            h.send(h.segment().seq(REMOTE_ISS).ack(0).flags(SYN).payload("x"));
            h.expect().flags(SYN | ACK).seq(ISS).ack(R).check();
            assertEquals(0, h.connection.readableBytes());
        }

        // RFC 9293 3.10.7.3 fifth: neither SYN nor RST (a FIN with an acceptable ACK): drop.
        @Test
        void finWithoutSynIsDropped() {
            TcpHarness h = synSent();
            h.send(h.segment().seq(R).ack(L).flags(ACK | FIN));
            h.expectNothing();
            h.expectState(TcpState.SYN_SENT);
        }
    }

    @Nested
    class Options {
        // RFC 9293 3.7.1: we send at most the smaller of the peer's MSS and our own.
        @Test
        void peerMssLargerThanOursIsClampedToOurs() {
            TcpHarness h = synSent();
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(9_000)));
            assertEquals(1460, h.connection.info().sendMssBytes());
        }

        @Test
        void peerMssSmallerThanOursIsUsed() {
            TcpHarness h = synSent();
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(512)));
            assertEquals(512, h.connection.info().sendMssBytes());
            h.expect().flags(ACK).check();
            h.write(new byte[2_000]);
            h.transmit();
            h.expect().seq(L).payloadLength(512).check();
        }

        // RFC 6691 / RFC 9293 3.7.1: the MSS excludes options, so the timestamp option's 12 bytes come off it;
        // RFC 7323 3.2: our ACK carries TSecr = the SYN-ACK's TSval.
        @Test
        void timestampsShrinkTheMssAndAreEchoed() {
            TcpHarness h = synSent();
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460).withTimestamps(7_000, h.ourLastTimestampValue)));
            assertEquals(1448, h.connection.info().sendMssBytes());
            h.expect().flags(ACK).seq(L).ack(R).timestampEcho(7_000).check();
        }

        // RFC 7323 3.2: an option we did not offer is not used even if the SYN-ACK carries it.
        @Test
        void timestampsUnusedWhenWeDidNotOfferThem() {
            TcpHarness h = synSent(TcpConfig.defaults().with(b -> b.timestamps(false)));
            assertTrue(h.allEmitted.getFirst().header().options().timestamps().isEmpty());
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460).withTimestamps(7_000, 0)));
            h.expect().flags(ACK).noOptions().check();
            assertEquals(1460, h.connection.info().sendMssBytes());
        }

        // RFC 2018 2: both offered SACK-permitted: out-of-order data is reported in SACK blocks.
        @Test
        void sackUsedWhenBothOffered() {
            TcpHarness h = synSent();
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460).withSackPermitted(true)));
            h.expect().flags(ACK).check();
            h.send(h.segment().seq(R + 10).ack(L).payloadLength(10));
            h.expect().flags(ACK).seq(L).ack(R).sack(R + 10, R + 20).check();
        }

        // RFC 2018 2: SACK only when we offered it too.
        @Test
        void sackUnusedWhenWeDidNotOfferIt() {
            TcpHarness h = synSent(TcpConfig.defaults().with(b -> b.selectiveAcks(false)));
            assertFalse(h.allEmitted.getFirst().header().options().sackPermitted());
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460).withSackPermitted(true)));
            h.expect().flags(ACK).check();
            h.send(h.segment().seq(R + 10).ack(L).payloadLength(10));
            h.expect().flags(ACK).ack(R).noOptions().check();
        }

        // RFC 7323 2.2: both sent Window Scale, so our window fields are shifted by our 3 (256 KiB ring).
        @Test
        void ourWindowIsScaledWhenBothOfferedScaling() {
            TcpHarness h = synSent();
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460).withWindowScale(7)));
            h.expect().flags(ACK).window(256 * 1024 >> 3).check();
        }

        // RFC 7323 2.2: the peer did not send Window Scale: neither side scales, our window caps at 65,535.
        @Test
        void noScalingWhenThePeerOmitsWindowScale() {
            TcpHarness h = synSent();
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460)));
            h.expect().flags(ACK).window(65_535).check();
            h.send(h.segment().seq(R).ack(L).window(1_000));
            assertEquals(1_000, h.connection.info().sendWindowBytes());
        }

        // RFC 7323 2.2: we did not offer Window Scale: the peer's shift is ignored.
        @Test
        void noScalingWhenWeDidNotOfferIt() {
            TcpHarness h = synSent(TcpConfig.defaults().with(b -> b.windowScaling(false)));
            assertFalse(h.allEmitted.getFirst().header().options().hasWindowScale());
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460).withWindowScale(7)));
            h.expect().flags(ACK).window(65_535).check();
            h.send(h.segment().seq(R).ack(L).window(1_000));
            assertEquals(1_000, h.connection.info().sendWindowBytes());
        }

        // RFC 9293 3.7.1: the MSS option is always on the SYN; nothing else when everything is off.
        @Test
        void synWithEveryOptionTurnedOffCarriesOnlyMss() {
            TcpHarness h = synSent(TcpConfig.defaults().with(b -> b.timestamps(false).selectiveAcks(false).windowScaling(false)));
            assertEquals(TcpOptionSet.NONE.withMss(1460), h.allEmitted.getFirst().header().options());
        }

        // RFC 7323 2.3: the shift is the smallest that covers the buffer; a 4 KiB buffer needs none but still offers 0.
        @Test
        void smallReceiveBufferOffersShiftZero() {
            TcpHarness h = synSent(TcpConfig.defaults().with(b -> b.receiveBufferBytes(4096)));
            assertEquals(4096, h.allEmitted.getFirst().header().window());
            assertEquals(0, h.allEmitted.getFirst().header().options().windowScale());
        }

        // RFC 7323 and RFC 2018 together, as a Linux server answers: every option is in use afterwards.
        @Test
        void linuxSynAckNegotiatesEverything() {
            TcpHarness h = new TcpHarness().activeEstablished(TcpOptionSet.NONE.withMss(1460).withSackPermitted(true)
                    .withTimestamps(7_000, 0).withWindowScale(7));
            assertEquals(1448, h.connection.info().sendMssBytes());
            h.send(h.segment().seq(R + 10).ack(L).window(100).options(TcpOptionSet.NONE.withTimestamps(7_001, 0))
                    .payloadLength(10));
            h.expect().flags(ACK).seq(L).ack(R).timestampEcho(7_000).sack(R + 10, R + 20).check();
            assertEquals(100 << 7, h.connection.info().sendWindowBytes());
        }

        // RFC 9293 3.7.1: without an MSS option we may send 536 bytes (the IPv4 default).
        @Test
        void noMssOptionMeansTheDefault() {
            TcpHarness h = synSent();
            h.send(synAck(h));
            assertEquals(536, h.connection.info().sendMssBytes());
        }
    }

    @Nested
    class Timers {
        // RFC 6298 5.5: each SYN timeout doubles the RTO: 1 s, 2 s, 4 s, 8 s (Linux: SYNs at 0, 1, 3, 7, 15 s).
        // (RFC 6298 5.7's 3 s applies once data transfer begins, not to the handshake's own backoff.)
        @Test
        void synRetransmissionBacksOffExponentially() {
            TcpHarness h = synSent();
            long[] intervalsMs = {1_000, 2_000, 4_000, 8_000};
            for (long intervalMs : intervalsMs) {
                h.advanceMs(intervalMs - 1);
                h.expectNothing();
                h.advanceMs(1);
                h.expect().flags(SYN).seq(ISS).check();
            }
        }

        // RFC 6298 5.7: the SYN timed out and no RTT was measured, so data starts with RTO = 3 s.
        @Test
        void rtoIsThreeSecondsOnceDataFlowsAfterALostSyn() {
            TcpHarness h = synSent();
            h.advanceMs(1_000);
            h.expect().flags(SYN).check();
            h.advanceMs(100);
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460)));
            h.expect().flags(ACK).check();
            assertEquals(0, h.connection.info().smoothedRttNs()); // Karn: a retransmitted SYN gives no sample
            h.write("data");
            h.transmit();
            h.expect().seq(L).payload("data").check();
            h.advanceMs(2_999);
            h.expectNothing();
            h.advanceMs(1);
            h.expect().seq(L).payload("data").check();
        }

        // RFC 5681 3.1 (and RFC 6928 2): after a lost SYN the initial window is one segment.
        @Test
        void initialWindowIsOneSegmentAfterALostSyn() {
            TcpHarness h = synSent();
            h.advanceMs(1_000);
            h.expect().flags(SYN).check();
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460)));
            h.expect().flags(ACK).check();
            h.write(new byte[5 * 1460]);
            h.transmit();
            h.expect().seq(L).payloadLength(1460).check();
            h.expectNothing();
            assertEquals(1460, h.connection.info().congestionWindowBytes());
        }

        // RFC 6928 2: otherwise ten segments.
        @Test
        void initialWindowIsTenSegments() {
            TcpHarness h = synSent();
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460)));
            assertEquals(10 * 1460, h.connection.info().congestionWindowBytes());
        }

        // RFC 6298 2.2: the SYN's round trip is the first sample: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR).
        @Test
        void handshakeRoundTripIsTheFirstSample() {
            TcpHarness h = synSent();
            h.advanceMs(100);
            h.send(synAck(h));
            assertEquals(100 * MS, h.connection.info().smoothedRttNs());
            assertEquals(50 * MS, h.connection.info().rttVarianceNs());
            assertEquals(300 * MS, h.connection.info().rtoNs());
        }

        // RFC 7323 4.1 (RTTM): the SYN-ACK echoes the first SYN's TSval, which dates it even after a retransmission.
        @Test
        void timestampEchoTimesTheHandshakeDespiteARetransmission() {
            TcpHarness h = synSent();
            int firstSynTimestamp = h.ourLastTimestampValue;
            h.advanceMs(1_000);
            h.expect().flags(SYN).check();
            h.advanceMs(50);
            h.send(synAck(h).options(TcpOptionSet.NONE.withMss(1460).withTimestamps(9, firstSynTimestamp)));
            assertEquals(1_050 * MS, h.connection.info().smoothedRttNs());
        }

        // RFC 9293 3.8.3 R2 for a SYN: give up after the configured retries; nothing is synchronized, so no RST.
        @Test
        void synRetriesExhaustedCloseWithoutReset() {
            TcpHarness h = synSent(TcpConfig.defaults().with(b -> b.synRetries(1)));
            h.advanceMs(1_000);
            h.expect().flags(SYN).check();
            h.advanceMs(2_000);
            h.expectNothing();
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.TIMED_OUT, h.connection.error());
        }
    }

    @Nested
    class UserCalls {
        // RFC 9293 3.10.4 CLOSE in SYN-SENT: delete the TCB; nothing is sent.
        @Test
        void closeDeletesTheConnectionSilently() {
            TcpHarness h = synSent();
            h.connection.close(h.nowNs);
            h.transmit();
            h.expectNothing();
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.NONE, h.connection.error());
            assertEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs());
        }

        // RFC 9293 3.10.5 ABORT in SYN-SENT: no RST, the peer knows nothing of us yet.
        @Test
        void abortSendsNoReset() {
            TcpHarness h = synSent();
            h.connection.abort(h.nowNs);
            h.transmit();
            h.expectNothing();
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.ABORTED, h.connection.error());
        }

        // After the handshake failed, later segments are not processed (the TCB is gone).
        @Test
        void segmentsAfterRefusalAreIgnored() {
            TcpHarness h = synSent();
            h.send(h.segment().seq(0).ack(L).flags(RST | ACK));
            h.send(synAck(h));
            h.expectNothing();
            h.expectState(TcpState.CLOSED);
        }
    }
}
