package io.mtcp4j.stack.engine;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The local ports that active opens take, shared by every engine of a stack: a port in the
 * range is held by at most one active open at a time, never handed out while a listener of the
 * stack uses it, and chosen so that the device steers the connection's return traffic to the
 * engine that opens it (mTCP's RSS-aware port selection; {@link FlowOwnership}).
 *
 * <h2>Choosing</h2>
 * {@link #reserve} scans the range from a rotating start (one cursor per engine, moved past the
 * port it found, as Linux walks its range from an offset) and takes the first port that is free
 * and whose four-tuple with the given local and remote ends the ownership maps to the asking
 * engine. With {@code n} engines about one port in {@code n} fits a given remote end. When none
 * fits it returns {@link #EXHAUSTED}, and the caller raises the error ({@link Engine#connect}
 * throws; a socket layer reports {@code EADDRNOTAVAIL}, "Cannot assign requested address").
 *
 * <h2>Sharing</h2>
 * A port is held by one active open regardless of its remote end, as Linux does for a socket
 * bound before connecting; Linux's {@code connect} without a bind may reuse a port towards
 * different remote ends, which would lift the limit of one range's worth of concurrent active
 * opens per stack, at the price of a four-tuple check per candidate. Not done yet.
 *
 * <h2>Threads</h2>
 * Lock-free: one {@link AtomicIntegerArray} cell per port of the range, holding bit 0 for "an
 * active open holds it" and, above it, how many listeners (per engine and family) use it; a
 * reservation is a compare-and-set from 0 to 1, so a port with a listener is never reserved.
 * {@link #reserve} runs on application threads (the stack API) and engine threads
 * ({@link Engine#connect}); {@link #release} on the engine thread whose flow left its table;
 * the listener counts on whichever thread installs a listener. A listener added while a
 * connection holds its port does not disturb the connection (their four-tuples differ).
 */
public final class EphemeralPorts {
    /** What {@link #reserve} returns when no port of the range is free and fits the engine. */
    public static final int EXHAUSTED = -1;

    private static final int HELD = 1;
    private static final int LISTENER = 2;

    private final int first;
    private final int last;
    private final FlowOwnership ownership;
    private final AtomicIntegerArray ports;
    /** Per engine, where its next scan starts (an offset into the range); padded apart. */
    private final AtomicIntegerArray cursors;
    private static final int CURSOR_STRIDE = 16; // 64 bytes between engines' cursors

    /**
     * @param first     lowest port handed out (Linux: 32768)
     * @param last      highest port handed out (Linux: 60999)
     * @param ownership which engine a four-tuple belongs to
     */
    public EphemeralPorts(int first, int last, FlowOwnership ownership) {
        if (first < 1 || last > 0xffff || first > last) {
            throw new IllegalArgumentException("ephemeral ports must be a range within 1-65535: " + first + "-" + last);
        }
        this.first = first;
        this.last = last;
        this.ownership = ownership;
        this.ports = new AtomicIntegerArray(last - first + 1);
        int engines = ownership.engines();
        this.cursors = new AtomicIntegerArray(engines * CURSOR_STRIDE);
        int span = last - first + 1;
        for (int engine = 0; engine < engines; engine++) {
            // Engines start their scans apart, so that they do not walk over each other's ports.
            cursors.set(engine * CURSOR_STRIDE, (int) ((long) span * engine / engines));
        }
    }

    /** The ports of {@link EngineConfig#firstEphemeralPort()} to {@link EngineConfig#lastEphemeralPort()}. */
    public static EphemeralPorts of(EngineConfig config, FlowOwnership ownership) {
        return new EphemeralPorts(config.firstEphemeralPort(), config.lastEphemeralPort(), ownership);
    }

    public int first() {
        return first;
    }

    public int last() {
        return last;
    }

    public FlowOwnership ownership() {
        return ownership;
    }

    /**
     * Reserves a free port of the range whose IPv4 four-tuple belongs to {@code engine}, or
     * returns {@link #EXHAUSTED}. The caller owns the port until it {@link #release}s it.
     */
    public int reserveIpv4(int engine, int localAddress, int remoteAddress, int remotePort) {
        return reserve(engine, false, 0, Integer.toUnsignedLong(localAddress), 0, Integer.toUnsignedLong(remoteAddress),
                remotePort);
    }

    /**
     * Reserves a free port of the range whose four-tuple with these ends belongs to
     * {@code engine} ({@link FlowTable}'s address form: IPv4 in the low 32 bits of {@code low}),
     * or returns {@link #EXHAUSTED}. The caller owns the port until it {@link #release}s it.
     */
    public int reserve(int engine, boolean ipv6, long localHigh, long localLow, long remoteHigh, long remoteLow,
                       int remotePort) {
        if (engine < 0 || engine >= ownership.engines()) {
            throw new IllegalArgumentException("engine " + engine + " outside 0.." + (ownership.engines() - 1));
        }
        int span = last - first + 1;
        int cursor = engine * CURSOR_STRIDE;
        int start = cursors.get(cursor);
        for (int tried = 0; tried < span; tried++) {
            int index = start + tried;
            if (index >= span) {
                index -= span;
            }
            if (ports.get(index) != 0) {
                continue;
            }
            int port = first + index;
            if (ownership.ownerOf(ipv6, localHigh, localLow, port, remoteHigh, remoteLow, remotePort) != engine) {
                continue;
            }
            if (ports.compareAndSet(index, 0, HELD)) {
                cursors.set(cursor, index + 1 == span ? 0 : index + 1);
                return port;
            }
        }
        return EXHAUSTED;
    }

    /**
     * Takes {@code port} for an active open if it is in the range and free (for a connection whose
     * port was chosen elsewhere). Returns false when it is held, used by a listener, or outside
     * the range.
     */
    public boolean tryReserve(int port) {
        return inRange(port) && ports.compareAndSet(port - first, 0, HELD);
    }

    /** Whether an active open holds {@code port}. */
    public boolean isReserved(int port) {
        return inRange(port) && (ports.get(port - first) & HELD) != 0;
    }

    /** Gives back a port taken by {@link #reserve}; the flow that used it left its engine's table. */
    public void release(int port) {
        if (!inRange(port)) {
            throw new IllegalArgumentException("port " + port + " is outside the ephemeral range " + first + "-" + last);
        }
        int index = port - first;
        while (true) {
            int value = ports.get(index);
            if ((value & HELD) == 0) {
                throw new IllegalStateException("ephemeral port " + port + " released but not reserved");
            }
            if (ports.compareAndSet(index, value, value & ~HELD)) {
                return;
            }
        }
    }

    /** A listener now uses {@code port}: it is not handed out until every such listener is removed. */
    public void listenerAdded(int port) {
        if (inRange(port)) {
            ports.getAndAdd(port - first, LISTENER);
        }
    }

    /** One listener that used {@code port} stopped. */
    public void listenerRemoved(int port) {
        if (inRange(port)) {
            int before = ports.getAndAdd(port - first, -LISTENER);
            if (before < LISTENER) {
                ports.getAndAdd(port - first, LISTENER);
                throw new IllegalStateException("no listener was counted on port " + port);
            }
        }
    }

    /** Ports of the range held by active opens now; a scan, for tests and monitoring. Any thread. */
    public int reservedCount() {
        int count = 0;
        for (int i = 0; i < ports.length(); i++) {
            count += ports.get(i) & HELD;
        }
        return count;
    }

    private boolean inRange(int port) {
        return port >= first && port <= last;
    }

    @Override
    public String toString() {
        return "EphemeralPorts[" + first + "-" + last + ", " + reservedCount() + " reserved, " + ownership + "]";
    }
}
