package io.mtcp4j.stack.ip;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;

/**
 * The host's routes and addresses, IPv4 and IPv6: connected subnets, gateways (a default route is
 * a gateway route of prefix length 0), loopback, and one host route per local address. A lookup is
 * a longest-prefix match that fills a {@link NextHop} without allocating.
 *
 * <h2>What configuring an address adds</h2>
 * <ul>
 *   <li>{@link #addIpv4Address}{@code (10.0.0.2, 24, if)}: the address (for source selection and
 *       {@link #isLocalIpv4}), a LOCAL host route {@code 10.0.0.2/32}, and the connected route
 *       {@code 10.0.0.0/24} on the interface. Linux adds the same pair (its {@code local} and
 *       {@code main} tables); here the host route simply wins the longest match.</li>
 *   <li>{@link #addIpv6Address}: the same with {@code /128}, plus {@code fe80::/64} on the
 *       interface, since every IPv6 interface has a link-local prefix (RFC 4291 2.5.6) and a
 *       gateway is often a router's link-local address.</li>
 *   <li>{@link #addLoopback}: {@code 127.0.0.0/8} and {@code ::1/128} as LOCAL routes with the
 *       addresses {@code 127.0.0.1} and {@code ::1} (RFC 1122 3.2.1.3, RFC 4291 2.5.3).</li>
 * </ul>
 * A gateway must already be on a connected subnet of its interface; a configuration mistake fails
 * when it is made, with a message that says what is missing.
 *
 * <h2>Lookup</h2>
 * Routes are kept sorted by prefix length, longest first, so the first match is the longest: a
 * scan of at most {@link #DEFAULT_MAX_ROUTES} entries of two masked compares each, which for the
 * handful of routes a host has beats any trie. IPv4 routes are stored as 128-bit prefixes in the
 * low 32 bits (length plus 96) so both families share one implementation, in separate tables so
 * that an IPv6 default route never matches an IPv4 destination.
 *
 * <p>The table is built at start-up and then only read: engines on several threads may share it
 * once it is published to them (for example through the thread start that runs them).
 */
public final class RoutingTable {
    public static final int DEFAULT_MAX_ROUTES = 64;
    public static final int DEFAULT_MAX_ADDRESSES = 16;
    /** What {@link #nextHopIpv4} and {@link #localInterfaceIpv4} return when there is none. */
    public static final int NO_INTERFACE = -1;
    public static final long NO_ROUTE = -1;

    /** An IPv4 prefix of length n is the 128-bit prefix of length n + 96 over (0, address). */
    private static final int IPV4_LENGTH_OFFSET = 96;
    private static final long LINK_LOCAL_PREFIX_HIGH = 0xfe80_0000_0000_0000L;
    private static final int LINK_LOCAL_PREFIX_LENGTH = 64;

    private final Prefixes ipv4Routes;
    private final Prefixes ipv6Routes;
    private final Addresses ipv4Addresses;
    private final Addresses ipv6Addresses;

    public RoutingTable() {
        this(DEFAULT_MAX_ROUTES, DEFAULT_MAX_ADDRESSES);
    }

    public RoutingTable(int maxRoutesPerFamily, int maxAddressesPerFamily) {
        if (maxRoutesPerFamily <= 0 || maxAddressesPerFamily <= 0) {
            throw new IllegalArgumentException("route and address capacities must be positive: "
                    + maxRoutesPerFamily + ", " + maxAddressesPerFamily);
        }
        ipv4Routes = new Prefixes(maxRoutesPerFamily, "IPv4");
        ipv6Routes = new Prefixes(maxRoutesPerFamily, "IPv6");
        ipv4Addresses = new Addresses(maxAddressesPerFamily, "IPv4");
        ipv6Addresses = new Addresses(maxAddressesPerFamily, "IPv6");
    }

    // ---- configuration ----

