package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.tcp.SynCookies.Decoded;
import io.mtcp4j.stack.tcp.SynCookies.Outcome;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** SYN cookies: what a SYN offered comes back from the final ACK, and nothing else does. */
class SynCookiesTest {
    private static final long SLOT = SynCookies.SLOT_NS;
    /** 203.0.113.10 listening on 443; client 198.51.100.7:51000 (RFC 5737 addresses). */
    private static final int LOCAL = 0xcb00710a;
    private static final int REMOTE = 0xc6336407;
    private static final int LOCAL_PORT = 443;
    private static final int REMOTE_PORT = 51000;
    private static final int PEER_ISN = 0x1234_5678;
    private static final long V6_HIGH = 0x20010db800000000L;
    /** Some time well inside slot 1000. */
    private static final long NOW = 1000 * SLOT + 5_000_000_000L;

    private final SynCookies cookies = new SynCookies(0x1111_2222_3333_4444L, 0x5555_6666_7777_8888L);

    private int cookieAt(long nowNs, int mss, boolean sack, int windowScale, boolean timestamps) {
        return cookies.cookie(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, mss, sack, windowScale, timestamps, nowNs);
    }

    /** The final ACK of the handshake: ack = cookie + 1, seq = peer ISN + 1. */
    private Decoded finalAck(int cookie, long nowNs) {
        return cookies.check(cookie + 1, PEER_ISN + 1, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, nowNs);
    }

    @Test
    void roundTripForEveryMssClassAndOptionCombination() {
        for (int mssClass = 0; mssClass < SynCookies.mssClassCount(); mssClass++) {
            int mss = SynCookies.mssTableBytes(mssClass);
            for (int windowScale = -1; windowScale <= 14; windowScale++) {
                for (int options = 0; options < 4; options++) {
                    boolean sack = (options & 1) != 0;
                    boolean timestamps = (options & 2) != 0;
                    Decoded decoded = finalAck(cookieAt(NOW, mss, sack, windowScale, timestamps), NOW + 1_000_000);
                    String what = "mss " + mss + " ws " + windowScale + " sack " + sack + " ts " + timestamps;
                    assertEquals(Outcome.VALID, decoded.outcome(), what);
                    assertEquals(mss, decoded.mssBytes(), what);
                    assertEquals(sack, decoded.sackPermitted(), what);
                    assertEquals(windowScale, decoded.windowScale(), what);
                    assertEquals(timestamps, decoded.timestamps(), what);
                }
            }
        }
    }

    @Test
    void ipv6RoundTrip() {
        int cookie = cookies.cookie(V6_HIGH, 1, 443, V6_HIGH, 2, 50000, PEER_ISN, 1440, true, 7, true, NOW);
        Decoded decoded = cookies.check(cookie + 1, PEER_ISN + 1, V6_HIGH, 1, 443, V6_HIGH, 2, 50000, NOW);
        assertTrue(decoded.valid());
        assertEquals(1440, decoded.mssBytes());
        assertEquals(7, decoded.windowScale());
        assertTrue(decoded.sackPermitted());
        assertTrue(decoded.timestamps());
        // The same numbers as an IPv4 tuple do not validate an IPv6 cookie's neighbour, and vice versa.
        assertEquals(Outcome.FORGED,
                cookies.check(cookie + 1, PEER_ISN + 1, V6_HIGH, 3, 443, V6_HIGH, 2, 50000, NOW).outcome());
    }

    @Test
    void mssClassIsTheLargestEntryNotAboveTheOffer() {
        assertEquals(536, SynCookies.mssTableBytes(SynCookies.mssClass(536)));
        assertEquals(536, SynCookies.mssTableBytes(SynCookies.mssClass(1219)));
        assertEquals(1220, SynCookies.mssTableBytes(SynCookies.mssClass(1220)));
        assertEquals(1300, SynCookies.mssTableBytes(SynCookies.mssClass(1400)));
        assertEquals(1452, SynCookies.mssTableBytes(SynCookies.mssClass(1459)));
        assertEquals(1460, SynCookies.mssTableBytes(SynCookies.mssClass(1460)));
        assertEquals(1460, SynCookies.mssTableBytes(SynCookies.mssClass(8000)));
        assertEquals(8960, SynCookies.mssTableBytes(SynCookies.mssClass(65495)));   // loopback-sized offer
        // Below the table: 536, as Linux does.
        assertEquals(536, SynCookies.mssTableBytes(SynCookies.mssClass(100)));
    }

