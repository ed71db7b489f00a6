package io.mtcp4j.stack.tcp;

import java.security.SecureRandom;

/**
 * SYN cookies (RFC 4987 section 3.6): when a listener's SYN backlog is full it answers a SYN with
 * a SYN-ACK whose initial sequence number is a cookie, keeps no state, and rebuilds the connection
 * from the handshake's final ACK, whose acknowledgment number is the cookie plus one.
 *
 * <h2>What the cookie carries</h2>
 * Everything is in the 32-bit ISN of our SYN-ACK; nothing is hidden in the timestamp value (Linux
 * puts the window scale and SACK flag in the low bits of TSval, so it loses both when the peer does
 * not send timestamps; this scheme keeps them at the price of a shorter MAC).
 * <pre>
 *  31 30 29   27  26  25      22  21  20                                    0
 * +-----+-------+---+----------+---+---------------------------------------+
 * |slot |  mss  | S |  wscale  | T |      MAC (low 21 bits of SipHash)     |
 * +-----+-------+---+----------+---+---------------------------------------+
 * </pre>
 * <ul>
 *   <li>slot: the low two bits of the time slot {@code floorDiv(nowNs, SLOT_NS)} (64 s slots). A
 *       cookie is accepted in its own slot and the next one ({@link #MAX_AGE_SLOTS}), that is for
 *       at least 64 s and at most 128 s, like Linux's two minutes. The full slot number enters the
 *       MAC, so a cookie four slots old (same low bits) fails the MAC instead of coming back to
 *       life.</li>
 *   <li>mss: index into {@link #mssTableBytes(int)}, the largest entry not above the MSS the peer
 *       offered.</li>
 *   <li>S: the peer offered SACK-permitted (RFC 2018).</li>
 *   <li>wscale: the peer's window scale shift (RFC 7323), 0..14 (larger offers are 14, as RFC 7323
 *       2.3 says), or 15 when the peer sent no window scale option.</li>
 *   <li>T: the peer offered timestamps (RFC 7323). The final ACK carries a timestamp option too
 *       when both sides offered, so the control block may cross-check.</li>
 *   <li>MAC: the low 21 bits of SipHash-2-4 under this instance's secret over the 4-tuple, the
 *       peer's ISN (the SYN's sequence number), the full slot number and the 11 bits above it.
 *       Every carried bit is authenticated, and the cookie is bound to the peer's ISN as Linux
 *       binds it by addition.</li>
 * </ul>
 * A blind forger who knows the time and picks the option bits must guess 21 MAC bits: each forged
 * ACK succeeds with probability 2^-21 (Linux's scheme is about 2^-22).
 *
 * <p>MAC input byte layout (SipHash byte order, see {@link SipHash}): IPv4 is
 * {@code addInt(localAddress), addInt(remoteAddress), addInt(localPort << 16 | remotePort),
 * addInt(peerIsn), addLong(slot), addInt(headerBits)}; IPv6 replaces the two addresses with
 * {@code addLong} of local high, local low, remote high, remote low. "Local" is the listener.
 *
 * <h2>Use</h2>
 * {@link #cookie} takes the fields of the SYN as received; {@link #check} takes the fields of the
 * final ACK as received ({@code acknowledgmentNumber} and {@code sequenceNumber} unmodified: the
 * minus-one adjustments happen inside) and returns a {@link Decoded} that this instance reuses on
 * every call, so the SYN-flood path allocates nothing. Read it before the next call. Not
 * thread-safe; give each engine thread its own {@link #copy()}.
 */
public final class SynCookies {
    /** Length of one time slot: 64 seconds. */
    public static final long SLOT_NS = 64_000_000_000L;
    /** A cookie from slot {@code s} is accepted in slots {@code s .. s + MAX_AGE_SLOTS}. */
    public static final int MAX_AGE_SLOTS = 1;
    /** The window scale field value meaning "no window scale option offered". */
    private static final int NO_WINDOW_SCALE = 15;
    /** RFC 7323 2.3: a shift above 14 is used as 14. */
    private static final int MAX_WINDOW_SCALE = 14;

    private static final int SLOT_SHIFT = 30;
    private static final int SLOT_MASK = 0b11;
    private static final int MSS_SHIFT = 27;
    private static final int MSS_MASK = 0b111;
    private static final int SACK_BIT = 1 << 26;
    private static final int WINDOW_SCALE_SHIFT = 22;
    private static final int WINDOW_SCALE_MASK = 0b1111;
    private static final int TIMESTAMPS_BIT = 1 << 21;
    private static final int MAC_BITS = 21;
    private static final int MAC_MASK = (1 << MAC_BITS) - 1;