    /** Assigns {@code address/prefixLength} to an interface: the address, its LOCAL host route and its connected subnet. */
    public RoutingTable addIpv4Address(int address, int prefixLength, int interfaceIndex) {
        checkIpv4Length(prefixLength);
        checkInterface(interfaceIndex);
        if (address == Ipv4Address.ANY || Ipv4Address.isMulticast(address) || address == Ipv4Address.LIMITED_BROADCAST) {
            throw new IllegalArgumentException("an interface address must be a unicast address, not " + Ipv4Address.format(address));
        }
        ipv4Addresses.add(0, unsigned(address), prefixLength + IPV4_LENGTH_OFFSET, interfaceIndex);
        ipv4Routes.add(0, unsigned(address), 128, RouteKind.LOCAL, 0, 0, interfaceIndex);
        if (prefixLength < 32) {
            int subnet = address & ipv4Mask(prefixLength);
            ipv4Routes.add(0, unsigned(subnet), prefixLength + IPV4_LENGTH_OFFSET, RouteKind.ON_LINK, 0, 0, interfaceIndex);
        }
        return this;
    }

    /** Assigns {@code address/prefixLength} to an interface, with {@code fe80::/64} on-link there. */
    public RoutingTable addIpv6Address(Ipv6Address address, int prefixLength, int interfaceIndex) {
        checkIpv6Length(prefixLength);
        checkInterface(interfaceIndex);
        if (address.isUnspecified() || address.isMulticast()) {
            throw new IllegalArgumentException("an interface address must be a unicast address, not " + address);
        }
        ipv6Addresses.add(address.high(), address.low(), prefixLength, interfaceIndex);
        ipv6Routes.add(address.high(), address.low(), 128, RouteKind.LOCAL, 0, 0, interfaceIndex);
        ipv6Routes.add(LINK_LOCAL_PREFIX_HIGH, 0, LINK_LOCAL_PREFIX_LENGTH, RouteKind.ON_LINK, 0, 0, interfaceIndex);
        if (prefixLength < 128) {
            ipv6Routes.add(address.high() & maskHigh(prefixLength), address.low() & maskLow(prefixLength), prefixLength,
                    RouteKind.ON_LINK, 0, 0, interfaceIndex);
        }
        return this;
    }

    /** The loopback interface: {@code 127.0.0.0/8} and {@code ::1/128}, LOCAL, with {@code 127.0.0.1} and {@code ::1}. */
    public RoutingTable addLoopback(int interfaceIndex) {
        checkInterface(interfaceIndex);
        int loopbackNet = Ipv4Address.of(127, 0, 0, 0);
        ipv4Addresses.add(0, unsigned(Ipv4Address.of(127, 0, 0, 1)), 8 + IPV4_LENGTH_OFFSET, interfaceIndex);
        ipv4Routes.add(0, unsigned(loopbackNet), 8 + IPV4_LENGTH_OFFSET, RouteKind.LOCAL, 0, 0, interfaceIndex);
        ipv6Addresses.add(0, 1, 128, interfaceIndex);
        ipv6Routes.add(0, 1, 128, RouteKind.LOCAL, 0, 0, interfaceIndex);
        return this;
    }

    /** A subnet reachable directly on an interface (a connected route without an address of ours in it). */
    public RoutingTable addIpv4OnLinkRoute(int prefix, int prefixLength, int interfaceIndex) {
        checkIpv4Length(prefixLength);
        checkInterface(interfaceIndex);
        checkHostBitsClear(prefix, prefixLength);
        ipv4Routes.add(0, unsigned(prefix), prefixLength + IPV4_LENGTH_OFFSET, RouteKind.ON_LINK, 0, 0, interfaceIndex);
        return this;
    }

