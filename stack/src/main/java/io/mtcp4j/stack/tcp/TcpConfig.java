package io.mtcp4j.stack.tcp;

import java.util.function.Consumer;

/**
 * Settings of one connection, fixed when it opens. Defaults follow Linux where RFCs leave a
 * choice, so that mtcp4j behaves like the kernel it replaces; each deviation is named at its
 * field. Build with {@link #builder()}; {@link Builder#build()} rejects out-of-range values with a
 * message naming the setting.
 *
 * @param mssBytes              MSS we advertise and the ceiling of what we send (device MTU minus 40 for IPv4)
 * @param defaultPeerMssBytes   what we may send when the peer's SYN has no MSS option (RFC 9293 3.7.1: 536 for IPv4; 1220 for IPv6)
 * @param sendBufferBytes       send ring capacity, a power of two
 * @param receiveBufferBytes    receive ring capacity, a power of two; our window never exceeds it
 * @param windowScaling         offer window scaling (RFC 7323)
 * @param timestamps            offer timestamps (RFC 7323)
 * @param selectiveAcks         offer SACK (RFC 2018)
 * @param noDelay               TCP_NODELAY: Nagle off (RFC 9293 3.7.4: Nagle on by default)
 * @param congestionControl     "cubic" or "newreno"
 * @param initialRtoNs          RTO before the first sample (RFC 6298 2.1: 1 s)
 * @param minRtoNs              lower RTO bound (Linux 200 ms; RFC 6298 says 1 s)
 * @param maxRtoNs              upper RTO bound (Linux 120 s)
 * @param delayedAckNs          delayed-ACK timer (Linux 40 ms; RFC 9293 allows up to 500 ms)
 * @param synRetries            SYN (and SYN-ACK) retransmissions before giving up (Linux 6)
 * @param maxRetransmissions    data retransmissions of one segment before reset (Linux tcp_retries2 15)
 * @param timeWaitNs            TIME_WAIT duration, 2 MSL (60 s as Linux)
 * @param finWait2TimeoutNs     how long a fully closed connection waits in FIN_WAIT_2 for the peer's FIN (Linux tcp_fin_timeout 60 s)
 * @param keepAlive             SO_KEEPALIVE (off by default, RFC 9293 3.8.4)
 * @param keepAliveIdleNs       idle time before the first probe (2 h)
 * @param keepAliveIntervalNs   time between probes (75 s)
 * @param keepAliveProbes       unanswered probes before reset (9)
 * @param reassemblyMaxRanges   out-of-order ranges held per connection (bounded against hostile peers)
 * @param challengeAcksPerSecond RFC 5961 7 throttle on challenge ACKs, per connection
 * @param proportionalRateReduction during SACK loss recovery, pace the reduction with RFC 6937's
 *                              PRR (slow start reduction bound) as Linux does; off, RFC 6675 alone
 *                              sends whenever cwnd - pipe allows a segment
 */