    @Test
    void offeredMssIsRoundedDownInTheDecodedResult() {
        assertEquals(1440, finalAck(cookieAt(NOW, 1448, false, -1, false), NOW).mssBytes());
    }

    @Test
    void windowScaleAbove14IsCarriedAs14() {
        assertEquals(14, finalAck(cookieAt(NOW, 1460, false, 15, false), NOW).windowScale());
        assertEquals(14, finalAck(cookieAt(NOW, 1460, false, 200, false), NOW).windowScale());
    }

    @Test
    void acceptedForTheRestOfItsSlotAndTheWholeNextOne() {
        long slotStart = 1000 * SLOT;
        int cookie = cookieAt(slotStart, 1460, true, 7, true);
        assertTrue(finalAck(cookie, slotStart).valid());
        assertTrue(finalAck(cookie, slotStart + SLOT - 1).valid());
        assertTrue(finalAck(cookie, slotStart + SLOT).valid());
        assertTrue(finalAck(cookie, slotStart + 2 * SLOT - 1).valid());
    }

    @Test
    void expiredAfterTwoSlots() {
        long slotStart = 1000 * SLOT;
        int cookie = cookieAt(slotStart + SLOT - 1, 1460, true, 7, true);
        assertEquals(Outcome.EXPIRED, finalAck(cookie, slotStart + 2 * SLOT).outcome());
        assertEquals(Outcome.EXPIRED, finalAck(cookie, slotStart + 3 * SLOT).outcome());
        assertFalse(finalAck(cookie, slotStart + 3 * SLOT).valid());
    }

    @Test
    void aCookieFromTheFutureIsNotAccepted() {
        int cookie = cookieAt(NOW + SLOT, 1460, false, -1, false);
        assertEquals(Outcome.EXPIRED, finalAck(cookie, NOW).outcome());
    }

    @Test
    void fourSlotsLaterTheSlotBitsRepeatButTheMacFails() {
        int cookie = cookieAt(NOW, 1460, false, -1, false);
        assertEquals(Outcome.FORGED, finalAck(cookie, NOW + 4 * SLOT).outcome());
        assertEquals(Outcome.FORGED, finalAck(cookie, NOW + 5 * SLOT).outcome());
    }

    @Test
    void wrongTupleIsRejected() {
        int cookie = cookieAt(NOW, 1460, true, 7, true);
        assertEquals(Outcome.FORGED, cookies.check(cookie + 1, PEER_ISN + 1, LOCAL + 1, LOCAL_PORT, REMOTE, REMOTE_PORT, NOW).outcome());
        assertEquals(Outcome.FORGED, cookies.check(cookie + 1, PEER_ISN + 1, LOCAL, LOCAL_PORT + 1, REMOTE, REMOTE_PORT, NOW).outcome());
        assertEquals(Outcome.FORGED, cookies.check(cookie + 1, PEER_ISN + 1, LOCAL, LOCAL_PORT, REMOTE + 1, REMOTE_PORT, NOW).outcome());
        assertEquals(Outcome.FORGED, cookies.check(cookie + 1, PEER_ISN + 1, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT + 1, NOW).outcome());
        assertEquals(Outcome.FORGED, cookies.check(cookie + 1, PEER_ISN + 1, REMOTE, REMOTE_PORT, LOCAL, LOCAL_PORT, NOW).outcome());
    }

    @Test
    void wrongPeerSequenceNumberIsRejected() {
        int cookie = cookieAt(NOW, 1460, true, 7, true);
        assertEquals(Outcome.FORGED, cookies.check(cookie + 1, PEER_ISN + 2, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, NOW).outcome());
        // Forgetting the +1 adjustments is caught too.
        assertFalse(cookies.check(cookie, PEER_ISN, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, NOW).valid());
    }