    /**
     * The MSS values a cookie can carry, ascending:
     * 536 (RFC 9293 default for IPv4, 576-byte datagrams), 1220 (IPv6 minimum MTU 1280 - 60),
     * 1300 (tunnels and VPNs), 1440 (IPv6 over Ethernet, 1500 - 60), 1452 (IPv4 over PPPoE,
     * 1492 - 40), 1460 (IPv4 over Ethernet), 8940 (IPv6 over 9000-byte jumbo frames),
     * 8960 (IPv4 over jumbo frames).
     */
    private static final int[] MSS_TABLE_BYTES = {536, 1220, 1300, 1440, 1452, 1460, 8940, 8960};

    /** Why a final ACK's cookie was or was not accepted. */
    public enum Outcome {
        /** Made by this instance for this 4-tuple and peer ISN, within its validity window. */
        VALID,
        /** The slot bits name a slot outside the validity window (too old, or not yet reached). */
        EXPIRED,
        /** The MAC does not match: forged, wrong 4-tuple or peer ISN, or older than four slots. */
        FORGED
    }

    /** The result of {@link #check}; one instance per {@link SynCookies}, overwritten by each call. */
    public static final class Decoded {
        private Outcome outcome = Outcome.FORGED;
        private int mssBytes;
        private boolean sackPermitted;
        private int windowScale = -1;
        private boolean timestamps;

        private Decoded() {}

        public Outcome outcome() {
            return outcome;
        }

        public boolean valid() {
            return outcome == Outcome.VALID;
        }

        /** The peer's MSS, rounded down to a table entry; 0 when not {@link #valid()}. */
        public int mssBytes() {
            return mssBytes;
        }

        /** The peer offered SACK-permitted; false when not {@link #valid()}. */
        public boolean sackPermitted() {
            return sackPermitted;
        }

        /** The peer's window scale shift (0..14), or -1 when it offered none or not {@link #valid()}. */
        public int windowScale() {
            return windowScale;
        }

        /** The peer offered timestamps; false when not {@link #valid()}. */
        public boolean timestamps() {
            return timestamps;
        }

        private Decoded invalid(Outcome why) {
            outcome = why;
            mssBytes = 0;
            sackPermitted = false;
            windowScale = -1;
            timestamps = false;
            return this;
        }

        private Decoded valid(int cookie) {
            outcome = Outcome.VALID;
            mssBytes = MSS_TABLE_BYTES[(cookie >>> MSS_SHIFT) & MSS_MASK];
            sackPermitted = (cookie & SACK_BIT) != 0;
            int scale = (cookie >>> WINDOW_SCALE_SHIFT) & WINDOW_SCALE_MASK;
            windowScale = scale == NO_WINDOW_SCALE ? -1 : scale;
            timestamps = (cookie & TIMESTAMPS_BIT) != 0;
            return this;
        }

        @Override
        public String toString() {
            return valid()
                    ? "VALID mss=" + mssBytes + " sack=" + sackPermitted + " wscale=" + windowScale + " ts=" + timestamps
                    : outcome.name();
        }
    }

    private final SipHash mac;
    private final Decoded decoded = new Decoded();

    /** Cookies under the secret ({@code key0}, {@code key1}); use a key of its own, not the ISN key. */
    public SynCookies(long key0, long key1) {
        this(new SipHash(key0, key1));
    }

    private SynCookies(SipHash mac) {
        this.mac = mac;
    }

    /** Cookies under a fresh 128-bit secret from {@link SecureRandom}. */
    public static SynCookies withRandomKey() {
        SecureRandom random = new SecureRandom();
        return new SynCookies(random.nextLong(), random.nextLong());
    }

    /** Cookies under the same secret for another thread: each accepts the other's cookies. */
    public SynCookies copy() {
        return new SynCookies(mac.copy());
    }

    /** Number of MSS classes a cookie can carry. */
    public static int mssClassCount() {
        return MSS_TABLE_BYTES.length;
    }

    /** The MSS of class {@code mssClass}, 0 .. {@link #mssClassCount()} - 1, ascending. */
    public static int mssTableBytes(int mssClass) {
        return MSS_TABLE_BYTES[mssClass];
    }

    /**
     * The class carried for an offered MSS: the largest entry not above it. An offer below 536
     * gets class 0 (536), as in Linux; a listener that must honour such a tiny MSS should not
     * answer that SYN with a cookie.
     */
    public static int mssClass(int mssOfferedBytes) {
        for (int i = MSS_TABLE_BYTES.length - 1; i > 0; i--) {
            if (mssOfferedBytes >= MSS_TABLE_BYTES[i]) {
                return i;
            }
        }
        return 0;
    }

