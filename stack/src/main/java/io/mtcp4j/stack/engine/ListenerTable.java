package io.mtcp4j.stack.engine;

import java.util.Random;
import java.util.function.Consumer;

/**
 * The engine's listeners, keyed by address family, local address and port: where a SYN that
 * matches no flow goes.
 *
 * <p>A listener bound to one address wins over one bound to the wildcard address on the same
 * port and family, as in every BSD-derived stack: {@link #find} tries the exact address first,
 * then the wildcard. The wildcard is the unspecified address (0.0.0.0 or ::, all bits zero), which
 * is never a valid destination, so it needs no separate flag. Addresses are two {@code long}s as
 * in {@link FlowTable}: IPv4 in the low 32 bits of {@code low}.
 *
 * <p>The families are kept apart: an IPv4 SYN never finds an IPv6 listener. A dual-stack socket
 * (an IPv6 wildcard listener that also accepts IPv4, the JDK's default on Linux) is registered
 * twice, once per family, by whoever creates it; that keeps the policy (IPV6_V6ONLY) out of the
 * lookup. Which binds may coexist (SO_REUSEADDR, a wildcard and an exact address on one port) is
 * likewise the socket layer's decision; this table holds one listener per key.
 *
 * <p>Lookups never allocate. The table is a {@link FlowTable} underneath with the remote half of
 * the key zero, so it has the same keyed hash; listeners are chosen locally, so that only matters
 * because the same code is cheaper to trust than a second map.
 *
 * @param <V> the engine's listener type
 */
public final class ListenerTable<V> {
    private final FlowTable<V> table;

    /** An empty table with a random hash key. */
    public ListenerTable() {
        this.table = new FlowTable<>(16);
    }

    /** An empty table whose hash key comes from {@code random}. */
    public ListenerTable(Random random) {
        this.table = new FlowTable<>(16, FlowTable.DEFAULT_LOAD_FACTOR, random);
    }

    public int size() {
        return table.size();
    }

    public boolean isEmpty() {
        return table.isEmpty();
    }

    /**
     * The listener for a SYN to this local address and port: the one bound to exactly this
     * address, otherwise the family's wildcard listener on the port, otherwise {@code null}.
     */
    public V find(boolean ipv6, long addressHigh, long addressLow, int port) {
        V exact = table.get(ipv6, addressHigh, addressLow, port, 0, 0, 0);
        return exact != null ? exact : table.get(ipv6, 0, 0, port, 0, 0, 0);
    }

    /** The listener bound to exactly this address (the wildcard when it is all zeros), or {@code null}. */
    public V getExact(boolean ipv6, long addressHigh, long addressLow, int port) {
        return table.get(ipv6, addressHigh, addressLow, port, 0, 0, 0);
    }

    /**
     * Registers {@code listener} for this family, local address (all zeros for the wildcard) and
     * port.
     *
     * @return the listener it replaced, or {@code null}
     */
    public V put(boolean ipv6, long addressHigh, long addressLow, int port, V listener) {
        return table.put(ipv6, addressHigh, addressLow, port, 0, 0, 0, listener);
    }

    /** Registers {@code listener} on the family's wildcard address. */
    public V putWildcard(boolean ipv6, int port, V listener) {
        return put(ipv6, 0, 0, port, listener);
    }

    /** Removes the listener bound to exactly this address and port; returns it, or {@code null}. */
    public V remove(boolean ipv6, long addressHigh, long addressLow, int port) {
        return table.remove(ipv6, addressHigh, addressLow, port, 0, 0, 0);
    }

    public V removeWildcard(boolean ipv6, int port) {
        return remove(ipv6, 0, 0, port);
    }

    /** Passes every listener to {@code consumer}; see {@link FlowTable#forEach}. */
    public void forEach(Consumer<? super V> consumer) {
        table.forEach(consumer);
    }
}
