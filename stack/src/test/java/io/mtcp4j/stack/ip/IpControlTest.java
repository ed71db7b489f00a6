package io.mtcp4j.stack.ip;

import static io.mtcp4j.stack.ip.IpFrames.INTERFACE;
import static io.mtcp4j.stack.ip.IpFrames.OTHER_IP;
import static io.mtcp4j.stack.ip.IpFrames.OTHER_MAC;
import static io.mtcp4j.stack.ip.IpFrames.OUR_IP;
import static io.mtcp4j.stack.ip.IpFrames.OUR_IP6;
import static io.mtcp4j.stack.ip.IpFrames.OUR_LINK_LOCAL;
import static io.mtcp4j.stack.ip.IpFrames.OUR_MAC;
import static io.mtcp4j.stack.ip.IpFrames.PEER_IP;
import static io.mtcp4j.stack.ip.IpFrames.PEER_IP6;
import static io.mtcp4j.stack.ip.IpFrames.PEER_LINK_LOCAL;
import static io.mtcp4j.stack.ip.IpFrames.PEER_MAC;
import static io.mtcp4j.stack.ip.IpFrames.REMOTE_IP;
import static io.mtcp4j.stack.ip.IpFrames.ROUTER_IP;
import static io.mtcp4j.stack.ip.IpFrames.ROUTER_LINK_LOCAL;
import static io.mtcp4j.stack.ip.IpFrames.ROUTER_MAC;
import static io.mtcp4j.stack.ip.IpFrames.key;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.ArpPacket;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.EthernetHeader;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Icmpv4Flyweight;
import io.mtcp4j.stack.wire.Icmpv4Message;
import io.mtcp4j.stack.wire.Icmpv6Flyweight;
import io.mtcp4j.stack.wire.Icmpv6Message;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv4Header;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.Ipv6Header;
import io.mtcp4j.stack.wire.MacAddress;
import io.mtcp4j.stack.wire.Malformed;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link IpControl} against the RFCs: ARP reception and replies (RFC 826, RFC 5227), neighbour
 * solicitation and advertisement (RFC 4861 7.1-7.2), echo replies (RFC 792, RFC 1122 3.2.2.6,
 * RFC 4443 4.2). Every frame it writes is parsed back with {@link FrameParser} with checksum
 * verification on; two are compared byte for byte with hand-written hex.
 */
class IpControlTest {
    private static final long NOW = 7_000_000_000L;

    private final RoutingTable routes = IpFrames.routes();
    private final NeighborCache arpCache = new NeighborCache(NeighborConfig.defaults());
    private final NeighborCache neighborCache = new NeighborCache(NeighborConfig.defaults());
    private final IpControl control = new IpControl(OUR_MAC, INTERFACE, routes, arpCache, neighborCache);
    private final RecordingNeighborOutput output = new RecordingNeighborOutput();
    private final FrameParser parser = new FrameParser();
    private final FrameParser replyParser = new FrameParser();
    private final byte[] replyBytes = new byte[2048];
    private final MemorySegment reply = MemorySegment.ofArray(replyBytes);

    /** Parses a received frame (checksums verified) and hands it to the control plane as an engine would. */
    private int receive(byte[] frame) {
        assertEquals(Malformed.NONE, parser.parse(MemorySegment.ofArray(frame), 0, frame.length, true), "test frame");
        if (parser.network() == FrameParser.Network.ARP) {
            return control.onArp(parser, NOW, output, reply, 0);
        }
        return switch (parser.transport()) {
            case ICMPV4 -> control.onIcmpv4(parser, reply, 0);
            case ICMPV6 -> control.onIcmpv6(parser, NOW, output, reply, 0);
            default -> throw new AssertionError("not a control frame: " + parser.transport());
        };
    }

    /** Parses what the control plane wrote, checksums verified. */
    private FrameParser parseReply(int length) {
        assertTrue(length > 0, "a reply was written");
        assertEquals(Malformed.NONE, replyParser.parse(reply, 0, length, true), "reply parses with valid checksums");
        return replyParser;
    }

