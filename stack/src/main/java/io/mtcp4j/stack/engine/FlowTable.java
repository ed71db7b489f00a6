package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.tcp.SipHash;
import io.mtcp4j.stack.tcp.TcpEndpoints;
import java.security.SecureRandom;
import java.util.ConcurrentModificationException;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The engine's demultiplexer: a hash map from a TCP connection's 4-tuple to its flow, keyed by
 * primitives so that a lookup per received segment neither boxes nor allocates.
 *
 * <h2>Keys</h2>
 * A key is the address family, the local address and port and the remote address and port, in
 * the form {@link TcpEndpoints} uses: an address is two {@code long}s, {@code high} and
 * {@code low}; an IPv6 address is its 128 bits big-endian across the two, an IPv4 address is the
 * low 32 bits of {@code low} with every other bit zero. The family is part of the key, so the IPv4
 * tuple 10.0.0.1 and the IPv6 tuple ::10.0.0.1 (same bits) are different keys.
 *
 * <h2>Layout</h2>
 * Open addressing with linear probing over a power-of-two number of slots. Per slot, the key's
 * five words sit together in one {@code long[]} ({@code [localHigh, localLow, remoteHigh,
 * remoteLow, family and ports]}, 40 bytes, so a hit reads one or two cache lines of keys), the
 * 32-bit hash in an {@code int[]} (zero means empty; probing compares hashes first, so a miss
 * rarely touches the keys) and the value in an {@code Object[]}.
 *
 * <h2>Deletion</h2>
 * Backward-shift deletion (Knuth, TAOCP vol. 3, 6.4 Algorithm R): removing an entry moves later
 * entries of its cluster back into the hole when that brings them no further from their home
 * slot. The table never holds tombstones, so probe lengths depend on the flows present only, not
 * on how many have come and gone; connection churn (a new connection per request) is exactly the
 * workload that fills a tombstone table with dead slots.
 *
 * <h2>Hash flooding</h2>
 * Remote peers choose the remote address (an IPv6 peer picks 64 bits of it freely) and port. With
 * a fixed or merely seeded non-cryptographic hash, an attacker can precompute tuples that share a
 * slot and turn every lookup into a scan of one long cluster (Crosby and Wallach 2003; Aumasson,
 * Bernstein and Boßlet 2012 found seed-independent collisions for seeded MurmurHash and CityHash).
 * The slot is therefore chosen by SipHash-2-4, a pseudorandom function, under a 128-bit key drawn
 * from {@link SecureRandom} for each table: without the key, colliding tuples cannot be found
 * faster than by trying them. It costs two compression rounds and the finalisation for an IPv4
 * tuple (12 message bytes) and five compressions for IPv6 (36 bytes); the benchmark
 * {@code FlowTableBenchmark} measures it. Resizing reuses the stored hashes (the key does not
 * change), so it never hashes again.
 *
 * <h2>Allocation</h2>
 * {@link #get}, {@link #remove}, {@link #forEach} and {@link #removeIf} never allocate; nor does
 * {@link #put} unless the table grows past its load factor, when it doubles (size the table for
 * the expected flows to avoid that on the packet path).
 *
 * <p>Single-threaded: one engine thread alone touches a table.
 *
 * @param <V> the engine's flow type
 */
public final class FlowTable<V> {
    /**
     * The largest fraction of slots in use before the table doubles. At one half, linear probing
     * reads about 1.5 slots per hit and 2.5 per miss on average (Knuth's analysis).
     */
    public static final float DEFAULT_LOAD_FACTOR = 0.5f;
    private static final int MAX_CAPACITY = 1 << 30;
    private static final int WORDS_PER_KEY = 5;
    private static final long IPV6_FLAG = 1L << 32;

    private final float loadFactor;
    private final SipHash hasher;
    private long[] keys;
    private int[] hashes;
    private Object[] values;
    private int mask;
    private int size;
    private int resizeAt;
    /** Changes on every structural change, so that {@link #forEach} can detect one made by its consumer. */
    private int modifications;

    /** A table for about 16 flows with a random hash key; it grows as needed. */
    public FlowTable() {
        this(16);
    }

    /** A table that holds {@code expectedFlows} without growing, with a random hash key. */
    public FlowTable(int expectedFlows) {
        this(expectedFlows, DEFAULT_LOAD_FACTOR, new SecureRandom());
    }

    /**
     * A table that holds {@code expectedFlows} without growing, keeps at most {@code loadFactor}
     * of its slots in use, and draws its hash key from {@code random} (tests pass a seeded one).
     */
    public FlowTable(int expectedFlows, float loadFactor, java.util.Random random) {
        if (expectedFlows < 0) {
            throw new IllegalArgumentException("expected flows must not be negative, got " + expectedFlows);
        }
        if (!(loadFactor > 0.05f && loadFactor <= 0.95f)) {
            throw new IllegalArgumentException("load factor must be in (0.05, 0.95], got " + loadFactor);
        }
        this.loadFactor = loadFactor;
        this.hasher = new SipHash(random.nextLong(), random.nextLong());
        allocate(capacityFor(expectedFlows, loadFactor));
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The number of slots, a power of two. */
    public int capacity() {
        return hashes.length;
    }

    /** The flow of this 4-tuple, or {@code null}. Never allocates. */
    @SuppressWarnings("unchecked")
    public V get(boolean ipv6, long localHigh, long localLow, int localPort,
                 long remoteHigh, long remoteLow, int remotePort) {
        int slot = find(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
        return slot < 0 ? null : (V) values[slot];
    }

    public V get(TcpEndpoints endpoints) {
        return get(endpoints.ipv6(), endpoints.localHigh(), endpoints.localLow(), endpoints.localPort(),
                endpoints.remoteHigh(), endpoints.remoteLow(), endpoints.remotePort());
    }

    /**
     * Maps the 4-tuple to {@code flow}.
     *
     * @return the flow it replaced, or {@code null}
     * @throws IllegalArgumentException if a port is outside 0..65535 or an IPv4 address has bits
     *         outside the low 32 of {@code low}
     */
    @SuppressWarnings("unchecked")
    public V put(boolean ipv6, long localHigh, long localLow, int localPort,
                 long remoteHigh, long remoteLow, int remotePort, V flow) {
        Objects.requireNonNull(flow, "flow");
        checkKey(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
        int hash = hash(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
        long familyAndPorts = familyAndPorts(ipv6, localPort, remotePort);
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            int stored = hashes[slot];
            if (stored == 0) {
                if (size >= resizeAt) {
                    grow();
                    return put(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort, flow);
                }
                int base = slot * WORDS_PER_KEY;
                keys[base] = localHigh;
                keys[base + 1] = localLow;
                keys[base + 2] = remoteHigh;
                keys[base + 3] = remoteLow;
                keys[base + 4] = familyAndPorts;
                hashes[slot] = hash;
                values[slot] = flow;
                size++;
                modifications++;
                return null;
            }
            if (stored == hash && keyEquals(slot, localHigh, localLow, remoteHigh, remoteLow, familyAndPorts)) {
                V previous = (V) values[slot];
                values[slot] = flow;
                return previous;
            }
        }
    }

    public V put(TcpEndpoints endpoints, V flow) {
        return put(endpoints.ipv6(), endpoints.localHigh(), endpoints.localLow(), endpoints.localPort(),
                endpoints.remoteHigh(), endpoints.remoteLow(), endpoints.remotePort(), flow);
    }

    /**
     * Removes the 4-tuple's flow. Never allocates.
     *
     * @return the flow removed, or {@code null} if there was none
     */
    @SuppressWarnings("unchecked")
    public V remove(boolean ipv6, long localHigh, long localLow, int localPort,
                    long remoteHigh, long remoteLow, int remotePort) {
        int slot = find(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
        if (slot < 0) {
            return null;
        }
        V removed = (V) values[slot];
        removeAt(slot);
        return removed;
    }

    public V remove(TcpEndpoints endpoints) {
        return remove(endpoints.ipv6(), endpoints.localHigh(), endpoints.localLow(), endpoints.localPort(),
                endpoints.remoteHigh(), endpoints.remoteLow(), endpoints.remotePort());
    }

    /** Removes every flow; keeps the capacity. */
    public void clear() {
        java.util.Arrays.fill(hashes, 0);
        java.util.Arrays.fill(values, null);
        size = 0;
        modifications++;
    }

    /**
     * Passes every flow to {@code consumer}, in slot order (no meaningful order). The consumer must
     * not put or remove; use {@link #removeIf} to remove while visiting.
     *
     * @throws ConcurrentModificationException if the consumer changed the table's entries
     */
    @SuppressWarnings("unchecked")
    public void forEach(Consumer<? super V> consumer) {
        int expected = modifications;
        Object[] visited = values;
        for (int slot = 0; slot < visited.length; slot++) {
            Object value = visited[slot];
            if (value != null) {
                consumer.accept((V) value);
                if (modifications != expected) {
                    throw new ConcurrentModificationException("flow table changed during forEach");
                }
            }
        }
    }

    /**
     * Removes every flow for which {@code filter} answers true, visiting each flow exactly once.
     * The filter must not put or remove itself.
     *
     * @return the number of flows removed
     */
    @SuppressWarnings("unchecked")
    public int removeIf(Predicate<? super V> filter) {
        if (size == 0) {
            return 0;
        }
        // Start just after an empty slot and go once round. No cluster then wraps past the start,
        // and backward shifting only moves entries towards the start within their cluster, so a
        // slot that is emptied and refilled by a shift is examined again and nothing is seen twice.
        int start = 0;
        while (hashes[start] != 0) {
            start++;
        }
        int removed = 0;
        int capacity = hashes.length;
        for (int step = 1; step <= capacity; ) {
            int slot = (start + step) & mask;
            if (hashes[slot] != 0 && filter.test((V) values[slot])) {
                removeAt(slot);
                removed++;
                continue;  // the shift may have moved the next entry of the cluster here
            }
            step++;
        }
        return removed;
    }

    /** The slot where the key's probe starts; for tests that build collisions. */
    int homeSlot(boolean ipv6, long localHigh, long localLow, int localPort,
                 long remoteHigh, long remoteLow, int remotePort) {
        return hash(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort) & mask;
    }

    /** The slot holding the key, or -1. */
    private int find(boolean ipv6, long localHigh, long localLow, int localPort,
                     long remoteHigh, long remoteLow, int remotePort) {
        if (((localPort | remotePort) & ~0xffff) != 0) {
            return -1;  // no stored key has such a port; without this, 16-bit masking would alias one
        }
        int hash = hash(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
        long familyAndPorts = familyAndPorts(ipv6, localPort, remotePort);
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            int stored = hashes[slot];
            if (stored == 0) {
                return -1;
            }
            if (stored == hash && keyEquals(slot, localHigh, localLow, remoteHigh, remoteLow, familyAndPorts)) {
                return slot;
            }
        }
    }

    private boolean keyEquals(int slot, long localHigh, long localLow, long remoteHigh, long remoteLow,
                              long familyAndPorts) {
        int base = slot * WORDS_PER_KEY;
        return keys[base + 4] == familyAndPorts
                && keys[base + 3] == remoteLow
                && keys[base + 1] == localLow
                && keys[base + 2] == remoteHigh
                && keys[base] == localHigh;
    }

    /** Empties {@code slot} and shifts later entries of its cluster back (Algorithm R). */
    private void removeAt(int slot) {
        int hole = slot;
        for (int next = (hole + 1) & mask; ; next = (next + 1) & mask) {
            int hash = hashes[next];
            if (hash == 0) {
                break;
            }
            int home = hash & mask;
            // The entry at next may fill the hole unless its home lies cyclically in (hole, next]:
            // moving it before its home would make it unreachable.
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                hashes[hole] = hash;
                values[hole] = values[next];
                System.arraycopy(keys, next * WORDS_PER_KEY, keys, hole * WORDS_PER_KEY, WORDS_PER_KEY);
                hole = next;
            }
        }
        hashes[hole] = 0;
        values[hole] = null;
        size--;
        modifications++;
    }

    /**
     * SipHash-2-4 of the tuple, never zero (zero marks an empty slot). The message is 12 bytes for
     * IPv4 (both addresses in one word, then the ports) and 36 for IPv6 (four address words, then
     * the ports); SipHash hashes the length in, so the two families never share a message.
     */
    private int hash(boolean ipv6, long localHigh, long localLow, int localPort,
                     long remoteHigh, long remoteLow, int remotePort) {
        SipHash sip = hasher;
        if (ipv6) {
            sip.addLong(localHigh).addLong(localLow).addLong(remoteHigh).addLong(remoteLow);
        } else {
            sip.addLong((localLow << 32) | (remoteLow & 0xffff_ffffL));
        }
        long hash = sip.addInt((localPort << 16) | (remotePort & 0xffff)).finish();
        int folded = (int) (hash ^ (hash >>> 32));
        return folded == 0 ? 1 : folded;
    }

    private static long familyAndPorts(boolean ipv6, int localPort, int remotePort) {
        return (ipv6 ? IPV6_FLAG : 0) | ((localPort & 0xffffL) << 16) | (remotePort & 0xffffL);
    }

    private static void checkKey(boolean ipv6, long localHigh, long localLow, int localPort,
                                 long remoteHigh, long remoteLow, int remotePort) {
        if ((localPort & ~0xffff) != 0 || (remotePort & ~0xffff) != 0) {
            throw new IllegalArgumentException("port outside 0..65535: " + localPort + ", " + remotePort);
        }
        if (!ipv6 && ((localHigh | remoteHigh) != 0 || ((localLow | remoteLow) >>> 32) != 0)) {
            throw new IllegalArgumentException("an IPv4 address is the low 32 bits of the low half");
        }
    }

    private void grow() {
        if (hashes.length >= MAX_CAPACITY) {
            throw new IllegalStateException("flow table full at " + size + " flows");
        }
        long[] oldKeys = keys;
        int[] oldHashes = hashes;
        Object[] oldValues = values;
        allocate(oldHashes.length * 2);
        for (int old = 0; old < oldHashes.length; old++) {
            int hash = oldHashes[old];
            if (hash == 0) {
                continue;
            }
            int slot = hash & mask;
            while (hashes[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            hashes[slot] = hash;
            values[slot] = oldValues[old];
            System.arraycopy(oldKeys, old * WORDS_PER_KEY, keys, slot * WORDS_PER_KEY, WORDS_PER_KEY);
        }
        modifications++;
    }

    private void allocate(int capacity) {
        keys = new long[capacity * WORDS_PER_KEY];
        hashes = new int[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        // At least one slot always stays empty, which ends every probe.
        resizeAt = Math.min((int) (capacity * (double) loadFactor), capacity - 1);
    }

    private static int capacityFor(int flows, float loadFactor) {
        long needed = (long) Math.ceil(Math.max(flows, 1) / (double) loadFactor) + 1;
        if (needed > MAX_CAPACITY) {
            throw new IllegalArgumentException("too many flows for one table: " + flows);
        }
        return Math.max(8, Integer.highestOneBit((int) needed - 1) << 1);
    }
}
