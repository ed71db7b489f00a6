package io.mtcp4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtcp4j.stack.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The routing table's longest-prefix match against a naive scan of every route, for random route
 * sets and destinations. Prefixes are drawn around a few bases so that routes nest and destinations
 * often fall inside several of them.
 */
class RoutingTablePropertyTest {
    record Route(long high, long low, int length, int interfaceIndex) {}

    private static final int[] IPV4_BASES = {0x0a00_0000, 0x0a01_0200, 0xc0a8_0000, 0x0a01_0000};
    private static final long[] IPV6_BASES_HIGH = {0x2001_0db8_0000_0000L, 0x2001_0db8_0001_0000L, 0xfe80_0000_0000_0000L};

    private static int ipv4Mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    @Provide
    Arbitrary<List<Route>> ipv4Routes() {
        Arbitrary<Route> route = Combinators.combine(
                Arbitraries.integers().between(0, IPV4_BASES.length - 1),
                Arbitraries.integers(),
                Arbitraries.integers().between(0, 32),
                Arbitraries.integers().between(1, 4)).as((base, noise, length, interfaceIndex) -> {
                    // Mostly the base with a little noise in the low bits, so prefixes nest.
                    int address = IPV4_BASES[base] ^ (noise & 0x0000_03ff);
                    int prefix = address & ipv4Mask(length);
                    return new Route(0, Integer.toUnsignedLong(prefix), length, interfaceIndex);
                });
        return route.list().ofMinSize(0).ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<Integer>> ipv4Destinations() {
        Arbitrary<Integer> near = Arbitraries.integers().between(0, IPV4_BASES.length - 1)
                .flatMap(base -> Arbitraries.integers().between(0, 0xffff).map(noise -> IPV4_BASES[base] ^ noise));
        return Arbitraries.oneOf(near, Arbitraries.integers()).list().ofMinSize(1).ofMaxSize(50);
    }

    @Property(tries = 500)
    void ipv4LookupIsTheLongestMatchingPrefix(@ForAll("ipv4Routes") List<Route> candidates,
                                              @ForAll("ipv4Destinations") List<Integer> destinations) {
        RoutingTable table = new RoutingTable(64, 4);
        List<Route> routes = new ArrayList<>();
        Set<List<Long>> seen = new HashSet<>();
        for (Route route : candidates) {
            if (seen.add(List.of(route.low(), (long) route.length()))) {
                table.addIpv4OnLinkRoute((int) route.low(), route.length(), route.interfaceIndex());
                routes.add(route);
            }
        }
        NextHop hop = new NextHop();
        for (int destination : destinations) {
            Route best = null;
            for (Route route : routes) {
                boolean matches = ((destination ^ (int) route.low()) & ipv4Mask(route.length())) == 0;
                if (matches && (best == null || route.length() > best.length())) {
                    best = route;
                }
            }
            boolean found = table.routeIpv4(destination, hop);
            assertEquals(best != null, found, "a route for " + destination);
            if (best != null) {
                assertEquals(best.length(), hop.prefixLength());
                assertEquals(best.interfaceIndex(), hop.interfaceIndex());
                assertEquals(destination, hop.ipv4(), "on-link: the destination is the next hop");
            }
        }
    }

    @Provide
    Arbitrary<List<Route>> ipv6Routes() {
        Arbitrary<Route> route = Combinators.combine(
                Arbitraries.integers().between(0, IPV6_BASES_HIGH.length - 1),
                Arbitraries.longs(),
                Arbitraries.integers().between(0, 128),
                Arbitraries.integers().between(1, 4)).as((base, noise, length, interfaceIndex) -> {
                    long high = IPV6_BASES_HIGH[base] ^ (noise & 0xffffL);
                    long low = noise & 0xff00_0000_0000_00ffL;
                    return new Route(high & RoutingTable.maskHigh(length), low & RoutingTable.maskLow(length),
                            length, interfaceIndex);
                });
        return route.list().ofMinSize(0).ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<long[]>> ipv6Destinations() {
        Arbitrary<long[]> near = Combinators.combine(
                Arbitraries.integers().between(0, IPV6_BASES_HIGH.length - 1), Arbitraries.longs(), Arbitraries.longs())
                .as((base, noise, low) -> new long[] {IPV6_BASES_HIGH[base] ^ (noise & 0xffffL), low});
        Arbitrary<long[]> anywhere = Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                .as((high, low) -> new long[] {high, low});
        return Arbitraries.oneOf(near, anywhere).list().ofMinSize(1).ofMaxSize(50);
    }

    @Property(tries = 500)
    void ipv6LookupIsTheLongestMatchingPrefix(@ForAll("ipv6Routes") List<Route> candidates,
                                              @ForAll("ipv6Destinations") List<long[]> destinations) {
        RoutingTable table = new RoutingTable(64, 4);
        List<Route> routes = new ArrayList<>();
        Set<List<Long>> seen = new HashSet<>();
        for (Route route : candidates) {
            if (seen.add(List.of(route.high(), route.low(), (long) route.length()))) {
                table.addIpv6OnLinkRoute(new Ipv6Address(route.high(), route.low()), route.length(), route.interfaceIndex());
                routes.add(route);
            }
        }
        NextHop hop = new NextHop();
        for (long[] destination : destinations) {
            Route best = null;
            for (Route route : routes) {
                if (naiveMatch(route, destination[0], destination[1]) && (best == null || route.length() > best.length())) {
                    best = route;
                }
            }
            boolean found = table.routeIpv6(destination[0], destination[1], hop);
            assertEquals(best != null, found);
            if (best != null) {
                assertEquals(best.length(), hop.prefixLength());
                assertEquals(best.interfaceIndex(), hop.interfaceIndex());
            }
        }
    }

    /** Bit by bit, so that the mask arithmetic of the table is not checked against itself. */
    private static boolean naiveMatch(Route route, long high, long low) {
        for (int bit = 0; bit < route.length(); bit++) {
            long routeWord = bit < 64 ? route.high() : route.low();
            long word = bit < 64 ? high : low;
            int shift = 63 - (bit % 64);
            if (((routeWord >>> shift) & 1) != ((word >>> shift) & 1)) {
                return false;
            }
        }
        return true;
    }
}
