package io.mtcp4j.stack.ip;

import static io.mtcp4j.stack.ip.IpFrames.INTERFACE;
import static io.mtcp4j.stack.ip.IpFrames.LOOPBACK_INTERFACE;
import static io.mtcp4j.stack.ip.IpFrames.OUR_IP;
import static io.mtcp4j.stack.ip.IpFrames.OUR_IP6;
import static io.mtcp4j.stack.ip.IpFrames.OUR_LINK_LOCAL;
import static io.mtcp4j.stack.ip.IpFrames.PEER_IP;
import static io.mtcp4j.stack.ip.IpFrames.PEER_IP6;
import static io.mtcp4j.stack.ip.IpFrames.PEER_LINK_LOCAL;
import static io.mtcp4j.stack.ip.IpFrames.REMOTE_IP;
import static io.mtcp4j.stack.ip.IpFrames.REMOTE_IP6;
import static io.mtcp4j.stack.ip.IpFrames.ROUTER_IP;
import static io.mtcp4j.stack.ip.IpFrames.ROUTER_LINK_LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Longest-prefix match, the routes that configuring an address adds, source selection, and configuration errors. */
class RoutingTableTest {
    private final RoutingTable routes = IpFrames.routes();
    private final NextHop hop = new NextHop();

    private static int ip(String text) {
        return Ipv4Address.parse(text);
    }

    @Nested
    class Ipv4 {
        @Test
        void anAddressOnTheConnectedSubnetIsItsOwnNextHop() {
            assertTrue(routes.routeIpv4(PEER_IP, hop));
            assertEquals(RouteKind.ON_LINK, hop.kind());
            assertEquals(PEER_IP, hop.ipv4());
            assertEquals(INTERFACE, hop.interfaceIndex());
            assertEquals(24, hop.prefixLength());
            assertTrue(hop.hasSource());
            assertEquals(OUR_IP, hop.sourceIpv4());
            assertEquals(Integer.toUnsignedLong(PEER_IP), routes.nextHopIpv4(PEER_IP));
        }

        @Test
        void anythingElseGoesThroughTheDefaultGateway() {
            assertTrue(routes.routeIpv4(REMOTE_IP, hop));
            assertEquals(RouteKind.GATEWAY, hop.kind());
            assertEquals(ROUTER_IP, hop.ipv4());
            assertEquals(0, hop.prefixLength());
            assertEquals(OUR_IP, hop.sourceIpv4());
            assertEquals(Integer.toUnsignedLong(ROUTER_IP), routes.nextHopIpv4(REMOTE_IP));
        }

        @Test
        void theLongestPrefixWins() {
            RoutingTable table = new RoutingTable()
                    .addIpv4Address(ip("10.1.2.3"), 24, 1)
                    .addIpv4Address(ip("172.16.0.3"), 16, 2)
                    .addIpv4DefaultGateway(ip("10.1.2.1"), 1)
                    .addIpv4GatewayRoute(ip("10.0.0.0"), 8, ip("172.16.0.1"), 2)
                    .addIpv4GatewayRoute(ip("10.9.0.0"), 16, ip("10.1.2.254"), 1);
            assertEquals(Integer.toUnsignedLong(ip("10.1.2.1")), table.nextHopIpv4(ip("8.8.8.8")));
            assertEquals(Integer.toUnsignedLong(ip("172.16.0.1")), table.nextHopIpv4(ip("10.200.0.1")));
            assertEquals(Integer.toUnsignedLong(ip("10.1.2.254")), table.nextHopIpv4(ip("10.9.8.7")));
            assertEquals(Integer.toUnsignedLong(ip("10.1.2.77")), table.nextHopIpv4(ip("10.1.2.77")), "connected /24 beats the /8");
            assertTrue(table.routeIpv4(ip("10.200.0.1"), hop));
            assertEquals(2, hop.interfaceIndex());
            assertEquals(ip("172.16.0.3"), hop.sourceIpv4(), "the address on the gateway's subnet");
        }

        @Test
        void loopbackAndOurOwnAddressesAreLocal() {
            assertTrue(routes.routeIpv4(ip("127.0.0.1"), hop));
            assertEquals(RouteKind.LOCAL, hop.kind());
            assertEquals(LOOPBACK_INTERFACE, hop.interfaceIndex());
            assertEquals(8, hop.prefixLength());
            assertTrue(routes.isLocalIpv4(ip("127.45.6.7")), "all of 127.0.0.0/8 (RFC 1122 3.2.1.3)");

            assertTrue(routes.routeIpv4(OUR_IP, hop));
            assertEquals(RouteKind.LOCAL, hop.kind());
            assertEquals(32, hop.prefixLength());
            assertEquals(OUR_IP, hop.sourceIpv4());
            assertEquals(INTERFACE, routes.localInterfaceIpv4(OUR_IP));
            assertEquals(LOOPBACK_INTERFACE, routes.localInterfaceIpv4(ip("127.0.0.1")));
            assertFalse(routes.isLocalIpv4(PEER_IP));
            assertEquals(RoutingTable.NO_INTERFACE, routes.localInterfaceIpv4(REMOTE_IP));
        }