    @Test
    void everySingleBitFlipIsRejected() {
        int cookie = cookieAt(NOW, 1460, true, 7, true);
        for (int bit = 0; bit < 32; bit++) {
            Decoded decoded = finalAck(cookie ^ (1 << bit), NOW);
            assertFalse(decoded.valid(), "bit " + bit);
            assertEquals(0, decoded.mssBytes(), "no fields leak from an invalid cookie");
            assertEquals(-1, decoded.windowScale());
        }
    }

    @Test
    void changingTheCarriedOptionsInvalidatesTheMac() {
        int cookie = cookieAt(NOW, 536, false, -1, false);
        int withSackClaimed = cookie | (1 << 26);
        int withJumboMss = (cookie & ~(0b111 << 27)) | (7 << 27);
        assertEquals(Outcome.FORGED, finalAck(withSackClaimed, NOW).outcome());
        assertEquals(Outcome.FORGED, finalAck(withJumboMss, NOW).outcome());
    }

    @Test
    void randomGuessesAlmostNeverPass() {
        // A blind forger who knows the time guesses the MAC: 2^-21 per try. 200000 guesses with
        // the right slot bits expect about 0.1 successes; allow a handful.
        SplittableRandom random = new SplittableRandom(42);
        int currentSlotBits = (int) (SynCookies.slot(NOW) & 3);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            int guess = (random.nextInt() & ~(3 << 30)) | (currentSlotBits << 30);
            if (finalAck(guess, NOW).valid()) {
                accepted++;
            }
        }
        assertTrue(accepted <= 3, "accepted " + accepted);
    }

    @Test
    void anotherSecretRejectsButACopyAccepts() {
        int cookie = cookieAt(NOW, 1460, true, 2, false);
        SynCookies other = new SynCookies(1, 2);
        assertEquals(Outcome.FORGED, other.check(cookie + 1, PEER_ISN + 1, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, NOW).outcome());
        assertTrue(cookies.copy().check(cookie + 1, PEER_ISN + 1, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, NOW).valid());
        SynCookies random = SynCookies.withRandomKey();
        int randomCookie = random.cookie(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, 1460, false, -1, false, NOW);
        assertTrue(random.check(randomCookie + 1, PEER_ISN + 1, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, NOW).valid());
    }

    @Test
    void resultHolderIsReusedAndOverwritten() {
        Decoded first = finalAck(cookieAt(NOW, 8960, true, 14, true), NOW);
        assertTrue(first.valid());
        Decoded second = finalAck(0, NOW);
        assertSame(first, second);
        assertFalse(second.valid());
        assertFalse(second.sackPermitted());
        assertFalse(second.timestamps());
    }

    @Test
    void layoutMatchesTheDocumentedBits() {
        // mss class 5 (1460), SACK, wscale 7, timestamps, slot 1000 (low bits 00).
        int cookie = cookieAt(NOW, 1460, true, 7, true);
        assertEquals(1000 & 3, cookie >>> 30);
        assertEquals(5, (cookie >>> 27) & 7);
        assertEquals(1, (cookie >>> 26) & 1);
        assertEquals(7, (cookie >>> 22) & 15);
        assertEquals(1, (cookie >>> 21) & 1);
        int noOptions = cookieAt(NOW + SLOT, 536, false, -1, false);
        assertEquals(1001 & 3, noOptions >>> 30);
        assertEquals(0, (noOptions >>> 27) & 7);
        assertEquals(0, (noOptions >>> 26) & 1);
        assertEquals(15, (noOptions >>> 22) & 15);
        assertEquals(0, (noOptions >>> 21) & 1);
    }

    @Test
    void negativeClockWorks() {
        long now = -3 * SLOT - 17;
        int cookie = cookieAt(now, 1300, false, 0, true);
        Decoded decoded = finalAck(cookie, now + SLOT / 2);
        assertTrue(decoded.valid());
        assertEquals(0, decoded.windowScale());
    }
}
