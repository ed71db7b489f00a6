package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpHarness.ACK;
import static io.mtcp4j.stack.tcp.TcpHarness.FIN;
import static io.mtcp4j.stack.tcp.TcpHarness.LOCAL_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.PSH;
import static io.mtcp4j.stack.tcp.TcpHarness.REMOTE_ISS;
import static io.mtcp4j.stack.tcp.TcpHarness.RST;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtcp4j.stack.wire.TcpOptionSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * ESTABLISHED, the receiving half: which segments are acceptable (RFC 9293 3.10.7.4 first step),
 * how text is trimmed, queued and acknowledged, the SACK blocks we generate (RFC 2018), the window
 * we advertise (RFC 7323 scaling, RFC 9293 3.8.6.2.2 silly window avoidance) and PAWS (RFC 7323 5).
 */
class TcpEstablishedReceiveTest {
    private static final int L = LOCAL_ISS + 1;
    private static final int R = REMOTE_ISS + 1;
    private static final long MS = 1_000_000L;
    /** What {@link TcpHarness#established()} advertises: 65,535 (no scaling, 256 KiB ring). */
    private static final int WINDOW = 65_535;

    /** Established with a 4 KiB receive ring: our window is 4096 and silly-window rules show. */
    private static TcpHarness smallRing() {
        return new TcpHarness(TcpConfig.defaults().with(b -> b.receiveBufferBytes(4096))).established();
    }

    /** {@link #smallRing()} filled by the peer: window 0 at RCV.NXT = R + 4096. */
    private static TcpHarness zeroWindow() {
        TcpHarness h = smallRing();
        h.send(h.segment().seq(R).ack(L).payloadLength(1460));
        h.send(h.segment().seq(R + 1460).ack(L).payloadLength(1460));
        h.expect().flags(ACK).ack(R + 2920).window(4096 - 2920).check();
        h.send(h.segment().seq(R + 2920).ack(L).payloadLength(1176));
        h.advanceMs(40);
        h.expect().flags(ACK).ack(R + 4096).window(0).check();
        return h;
    }

    /** Established with the options of a Linux SYN (timestamps, SACK, window scale 7; we scale by 3). */
    private static TcpHarness linux() {
        return new TcpHarness().established(TcpHarness.linuxSynOptions());
    }