        @Test
        void withoutADefaultRouteForeignAddressesHaveNoRoute() {
            RoutingTable table = new RoutingTable().addIpv4Address(OUR_IP, 24, INTERFACE);
            hop.kind = RouteKind.LOCAL;
            assertFalse(table.routeIpv4(REMOTE_IP, hop));
            assertEquals(RouteKind.LOCAL, hop.kind(), "result untouched");
            assertEquals(RoutingTable.NO_ROUTE, table.nextHopIpv4(REMOTE_IP));
            assertFalse(table.isLocalIpv4(ip("127.0.0.1")), "no loopback configured");
        }

        @Test
        void aHostAddressWithoutSubnetAddsOnlyTheLocalRoute() {
            RoutingTable table = new RoutingTable().addIpv4Address(OUR_IP, 32, INTERFACE);
            assertEquals(1, table.ipv4RouteCount());
            assertTrue(table.isLocalIpv4(OUR_IP));
            assertEquals(RoutingTable.NO_ROUTE, table.nextHopIpv4(PEER_IP));
        }

        @Test
        void anInterfaceWithoutAddressesRoutesButHasNoSource() {
            RoutingTable table = new RoutingTable().addIpv4OnLinkRoute(ip("10.0.0.0"), 24, 3);
            assertTrue(table.routeIpv4(PEER_IP, hop));
            assertFalse(hop.hasSource());
        }

        @Test
        void twoAddressesOnOneInterfaceEachServeTheirSubnet() {
            RoutingTable table = new RoutingTable()
                    .addIpv4Address(ip("10.0.0.2"), 24, 1)
                    .addIpv4Address(ip("10.0.5.2"), 24, 1);
            table.routeIpv4(ip("10.0.5.9"), hop);
            assertEquals(ip("10.0.5.2"), hop.sourceIpv4());
            table.routeIpv4(ip("10.0.0.9"), hop);
            assertEquals(ip("10.0.0.2"), hop.sourceIpv4());
        }
    }

    @Nested
    class Ipv6 {
        @Test
        void anAddressOnTheConnectedPrefixIsItsOwnNextHop() {
            assertTrue(routes.routeIpv6(PEER_IP6.high(), PEER_IP6.low(), hop));
            assertEquals(RouteKind.ON_LINK, hop.kind());
            assertTrue(hop.isIpv6());
            assertEquals(PEER_IP6.high(), hop.high());
            assertEquals(PEER_IP6.low(), hop.low());
            assertEquals(64, hop.prefixLength());
            assertEquals(OUR_IP6, new Ipv6Address(hop.sourceHigh(), hop.sourceLow()));
        }

        @Test
        void theDefaultGatewayIsTheRoutersLinkLocalAddress() {
            assertTrue(routes.routeIpv6(REMOTE_IP6.high(), REMOTE_IP6.low(), hop));
            assertEquals(RouteKind.GATEWAY, hop.kind());
            assertEquals(ROUTER_LINK_LOCAL, new Ipv6Address(hop.high(), hop.low()));
            assertEquals(OUR_IP6, new Ipv6Address(hop.sourceHigh(), hop.sourceLow()), "a global destination gets a global source");
        }

        @Test
        void linkLocalDestinationsGetALinkLocalSource() {
            // RFC 6724 rule 2: prefer the source of the destination's scope.
            assertTrue(routes.routeIpv6(PEER_LINK_LOCAL.high(), PEER_LINK_LOCAL.low(), hop));
            assertEquals(RouteKind.ON_LINK, hop.kind());
            assertEquals(OUR_LINK_LOCAL, new Ipv6Address(hop.sourceHigh(), hop.sourceLow()));
        }

        @Test
        void loopbackAndOurAddressesAreLocal() {
            assertTrue(routes.isLocalIpv6(0, 1));
            assertEquals(LOOPBACK_INTERFACE, routes.localInterfaceIpv6(0, 1));
            assertEquals(INTERFACE, routes.localInterfaceIpv6(OUR_IP6.high(), OUR_IP6.low()));
            assertEquals(INTERFACE, routes.localInterfaceIpv6(OUR_LINK_LOCAL.high(), OUR_LINK_LOCAL.low()));
            assertFalse(routes.isLocalIpv6(PEER_IP6.high(), PEER_IP6.low()));
            assertTrue(routes.routeIpv6(0, 1, hop));
            assertEquals(RouteKind.LOCAL, hop.kind());
            assertEquals(128, hop.prefixLength());
        }

