package io.mtcp4j.stack.ip;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;

/**
 * The result of a {@link RoutingTable} lookup, filled in place so that routing a packet allocates
 * nothing: the engine keeps one and passes it to every lookup. Addresses are two 64-bit halves,
 * an IPv4 address in the low 32 bits of the low half (see {@link #ipv4()}).
 */
public final class NextHop {
    RouteKind kind;
    int interfaceIndex;
    int prefixLength;
    boolean ipv6;
    long high;
    long low;
    boolean hasSource;
    long sourceHigh;
    long sourceLow;

    /** Whether the route reaches the destination directly, through a gateway, or in-process. */
    public RouteKind kind() {
        return kind;
    }

    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** Length of the matched route's prefix, in bits of the address family (0-32 for IPv4). */
    public int prefixLength() {
        return prefixLength;
    }

    public boolean isIpv6() {
        return ipv6;
    }

    /** The address to resolve with the neighbour cache: the gateway, or the destination itself. */
    public long high() {
        return high;
    }

    public long low() {
        return low;
    }

    /** The next hop as an IPv4 address. */
    public int ipv4() {
        return (int) low;
    }

    /** Whether the interface has an address to send from; false before any is configured. */
    public boolean hasSource() {
        return hasSource;
    }

    /**
     * The preferred source address: for a local destination the destination itself; otherwise an
     * address of the outgoing interface, on the next hop's subnet if there is one (and for IPv6,
     * of the destination's scope and the longest matching prefix, RFC 6724 rules 2 and 8).
     */
    public long sourceHigh() {
        return sourceHigh;
    }

    public long sourceLow() {
        return sourceLow;
    }

    public int sourceIpv4() {
        return (int) sourceLow;
    }

    @Override
    public String toString() {
        String hop = ipv6 ? Ipv6Address.format(high, low) : Ipv4Address.format(ipv4());
        String source = !hasSource ? "none" : ipv6 ? Ipv6Address.format(sourceHigh, sourceLow) : Ipv4Address.format(sourceIpv4());
        return "NextHop[" + kind + " " + hop + " /" + prefixLength + " if " + interfaceIndex + " src " + source + "]";
    }
}
