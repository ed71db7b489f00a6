package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_ACK;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_RST;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_SYN;

import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.wire.TcpOptions;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * A port in the LISTEN state (RFC 9293 3.10.7.2): turns SYNs into connections, bounded by a
 * backlog, with SYN cookies (RFC 4987 3.6) when the backlog is full, and holds established
 * connections until the application accepts them.
 *
 * <p>The engine hands the listener every segment for its port that matches no connection. The
 * listener answers through a verdict, without I/O of its own:
 * <ul>
 *   <li>{@link Verdict#NEW_CONNECTION}: {@link #newConnection()} was created (in SYN_RECEIVED with
 *       its SYN-ACK due, or ESTABLISHED from a cookie); the engine adds it to its flow table;</li>
 *   <li>{@link Verdict#REPLY}: send {@code reply} back to the segment's sender (a RST, or a
 *       stateless SYN-ACK carrying a cookie);</li>
 *   <li>{@link Verdict#DROP}: nothing to do (counted).</li>
 * </ul>
 *
 * <p>Backlog: at most {@code backlog} children exist at once, counting both half-open ones
 * (SYN_RECEIVED) and established ones not yet accepted, as Linux bounds its SYN and accept queues
 * by the backlog. Beyond it, SYNs are answered with cookies when enabled, else dropped (the peer
 * retries). Not thread-safe: one engine owns a listener.
 */
public final class TcpListener {
    /** What the engine does with a segment after {@link #segmentArrived}. */
    public enum Verdict { DROP, REPLY, NEW_CONNECTION }

    /** When to answer SYNs with cookies. */
    public enum CookieMode {
        /** Never: a SYN beyond the backlog is dropped. */
        NEVER,
        /** When the backlog is full (the default, as Linux's tcp_syncookies=1). */
        WHEN_FULL,
        /** For every SYN (tests, and hosts under constant attack). */
        ALWAYS
    }

    private final TcpConfig config;
    private final int localPort;
    private final int backlog;
    private final TcpOutput output;
    /** Where the connections it creates get their rings. */
    private final RingAllocator rings;
    private final InitialSequenceNumbers initialSequenceNumbers;
    private final SynCookies synCookies;
    private final CookieMode cookieMode;
    private final ArrayDeque<TcpConnection> acceptQueue;

    private int children;
    private IntSupplier queuedElsewhere = () -> 0;
    private TcpConnection newConnection;
    private boolean closed;

    private long synsReceived;
    private long cookiesSent;
    private long cookiesAccepted;
    private long cookiesRejected;
    private long backlogDrops;
    private long resetsSent;

    /** A listener whose connections have rings of their own ({@link RingAllocator#unpooled()}). */
    public TcpListener(TcpConfig config, int localPort, int backlog, TcpOutput output,
                       InitialSequenceNumbers initialSequenceNumbers, SynCookies synCookies, CookieMode cookieMode) {
        this(config, localPort, backlog, output, RingAllocator.unpooled(), initialSequenceNumbers, synCookies, cookieMode);
    }

    /**
     * @param rings where the connections it creates get their send and receive rings (its
     *              engine's {@link RingPool})
     */
    public TcpListener(TcpConfig config, int localPort, int backlog, TcpOutput output, RingAllocator rings,
                       InitialSequenceNumbers initialSequenceNumbers, SynCookies synCookies, CookieMode cookieMode) {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1: " + backlog);
        }
        this.config = config;
        this.localPort = localPort;
        this.backlog = backlog;
        this.output = output;
        this.rings = Objects.requireNonNull(rings, "rings");
        this.initialSequenceNumbers = initialSequenceNumbers;
        this.synCookies = synCookies;
        this.cookieMode = cookieMode;
        this.acceptQueue = new ArrayDeque<>(Math.min(backlog, 1024));
    }

    /**
     * A segment for this port that matched no connection (RFC 9293 3.10.7.2).
     *
     * @param ipv6      whether the segment came over IPv6
     * @param localHigh our address (IPv4: 0; IPv6: high half)
     * @param localLow  our address (IPv4: the address in the low 32 bits)
     * @param remoteHigh the sender's address, as {@code localHigh}
     * @param remoteLow the sender's address, as {@code localLow}
     * @param tcp       the segment, wrapped with its options parsed
     * @param payload   the memory the segment's payload lies in
     * @param reply     filled when the verdict is {@link Verdict#REPLY}
     */
    public Verdict segmentArrived(long nowNs, boolean ipv6, long localHigh, long localLow, long remoteHigh, long remoteLow,
                                  TcpFlyweight tcp, MemorySegment payload, OutgoingSegment reply) {
        newConnection = null;
        int flags = tcp.flags();
        // First: an incoming RST is ignored.
        if ((flags & FLAG_RST) != 0) {
            return Verdict.DROP;
        }
        // Second: an ACK is bad unless it returns one of our cookies; answer <SEQ=SEG.ACK><CTL=RST>.
        if ((flags & FLAG_ACK) != 0) {
            if ((flags & FLAG_SYN) == 0 && cookieMode != CookieMode.NEVER && !closed) {
                SynCookies.Decoded decoded = ipv6
                        ? synCookies.check(tcp.acknowledgmentNumber(), tcp.sequenceNumber(),
                                localHigh, localLow, localPort, remoteHigh, remoteLow, tcp.sourcePort(), nowNs)
                        : synCookies.check(tcp.acknowledgmentNumber(), tcp.sequenceNumber(),
                                (int) localLow, localPort, (int) remoteLow, tcp.sourcePort(), nowNs);
                if (decoded.valid()) {
                    cookiesAccepted++;
                    TcpEndpoints endpoints = endpoints(ipv6, localHigh, localLow, remoteHigh, remoteLow, tcp.sourcePort());
                    TcpConnection connection = TcpConnection.acceptCookie(config, endpoints, output, rings,
                            tcp.acknowledgmentNumber() - 1, decoded.mssBytes(), decoded.windowScale(),
                            decoded.sackPermitted(), decoded.timestamps(),
                            initialSequenceNumbers.timestampOffset(localHigh, localLow, remoteHigh, remoteLow),
                            tcp, payload, nowNs);
                    if (connection.state() == TcpState.ESTABLISHED) {
                        children++;
                        connection.listener(this);
                        acceptQueue.add(connection);
                    }
                    newConnection = connection;
                    return Verdict.NEW_CONNECTION;
                }
                cookiesRejected++;
            }
            resetsSent++;
            return TcpResets.replyToClosedPort(tcp, reply) ? Verdict.REPLY : Verdict.DROP;
        }
        // Third: a SYN opens a connection, or is answered with a cookie.
        if ((flags & FLAG_SYN) == 0 || closed) {
            return Verdict.DROP;
        }
        synsReceived++;
        boolean backlogFull = children + (long) queuedElsewhere.getAsInt() >= backlog;
        if (cookieMode == CookieMode.ALWAYS || (backlogFull && cookieMode == CookieMode.WHEN_FULL)) {
            fillCookieSynAck(nowNs, ipv6, localHigh, localLow, remoteHigh, remoteLow, tcp, reply);
            cookiesSent++;
            return Verdict.REPLY;
        }
        if (backlogFull) {
            backlogDrops++;
            return Verdict.DROP;
        }
        TcpEndpoints endpoints = endpoints(ipv6, localHigh, localLow, remoteHigh, remoteLow, tcp.sourcePort());
        int iss = ipv6
                ? initialSequenceNumbers.isn(localHigh, localLow, localPort, remoteHigh, remoteLow, tcp.sourcePort(), nowNs)
                : initialSequenceNumbers.isn((int) localLow, localPort, (int) remoteLow, tcp.sourcePort(), nowNs);
        TcpConnection connection = TcpConnection.accept(config, endpoints, output, rings, iss, tcp, nowNs);
        connection.timestampOffset(initialSequenceNumbers.timestampOffset(localHigh, localLow, remoteHigh, remoteLow));
        connection.listener(this);
        children++;
        newConnection = connection;
        return Verdict.NEW_CONNECTION;
    }

    /**
     * A stateless SYN-ACK whose sequence number is the cookie: it carries MSS, SACK-permitted,
     * window scale and timestamps as a normal SYN-ACK would, so the peer sees no difference.
     */
    private void fillCookieSynAck(long nowNs, boolean ipv6, long localHigh, long localLow, long remoteHigh,
                                  long remoteLow, TcpFlyweight syn, OutgoingSegment reply) {
        TcpOptions options = syn.options();
        int mssOffered = options.hasMss() ? options.mss() : config.defaultPeerMssBytes();
        boolean sack = config.selectiveAcks() && options.sackPermitted();
        int windowScale = config.windowScaling() && options.hasWindowScale() ? options.windowScale() : -1;
        boolean timestamps = config.timestamps() && options.hasTimestamps();
        int cookie = ipv6
                ? synCookies.cookie(localHigh, localLow, localPort, remoteHigh, remoteLow, syn.sourcePort(),
                        syn.sequenceNumber(), mssOffered, sack, windowScale, timestamps, nowNs)
                : synCookies.cookie((int) localLow, localPort, (int) remoteLow, syn.sourcePort(),
                        syn.sequenceNumber(), mssOffered, sack, windowScale, timestamps, nowNs);
        reply.reset(cookie, syn.sequenceNumber() + 1, FLAG_SYN | FLAG_ACK, Math.min(0xffff, config.receiveBufferBytes()));
        reply.options().mss(config.mssBytes());
        if (windowScale >= 0) {
            reply.options().windowScale(config.receiveWindowShift());
        }
        if (sack) {
            reply.options().sackPermitted();
        }
        if (timestamps) {
            int offset = initialSequenceNumbers.timestampOffset(localHigh, localLow, remoteHigh, remoteLow);
            reply.options().timestamps(TcpConnection.timestampValue(offset, nowNs), options.timestampValue());
        }
    }

    private TcpEndpoints endpoints(boolean ipv6, long localHigh, long localLow, long remoteHigh, long remoteLow,
                                   int remotePort) {
        return new TcpEndpoints(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
    }

    /** The connection created by the last {@link #segmentArrived} that returned {@link Verdict#NEW_CONNECTION}. */
    public TcpConnection newConnection() {
        return newConnection;
    }

    /** The next established connection for the application, or null (accept(2)). */
    public TcpConnection accept() {
        TcpConnection connection = acceptQueue.poll();
        if (connection != null) {
            children--;
            connection.listener(null);
        }
        return connection;
    }

    /**
     * Counts connections already taken with {@link #accept()} but still waiting for the
     * application in a queue of the caller's (the stack API moves established connections at
     * once to its own cross-thread accept queue); they count against the backlog as before.
     * The supplier is read on the engine thread for every SYN, so it must be cheap.
     */
    public void queuedElsewhere(IntSupplier queued) {
        this.queuedElsewhere = Objects.requireNonNull(queued, "queued");
    }

    /** Established connections waiting for {@link #accept()}. */
    public int acceptQueueLength() {
        return acceptQueue.size();
    }

    /** Children counted against the backlog: half-open plus not yet accepted. */
    public int pendingConnections() {
        return children;
    }

    /**
     * Stops listening: new SYNs are dropped. The engine aborts the children not yet accepted
     * (the application will never see them).
     */
    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    void childEstablished(TcpConnection child) {
        acceptQueue.add(child);
    }

    void childClosed(TcpConnection child) {
        acceptQueue.remove(child);
        children--;
    }

    public int localPort() {
        return localPort;
    }

    public long synsReceived() { return synsReceived; }
    public long cookiesSent() { return cookiesSent; }
    public long cookiesAccepted() { return cookiesAccepted; }
    public long cookiesRejected() { return cookiesRejected; }
    /** SYNs dropped because the backlog was full and cookies are off. */
    public long backlogDrops() { return backlogDrops; }
    public long resetsSent() { return resetsSent; }
}