    /**
     * {@code prefix/prefixLength} through {@code gateway}, which must be on a connected subnet of
     * the interface already.
     */
    public RoutingTable addIpv4GatewayRoute(int prefix, int prefixLength, int gateway, int interfaceIndex) {
        checkIpv4Length(prefixLength);
        checkInterface(interfaceIndex);
        checkHostBitsClear(prefix, prefixLength);
        int route = ipv4Routes.lookup(0, unsigned(gateway));
        if (route < 0 || ipv4Routes.kind[route] != RouteKind.ON_LINK || ipv4Routes.interfaceIndex[route] != interfaceIndex) {
            throw new IllegalArgumentException("gateway " + Ipv4Address.format(gateway)
                    + " is not on a connected subnet of interface " + interfaceIndex
                    + ": add the interface's address (or an on-link route) that covers it first");
        }
        ipv4Routes.add(0, unsigned(prefix), prefixLength + IPV4_LENGTH_OFFSET, RouteKind.GATEWAY,
                0, unsigned(gateway), interfaceIndex);
        return this;
    }

    /** {@code 0.0.0.0/0} through {@code gateway}. */
    public RoutingTable addIpv4DefaultGateway(int gateway, int interfaceIndex) {
        return addIpv4GatewayRoute(0, 0, gateway, interfaceIndex);
    }

    public RoutingTable addIpv6OnLinkRoute(Ipv6Address prefix, int prefixLength, int interfaceIndex) {
        checkIpv6Length(prefixLength);
        checkInterface(interfaceIndex);
        checkHostBitsClear(prefix, prefixLength);
        ipv6Routes.add(prefix.high(), prefix.low(), prefixLength, RouteKind.ON_LINK, 0, 0, interfaceIndex);
        return this;
    }

    /** {@code prefix/prefixLength} through {@code gateway}, on-link on the interface (a link-local router address is). */
    public RoutingTable addIpv6GatewayRoute(Ipv6Address prefix, int prefixLength, Ipv6Address gateway, int interfaceIndex) {
        checkIpv6Length(prefixLength);
        checkInterface(interfaceIndex);
        checkHostBitsClear(prefix, prefixLength);
        int route = ipv6Routes.lookup(gateway.high(), gateway.low());
        if (route < 0 || ipv6Routes.kind[route] != RouteKind.ON_LINK || ipv6Routes.interfaceIndex[route] != interfaceIndex) {
            throw new IllegalArgumentException("gateway " + gateway + " is not on a connected subnet of interface "
                    + interfaceIndex + ": add an IPv6 address of the interface first (which also makes fe80::/64 on-link)");
        }
        ipv6Routes.add(prefix.high(), prefix.low(), prefixLength, RouteKind.GATEWAY,
                gateway.high(), gateway.low(), interfaceIndex);
        return this;
    }

    /** {@code ::/0} through {@code gateway}. */
    public RoutingTable addIpv6DefaultGateway(Ipv6Address gateway, int interfaceIndex) {
        return addIpv6GatewayRoute(Ipv6Address.UNSPECIFIED, 0, gateway, interfaceIndex);
    }

    // ---- lookup ----

    /**
     * Longest-prefix match for an IPv4 destination.
     *
     * @return false when no route matches ({@code result} is then unchanged)
     */
    public boolean routeIpv4(int destination, NextHop result) {
        long destinationLow = unsigned(destination);
        int route = ipv4Routes.lookup(0, destinationLow);
        if (route < 0) {
            return false;
        }
        fill(ipv4Routes, route, 0, destinationLow, false, result);
        result.prefixLength -= IPV4_LENGTH_OFFSET;
        if (result.kind == RouteKind.LOCAL) {
            result.hasSource = true;
            result.sourceHigh = 0;
            result.sourceLow = destinationLow;
        } else {
            // An address on the next hop's subnet: the one the neighbour will answer to.
            chooseSource(ipv4Addresses, false, result.interfaceIndex, 0, result.low, result);
        }
        return true;
    }

