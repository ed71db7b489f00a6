package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.FIN;
import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.SYN;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.TcpOptionSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Bugs the two-machine simulation ({@link TcpSimulationTest}) found, each pinned down with
 * crafted segments so that it stays fixed even when no simulated seed reaches it any more. One
 * nested class per state, as in {@link TcpConnectionTest}; each test names what went wrong.
 */
class TcpConnectionFindingsTest {
    private static final int L = LOCAL_ISS + 1;   // our first data sequence number
    private static final int R = REMOTE_ISS + 1;  // the peer's first data sequence number
    private static final int MSS = 1460;

    @Nested
    class SynReceived {
        // RFC 7323 4.3: the retransmitted SYN is newer and at or before Last.ACK.sent, so its TSval
        // becomes TS.Recent and the repeated SYN-ACK echoes it. (Echoing the first SYN made the
        // peer's first RTT sample include its 1 s SYN timeout.)
        @Test
        void repeatedSynAckEchoesTheRetransmittedSyn() {
            TcpHarness h = new TcpHarness().synReceived(TcpHarness.linuxSynOptions()); // SYN TSval 5000
            h.advanceMs(500);
            h.send(h.segment().seq(REMOTE_ISS).ack(0).flags(SYN)
                    .options(TcpHarness.linuxSynOptions().withTimestamps(5_500, 0)));
            h.expect().flags(SYN | ACK).seq(LOCAL_ISS).ack(R).options(options ->
                    assertEquals(5_500, options.timestamps().orElseThrow().echoReply())).check();
        }
    }

    @Nested
    class Established {
        // RFC 6582 3.2 step 1: "recover" starts at the ISS. Left at 0, an ISS more than 2^31 away
        // from 0 made every duplicate ACK look older than the last recovery: no fast retransmit.
        @Test
        void fastRetransmitWithAnIssFarFromZero() {
            int iss = 0x9000_0000;
            TcpHarness h = new TcpHarness();
            h.connection = TcpConnection.accept(h.config, TcpHarness.ENDPOINTS, h.output, iss,
                    h.segment().seq(REMOTE_ISS).ack(0).flags(SYN).window(65_535)
                            .options(TcpOptionSet.NONE.withMss(MSS)).wrap(), h.nowNs);
            h.transmit();
            h.expect().flags(SYN | ACK).seq(iss).check();
            h.send(h.segment().seq(R).ack(iss + 1));
            h.expectState(TcpState.ESTABLISHED);
            h.write(new byte[5 * MSS]);
            h.transmit();
            for (int i = 0; i < 5; i++) {
                h.expect().check();
            }
            for (int i = 0; i < 3; i++) {
                h.send(h.segment().seq(R).ack(iss + 1));
            }
            h.expect().seq(iss + 1).payloadLength(MSS).check();
            assertEquals(1, h.connection.info().fastRetransmits());
        }