public record TcpConfig(
        int mssBytes,
        int defaultPeerMssBytes,
        int sendBufferBytes,
        int receiveBufferBytes,
        boolean windowScaling,
        boolean timestamps,
        boolean selectiveAcks,
        boolean noDelay,
        String congestionControl,
        long initialRtoNs,
        long minRtoNs,
        long maxRtoNs,
        long delayedAckNs,
        int synRetries,
        int maxRetransmissions,
        long timeWaitNs,
        long finWait2TimeoutNs,
        boolean keepAlive,
        long keepAliveIdleNs,
        long keepAliveIntervalNs,
        int keepAliveProbes,
        int reassemblyMaxRanges,
        int challengeAcksPerSecond,
        boolean proportionalRateReduction) {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    /** The defaults (see the field descriptions). */
    public static TcpConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy with some settings changed: {@code config.with(b -> b.noDelay(true))}. */
    public TcpConfig with(Consumer<Builder> changes) {
        Builder builder = new Builder(this);
        changes.accept(builder);
        return builder.build();
    }

    /**
     * The window scale shift we offer: the smallest that lets the receive buffer be advertised
     * whole (RFC 7323 2.3), at most 14.
     */
    public int receiveWindowShift() {
        if (!windowScaling) {
            return 0;
        }
        int shift = 0;
        while (shift < 14 && ((long) 0xffff << shift) < receiveBufferBytes) {
            shift++;
        }
        return shift;
    }

    /** Mutable builder with the defaults preset. */
    public static final class Builder {
        private int mssBytes = 1460;
        private int defaultPeerMssBytes = 536;
        private int sendBufferBytes = 256 * 1024;
        private int receiveBufferBytes = 256 * 1024;
        private boolean windowScaling = true;
        private boolean timestamps = true;
        private boolean selectiveAcks = true;
        private boolean noDelay = false;
        private String congestionControl = "cubic";
        private long initialRtoNs = SECOND;
        private long minRtoNs = 200 * MS;
        private long maxRtoNs = 120 * SECOND;
        private long delayedAckNs = 40 * MS;
        private int synRetries = 6;
        private int maxRetransmissions = 15;
        private long timeWaitNs = 60 * SECOND;
        private long finWait2TimeoutNs = 60 * SECOND;
        private boolean keepAlive = false;
        private long keepAliveIdleNs = 7200 * SECOND;
        private long keepAliveIntervalNs = 75 * SECOND;
        private int keepAliveProbes = 9;
        private int reassemblyMaxRanges = ReassemblyQueue.DEFAULT_MAX_RANGES;
        private int challengeAcksPerSecond = 100;
        private boolean proportionalRateReduction = true;

        private Builder() {}

        private Builder(TcpConfig c) {
            mssBytes = c.mssBytes;
            defaultPeerMssBytes = c.defaultPeerMssBytes;
            sendBufferBytes = c.sendBufferBytes;
            receiveBufferBytes = c.receiveBufferBytes;
            windowScaling = c.windowScaling;
            timestamps = c.timestamps;
            selectiveAcks = c.selectiveAcks;
            noDelay = c.noDelay;
            congestionControl = c.congestionControl;
            initialRtoNs = c.initialRtoNs;
            minRtoNs = c.minRtoNs;
            maxRtoNs = c.maxRtoNs;
            delayedAckNs = c.delayedAckNs;
            synRetries = c.synRetries;
            maxRetransmissions = c.maxRetransmissions;
            timeWaitNs = c.timeWaitNs;
            finWait2TimeoutNs = c.finWait2TimeoutNs;
            keepAlive = c.keepAlive;
            keepAliveIdleNs = c.keepAliveIdleNs;
            keepAliveIntervalNs = c.keepAliveIntervalNs;
            keepAliveProbes = c.keepAliveProbes;
            reassemblyMaxRanges = c.reassemblyMaxRanges;
            challengeAcksPerSecond = c.challengeAcksPerSecond;
            proportionalRateReduction = c.proportionalRateReduction;
        }

        public Builder mssBytes(int value) { mssBytes = value; return this; }
        public Builder defaultPeerMssBytes(int value) { defaultPeerMssBytes = value; return this; }
        public Builder sendBufferBytes(int value) { sendBufferBytes = value; return this; }
        public Builder receiveBufferBytes(int value) { receiveBufferBytes = value; return this; }
        public Builder windowScaling(boolean value) { windowScaling = value; return this; }
        public Builder timestamps(boolean value) { timestamps = value; return this; }
        public Builder selectiveAcks(boolean value) { selectiveAcks = value; return this; }
        public Builder noDelay(boolean value) { noDelay = value; return this; }
        public Builder congestionControl(String value) { congestionControl = value; return this; }
        public Builder initialRtoNs(long value) { initialRtoNs = value; return this; }
        public Builder minRtoNs(long value) { minRtoNs = value; return this; }
        public Builder maxRtoNs(long value) { maxRtoNs = value; return this; }
        public Builder delayedAckNs(long value) { delayedAckNs = value; return this; }
        public Builder synRetries(int value) { synRetries = value; return this; }
        public Builder maxRetransmissions(int value) { maxRetransmissions = value; return this; }
        public Builder timeWaitNs(long value) { timeWaitNs = value; return this; }
        public Builder finWait2TimeoutNs(long value) { finWait2TimeoutNs = value; return this; }
        public Builder keepAlive(boolean value) { keepAlive = value; return this; }
        public Builder keepAliveIdleNs(long value) { keepAliveIdleNs = value; return this; }
        public Builder keepAliveIntervalNs(long value) { keepAliveIntervalNs = value; return this; }
        public Builder keepAliveProbes(int value) { keepAliveProbes = value; return this; }
        public Builder reassemblyMaxRanges(int value) { reassemblyMaxRanges = value; return this; }
        public Builder challengeAcksPerSecond(int value) { challengeAcksPerSecond = value; return this; }
        public Builder proportionalRateReduction(boolean value) { proportionalRateReduction = value; return this; }

        public TcpConfig build() {
            check("mss", mssBytes, 88, 65_495);
            check("default peer mss", defaultPeerMssBytes, 88, 65_495);
            checkPowerOfTwo("send buffer", sendBufferBytes);
            checkPowerOfTwo("receive buffer", receiveBufferBytes);
            CongestionControl.create(congestionControl); // names the allowed values when unknown
            checkPositive("initial rto", initialRtoNs);
            checkPositive("min rto", minRtoNs);
            if (maxRtoNs < minRtoNs || initialRtoNs < minRtoNs || initialRtoNs > maxRtoNs) {
                throw new IllegalArgumentException("rto bounds must satisfy min <= initial <= max: min "
                        + minRtoNs + " ns, initial " + initialRtoNs + " ns, max " + maxRtoNs + " ns");
            }
            checkPositive("delayed ack", delayedAckNs);
            if (delayedAckNs > 500 * MS) {
                throw new IllegalArgumentException("delayed ack must be at most 500 ms (RFC 9293 3.8.6.3): " + delayedAckNs + " ns");
            }
            check("syn retries", synRetries, 0, 127);
            check("max retransmissions", maxRetransmissions, 1, 255);
            checkPositive("time wait", timeWaitNs);
            checkPositive("fin wait 2 timeout", finWait2TimeoutNs);
            checkPositive("keepalive idle", keepAliveIdleNs);
            checkPositive("keepalive interval", keepAliveIntervalNs);
            check("keepalive probes", keepAliveProbes, 1, 127);
            check("reassembly max ranges", reassemblyMaxRanges, 1, 1024);
            check("challenge acks per second", challengeAcksPerSecond, 1, 1_000_000);
            return new TcpConfig(mssBytes, defaultPeerMssBytes, sendBufferBytes, receiveBufferBytes, windowScaling,
                    timestamps, selectiveAcks, noDelay, congestionControl, initialRtoNs, minRtoNs, maxRtoNs,
                    delayedAckNs, synRetries, maxRetransmissions, timeWaitNs, finWait2TimeoutNs, keepAlive,
                    keepAliveIdleNs, keepAliveIntervalNs, keepAliveProbes, reassemblyMaxRanges, challengeAcksPerSecond,
                    proportionalRateReduction);
        }

        private static void check(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ": " + value);
            }
        }

        private static void checkPositive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
        }

        private static void checkPowerOfTwo(String name, int value) {
            if (value < 4096 || value > ByteRing.MAX_CAPACITY_BYTES || Integer.bitCount(value) != 1) {
                throw new IllegalArgumentException(name + " must be a power of two from 4096 to "
                        + ByteRing.MAX_CAPACITY_BYTES + " bytes: " + value);
            }
        }
    }
}