    private byte[] replyBytes(int length) {
        return reply.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    @Nested
    class Arp {
        private byte[] requestFromPeer(int targetIp) {
            return IpFrames.arp(MacAddress.BROADCAST, PEER_MAC, ArpPacket.request(PEER_MAC, PEER_IP, targetIp));
        }

        @Test
        void aRequestForOurAddressIsAnsweredByteForByte() {
            int length = receive(requestFromPeer(OUR_IP));
            byte[] expected = hex("""
                    020000 0000aa   020000 000001   0806
                    0001 0800 06 04 0002
                    020000 000001   0a000002
                    020000 0000aa   0a000007
                    000000000000 000000000000 000000000000
                    """);
            // Ethernet: to the asker, from us, ARP. ARP: Ethernet/IPv4, reply; we (10.0.0.2) are at
            // our MAC; to the asker's MAC and address. 18 zero bytes pad the frame to 60.
            assertArrayEquals(expected, replyBytes(length));
            assertEquals(60, length);
        }

        @Test
        void aRequestForUsTeachesTheCacheTheAsker() {
            // RFC 826: "If Merge_flag is false, add the triplet" when we are the target.
            receive(requestFromPeer(OUR_IP));
            assertEquals(PEER_MAC, arpCache.cachedMac(0, key(PEER_IP)));
            assertEquals(NeighborState.STALE, arpCache.state(0, key(PEER_IP), NOW));
        }

        @Test
        void aRequestForAnotherHostUpdatesAnExistingEntryButIsNotAnswered() {
            // RFC 826: the merge happens before "Am I the target protocol address?".
            arpCache.learn(0, key(PEER_IP), OTHER_MAC, NeighborCache.OVERRIDE | NeighborCache.CREATE, NOW, output);
            assertEquals(0, receive(requestFromPeer(OTHER_IP)));
            assertEquals(PEER_MAC, arpCache.cachedMac(0, key(PEER_IP)));
            assertEquals(1, control.drops().count(IpDrop.ARP_NOT_FOR_US));
        }

        @Test
        void aRequestForAnotherHostCreatesNoEntry() {
            assertEquals(0, receive(requestFromPeer(OTHER_IP)));
            assertEquals(NeighborState.NONE, arpCache.state(0, key(PEER_IP), NOW));
        }

        @Test
        void aReplyToUsResolvesAPendingEntryAndReleasesItsFrames() {
            byte[] held = new byte[64];
            arpCache.resolveOrHold(0, key(PEER_IP), MemorySegment.ofArray(held), 0, held.length, NOW);
            byte[] replyFrame = IpFrames.arp(OUR_MAC, PEER_MAC, ArpPacket.reply(PEER_MAC, PEER_IP, OUR_MAC, OUR_IP));
            assertEquals(0, receive(replyFrame));
            assertEquals(NeighborState.REACHABLE, arpCache.state(0, key(PEER_IP), NOW));
            assertEquals(1, output.transmitted.size());
            assertEquals(PEER_MAC, MacAddress.read(MemorySegment.ofArray(output.transmitted.getFirst()), 0));
        }

        @Test
        void aGratuitousArpUpdatesAnExistingEntry() {
            // RFC 5227 2.3 announcement from the peer with a new card.
            arpCache.learn(0, key(PEER_IP), PEER_MAC, NeighborCache.SOLICITED | NeighborCache.CREATE, NOW, output);
            receive(IpFrames.arp(MacAddress.BROADCAST, OTHER_MAC, ArpPacket.gratuitous(OTHER_MAC, PEER_IP)));
            assertEquals(OTHER_MAC, arpCache.cachedMac(0, key(PEER_IP)));
            assertEquals(NeighborState.STALE, arpCache.state(0, key(PEER_IP), NOW));
        }

        @Test
        void aProbeForOurAddressIsAnsweredButTeachesNothing() {
            // RFC 5227 2.1.1: sender 0.0.0.0 must not enter a cache; the owner's reply tells the prober.
            int length = receive(IpFrames.arp(MacAddress.BROADCAST, PEER_MAC, ArpPacket.probe(PEER_MAC, OUR_IP)));
            assertEquals(0, arpCache.size());
            FrameParser parsed = parseReply(length);
            assertEquals(ArpPacket.reply(OUR_MAC, OUR_IP, PEER_MAC, Ipv4Address.ANY), ArpPacket.from(parsed.arp()));
            assertEquals(PEER_MAC, parsed.ethernet().destination());
        }

        @Test
        void someoneElseUsingOurAddressIsACountedConflict() {
            int length = receive(IpFrames.arp(MacAddress.BROADCAST, PEER_MAC, ArpPacket.gratuitous(PEER_MAC, OUR_IP)));
            assertEquals(0, length);
            assertEquals(1, control.drops().count(IpDrop.ARP_ADDRESS_CONFLICT));
            assertEquals(0, arpCache.size());
        }

        @Test
        void ourOwnArpComingBackIsIgnored() {
            assertEquals(0, receive(IpFrames.arp(MacAddress.BROADCAST, OUR_MAC, ArpPacket.gratuitous(OUR_MAC, OUR_IP))));
            assertEquals(1, control.drops().count(IpDrop.ARP_OWN_FRAME));
        }

        @Test
        void aGroupSenderAddressIsRejected() {
            assertEquals(0, receive(IpFrames.arp(MacAddress.BROADCAST, PEER_MAC,
                    ArpPacket.request(MacAddress.BROADCAST, PEER_IP, OUR_IP))));
            assertEquals(1, control.drops().count(IpDrop.ARP_BAD_SENDER));
            assertEquals(0, arpCache.size());
        }

        @Test
        void loopbackAddressesAreNeverAnsweredOnTheWire() {
            assertEquals(0, receive(requestFromPeer(Ipv4Address.of(127, 0, 0, 1))));
            assertEquals(1, control.drops().count(IpDrop.ARP_NOT_FOR_US));
        }

        @Test
        void aTaggedRequestIsAnsweredWithTheSameTag() {
            EthernetHeader tagged = EthernetHeader.tagged(MacAddress.BROADCAST, PEER_MAC, 5, 42, EthernetFlyweight.ETHERTYPE_ARP);
            int length = receive(IpFrames.arp(tagged, ArpPacket.request(PEER_MAC, PEER_IP, OUR_IP)));
            FrameParser parsed = parseReply(length);
            assertEquals(42, parsed.ethernet().vlanId());
            assertEquals(5, parsed.ethernet().priority());
            assertEquals(64, length);
            assertEquals(ArpPacket.reply(OUR_MAC, OUR_IP, PEER_MAC, PEER_IP), ArpPacket.from(parsed.arp()));
        }

        @Test
        void aReplyThatDoesNotFitIsCountedNotWritten() {
            byte[] request = requestFromPeer(OUR_IP);
            assertEquals(Malformed.NONE, parser.parse(MemorySegment.ofArray(request), 0, request.length, true));
            assertEquals(0, control.onArp(parser, NOW, output, MemorySegment.ofArray(new byte[59]), 0));
            assertEquals(1, control.drops().count(IpDrop.REPLY_DOES_NOT_FIT));
        }

        @Test
        void aBroadcastRequestAsksFromTheAddressOnTheTargetsSubnet() {
            int length = control.writeArpRequest(PEER_IP, NeighborCache.NO_MAC, reply, 0);
            FrameParser parsed = parseReply(length);
            assertEquals(60, length);
            assertEquals(MacAddress.BROADCAST, parsed.ethernet().destination());
            assertEquals(OUR_MAC, parsed.ethernet().source());
            assertEquals(ArpPacket.request(OUR_MAC, OUR_IP, PEER_IP), ArpPacket.from(parsed.arp()));
        }

        @Test
        void aProbeGoesToTheCachedAddressOnly() {
            int length = control.writeArpRequest(ROUTER_IP, ROUTER_MAC, reply, 0);
            FrameParser parsed = parseReply(length);
            assertEquals(ROUTER_MAC, parsed.ethernet().destination());
            assertEquals(ArpPacket.request(OUR_MAC, OUR_IP, ROUTER_IP), ArpPacket.from(parsed.arp()));
        }

        @Test
        void withoutAnAddressNoRequestIsWritten() {
            RoutingTable bare = new RoutingTable().addIpv4OnLinkRoute(Ipv4Address.of(10, 0, 0, 0), 24, INTERFACE);
            IpControl unconfigured = new IpControl(OUR_MAC, INTERFACE, bare, arpCache, neighborCache);
            assertEquals(0, unconfigured.writeArpRequest(PEER_IP, NeighborCache.NO_MAC, reply, 0));
            assertEquals(1, unconfigured.drops().count(IpDrop.NO_SOURCE_ADDRESS));
        }

        @Test
        void aGratuitousArpAnnouncesOurAddress() {
            int length = control.writeGratuitousArp(OUR_IP, reply, 0);
            FrameParser parsed = parseReply(length);
            assertEquals(MacAddress.BROADCAST, parsed.ethernet().destination());
            assertEquals(ArpPacket.gratuitous(OUR_MAC, OUR_IP), ArpPacket.from(parsed.arp()));
            assertTrue(parsed.arp().isGratuitous());
        }

        @Test
        void requestsAndRepliesFeedTheCacheTheEngineSolicitsFor() {
            // The full loop: the cache asks, IpControl writes the request, the peer's reply resolves.
            arpCache.resolve(0, key(PEER_IP), NOW);
            arpCache.onTimers(NOW, output);
            RecordingNeighborOutput.Solicitation asked = output.solicitations.getFirst();
            FrameParser parsed = parseReply(control.writeArpRequest((int) asked.low(), asked.unicastMac(), reply, 0));
            ArpPacket request = ArpPacket.from(parsed.arp());
            receive(IpFrames.arp(OUR_MAC, PEER_MAC, request.answer(PEER_MAC)));
            assertEquals(PEER_MAC, arpCache.resolve(0, key(PEER_IP), NOW));
        }
    }

    @Nested
    class NeighborDiscovery {
        private byte[] solicitation(Ipv6Address source, Ipv6Address destination, int hopLimit, Ipv6Address target,
                                    OptionalLong sourceLinkLayer) {
            long destinationMac = destination.isMulticast() ? destination.multicastMac() : OUR_MAC;
            return IpFrames.icmpv6(destinationMac, PEER_MAC, source, destination, hopLimit,
                    new Icmpv6Message.NeighborSolicitation(target, sourceLinkLayer));
        }

        private byte[] multicastSolicitationFromPeer(Ipv6Address target) {
            return solicitation(PEER_IP6, target.solicitedNode(), 255, target, OptionalLong.of(PEER_MAC));
        }

        private byte[] advertisement(Ipv6Address destination, boolean solicited, boolean override, Ipv6Address target,
                                     OptionalLong targetLinkLayer, int hopLimit) {
            long destinationMac = destination.isMulticast() ? destination.multicastMac() : OUR_MAC;
            return IpFrames.icmpv6(destinationMac, PEER_MAC, target, destination, hopLimit,
                    new Icmpv6Message.NeighborAdvertisement(false, solicited, override, target, targetLinkLayer));
        }

        @Test
        void aSolicitationForOurAddressIsAnsweredSolicitedAndOverride() {
            // RFC 4861 7.2.4: to the solicitation's source, S and O set, our MAC in the target option.
            int length = receive(multicastSolicitationFromPeer(OUR_IP6));
            FrameParser parsed = parseReply(length);
            assertEquals(14 + 40 + 32, length);
            assertEquals(PEER_MAC, parsed.ethernet().destination());
            assertEquals(OUR_MAC, parsed.ethernet().source());
            Ipv6Header ip = Ipv6Header.from(parsed.ipv6());
            assertEquals(new Ipv6Header(0, 0, 32, 255, OUR_IP6, PEER_IP6, Ipv6Flyweight.ICMPV6), ip);
            Icmpv6Message message = Icmpv6Message.from(parsed.icmpv6());
            assertEquals(new Icmpv6Message.NeighborAdvertisement(0, parsed.icmpv6().checksum(), false, true, true,
                    OUR_IP6, OptionalLong.of(OUR_MAC)), message);
        }

        @Test
        void aSolicitationTeachesTheCacheItsSourceAsStale() {
            // RFC 4861 7.2.3.
            receive(multicastSolicitationFromPeer(OUR_IP6));
            assertEquals(PEER_MAC, neighborCache.cachedMac(PEER_IP6.high(), PEER_IP6.low()));
            assertEquals(NeighborState.STALE, neighborCache.state(PEER_IP6.high(), PEER_IP6.low(), NOW));
        }

        @Test
        void aLinkLocalSolicitationIsAnsweredFromTheLinkLocalTarget() {
            int length = receive(solicitation(PEER_LINK_LOCAL, OUR_LINK_LOCAL.solicitedNode(), 255, OUR_LINK_LOCAL,
                    OptionalLong.of(PEER_MAC)));
            Ipv6Header ip = Ipv6Header.from(parseReply(length).ipv6());
            assertEquals(OUR_LINK_LOCAL, ip.source());
            assertEquals(PEER_LINK_LOCAL, ip.destination());
        }

        @Test
        void aDuplicateAddressProbeIsAnsweredToAllNodesWithSolicitedClear() {
            // RFC 4861 7.2.4: source unspecified -> S = 0, multicast to all nodes; nothing learned.
            int length = receive(solicitation(Ipv6Address.UNSPECIFIED, OUR_IP6.solicitedNode(), 255, OUR_IP6,
                    OptionalLong.empty()));
            FrameParser parsed = parseReply(length);
            assertEquals(MacAddress.parse("33:33:00:00:00:01"), parsed.ethernet().destination());
            Ipv6Header ip = Ipv6Header.from(parsed.ipv6());
            assertEquals(Ipv6Address.ALL_NODES, ip.destination());
            assertFalse(parsed.icmpv6().solicited());
            assertTrue(parsed.icmpv6().override());
            assertEquals(0, neighborCache.size());
            assertEquals(1, control.drops().count(IpDrop.ND_ADDRESS_CONFLICT));
        }

        @Test
        void aUnicastProbeWithoutTheOptionIsAnsweredToTheFramesSource() {
            // RFC 4861 7.2.2: a unicast solicitation may omit the source link-layer address.
            int length = receive(solicitation(PEER_IP6, OUR_IP6, 255, OUR_IP6, OptionalLong.empty()));
            FrameParser parsed = parseReply(length);
            assertEquals(PEER_MAC, parsed.ethernet().destination());
            assertTrue(parsed.icmpv6().solicited());
            assertEquals(0, neighborCache.size(), "nothing to learn without the option");
        }

        @Test
        void aSolicitationThatDidNotComeFromTheLinkIsInvalid() {
            // RFC 4861 7.1.1: hop limit 255 proves the sender is on the link.
            assertEquals(0, receive(solicitation(PEER_IP6, OUR_IP6.solicitedNode(), 64, OUR_IP6, OptionalLong.of(PEER_MAC))));
            assertEquals(1, control.drops().count(IpDrop.ND_INVALID));
            assertEquals(0, neighborCache.size());
        }

        @Test
        void aDuplicateAddressProbeWithASourceOptionIsInvalid() {
            assertEquals(0, receive(solicitation(Ipv6Address.UNSPECIFIED, OUR_IP6.solicitedNode(), 255, OUR_IP6,
                    OptionalLong.of(PEER_MAC))));
            assertEquals(1, control.drops().count(IpDrop.ND_INVALID));
        }

        @Test
        void aDuplicateAddressProbeToAUnicastAddressIsInvalid() {
            assertEquals(0, receive(solicitation(Ipv6Address.UNSPECIFIED, OUR_IP6, 255, OUR_IP6, OptionalLong.empty())));
            assertEquals(1, control.drops().count(IpDrop.ND_INVALID));
        }

        @Test
        void aSolicitationForAnotherTargetIsNotAnsweredAndTeachesNothing() {
            assertEquals(0, receive(multicastSolicitationFromPeer(Ipv6Address.parse("2001:db8::99"))));
            assertEquals(1, control.drops().count(IpDrop.ND_NOT_FOR_US));
            assertEquals(0, neighborCache.size());
        }

        @Test
        void aSolicitedAdvertisementResolvesAPendingEntry() {
            byte[] held = new byte[80];
            neighborCache.resolveOrHold(PEER_IP6.high(), PEER_IP6.low(), MemorySegment.ofArray(held), 0, held.length, NOW);
            assertEquals(0, receive(advertisement(OUR_IP6, true, true, PEER_IP6, OptionalLong.of(PEER_MAC), 255)));
            assertEquals(NeighborState.REACHABLE, neighborCache.state(PEER_IP6.high(), PEER_IP6.low(), NOW));
            assertEquals(1, output.transmitted.size());
        }

        @Test
        void anAdvertisementWithOverrideClearDoesNotReplaceAReachableAddress() {
            neighborCache.learn(PEER_IP6.high(), PEER_IP6.low(), PEER_MAC,
                    NeighborCache.SOLICITED | NeighborCache.CREATE, NOW, output);
            receive(advertisement(OUR_IP6, false, false, PEER_IP6, OptionalLong.of(OTHER_MAC), 255));
            assertEquals(PEER_MAC, neighborCache.cachedMac(PEER_IP6.high(), PEER_IP6.low()));
            assertEquals(NeighborState.STALE, neighborCache.state(PEER_IP6.high(), PEER_IP6.low(), NOW));
        }

        @Test
        void aMulticastAdvertisementWithSolicitedSetIsInvalid() {
            // RFC 4861 7.1.2: "If the IP Destination Address is a multicast address the Solicited flag is zero."
            neighborCache.resolve(PEER_IP6.high(), PEER_IP6.low(), NOW);
            receive(advertisement(Ipv6Address.ALL_NODES, true, true, PEER_IP6, OptionalLong.of(PEER_MAC), 255));
            assertEquals(1, control.drops().count(IpDrop.ND_INVALID));
            assertEquals(NeighborState.INCOMPLETE, neighborCache.state(PEER_IP6.high(), PEER_IP6.low(), NOW));
        }

        @Test
        void anAdvertisementForOurAddressIsACountedConflict() {
            receive(advertisement(Ipv6Address.ALL_NODES, false, true, OUR_IP6, OptionalLong.of(PEER_MAC), 255));
            assertEquals(1, control.drops().count(IpDrop.ND_ADDRESS_CONFLICT));
            assertEquals(0, neighborCache.size());
        }

        @Test
        void routerAdvertisementsAreIgnored() {
            byte[] frame = IpFrames.icmpv6(Ipv6Address.ALL_NODES.multicastMac(), ROUTER_MAC, ROUTER_LINK_LOCAL,
                    Ipv6Address.ALL_NODES, 255, new Icmpv6Message.Other(Icmpv6Flyweight.ROUTER_ADVERTISEMENT, 0, 0,
                            new byte[12]));
            assertEquals(0, receive(frame));
            assertEquals(1, control.drops().count(IpDrop.ND_ROUTER_MESSAGE_IGNORED));
        }

        @Test
        void aMulticastSolicitationGoesToTheTargetsSolicitedNodeGroup() {
            int length = control.writeNeighborSolicitation(PEER_IP6.high(), PEER_IP6.low(), NeighborCache.NO_MAC, reply, 0);
            FrameParser parsed = parseReply(length);
            // 33:33 and the last 32 bits of ff02::1:ff00:7 (RFC 2464 7).
            assertEquals(MacAddress.parse("33:33:ff:00:00:07"), parsed.ethernet().destination());
            assertEquals(new Ipv6Header(0, 0, 32, 255, OUR_IP6, Ipv6Address.parse("ff02::1:ff00:7"), Ipv6Flyweight.ICMPV6),
                    Ipv6Header.from(parsed.ipv6()));
            assertEquals(new Icmpv6Message.NeighborSolicitation(0, parsed.icmpv6().checksum(), PEER_IP6,
                    OptionalLong.of(OUR_MAC)), Icmpv6Message.from(parsed.icmpv6()));
        }

        @Test
        void aProbeForTheRouterGoesUnicastFromOurLinkLocalAddress() {
            int length = control.writeNeighborSolicitation(ROUTER_LINK_LOCAL.high(), ROUTER_LINK_LOCAL.low(), ROUTER_MAC,
                    reply, 0);
            FrameParser parsed = parseReply(length);
            assertEquals(ROUTER_MAC, parsed.ethernet().destination());
            Ipv6Header ip = Ipv6Header.from(parsed.ipv6());
            assertEquals(OUR_LINK_LOCAL, ip.source(), "same scope as the target (RFC 6724 rule 2)");
            assertEquals(ROUTER_LINK_LOCAL, ip.destination());
        }

        @Test
        void anUnsolicitedAdvertisementAnnouncesOurAddressToAllNodes() {
            // RFC 4861 7.2.6: S clear, O set, all-nodes, target option.
            int length = control.writeUnsolicitedAdvertisement(OUR_IP6.high(), OUR_IP6.low(), reply, 0);
            FrameParser parsed = parseReply(length);
            assertEquals(MacAddress.parse("33:33:00:00:00:01"), parsed.ethernet().destination());
            assertEquals(new Ipv6Header(0, 0, 32, 255, OUR_IP6, Ipv6Address.ALL_NODES, Ipv6Flyweight.ICMPV6),
                    Ipv6Header.from(parsed.ipv6()));
            assertEquals(new Icmpv6Message.NeighborAdvertisement(0, parsed.icmpv6().checksum(), false, false, true,
                    OUR_IP6, OptionalLong.of(OUR_MAC)), Icmpv6Message.from(parsed.icmpv6()));
        }

        @Test
        void ourAnnouncementUpdatesAnotherHostsCache() {
            // Two control planes back to back: the peer's cache had an old MAC for us.
            RoutingTable peerRoutes = new RoutingTable().addIpv6Address(PEER_IP6, 64, INTERFACE);
            NeighborCache peerCache = new NeighborCache(NeighborConfig.defaults());
            IpControl peer = new IpControl(PEER_MAC, INTERFACE, peerRoutes, arpCache, peerCache);
            peerCache.learn(OUR_IP6.high(), OUR_IP6.low(), OTHER_MAC, NeighborCache.SOLICITED | NeighborCache.CREATE, NOW, output);
            int length = control.writeUnsolicitedAdvertisement(OUR_IP6.high(), OUR_IP6.low(), reply, 0);
            FrameParser parsed = parseReply(length);
            peer.onIcmpv6(parsed, NOW, output, MemorySegment.ofArray(new byte[200]), 0);
            assertEquals(OUR_MAC, peerCache.cachedMac(OUR_IP6.high(), OUR_IP6.low()));
            assertEquals(NeighborState.STALE, peerCache.state(OUR_IP6.high(), OUR_IP6.low(), NOW));
        }
    }

    @Nested
    class Echo {
        private final byte[] abcd = "abcd".getBytes(StandardCharsets.US_ASCII);

        @Test
        void anIpv4EchoRequestIsAnsweredByteForByte() {
            byte[] request = IpFrames.icmpv4(OUR_MAC, PEER_MAC, PEER_IP, OUR_IP, Icmpv4Message.echoRequest(0x1234, 1, abcd));
            int length = receive(request);
            byte[] expected = hex("""
                    020000 0000aa   020000 000001   0800
                    45 00 0020   0000 4000   40 01 26d5   0a000002   0a000007
                    00 00 2904   1234 0001   61626364
                    """);
            // Ethernet back to the asker. IPv4: version 4, IHL 5, total 32, id 0, DF, TTL 64,
            // protocol ICMP, checksum 0x26d5, from us to the asker. ICMP: echo reply, code 0,
            // checksum 0x2904, identifier 0x1234, sequence 1, data "abcd".
            assertArrayEquals(expected, replyBytes(length));
        }

        @Test
        void anIpv4EchoReplyCarriesTheRequestsIdentifierSequenceAndData() {
            byte[] data = new byte[1000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 7);
            }
            Ipv4Header requestIp = new Ipv4Header(46, 0, 20 + 8 + data.length, 999, 0, 0, 3, 1, 0,
                    REMOTE_IP, OUR_IP, new byte[0]).withComputedChecksum();
            byte[] request = IpFrames.icmpv4(EthernetHeader.untagged(OUR_MAC, ROUTER_MAC, EthernetFlyweight.ETHERTYPE_IPV4),
                    requestIp, Icmpv4Message.echoRequest(77, 65535, data));
            FrameParser parsed = parseReply(receive(request));
            assertEquals(ROUTER_MAC, parsed.ethernet().destination(), "back the way it came");
            Ipv4Header ip = Ipv4Header.from(parsed.ipv4());
            assertEquals(OUR_IP, ip.source());
            assertEquals(REMOTE_IP, ip.destination());
            assertEquals(46, ip.dscp(), "type of service as requested");
            assertEquals(64, ip.ttl());
            assertTrue(ip.dontFragment());
            assertEquals(Icmpv4Message.echoReply(77, 65535, data).withComputedChecksum(), Icmpv4Message.from(parsed.icmpv4()));
        }

        @Test
        void aRequestWithIpOptionsIsAnsweredWithoutThem() {
            byte[] options = {1, 1, 1, 0}; // NOP NOP NOP EOL
            Ipv4Header requestIp = new Ipv4Header(0, 0, 24 + 8 + 4, 1, 0, 0, 64, 1, 0, PEER_IP, OUR_IP, options)
                    .withComputedChecksum();
            byte[] request = IpFrames.icmpv4(EthernetHeader.untagged(OUR_MAC, PEER_MAC, EthernetFlyweight.ETHERTYPE_IPV4),
                    requestIp, Icmpv4Message.echoRequest(5, 6, abcd));
            FrameParser parsed = parseReply(receive(request));
            assertEquals(20, parsed.ipv4().headerLength());
            assertEquals(Icmpv4Message.echoReply(5, 6, abcd).withComputedChecksum(), Icmpv4Message.from(parsed.icmpv4()));
        }

        @Test
        void theReplyCanBeBuiltOverTheRequest() {
            byte[] frame = IpFrames.icmpv4(OUR_MAC, PEER_MAC, PEER_IP, OUR_IP, Icmpv4Message.echoRequest(9, 10, abcd));
            MemorySegment segment = MemorySegment.ofArray(frame);
            assertEquals(Malformed.NONE, parser.parse(segment, 0, frame.length, true));
            int length = control.onIcmpv4(parser, segment, 0);
            assertEquals(frame.length, length);
            assertEquals(Malformed.NONE, replyParser.parse(segment, 0, length, true));
            assertEquals(PEER_IP, replyParser.ipv4().destination());
            assertEquals(Icmpv4Message.echoReply(9, 10, abcd).withComputedChecksum(), Icmpv4Message.from(replyParser.icmpv4()));
        }

        @Test
        void aTaggedRequestIsAnsweredTagged() {
            byte[] request = IpFrames.icmpv4(EthernetHeader.tagged(OUR_MAC, PEER_MAC, 0, 7, EthernetFlyweight.ETHERTYPE_IPV4),
                    Ipv4Header.of(1, PEER_IP, OUR_IP, 12), Icmpv4Message.echoRequest(1, 2, abcd));
            FrameParser parsed = parseReply(receive(request));
            assertEquals(7, parsed.ethernet().vlanId());
            assertEquals(FrameParser.Transport.ICMPV4, parsed.transport());
        }

        @Test
        void broadcastAndForeignEchoRequestsAreNotAnswered() {
            byte[] broadcast = IpFrames.icmpv4(MacAddress.BROADCAST, PEER_MAC, PEER_IP, Ipv4Address.LIMITED_BROADCAST,
                    Icmpv4Message.echoRequest(1, 1, abcd));
            byte[] foreign = IpFrames.icmpv4(OUR_MAC, PEER_MAC, PEER_IP, OTHER_IP, Icmpv4Message.echoRequest(1, 1, abcd));
            byte[] badSource = IpFrames.icmpv4(OUR_MAC, PEER_MAC, Ipv4Address.of(224, 0, 0, 1), OUR_IP,
                    Icmpv4Message.echoRequest(1, 1, abcd));
            assertEquals(0, receive(broadcast));
            assertEquals(0, receive(foreign));
            assertEquals(0, receive(badSource));
            assertEquals(1, control.drops().count(IpDrop.ICMP_ECHO_NOT_UNICAST));
            assertEquals(1, control.drops().count(IpDrop.ICMP_NOT_FOR_US));
            assertEquals(1, control.drops().count(IpDrop.ICMP_BAD_SOURCE));
        }

        @Test
        void aPingOfOurLoopbackAddressIsAnswered() {
            byte[] request = IpFrames.icmpv4(OUR_MAC, PEER_MAC, Ipv4Address.of(127, 0, 0, 1), Ipv4Address.of(127, 0, 0, 1),
                    Icmpv4Message.echoRequest(3, 4, abcd));
            FrameParser parsed = parseReply(receive(request));
            assertEquals(Ipv4Address.of(127, 0, 0, 1), parsed.ipv4().source());
        }

        @Test
        void aReplyTooLargeForTheBufferIsCounted() {
            byte[] request = IpFrames.icmpv4(OUR_MAC, PEER_MAC, PEER_IP, OUR_IP, Icmpv4Message.echoRequest(1, 1, new byte[100]));
            assertEquals(Malformed.NONE, parser.parse(MemorySegment.ofArray(request), 0, request.length, true));
            assertEquals(0, control.onIcmpv4(parser, MemorySegment.ofArray(new byte[100]), 0));
            assertEquals(1, control.drops().count(IpDrop.REPLY_DOES_NOT_FIT));
        }

        @Test
        void errorsAreLeftToTheErrorReportAndOtherTypesAreCounted() {
            byte[] unreachable = IpFrames.icmpv4(OUR_MAC, ROUTER_MAC, ROUTER_IP, OUR_IP,
                    Icmpv4Message.destinationUnreachable(Icmpv4Flyweight.CODE_HOST_UNREACHABLE, new byte[28]));
            byte[] echoReply = IpFrames.icmpv4(OUR_MAC, PEER_MAC, PEER_IP, OUR_IP, Icmpv4Message.echoReply(1, 1, abcd));
            assertEquals(0, receive(unreachable));
            assertEquals(0, control.drops().total(), "errors are not this class's drops");
            assertEquals(0, receive(echoReply));
            assertEquals(1, control.drops().count(IpDrop.ICMP_IGNORED_TYPE));
        }

        @Test
        void anIpv6EchoRequestIsAnsweredFromTheAddressItWasSentTo() {
            byte[] request = IpFrames.icmpv6(OUR_MAC, ROUTER_MAC, IpFrames.REMOTE_IP6, OUR_IP6, 57,
                    new Icmpv6Message.EchoRequest(0xbeef, 42, abcd));
            FrameParser parsed = parseReply(receive(request));
            assertEquals(ROUTER_MAC, parsed.ethernet().destination());
            assertEquals(new Ipv6Header(0, 0, 12, 64, OUR_IP6, IpFrames.REMOTE_IP6, Ipv6Flyweight.ICMPV6),
                    Ipv6Header.from(parsed.ipv6()));
            assertEquals(new Icmpv6Message.EchoReply(0, parsed.icmpv6().checksum(), 0xbeef, 42, abcd),
                    Icmpv6Message.from(parsed.icmpv6()));
        }

        @Test
        void anIpv6EchoRequestBehindAnExtensionHeaderIsAnsweredWithoutIt() {
            Icmpv6Message echo = new Icmpv6Message.EchoRequest(1, 2, abcd);
            Ipv6Header ip = new Ipv6Header(0, 0, 8 + echo.length(), 64, PEER_IP6, OUR_IP6,
                    List.of(new Ipv6Header.Extension(Ipv6Flyweight.DESTINATION_OPTIONS, new byte[6])), Ipv6Flyweight.ICMPV6);
            byte[] request = IpFrames.icmpv6(EthernetHeader.untagged(OUR_MAC, PEER_MAC, EthernetFlyweight.ETHERTYPE_IPV6),
                    ip, echo);
            FrameParser parsed = parseReply(receive(request));
            assertEquals(0, parsed.ipv6().extensionHeaderCount());
            assertEquals(new Icmpv6Message.EchoReply(0, parsed.icmpv6().checksum(), 1, 2, abcd),
                    Icmpv6Message.from(parsed.icmpv6()));
        }

        @Test
        void anIpv6EchoRequestToAMulticastGroupIsNotAnswered() {
            byte[] request = IpFrames.icmpv6(Ipv6Address.ALL_NODES.multicastMac(), PEER_MAC, PEER_IP6, Ipv6Address.ALL_NODES,
                    64, new Icmpv6Message.EchoRequest(1, 2, abcd));
            assertEquals(0, receive(request));
            assertEquals(1, control.drops().count(IpDrop.ICMP_ECHO_NOT_UNICAST));
        }
    }
}