        // A pure ACK carries SND.MAX (RFC 9293's SND.NXT). After a go-back-N timeout sndNxt lies
        // below what the peer has; an ACK with that sequence number is unacceptable to the peer,
        // which drops it unread (and two connections that both timed out ACKed each other forever).
        @Test
        void pureAckAfterTimeoutCarriesTheHighestSequenceSent() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[3 * MSS]);
            h.transmit();
            for (int i = 0; i < 3; i++) {
                h.expect().check();
            }
            h.advanceMs(1_000);
            h.expect().seq(L).payloadLength(MSS).check(); // go-back-N: one segment, cwnd is one MSS
            h.send(h.segment().seq(R).ack(L).payload("x"));
            h.advanceMs(40); // the delayed ACK
            h.expect().flags(ACK).seq(L + 3 * MSS).ack(R + 1).check();
        }

        // Go-back-N resends after a timeout are retransmitted segments too.
        @Test
        void timeoutRetransmissionsAreCounted() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[2 * MSS]);
            h.transmit();
            h.expect().check();
            h.expect().check();
            h.advanceMs(1_000);
            h.expect().seq(L).check();
            assertEquals(1, h.connection.info().retransmissionTimeouts());
            assertEquals(1, h.connection.info().retransmittedSegments());
            assertEquals(MSS, h.connection.info().bytesRetransmitted());
        }

        // RFC 9293 3.8.6.2.1: sender SWS avoidance keeps a partial segment back while the window
        // is below half the largest seen. With nothing in flight no ACK will come to change that,
        // so a timer must: the override timeout sends what the window takes. (Without it a lost
        // window update stalled the connection for good.)
        @Test
        void smallWindowWithNothingInFlightIsSentIntoAfterATimeout() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).window(1_000));
            h.write(new byte[3_000]);
            h.transmit();
            h.expectNothing();
            assertNotEquals(TcpConnection.NO_DEADLINE, h.connection.nextDeadlineNs(), "a timer must be armed");
            h.advanceMs(1_000);
            h.expect().seq(L).payloadLength(1_000).check();
        }

        // RFC 5681 3.2: a fast retransmit resends the first unacknowledged segment, what was sent
        // before. When that was less than an MSS (the peer's window was small), the retransmission
        // took a full MSS and so sent new data beyond the peer's window, which it dropped.
        @Test
        void fastRetransmitResendsOnlyWhatWasSent() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).window(1_000));
            h.write(new byte[3_000]);
            h.transmit();
            h.advanceMs(1_000); // the override timeout sends what the small window takes
            h.expect().seq(L).payloadLength(1_000).check();
            for (int i = 0; i < 3; i++) {
                h.send(h.segment().seq(R).ack(L).window(1_000));
            }
            assertEquals(1, h.connection.info().fastRetransmits());
            h.expect().seq(L).payloadLength(1_000).check();
            h.expectNothing();
        }

        // RFC 9293 3.10.7.4: a segment with data at a zero receive window is unacceptable and gets
        // an ACK; that ACK is how the peer's zero-window probe learns the window (RFC 1122 4.2.2.17).
        @Test
        void zeroWindowProbeIsAnswered() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.receiveBufferBytes(4096))).established();
            h.send(h.segment().seq(R).ack(L).payloadLength(1_400));
            h.send(h.segment().seq(R + 1_400).ack(L).payloadLength(1_400));
            h.send(h.segment().seq(R + 2_800).ack(L).payloadLength(1_296));
            h.advanceMs(40);
            while (h.emitted.poll() != null) {
                // the ACKs of the data, the last one with window 0
            }
            assertEquals(0, h.connection.info().receiveWindowBytes());
            h.send(h.segment().seq(R + 4_096).ack(L).payload("p"));
            h.expect().flags(ACK).ack(R + 4_096).window(0).check();
        }

        // RFC 9293 3.8.6.1 and RFC 1122 4.2.2.17: a peer may keep its window closed for as long as
        // it answers our probes. The probe carries no data (SEG.SEQ = SND.UNA - 1, as Linux's), so
        // nothing is in flight: its answers are not duplicate ACKs, no retransmission timeout
        // fires, cwnd stays, and the connection never gives up. (A probe octet timed out as lost
        // data: cwnd collapsed, and the fifteenth probe of a window kept closed reset the connection.)
        @Test
        void probingAClosedWindowForeverKeepsTheConnection() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).window(0));
            h.write("abc");
            h.transmit();
            h.expectNothing();
            int cwnd = h.connection.info().congestionWindowBytes();
            long previousNs = h.nowNs;
            long previousIntervalNs = 0;
            for (int probe = 0; probe < 20; probe++) {
                h.advance(h.connection.nextDeadlineNs() - h.nowNs);
                h.expect().flags(ACK).seq(L - 1).payloadLength(0).check();
                h.expectNothing();
                long intervalNs = h.nowNs - previousNs;
                assertTrue(intervalNs >= previousIntervalNs, "probes back off");
                previousIntervalNs = intervalNs;
                previousNs = h.nowNs;
                h.send(h.segment().seq(R).ack(L).window(0));
                h.expectNothing();
            }
            h.expectState(TcpState.ESTABLISHED);
            TcpConnectionInfo info = h.connection.info();
            assertEquals(20, info.zeroWindowProbes());
            assertEquals(0, info.retransmissionTimeouts());
            assertEquals(0, info.duplicateAcksReceived());
            assertEquals(cwnd, info.congestionWindowBytes());
            // The window opens: the data follows.
            h.send(h.segment().seq(R).ack(L).window(1_000));
            h.expect().seq(L).payload("abc").check();
        }

        // While probing, a pure ACK carries SND.UNA: had the probe carried an octet, SND.NXT would
        // have moved past it, and a peer at a zero window accepts nothing but its RCV.NXT.
        @Test
        void pureAckWhileProbingIsAcceptableToAClosedWindow() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).window(0));
            h.write("abc");
            h.transmit();
            h.advanceMs(1_000);
            h.expect().seq(L - 1).payloadLength(0).check();
            h.send(h.segment().seq(R).ack(L).window(0).payload("xy"));
            h.advanceMs(40);
            h.expect().flags(ACK).seq(L).ack(R + 2).check();
        }

        // RFC 7323 4.3: a retransmission reaching up to our last ACK means that ACK was lost; its
        // TSval becomes TS.Recent (as Linux's rcv_wup check allows), so the ACK we send dates the
        // retransmission, not the whole loss episode (whose RTT sample inflated RTO to minutes).
        @Test
        void duplicateAnsweringALostAckUpdatesTsRecent() {
            TcpHarness h = new TcpHarness().synReceived(TcpHarness.linuxSynOptions());
            h.send(h.segment().seq(R).ack(L).options(TcpOptionSet.NONE.withTimestamps(5_001, 0)));
            h.send(h.segment().seq(R).ack(L).options(TcpOptionSet.NONE.withTimestamps(6_000, 0)).payloadLength(1448));
            h.send(h.segment().seq(R + 1448).ack(L).options(TcpOptionSet.NONE.withTimestamps(6_000, 0)).payloadLength(1448));
            h.expect().flags(ACK).ack(R + 2896).check(); // lost on its way, say
            h.send(h.segment().seq(R + 1448).ack(L).options(TcpOptionSet.NONE.withTimestamps(7_000, 0)).payloadLength(1448));
            h.expect().flags(ACK).ack(R + 2896).options(options ->
                    assertEquals(7_000, options.timestamps().orElseThrow().echoReply())).check();
        }
    }

    @Nested
    class FinWait1 {
        // An ACK that covers our FIN after a timeout marked the FIN unsent (go-back-N resent only the
        // first segment) still counts the FIN: before, the FIN's sequence number was taken for a
        // data byte and releasing it from the send ring threw.
        @Test
        void ackOfTheFinSentBeforeATimeout() {
            TcpHarness h = new TcpHarness().established();
            h.write(new byte[2 * MSS + 10]);
            h.connection.shutdownOutput();
            h.transmit();
            h.expect().check();
            h.expect().check();
            h.expect().flags(ACK | FIN | TcpHarness.PSH).payloadLength(10).check();
            h.expectState(TcpState.FIN_WAIT_1);
            h.advanceMs(1_000);
            h.expect().seq(L).payloadLength(MSS).check(); // no FIN: cwnd is one MSS
            assertDoesNotThrow(() -> h.send(h.segment().seq(R).ack(L + 2 * MSS + 10 + 1)));
            h.expectState(TcpState.FIN_WAIT_2);
            h.expectNothing();
        }
    }
}