    /**
     * The ISN for our SYN-ACK to an IPv4 SYN.
     *
     * @param peerSequenceNumber the SYN's sequence number (the peer's ISN)
     * @param mssOfferedBytes the SYN's MSS option, or the default (536) when it had none
     * @param windowScale the SYN's window scale shift, or -1 when it had no window scale option
     */
    public int cookie(int localAddress, int localPort, int remoteAddress, int remotePort,
                      int peerSequenceNumber, int mssOfferedBytes, boolean sackPermitted,
                      int windowScale, boolean timestamps, long nowNs) {
        long slot = slot(nowNs);
        int header = header(slot, mssOfferedBytes, sackPermitted, windowScale, timestamps);
        return header | macIpv4(localAddress, localPort, remoteAddress, remotePort, peerSequenceNumber, slot, header);
    }

    /** The ISN for our SYN-ACK to an IPv6 SYN; parameters as in the IPv4 {@link #cookie}. */
    public int cookie(long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow, int remotePort,
                      int peerSequenceNumber, int mssOfferedBytes, boolean sackPermitted,
                      int windowScale, boolean timestamps, long nowNs) {
        long slot = slot(nowNs);
        int header = header(slot, mssOfferedBytes, sackPermitted, windowScale, timestamps);
        return header | macIpv6(localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort,
                peerSequenceNumber, slot, header);
    }

    /**
     * Checks the final ACK of an IPv4 handshake answered with a cookie.
     *
     * @param acknowledgmentNumber the ACK's acknowledgment number as received (cookie + 1)
     * @param sequenceNumber the ACK's sequence number as received (peer ISN + 1)
     * @return this instance's reused result holder
     */
    public Decoded check(int acknowledgmentNumber, int sequenceNumber,
                         int localAddress, int localPort, int remoteAddress, int remotePort, long nowNs) {
        int cookie = acknowledgmentNumber - 1;
        long slot = cookieSlot(cookie, nowNs);
        if (slot == Long.MIN_VALUE) {
            return decoded.invalid(Outcome.EXPIRED);
        }
        int header = cookie & ~MAC_MASK;
        int expected = macIpv4(localAddress, localPort, remoteAddress, remotePort, sequenceNumber - 1, slot, header);
        return (cookie & MAC_MASK) == expected ? decoded.valid(cookie) : decoded.invalid(Outcome.FORGED);
    }

    /** Checks the final ACK of an IPv6 handshake; parameters as in the IPv4 {@link #check}. */
    public Decoded check(int acknowledgmentNumber, int sequenceNumber,
                         long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow, int remotePort,
                         long nowNs) {
        int cookie = acknowledgmentNumber - 1;
        long slot = cookieSlot(cookie, nowNs);
        if (slot == Long.MIN_VALUE) {
            return decoded.invalid(Outcome.EXPIRED);
        }
        int header = cookie & ~MAC_MASK;
        int expected = macIpv6(localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort,
                sequenceNumber - 1, slot, header);
        return (cookie & MAC_MASK) == expected ? decoded.valid(cookie) : decoded.invalid(Outcome.FORGED);
    }

    static long slot(long nowNs) {
        return Math.floorDiv(nowNs, SLOT_NS);
    }

    /** The full slot a cookie was made in, or {@code Long.MIN_VALUE} when its slot bits are out of the window. */
    private static long cookieSlot(int cookie, long nowNs) {
        long currentSlot = slot(nowNs);
        int ageSlots = (int) ((currentSlot - (cookie >>> SLOT_SHIFT)) & SLOT_MASK);
        return ageSlots <= MAX_AGE_SLOTS ? currentSlot - ageSlots : Long.MIN_VALUE;
    }

    private static int header(long slot, int mssOfferedBytes, boolean sackPermitted, int windowScale, boolean timestamps) {
        int scaleField = windowScale < 0 ? NO_WINDOW_SCALE : Math.min(windowScale, MAX_WINDOW_SCALE);
        return ((int) (slot & SLOT_MASK) << SLOT_SHIFT)
                | (mssClass(mssOfferedBytes) << MSS_SHIFT)
                | (sackPermitted ? SACK_BIT : 0)
                | (scaleField << WINDOW_SCALE_SHIFT)
                | (timestamps ? TIMESTAMPS_BIT : 0);
    }

    private int macIpv4(int localAddress, int localPort, int remoteAddress, int remotePort,
                        int peerIsn, long slot, int header) {
        return (int) mac.addInt(localAddress)
                .addInt(remoteAddress)
                .addInt(InitialSequenceNumbers.ports(localPort, remotePort))
                .addInt(peerIsn)
                .addLong(slot)
                .addInt(header)
                .finish() & MAC_MASK;
    }

    private int macIpv6(long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow, int remotePort,
                        int peerIsn, long slot, int header) {
        return (int) mac.addLong(localHigh)
                .addLong(localLow)
                .addLong(remoteHigh)
                .addLong(remoteLow)
                .addInt(InitialSequenceNumbers.ports(localPort, remotePort))
                .addInt(peerIsn)
                .addLong(slot)
                .addInt(header)
                .finish() & MAC_MASK;
    }
}