    /**
     * Longest-prefix match for an IPv6 destination.
     *
     * @return false when no route matches ({@code result} is then unchanged)
     */
    public boolean routeIpv6(long high, long low, NextHop result) {
        int route = ipv6Routes.lookup(high, low);
        if (route < 0) {
            return false;
        }
        fill(ipv6Routes, route, high, low, true, result);
        if (result.kind == RouteKind.LOCAL) {
            result.hasSource = true;
            result.sourceHigh = high;
            result.sourceLow = low;
        } else {
            chooseSource(ipv6Addresses, true, result.interfaceIndex, high, low, result);
        }
        return true;
    }

    /**
     * The IPv4 address to resolve for {@code destination}: the gateway, or the destination for an
     * on-link or local route, as an unsigned value; {@link #NO_ROUTE} when nothing matches.
     */
    public long nextHopIpv4(int destination) {
        int route = ipv4Routes.lookup(0, unsigned(destination));
        if (route < 0) {
            return NO_ROUTE;
        }
        return ipv4Routes.kind[route] == RouteKind.GATEWAY ? ipv4Routes.gatewayLow[route] : unsigned(destination);
    }

    /** Whether {@code address} is this host's: one of its addresses or the loopback range. */
    public boolean isLocalIpv4(int address) {
        return localInterfaceIpv4(address) != NO_INTERFACE;
    }

    /** The interface of a local IPv4 address, or {@link #NO_INTERFACE}. */
    public int localInterfaceIpv4(int address) {
        int route = ipv4Routes.lookup(0, unsigned(address));
        return route >= 0 && ipv4Routes.kind[route] == RouteKind.LOCAL ? ipv4Routes.interfaceIndex[route] : NO_INTERFACE;
    }

    /** Whether {@code high:low} is one of this host's IPv6 addresses (or {@code ::1}). */
    public boolean isLocalIpv6(long high, long low) {
        return localInterfaceIpv6(high, low) != NO_INTERFACE;
    }

    /** The interface of a local IPv6 address, or {@link #NO_INTERFACE}. */
    public int localInterfaceIpv6(long high, long low) {
        int route = ipv6Routes.lookup(high, low);
        return route >= 0 && ipv6Routes.kind[route] == RouteKind.LOCAL ? ipv6Routes.interfaceIndex[route] : NO_INTERFACE;
    }

    public int ipv4RouteCount() {
        return ipv4Routes.count;
    }

    public int ipv6RouteCount() {
        return ipv6Routes.count;
    }