    @Nested
    class SequenceAcceptability {
        // RFC 9293 3.10.7.4 first, SEG.LEN = 0, RCV.WND > 0: RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND.
        @Test
        void emptySegmentAtRcvNxtIsAccepted() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L));
            h.expectNothing();
            assertEquals(0, h.connection.info().outOfWindowSegments());
        }

        @Test
        void emptySegmentInsideTheWindowIsAccepted() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 1_000).ack(L));
            h.expectNothing();
            assertEquals(0, h.connection.info().outOfWindowSegments());
        }

        // Not acceptable: "an acknowledgment should be sent in reply ... <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>".
        @Test
        void emptySegmentAtTheRightEdgeIsAnsweredWithAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + WINDOW).ack(L));
            h.expectAck(L, R);
            assertEquals(1, h.connection.info().outOfWindowSegments());
        }

        @Test
        void emptySegmentBeforeRcvNxtIsAnsweredWithAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R - 1).ack(L));
            h.expectAck(L, R);
        }

        // SEG.LEN > 0, RCV.WND > 0: acceptable when the first byte is in the window (the rest may lie beyond it).
        @Test
        void dataWhoseFirstByteIsInTheWindowIsKept() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.send(h.segment().seq(R + WINDOW - 5).ack(L).payloadLength(10));
            h.expect().flags(ACK).seq(L).ack(R).sack(R + WINDOW - 5, R + WINDOW + 5).check();
            assertEquals(0, h.connection.info().outOfWindowSegments());
        }

        // ... or when its last byte is: the part before RCV.NXT is old, the rest is new.
        @Test
        void dataWhoseLastByteIsInTheWindowDeliversTheNewPart() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R - 5).ack(L).payload("oldoonewnn"));
            assertEquals("newnn", h.readAll());
            assertEquals(5, h.connection.info().duplicateBytesReceived());
        }

        @Test
        void dataEntirelyBeforeRcvNxtIsAnsweredWithAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R - 10).ack(L).payloadLength(10));
            h.expectAck(L, R);
            assertEquals(0, h.connection.readableBytes());
            assertEquals(1, h.connection.info().outOfWindowSegments());
        }

        @Test
        void dataStartingAtTheRightEdgeIsAnsweredWithAck() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.send(h.segment().seq(R + WINDOW).ack(L).payloadLength(10));
            h.expect().flags(ACK).seq(L).ack(R).sack().check();
        }

        // SEG.LEN = 0, RCV.WND = 0: acceptable only at RCV.NXT; its ACK is processed, nothing is said.
        @Test
        void zeroWindowEmptySegmentAtRcvNxtIsProcessed() {
            TcpHarness h = zeroWindow();
            h.write("abc");
            h.transmit();
            h.expect().seq(L).payload("abc").ack(R + 4096).window(0).check();
            h.send(h.segment().seq(R + 4096).ack(L + 3));
            h.expectNothing();
            assertEquals(3, h.connection.info().bytesAcked());
        }

        @Test
        void zeroWindowEmptySegmentPastRcvNxtIsAnsweredWithAck() {
            TcpHarness h = zeroWindow();
            h.send(h.segment().seq(R + 4097).ack(L));
            h.expect().flags(ACK).seq(L).ack(R + 4096).window(0).check();
        }

        // SEG.LEN > 0, RCV.WND = 0: never acceptable, so a zero-window probe is answered with an ACK
        // (RFC 9293 3.10.7.4 first; the persist mechanism of 3.8.6.1 depends on it), and the "special
        // allowance" for valid ACKs processes its acknowledgment field.
        @Test
        void zeroWindowProbeIsAnsweredAndItsAckProcessed() {
            TcpHarness h = zeroWindow();
            h.write("abc");
            h.transmit();
            h.expect().payload("abc").check();
            h.send(h.segment().seq(R + 4096).ack(L + 3).payloadLength(1));
            h.expect().flags(ACK).seq(L + 3).ack(R + 4096).window(0).check();
            assertEquals(4096, h.connection.readableBytes());
            assertEquals(3, h.connection.info().bytesAcked());
        }

        // RFC 9293 3.10.7.4: the special allowance covers RSTs at RCV.NXT.
        @Test
        void zeroWindowResetAtRcvNxtIsAccepted() {
            TcpHarness h = zeroWindow();
            h.send(h.segment().seq(R + 4096).flags(RST));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_RESET, h.connection.error());
        }

        // A FIN occupies sequence space, so with a zero window it is not acceptable: ACK, state unchanged.
        @Test
        void zeroWindowFinIsNotAccepted() {
            TcpHarness h = zeroWindow();
            h.send(h.segment().seq(R + 4096).ack(L).flags(ACK | FIN));
            h.expect().flags(ACK).ack(R + 4096).window(0).check();
            h.expectState(TcpState.ESTABLISHED);
        }

        // RFC 9293 3.4: sequence numbers are compared modulo 2^32; a segment across the wrap is in order.
        @Test
        void dataAcrossTheSequenceWrapIsDelivered() {
            TcpHarness h = new TcpHarness();
            h.remoteIss = 0xffff_ff00;
            h.established();
            h.send(h.segment().seq(0xffff_ff01).ack(L).payloadLength(512));
            h.advanceMs(40);
            h.expectAck(L, 0x101);
            assertEquals(512, h.connection.readableBytes());
        }
    }

    @Nested
    class TrimmingAndDuplicates {
        // RFC 9293 3.10.7.4 first: "only the new parts are processed" of a segment overlapping RCV.NXT.
        @Test
        void overlapAtTheLeftEdgeDeliversOnlyNewBytes() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payload("hello"));
            h.send(h.segment().seq(R + 3).ack(L).payload("loworld"));
            assertEquals("helloworld", h.readAll());
            assertEquals(2, h.connection.info().duplicateBytesReceived());
        }

        // RFC 9293 3.10.7.4 first / RFC 5681 4.2: a complete duplicate is acknowledged at once (no delay).
        @Test
        void duplicateSegmentIsAcknowledgedAtOnce() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payload("hello"));
            h.expectNothing();
            h.send(h.segment().seq(R).ack(L).payload("hello"));
            h.expectAck(L, R + 5);
            assertEquals("hello", h.readAll());
        }

        // RFC 9293 3.10.7.4 first: text beyond what we can hold is trimmed; the rest is kept.
        @Test
        void inOrderSegmentPastTheRingIsTrimmed() {
            TcpHarness h = smallRing();
            h.send(h.segment().seq(R).ack(L).payloadLength(1460));
            h.send(h.segment().seq(R + 1460).ack(L).payloadLength(1460));
            h.expect().flags(ACK).ack(R + 2920).window(1176).check();
            h.send(h.segment().seq(R + 2920).ack(L).payloadLength(1460));
            h.advanceMs(40);
            h.expect().flags(ACK).ack(R + 4096).window(0).check();
            assertEquals(4096, h.connection.readableBytes());
        }

        // As above for out-of-order text: the SACK block shows where it was cut.
        @Test
        void outOfOrderSegmentPastTheRingIsTrimmed() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.receiveBufferBytes(4096))).establishedWithSack();
            h.send(h.segment().seq(R + 4000).ack(L).payloadLength(200));
            h.expect().flags(ACK).ack(R).sack(R + 4000, R + 4096).check();
        }

        // Overlapping out-of-order segments merge; the hole's text then delivers everything at once.
        @Test
        void overlappingOutOfOrderSegmentsMerge() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 10).ack(L).payload("klmnopqrst"));
            h.expectAck(L, R);
            h.send(h.segment().seq(R + 15).ack(L).payload("pqrstuvwxyzABCD"));
            h.expectAck(L, R);
            h.send(h.segment().seq(R).ack(L).payload("abcdefghij"));
            h.expectAck(L, R + 30);
            assertEquals("abcdefghijklmnopqrstuvwxyzABCD", h.readAll());
            assertEquals(5, h.connection.info().duplicateBytesReceived());
        }

        // RFC 5681 4.2: every out-of-order segment, even a repeat, draws an immediate duplicate ACK.
        @Test
        void repeatedOutOfOrderSegmentDrawsAnotherDuplicateAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 10).ack(L).payloadLength(10));
            h.expectAck(L, R);
            h.send(h.segment().seq(R + 10).ack(L).payloadLength(10));
            h.expectAck(L, R);
            assertEquals(10, h.connection.info().duplicateBytesReceived());
        }

        // A segment covering the hole and a queued range: the queued bytes are duplicates, all is delivered.
        @Test
        void segmentCoveringHoleAndQueuedRange() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R + 10).ack(L).payloadLength(10));
            h.expectAck(L, R);
            h.send(h.segment().seq(R).ack(L).payloadLength(30));
            h.expectAck(L, R + 30);
            assertEquals(30, h.connection.readableBytes());
            assertEquals(10, h.connection.info().duplicateBytesReceived());
        }

        // RFC 9293 3.10.7.4 eighth: a FIN on a segment whose text was trimmed waits for the missing text.
        @Test
        void finOnATrimmedSegmentWaitsForTheTrimmedText() {
            TcpHarness h = smallRing();
            h.send(h.segment().seq(R).ack(L).payloadLength(1460));
            h.send(h.segment().seq(R + 1460).ack(L).payloadLength(1460));
            h.expect().flags(ACK).ack(R + 2920).window(1176).check();
            h.send(h.segment().seq(R + 2920).ack(L).flags(ACK | FIN).payloadLength(1460));
            h.expect().flags(ACK).ack(R + 4096).window(0).check();
            h.expectState(TcpState.ESTABLISHED);
            h.read(4096);
            h.transmit();
            h.expect().flags(ACK).ack(R + 4096).window(4096).check();
            h.send(h.segment().seq(R + 4096).ack(L).flags(ACK | FIN).payloadLength(284));
            h.expectState(TcpState.CLOSE_WAIT);
            h.expect().flags(ACK).ack(R + 4381).check();
        }
    }

    @Nested
    class SackGeneration {
        // RFC 2018 4: "the first SACK block MUST specify the contiguous block of data containing the segment
        // which triggered this ACK"; the rest repeat the most recently reported blocks.
        @Test
        void firstBlockHoldsTheNewestSegment() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(50));
            h.expect().flags(ACK).ack(R).sack(R + 100, R + 150).check();
            h.send(h.segment().seq(R + 300).ack(L).payloadLength(50));
            h.expect().flags(ACK).ack(R).sack(R + 300, R + 350, R + 100, R + 150).check();
            h.send(h.segment().seq(R + 500).ack(L).payloadLength(50));
            h.expect().flags(ACK).ack(R).sack(R + 500, R + 550, R + 300, R + 350, R + 100, R + 150).check();
        }

        // RFC 2018 4: a segment extending an older block makes that block the first.
        @Test
        void extendedBlockMovesToTheFront() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(50));
            h.send(h.segment().seq(R + 300).ack(L).payloadLength(50));
            h.send(h.segment().seq(R + 500).ack(L).payloadLength(50));
            h.discardEmitted();
            h.send(h.segment().seq(R + 150).ack(L).payloadLength(50));
            h.expect().flags(ACK).ack(R).sack(R + 100, R + 200, R + 500, R + 550, R + 300, R + 350).check();
        }

        // RFC 2018 3: without timestamps four blocks fit in the 40 option bytes; the oldest are left out.
        @Test
        void fourBlocksWithoutTimestamps() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            for (int i = 0; i < 5; i++) {
                h.send(h.segment().seq(R + 100 + 200 * i).ack(L).payloadLength(50));
            }
            h.discardEmitted();
            h.send(h.segment().seq(R + 900).ack(L).payloadLength(50)); // a duplicate of the newest
            h.expect().flags(ACK).ack(R)
                    .sack(R + 900, R + 950, R + 700, R + 750, R + 500, R + 550, R + 300, R + 350).check();
        }

        // RFC 2018 3: with the 10-byte timestamp option (12 with padding) only three blocks fit.
        @Test
        void threeBlocksWithTimestamps() {
            TcpHarness h = linux();
            for (int i = 0; i < 4; i++) {
                h.send(h.segment().seq(R + 100 + 200 * i).ack(L).options(h.peerTimestamp(5_002)).payloadLength(50));
            }
            h.discardEmitted();
            h.send(h.segment().seq(R + 700).ack(L).options(h.peerTimestamp(5_002)).payloadLength(50));
            h.expect().flags(ACK).ack(R).timestampEcho(5_001)
                    .sack(R + 700, R + 750, R + 500, R + 550, R + 300, R + 350).check();
        }

        // RFC 2018 4: once the hole before a block fills, the block is acknowledged cumulatively and leaves the list.
        @Test
        void filledHoleRemovesItsBlock() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(50));
            h.send(h.segment().seq(R + 300).ack(L).payloadLength(50));
            h.discardEmitted();
            h.send(h.segment().seq(R).ack(L).payloadLength(100));
            h.expect().flags(ACK).ack(R + 150).sack(R + 300, R + 350).check();
        }

        // A segment joining two blocks is reported as their union.
        @Test
        void joiningSegmentReportsTheMergedBlock() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(50));
            h.send(h.segment().seq(R + 200).ack(L).payloadLength(50));
            h.discardEmitted();
            h.send(h.segment().seq(R + 150).ack(L).payloadLength(50));
            h.expect().flags(ACK).ack(R).sack(R + 100, R + 250).check();
        }

        // RFC 2018 4: a repeat of an older block triggers the ACK, so that block comes first.
        @Test
        void repeatOfAnOlderBlockComesFirst() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(50));
            h.send(h.segment().seq(R + 300).ack(L).payloadLength(50));
            h.discardEmitted();
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(50));
            h.expect().flags(ACK).ack(R).sack(R + 100, R + 150, R + 300, R + 350).check();
        }

        // No hole, no SACK option.
        @Test
        void inOrderAckCarriesNoSack() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.send(h.segment().seq(R).ack(L).payloadLength(50));
            h.advanceMs(40);
            h.expect().flags(ACK).ack(R + 50).noOptions().check();
        }

        // RFC 2018 4: SACK information goes on every ACK while holes exist, data segments included.
        @Test
        void dataSegmentsCarrySackBlocks() {
            TcpHarness h = new TcpHarness().establishedWithSack();
            h.send(h.segment().seq(R + 100).ack(L).payloadLength(50));
            h.expect().flags(ACK).ack(R).check();
            h.write("x");
            h.transmit();
            h.expect().flags(ACK | PSH).seq(L).ack(R).payload("x").sack(R + 100, R + 150).check();
        }
    }

    @Nested
    class WindowScaling {
        // RFC 7323 2.3: our window field is the free space shifted right by our shift (3 for 256 KiB).
        @Test
        void ourWindowFieldIsShiftedByOurScale() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R).ack(L).options(h.peerTimestamp(5_002)).payloadLength(1448));
            h.send(h.segment().seq(R + 1448).ack(L).options(h.peerTimestamp(5_002)).payloadLength(1448));
            h.expect().flags(ACK).ack(R + 2896).window((256 * 1024 - 2896) >> 3).check();
        }

        // RFC 7323 2.4: a window that is not a multiple of the scale unit is rounded up, as Linux does,
        // rather than retreating the right edge.
        @Test
        void windowNotAMultipleOfTheUnitIsRoundedUp() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R).ack(L).options(h.peerTimestamp(5_002)).payloadLength(1));
            h.advanceMs(40);
            h.expect().flags(ACK).ack(R + 1).window(32_768).check();
        }

        // RFC 7323 2.3: the peer's window fields are shifted left by its shift (7).
        @Test
        void peerWindowIsShiftedByItsScale() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R).ack(L).window(100).options(h.peerTimestamp(5_002)));
            assertEquals(12_800, h.connection.info().sendWindowBytes());
        }

        // RFC 7323 2.3: the largest shift, 14, gives windows near 2^30.
        @Test
        void peerShiftOf14() {
            TcpHarness h = new TcpHarness().established(TcpOptionSet.NONE.withMss(1460).withWindowScale(14));
            h.send(h.segment().seq(R).ack(L).window(1_000));
            assertEquals(1_000 << 14, h.connection.info().sendWindowBytes());
        }

        // Without scaling the field caps at 65,535 whatever the ring holds.
        @Test
        void unscaledWindowCapsAt65535() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payloadLength(100));
            h.advanceMs(40);
            h.expect().flags(ACK).ack(R + 100).window(65_535).check();
        }

        // The peer's scaled window bounds what we send: 100 << 7 = 12,800 bytes, then Nagle holds the rest.
        @Test
        void scaledPeerWindowBoundsOurSending() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R).ack(L).window(100).options(h.peerTimestamp(5_002)));
            h.write(new byte[20_000]);
            h.transmit();
            int sent = 0;
            while (!h.emitted.isEmpty()) {
                sent += h.expect().check().payload().length;
            }
            assertEquals(8 * 1448, sent); // 8 full segments fit in 12,800; the 1,216 left is a silly window
        }
    }

    @Nested
    class ReceiveWindow {
        // RFC 9293 3.8.6: the right edge stays where it was advertised, so the window shrinks by what arrives.
        @Test
        void windowShrinksByExactlyTheBytesReceived() {
            TcpHarness h = smallRing();
            h.send(h.segment().seq(R).ack(L).payloadLength(1000));
            h.advanceMs(40);
            h.expect().flags(ACK).ack(R + 1000).window(3096).check();
        }

        // RFC 9293 3.8.6.2.2: the right edge moves only by min(RCV.BUFF / 2, MSS) or more; small reads do not creep.
        @Test
        void smallReadDoesNotCreepTheWindow() {
            TcpHarness h = smallRing();
            h.send(h.segment().seq(R).ack(L).payloadLength(1460));
            h.send(h.segment().seq(R + 1460).ack(L).payloadLength(1460));
            h.expect().flags(ACK).ack(R + 2920).window(1176).check();
            h.send(h.segment().seq(R + 2920).ack(L).payloadLength(1000));
            h.advanceMs(40);
            h.expect().flags(ACK).ack(R + 3920).window(176).check();
            assertEquals(100, h.read(100));
            h.transmit();
            h.expectNothing(); // 276 bytes free is not worth announcing
            h.send(h.segment().seq(R + 3920).ack(L).payloadLength(10));
            h.advanceMs(40);
            h.expect().flags(ACK).ack(R + 3930).window(166).check(); // edge still R + 4096, not R + 4196
        }

        // Linux's rule (tcp_cleanup_rbuf): a read that at least doubles the window and passes the
        // silly-window threshold sends a window update at once.
        @Test
        void readThatDoublesTheWindowSendsAnUpdate() {
            TcpHarness h = smallRing();
            h.send(h.segment().seq(R).ack(L).payloadLength(1460));
            h.send(h.segment().seq(R + 1460).ack(L).payloadLength(1460));
            h.expect().flags(ACK).window(1176).check();
            h.read(1000);
            h.transmit();
            h.expectNothing(); // 2176 < 2 * 1176
            h.read(460);
            h.transmit();
            h.expect().flags(ACK).seq(L).ack(R + 2920).window(2636).check();
        }

        // A zero window reopens only when a full segment's worth is free (RFC 9293 3.8.6.2.2).
        @Test
        void zeroWindowReopensAfterAFullSegmentIsRead() {
            TcpHarness h = zeroWindow();
            h.read(100);
            h.transmit();
            h.expectNothing();
            h.read(1360);
            h.transmit();
            h.expect().flags(ACK).ack(R + 4096).window(1460).check();
        }

        // Reading everything announces the whole ring.
        @Test
        void readingEverythingAnnouncesTheWholeRing() {
            TcpHarness h = zeroWindow();
            assertEquals(4096, h.read(4096));
            h.transmit();
            h.expect().flags(ACK).ack(R + 4096).window(4096).check();
        }

        // info() reports the window last advertised.
        @Test
        void infoReportsTheAdvertisedWindow() {
            TcpHarness h = zeroWindow();
            assertEquals(0, h.connection.info().receiveWindowBytes());
            assertEquals(4096, h.connection.info().unreadBytes());
        }
    }

    @Nested
    class DelayedAck {
        // RFC 9293 3.8.6.3: the delay runs from the first unacknowledged segment; later ones do not restart it.
        @Test
        void secondSmallSegmentDoesNotRestartTheTimer() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payload("a"));
            h.advanceMs(20);
            h.send(h.segment().seq(R + 1).ack(L).payload("b"));
            h.advanceMs(19);
            h.expectNothing();
            h.advanceMs(1);
            h.expectAck(L, R + 2);
            h.advanceMs(100);
            h.expectNothing();
        }

        // RFC 9293 3.8.6.3: the ACK rides on our data, and the pending delayed ACK is cancelled.
        @Test
        void ackRidesOnDataAndCancelsTheTimer() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).payload("req"));
            h.write("resp");
            h.transmit();
            h.expect().flags(ACK | PSH).seq(L).ack(R + 3).payload("resp").check();
            h.advanceMs(100);
            h.expectNothing();
        }

        // Our choice (class comment): PSH does not force an immediate ACK.
        @Test
        void pshDoesNotForceAnAck() {
            TcpHarness h = new TcpHarness().established();
            h.send(h.segment().seq(R).ack(L).flags(ACK | PSH).payloadLength(100));
            h.expectNothing();
            assertEquals(h.nowNs + 40 * MS, h.connection.nextDeadlineNs());
        }

        // RFC 5681 4.2: every second full segment; the count starts again after each ACK.
        @Test
        void thirdFullSegmentWaitsForTheTimer() {
            TcpHarness h = new TcpHarness().established();
            for (int i = 0; i < 3; i++) {
                h.send(h.segment().seq(R + 1460 * i).ack(L).payloadLength(1460));
            }
            h.expectAck(L, R + 2920);
            h.expectNothing();
            h.advanceMs(40);
            h.expectAck(L, R + 4380);
        }

        // The delay is a setting (at most 500 ms, RFC 9293 3.8.6.3).
        @Test
        void delayIsConfigurable() {
            TcpHarness h = new TcpHarness(TcpConfig.defaults().with(b -> b.delayedAckNs(100 * MS))).established();
            h.send(h.segment().seq(R).ack(L).payloadLength(10));
            h.advanceMs(99);
            h.expectNothing();
            h.advanceMs(1);
            h.expectAck(L, R + 10);
        }

        // With timestamps the full-segment count uses the MSS less the option (1448), as the peer sends it.
        @Test
        void fullSegmentCountAllowsForTheTimestampOption() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R).ack(L).options(h.peerTimestamp(5_002)).payloadLength(1448));
            h.expectNothing();
            h.send(h.segment().seq(R + 1448).ack(L).options(h.peerTimestamp(5_002)).payloadLength(1448));
            h.expect().flags(ACK).ack(R + 2896).check();
        }
    }

    @Nested
    class Paws {
        // RFC 7323 5.3 R1: only SEG.TSval < TS.Recent is rejected; equal is accepted.
        @Test
        void equalTimestampIsAccepted() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R).ack(L).options(h.peerTimestamp(5_001)).payload("same"));
            assertEquals("same", h.readAll());
            assertEquals(0, h.connection.info().pawsRejected());
        }

        // RFC 7323 5.3 R1: the rejected segment's ACK is not processed either.
        @Test
        void rejectedSegmentAcknowledgesNothing() {
            TcpHarness h = linux();
            h.write("abc");
            h.transmit();
            h.expect().payload("abc").check();
            h.send(h.segment().seq(R).ack(L + 3).options(h.peerTimestamp(5_000)));
            h.expect().flags(ACK).seq(L + 3).ack(R).timestampEcho(5_001).check();
            assertEquals(0, h.connection.info().bytesAcked());
            assertEquals(3, h.connection.info().bytesInFlight());
        }

        // RFC 7323 5.2: timestamps compare modulo 2^32: just under 2^31 ahead is newer.
        @Test
        void timestampJustUnderHalfTheSpaceAheadIsNewer() {
            TcpHarness h = linux();
            int newer = 5_001 + 0x7fff_ffff;
            h.send(h.segment().seq(R).ack(L).options(h.peerTimestamp(newer)).payloadLength(10));
            assertEquals(10, h.connection.readableBytes());
            h.advanceMs(40);
            h.expect().flags(ACK).ack(R + 10).timestampEcho(newer).check();
        }

        // ... and just over 2^31 ahead is older: rejected.
        @Test
        void timestampJustOverHalfTheSpaceAheadIsOlder() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R).ack(L).options(h.peerTimestamp(5_001 + 0x8000_0001)).payloadLength(10));
            h.expect().flags(ACK).ack(R).timestampEcho(5_001).check();
            assertEquals(0, h.connection.readableBytes());
            assertEquals(1, h.connection.info().pawsRejected());
        }

        // RFC 7323 5.3 (R1 does not apply to RST): a RST is acceptable whatever its timestamp.
        @Test
        void resetWithAnOldTimestampIsAccepted() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R).flags(RST).options(h.peerTimestamp(1)));
            h.expectState(TcpState.CLOSED);
            assertEquals(TcpError.CONNECTION_RESET, h.connection.error());
        }

        // Our choice (class comment, as Linux): a segment without timestamps on a timestamped connection is accepted.
        @Test
        void segmentWithoutTimestampIsAccepted() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R).ack(L).payload("bare"));
            assertEquals("bare", h.readAll());
        }

        // RFC 7323 4.3: TS.Recent takes the TSval of an in-order segment (SEG.SEQ =< Last.ACK.sent).
        @Test
        void inOrderSegmentUpdatesTsRecent() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R).ack(L).options(h.peerTimestamp(6_000)).payloadLength(10));
            h.advanceMs(40);
            h.expect().flags(ACK).ack(R + 10).timestampEcho(6_000).check();
        }

        // RFC 7323 4.3: an out-of-order segment (SEG.SEQ > Last.ACK.sent) does not update TS.Recent.
        @Test
        void outOfOrderSegmentDoesNotUpdateTsRecent() {
            TcpHarness h = linux();
            h.send(h.segment().seq(R + 100).ack(L).options(h.peerTimestamp(6_000)).payloadLength(10));
            h.expect().flags(ACK).ack(R).timestampEcho(5_001).check();
        }

        // RFC 7323 3.2: every segment we send carries TSval = our clock and TSecr = TS.Recent.
        @Test
        void ourTimestampFollowsOurClock() {
            TcpHarness h = linux();
            int before = h.ourLastTimestampValue;
            h.advanceMs(250);
            h.write("x");
            h.transmit();
            h.expect().payload("x").timestampEcho(5_001).check();
            assertEquals(before + 250, h.ourLastTimestampValue);
        }
    }
}