        @Test
        void theFamiliesDefaultRoutesStayApart() {
            RoutingTable onlyIpv6 = new RoutingTable().addIpv6Address(OUR_IP6, 64, 1).addIpv6DefaultGateway(ROUTER_LINK_LOCAL, 1);
            assertFalse(onlyIpv6.routeIpv4(REMOTE_IP, hop), "::/0 is not 0.0.0.0/0");
            RoutingTable onlyIpv4 = new RoutingTable().addIpv4Address(OUR_IP, 24, 1).addIpv4DefaultGateway(ROUTER_IP, 1);
            // ::a00:7 has the bits of 10.0.0.7 in its low half, and still no IPv6 route.
            assertFalse(onlyIpv4.routeIpv6(0, Integer.toUnsignedLong(PEER_IP), hop));
        }
    }

    @Nested
    class Configuration {
        @Test
        void aGatewayOffTheConnectedSubnetsIsRefusedWithAnExplanation() {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> new RoutingTable().addIpv4Address(OUR_IP, 24, 1).addIpv4DefaultGateway(ip("192.168.1.1"), 1));
            assertTrue(refused.getMessage().contains("192.168.1.1"), refused.getMessage());
            assertTrue(refused.getMessage().contains("connected subnet"), refused.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> new RoutingTable().addIpv4Address(OUR_IP, 24, 1).addIpv4DefaultGateway(ROUTER_IP, 2),
                    "on another interface's subnet");
            assertThrows(IllegalArgumentException.class,
                    () -> new RoutingTable().addIpv6DefaultGateway(ROUTER_LINK_LOCAL, 1), "no IPv6 address yet");
        }

        @Test
        void aPrefixWithHostBitsSetIsRefusedWithTheLikelyMeaning() {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> new RoutingTable().addIpv4OnLinkRoute(ip("10.0.0.5"), 24, 1));
            assertTrue(refused.getMessage().contains("10.0.0.0/24"), refused.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> new RoutingTable().addIpv6OnLinkRoute(Ipv6Address.parse("2001:db8::1"), 64, 1));
        }

        @Test
        void theSameRouteTwiceIsOneRouteAndAConflictingOneIsRefused() {
            RoutingTable table = new RoutingTable().addIpv4Address(OUR_IP, 24, 1);
            int count = table.ipv4RouteCount();
            table.addIpv4OnLinkRoute(ip("10.0.0.0"), 24, 1);
            assertEquals(count, table.ipv4RouteCount());
            assertThrows(IllegalArgumentException.class, () -> table.addIpv4OnLinkRoute(ip("10.0.0.0"), 24, 2));
        }

        @Test
        void badLengthsAndAddressesAreRefused() {
            RoutingTable table = new RoutingTable();
            assertThrows(IllegalArgumentException.class, () -> table.addIpv4Address(OUR_IP, 33, 1));
            assertThrows(IllegalArgumentException.class, () -> table.addIpv4Address(Ipv4Address.ANY, 24, 1));
            assertThrows(IllegalArgumentException.class, () -> table.addIpv4Address(ip("224.0.0.1"), 24, 1));
            assertThrows(IllegalArgumentException.class, () -> table.addIpv6Address(Ipv6Address.ALL_NODES, 64, 1));
            assertThrows(IllegalArgumentException.class, () -> table.addIpv6Address(OUR_IP6, 129, 1));
            assertThrows(IllegalArgumentException.class, () -> table.addIpv4Address(OUR_IP, 24, -1));
        }

        @Test
        void aFullTableSaysSo() {
            RoutingTable small = new RoutingTable(2, 4);
            small.addIpv4OnLinkRoute(ip("10.0.0.0"), 8, 1).addIpv4OnLinkRoute(ip("11.0.0.0"), 8, 1);
            IllegalStateException full = assertThrows(IllegalStateException.class,
                    () -> small.addIpv4OnLinkRoute(ip("12.0.0.0"), 8, 1));
            assertTrue(full.getMessage().contains("full"), full.getMessage());
        }

        @Test
        void theTableListsItsRoutesLongestFirst() {
            String listing = new RoutingTable().addIpv4Address(OUR_IP, 24, 1).addIpv4DefaultGateway(ROUTER_IP, 1).toString();
            assertEquals("""
                    10.0.0.2/32 LOCAL if 1
                    10.0.0.0/24 ON_LINK if 1
                    0.0.0.0/0 GATEWAY via 10.0.0.1 if 1
                    """, listing);
        }
    }
}