    /** The routes, one per line, longest prefix first, as {@code ip route} would list them; for diagnostics. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < ipv4Routes.count; i++) {
            text.append(Ipv4Address.format((int) ipv4Routes.low[i])).append('/')
                    .append(ipv4Routes.length[i] - IPV4_LENGTH_OFFSET).append(' ').append(ipv4Routes.kind[i]);
            if (ipv4Routes.kind[i] == RouteKind.GATEWAY) {
                text.append(" via ").append(Ipv4Address.format((int) ipv4Routes.gatewayLow[i]));
            }
            text.append(" if ").append(ipv4Routes.interfaceIndex[i]).append('\n');
        }
        for (int i = 0; i < ipv6Routes.count; i++) {
            text.append(Ipv6Address.format(ipv6Routes.high[i], ipv6Routes.low[i])).append('/')
                    .append(ipv6Routes.length[i]).append(' ').append(ipv6Routes.kind[i]);
            if (ipv6Routes.kind[i] == RouteKind.GATEWAY) {
                text.append(" via ").append(Ipv6Address.format(ipv6Routes.gatewayHigh[i], ipv6Routes.gatewayLow[i]));
            }
            text.append(" if ").append(ipv6Routes.interfaceIndex[i]).append('\n');
        }
        return text.toString();
    }

    // ---- internals ----

    private static void fill(Prefixes routes, int route, long high, long low, boolean ipv6, NextHop result) {
        RouteKind kind = routes.kind[route];
        result.kind = kind;
        result.interfaceIndex = routes.interfaceIndex[route];
        result.prefixLength = routes.length[route];
        result.ipv6 = ipv6;
        if (kind == RouteKind.GATEWAY) {
            result.high = routes.gatewayHigh[route];
            result.low = routes.gatewayLow[route];
        } else {
            result.high = high;
            result.low = low;
        }
    }

    /**
     * Picks the interface address that shares the longest prefix with {@code high:low}; for IPv6
     * an address of the same scope (link-local or not) first (RFC 6724 rules 2 and 8).
     */
    private static void chooseSource(Addresses addresses, boolean ipv6, int interfaceIndex, long high, long low,
                                     NextHop result) {
        int best = -1;
        int bestScore = -1;
        boolean linkLocalTarget = ipv6 && Ipv6Address.isLinkLocal(high);
        for (int i = 0; i < addresses.count; i++) {
            if (addresses.interfaceIndex[i] != interfaceIndex) {
                continue;
            }
            int score = commonPrefixLength(addresses.high[i], addresses.low[i], high, low);
            if (!ipv6 || Ipv6Address.isLinkLocal(addresses.high[i]) == linkLocalTarget) {
                score += 256;
            }
            if (score > bestScore) {
                best = i;
                bestScore = score;
            }
        }
        result.hasSource = best >= 0;
        result.sourceHigh = best >= 0 ? addresses.high[best] : 0;
        result.sourceLow = best >= 0 ? addresses.low[best] : 0;
    }

    private static int commonPrefixLength(long highA, long lowA, long highB, long lowB) {
        if (highA != highB) {
            return Long.numberOfLeadingZeros(highA ^ highB);
        }
        return 64 + Long.numberOfLeadingZeros(lowA ^ lowB);
    }

    static long maskHigh(int length) {
        return length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
    }

    static long maskLow(int length) {
        return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    private static int ipv4Mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    private static long unsigned(int address) {
        return Integer.toUnsignedLong(address);
    }

    private static void checkIpv4Length(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("an IPv4 prefix length is 0-32, not " + prefixLength);
        }
    }

