package io.mtcp4j.stack.tcp;

import java.security.SecureRandom;

/**
 * Initial sequence numbers per RFC 6528: {@code ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey)}, where M is a clock that ticks every 4 microseconds (RFC 9293 3.4.1) and
 * F is SipHash-2-4 under a secret key, truncated to its low 32 bits.
 *
 * <p>For one 4-tuple the ISN therefore advances with time like the RFC 793 clock (one per 4 us,
 * wrapping in about 4.77 hours), so a new incarnation of the connection starts above the old one's
 * sequence space; across 4-tuples the offsets are unrelated and unpredictable to anyone without
 * the key, which defeats blind sequence-number guessing (RFC 6528 section 1).
 *
 * <p>The clock is the caller's {@code nowNs} (any monotonic origin: only differences matter).
 * Addresses are raw bits as the wire flyweights return them: IPv4 as an {@code int}, IPv6 as two
 * {@code long} halves (high = first eight bytes). Ports are the 16-bit values as {@code int}.
 *
 * <p>What F hashes, so that the value is reproducible (SipHash byte order, see {@link SipHash}):
 * <ul>
 *   <li>IPv4 (12 bytes): {@code addInt(localAddress)}, {@code addInt(remoteAddress)},
 *       {@code addInt(localPort << 16 | remotePort)};</li>
 *   <li>IPv6 (36 bytes): {@code addLong(localHigh)}, {@code addLong(localLow)},
 *       {@code addLong(remoteHigh)}, {@code addLong(remoteLow)},
 *       {@code addInt(localPort << 16 | remotePort)}.</li>
 * </ul>
 * The two message lengths differ, so an IPv4 and an IPv6 tuple never share an input.
 *
 * <p>Not thread-safe (it owns a {@link SipHash}); give each engine thread its own {@link #copy()}.
 * The key is never rotated here: RFC 6528 allows it, but a rotation would break the ordering of
 * ISNs for one tuple across the change, which is the property TIME_WAIT reuse relies on.
 */
public final class InitialSequenceNumbers {
    /** The RFC 9293 3.4.1 clock period: the ISN advances by one every 4 microseconds. */
    public static final long TICK_NS = 4_000;

    private final SipHash keyedHash;

    /** A generator whose secret is ({@code key0}, {@code key1}); for tests and for sharing a key. */
    public InitialSequenceNumbers(long key0, long key1) {
        this(new SipHash(key0, key1));
    }

    private InitialSequenceNumbers(SipHash keyedHash) {
        this.keyedHash = keyedHash;
    }

    /** A generator with a fresh 128-bit secret from {@link SecureRandom}. */
    public static InitialSequenceNumbers withRandomKey() {
        SecureRandom random = new SecureRandom();
        return new InitialSequenceNumbers(random.nextLong(), random.nextLong());
    }

    /** A generator with the same secret for another thread: it gives the same ISNs. */
    public InitialSequenceNumbers copy() {
        return new InitialSequenceNumbers(keyedHash.copy());
    }

    /** The ISN for an IPv4 connection at {@code nowNs}. */
    public int isn(int localAddress, int localPort, int remoteAddress, int remotePort, long nowNs) {
        int offset = (int) keyedHash.addInt(localAddress)
                .addInt(remoteAddress)
                .addInt(ports(localPort, remotePort))
                .finish();
        return clockTicks(nowNs) + offset;
    }

    /** The ISN for an IPv6 connection at {@code nowNs}. */
    public int isn(long localHigh, long localLow, int localPort,
                   long remoteHigh, long remoteLow, int remotePort, long nowNs) {
        int offset = (int) keyedHash.addLong(localHigh)
                .addLong(localLow)
                .addLong(remoteHigh)
                .addLong(remoteLow)
                .addInt(ports(localPort, remotePort))
                .finish();
        return clockTicks(nowNs) + offset;
    }

    /**
     * The timestamp clock offset for connections between two addresses (RFC 7323 5.4 and
     * Appendix: a per-connection random offset keeps TSval from exposing the host's clock). It
     * depends on the address pair alone, not the ports, as Linux's does, so the timestamps of
     * successive connections between two hosts keep increasing: a peer holding the previous
     * connection in TIME_WAIT then accepts the new SYN by its newer timestamp (RFC 6191). IPv4
     * addresses are given as for {@link #isn(long, long, int, long, long, int, long)}.
     */
    public int timestampOffset(long localHigh, long localLow, long remoteHigh, long remoteLow) {
        return (int) keyedHash.addLong(TIMESTAMP_DOMAIN)
                .addLong(localHigh)
                .addLong(localLow)
                .addLong(remoteHigh)
                .addLong(remoteLow)
                .finish();
    }

    /** Keeps timestamp offsets apart from sequence numbers drawn from the same key. */
    private static final long TIMESTAMP_DOMAIN = 0x7473_6f66_6673_6574L; // "tsoffset"

    /** M of RFC 6528: the 4-microsecond clock, modulo 2^32. */
    static int clockTicks(long nowNs) {
        return (int) Math.floorDiv(nowNs, TICK_NS);
    }

    static int ports(int localPort, int remotePort) {
        return (localPort << 16) | (remotePort & 0xffff);
    }
}
