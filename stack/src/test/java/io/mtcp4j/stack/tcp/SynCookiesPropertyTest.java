package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.tcp.SynCookies.Decoded;
import io.mtcp4j.stack.tcp.SynCookies.Outcome;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Random tuples, options and clocks: genuine cookies come back intact in their window, and expire after it. */
class SynCookiesPropertyTest {
    private static final int LOCAL = 0xcb00710a;
    private static final int REMOTE = 0xc6336407;
    private static final int LOCAL_PORT = 443;
    private static final int REMOTE_PORT = 51000;
    private static final long NOW = 1000 * SynCookies.SLOT_NS + 5_000_000_000L;

    private final SynCookies cookies = new SynCookies(0x1111_2222_3333_4444L, 0x5555_6666_7777_8888L);

    @Property(tries = 500)
    void genuineCookiesValidateWithinOneSlot(@ForAll int local, @ForAll int remote,
                                             @ForAll @IntRange(max = 65535) int localPort,
                                             @ForAll @IntRange(max = 65535) int remotePort,
                                             @ForAll int peerIsn,
                                             @ForAll @IntRange(min = 1, max = 65535) int mss,
                                             @ForAll boolean sack, @ForAll @IntRange(min = -1, max = 14) int windowScale,
                                             @ForAll boolean timestamps,
                                             @ForAll @LongRange(min = -1L << 62, max = 1L << 62) long nowNs,
                                             @ForAll @LongRange(min = 0, max = 64_000_000_000L - 1) long delayNs) {
        int cookie = cookies.cookie(local, localPort, remote, remotePort, peerIsn, mss, sack, windowScale, timestamps, nowNs);
        Decoded decoded = cookies.check(cookie + 1, peerIsn + 1, local, localPort, remote, remotePort, nowNs + delayNs);
        assertEquals(Outcome.VALID, decoded.outcome());
        assertEquals(SynCookies.mssTableBytes(SynCookies.mssClass(mss)), decoded.mssBytes());
        assertTrue(decoded.mssBytes() <= Math.max(mss, 536));
        assertEquals(sack, decoded.sackPermitted());
        assertEquals(windowScale, decoded.windowScale());
        assertEquals(timestamps, decoded.timestamps());
    }

    @Property(tries = 300)
    void cookiesOlderThanTwoSlotsAndYoungerThanThreeAreExpired(
            @ForAll int peerIsn, @ForAll @LongRange(min = -1L << 62, max = 1L << 62) long nowNs,
            @ForAll @LongRange(min = 2 * 64_000_000_000L, max = 3 * 64_000_000_000L - 1) long delayNs) {
        int cookie = cookies.cookie(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, peerIsn, 1460, true, 7, true, nowNs);
        // The slot difference is 2 or 3: outside the window and not aliased to an accepted age.
        assertEquals(Outcome.EXPIRED,
                cookies.check(cookie + 1, peerIsn + 1, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, nowNs + delayNs).outcome());
    }

    @Property(tries = 300)
    void ipv6GenuineCookiesValidate(@ForAll long localHigh, @ForAll long localLow, @ForAll long remoteHigh,
                                    @ForAll long remoteLow, @ForAll int peerIsn,
                                    @ForAll @IntRange(min = -1, max = 14) int windowScale, @ForAll boolean sack) {
        int cookie = cookies.cookie(localHigh, localLow, 80, remoteHigh, remoteLow, 1234, peerIsn, 1220, sack,
                windowScale, false, NOW);
        Decoded decoded = cookies.check(cookie + 1, peerIsn + 1, localHigh, localLow, 80, remoteHigh, remoteLow, 1234, NOW);
        assertTrue(decoded.valid());
        assertEquals(1220, decoded.mssBytes());
        assertEquals(windowScale, decoded.windowScale());
        assertEquals(sack, decoded.sackPermitted());
    }
}