    private static void checkIpv6Length(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("an IPv6 prefix length is 0-128, not " + prefixLength);
        }
    }

    private static void checkInterface(int interfaceIndex) {
        if (interfaceIndex < 0) {
            throw new IllegalArgumentException("an interface index is not negative: " + interfaceIndex);
        }
    }

    private static void checkHostBitsClear(int prefix, int prefixLength) {
        if ((prefix & ~ipv4Mask(prefixLength)) != 0) {
            throw new IllegalArgumentException("route prefix " + Ipv4Address.format(prefix) + "/" + prefixLength
                    + " has bits set past its length; did you mean " + Ipv4Address.format(prefix & ipv4Mask(prefixLength))
                    + "/" + prefixLength + "?");
        }
    }

    private static void checkHostBitsClear(Ipv6Address prefix, int prefixLength) {
        long high = prefix.high() & maskHigh(prefixLength);
        long low = prefix.low() & maskLow(prefixLength);
        if (high != prefix.high() || low != prefix.low()) {
            throw new IllegalArgumentException("route prefix " + prefix + "/" + prefixLength
                    + " has bits set past its length; did you mean " + Ipv6Address.format(high, low) + "/" + prefixLength + "?");
        }
    }

    /** Routes of one family as 128-bit prefixes, sorted by length, longest first. */
    private static final class Prefixes {
        final String family;
        final long[] high;
        final long[] low;
        final long[] maskHigh;
        final long[] maskLow;
        final int[] length;
        final RouteKind[] kind;
        final long[] gatewayHigh;
        final long[] gatewayLow;
        final int[] interfaceIndex;
        int count;

        Prefixes(int capacity, String family) {
            this.family = family;
            high = new long[capacity];
            low = new long[capacity];
            maskHigh = new long[capacity];
            maskLow = new long[capacity];
            length = new int[capacity];
            kind = new RouteKind[capacity];
            gatewayHigh = new long[capacity];
            gatewayLow = new long[capacity];
            interfaceIndex = new int[capacity];
        }

        /** The index of the longest matching prefix, or -1. */
        int lookup(long destinationHigh, long destinationLow) {
            for (int i = 0; i < count; i++) {
                if (((destinationHigh ^ high[i]) & maskHigh[i]) == 0 && ((destinationLow ^ low[i]) & maskLow[i]) == 0) {
                    return i;
                }
            }
            return -1;
        }

        /** Adds a route; the same route again is no change, a different one for the same prefix is refused. */
        void add(long prefixHigh, long prefixLow, int prefixLength, RouteKind routeKind,
                 long viaHigh, long viaLow, int outInterface) {
            for (int i = 0; i < count; i++) {
                if (high[i] == prefixHigh && low[i] == prefixLow && length[i] == prefixLength) {
                    if (kind[i] == routeKind && gatewayHigh[i] == viaHigh && gatewayLow[i] == viaLow
                            && interfaceIndex[i] == outInterface) {
                        return;
                    }
                    throw new IllegalArgumentException("an " + family + " route for this prefix exists already: "
                            + kind[i] + " on interface " + interfaceIndex[i]);
                }
            }
            if (count == high.length) {
                throw new IllegalStateException(family + " routing table full: " + count + " routes");
            }
            // Insert after every route at least as long, so that lookup's first match is the longest.
            int at = 0;
            while (at < count && length[at] >= prefixLength) {
                at++;
            }
            int moved = count - at;
            System.arraycopy(high, at, high, at + 1, moved);
            System.arraycopy(low, at, low, at + 1, moved);
            System.arraycopy(maskHigh, at, maskHigh, at + 1, moved);
            System.arraycopy(maskLow, at, maskLow, at + 1, moved);
            System.arraycopy(length, at, length, at + 1, moved);
            System.arraycopy(kind, at, kind, at + 1, moved);
            System.arraycopy(gatewayHigh, at, gatewayHigh, at + 1, moved);
            System.arraycopy(gatewayLow, at, gatewayLow, at + 1, moved);
            System.arraycopy(interfaceIndex, at, interfaceIndex, at + 1, moved);
            high[at] = prefixHigh;
            low[at] = prefixLow;
            maskHigh[at] = RoutingTable.maskHigh(prefixLength);
            maskLow[at] = RoutingTable.maskLow(prefixLength);
            length[at] = prefixLength;
            kind[at] = routeKind;
            gatewayHigh[at] = viaHigh;
            gatewayLow[at] = viaLow;
            interfaceIndex[at] = outInterface;
            count++;
        }
    }

    /** Interface addresses of one family, in the order configured. */
    private static final class Addresses {
        final String family;
        final long[] high;
        final long[] low;
        final int[] prefixLength;
        final int[] interfaceIndex;
        int count;

        Addresses(int capacity, String family) {
            this.family = family;
            high = new long[capacity];
            low = new long[capacity];
            prefixLength = new int[capacity];
            interfaceIndex = new int[capacity];
        }

        void add(long addressHigh, long addressLow, int length, int onInterface) {
            for (int i = 0; i < count; i++) {
                if (high[i] == addressHigh && low[i] == addressLow) {
                    if (interfaceIndex[i] == onInterface && prefixLength[i] == length) {
                        return;
                    }
                    throw new IllegalArgumentException("this " + family + " address is configured already, on interface "
                            + interfaceIndex[i]);
                }
            }
            if (count == high.length) {
                throw new IllegalStateException("no room for another " + family + " address: " + count + " configured");
            }
            high[count] = addressHigh;
            low[count] = addressLow;
            prefixLength[count] = length;
            interfaceIndex[count] = onInterface;
            count++;
        }
    }
}
