package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.ip.IpControl;
import io.mtcp4j.stack.ip.NeighborCache;
import io.mtcp4j.stack.ip.NeighborConfig;
import io.mtcp4j.stack.ip.NeighborState;
import io.mtcp4j.stack.ip.RoutingTable;
import io.mtcp4j.stack.wire.ArpFlyweight;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Icmpv6Flyweight;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.MacAddress;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.NetworkOrder;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an engine says when it starts: a gratuitous ARP (RFC 5227 2.3 announcement) and an
 * unsolicited neighbour advertisement (RFC 4861 7.2.6) for its addresses, sent once by engine 0,
 * checked byte by byte, and what a peer's neighbour caches make of them: an existing entry takes
 * the announced MAC (RFC 826's merge; RFC 4861 7.2.5 with the Override flag, entry STALE), and a
 * peer without an entry creates none (RFC 4861 7.2.5; Linux's {@code arp_accept=0}).
 */
class EngineAnnouncementTest {
    private static final long OLD_MAC = MacAddress.parse("02:00:00:00:00:99");
    private static final int A_IP = Ipv4Address.parse("10.0.0.1");
    private static final int B_IP = Ipv4Address.parse("10.0.0.2");
    private static final Ipv6Address A_IP6 = Ipv6Address.parse("fd00::1");
    private static final Ipv6Address B_IP6 = Ipv6Address.parse("fd00::2");

    private long nowNs = 1_000_000_000L;
    private LoopDevice.Pair pair;
    private final FrameBatch batch = new FrameBatch();
    private final FrameParser parser = new FrameParser();

    @AfterEach
    void closeDevices() {
        if (pair != null) {
            pair.close();
        }
    }

    private Engine engineA() {
        return new Engine(EngineConfig.of(StackAddresses.of(pair.a().macAddress(), A_IP, 24, A_IP6, 64)), pair.a(), 0, nowNs);
    }

    @Test
    void theFirstLoopAnnouncesBothAddressesExactly() {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("announce"));
        long mac = pair.a().macAddress();
        Engine engine = engineA();
        engine.doWork(nowNs);
        assertEquals(2, engine.counters().announcementsSent());
        assertEquals(2, pair.b().receive(0, batch));

        // The gratuitous ARP, every byte: broadcast; request; sender and target protocol address ours,
        // target hardware address zero; padded to the 60-byte minimum frame.
        MemorySegment arpFrame = batch.segment(0).asSlice(batch.offset(0), batch.length(0));
        assertEquals(HexFormat.of().formatHex(HexFormat.ofDelimiter(" ").parseHex(
                "ff ff ff ff ff ff 02 00 00 00 00 01 08 06"
                + " 00 01 08 00 06 04 00 01 02 00 00 00 00 01 0a 00 00 01 00 00 00 00 00 00 0a 00 00 01"
                + " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")),
                HexFormat.of().formatHex(arpFrame.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
        assertEquals(Malformed.NONE, parser.parse(batch.segment(0), batch.offset(0), batch.length(0), true));
        assertEquals(FrameParser.Network.ARP, parser.network());
        EthernetFlyweight ethernet = parser.ethernet();
        assertEquals(MacAddress.BROADCAST, ethernet.destination());
        assertEquals(mac, ethernet.source());
        assertEquals(EthernetFlyweight.ETHERTYPE_ARP, ethernet.etherType());
        ArpFlyweight arp = parser.arp();
        assertEquals(ArpFlyweight.HARDWARE_TYPE_ETHERNET, arp.hardwareType());
        assertEquals(ArpFlyweight.PROTOCOL_TYPE_IPV4, arp.protocolType());
        assertEquals(6, arp.hardwareAddressLength());
        assertEquals(4, arp.protocolAddressLength());
        assertEquals(ArpFlyweight.OPERATION_REQUEST, arp.operation());
        assertEquals(mac, arp.senderMac());
        assertEquals(A_IP, arp.senderIp());
        assertEquals(MacAddress.ZERO, arp.targetMac());
        assertEquals(A_IP, arp.targetIp());
        assertTrue(arp.isGratuitous());

        // The unsolicited advertisement: all-nodes, hop limit 255, S clear, O set, target option.
        assertEquals(86, batch.length(1));
        assertEquals(Malformed.NONE, parser.parse(batch.segment(1), batch.offset(1), batch.length(1), true), "checksum verified");
        ethernet = parser.ethernet();
        assertEquals(MacAddress.parse("33:33:00:00:00:01"), ethernet.destination());
        assertEquals(mac, ethernet.source());
        assertEquals(EthernetFlyweight.ETHERTYPE_IPV6, ethernet.etherType());
        Ipv6Flyweight ip = parser.ipv6();
        assertEquals(6, ip.version());
        assertEquals(0, ip.trafficClass());
        assertEquals(0, ip.flowLabel());
        assertEquals(32, ip.payloadLength());
        assertEquals(Ipv6Flyweight.ICMPV6, ip.nextHeader());
        assertEquals(IpControl.NEIGHBOR_DISCOVERY_HOP_LIMIT, ip.hopLimit());
        assertEquals(A_IP6.high(), ip.sourceHigh());
        assertEquals(A_IP6.low(), ip.sourceLow());
        assertEquals(Ipv6Address.ALL_NODES.high(), ip.destinationHigh());
        assertEquals(Ipv6Address.ALL_NODES.low(), ip.destinationLow());
        Icmpv6Flyweight icmp = parser.icmpv6();
        assertEquals(Icmpv6Flyweight.NEIGHBOR_ADVERTISEMENT, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(Icmpv6Flyweight.OVERRIDE_FLAG << 24, icmp.word(), "R and S clear, O set, reserved zero");
        assertEquals(A_IP6.high(), icmp.targetHigh());
        assertEquals(A_IP6.low(), icmp.targetLow());
        long option = icmp.offset() + Icmpv6Flyweight.NEIGHBOR_MIN_LENGTH;
        assertEquals(Icmpv6Flyweight.TARGET_LINK_LAYER_ADDRESS, NetworkOrder.u8(icmp.segment(), option));
        assertEquals(1, NetworkOrder.u8(icmp.segment(), option + 1), "one 8-byte unit");
        assertEquals(mac, icmp.targetLinkLayerAddress());

        nowNs += 1_000_000;
        engine.doWork(nowNs);
        assertEquals(0, pair.b().receive(0, batch), "announced once");
        assertEquals(2, engine.counters().announcementsSent());
    }

    @Test
    void onlyEngineZeroOfAGroupAnnounces() {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("announce").withQueues(4));
        EngineGroup group = new EngineGroup(EngineConfig.of(StackAddresses.of(pair.a().macAddress(), A_IP, 24, A_IP6, 64))
                .withEngines(4), pair.a(), nowNs);
        group.doWork(nowNs);
        assertEquals(2, group.engine(0).counters().announcementsSent());
        for (int i = 1; i < 4; i++) {
            assertEquals(0, group.engine(i).counters().announcementsSent());
        }
    }

    // Every engine of the peer's group held an entry for our addresses with an old MAC (taught by
    // one ARP request and one solicitation, which the receiving engine copied to the others); our
    // announcements update every one of them, STALE, as RFC 4861 7.2.5 says for an unsolicited
    // advertisement with Override that changes the address.
    @Test
    void aPeerGroupsEntriesForOurAddressesTakeTheAnnouncedMac() {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("announce").withQueues(4));
        EngineGroup peer = new EngineGroup(EngineConfig.of(StackAddresses.of(pair.b().macAddress(), B_IP, 24, B_IP6, 64))
                .withEngines(4), pair.b(), nowNs);
        peer.doWork(nowNs);
        sendFromOldMac();
        for (int loop = 0; loop < 3; loop++) {
            nowNs += 1_000_000;
            peer.doWork(nowNs);
        }
        for (Engine engine : peer.engines()) {
            assertEquals(OLD_MAC, engine.arpCache().cachedMac(0, Integer.toUnsignedLong(A_IP)), "engine " + engine.index());
            assertEquals(OLD_MAC, engine.neighborCache().cachedMac(A_IP6.high(), A_IP6.low()), "engine " + engine.index());
        }
        drain(pair.a()); // the peer's own announcements and its answers to the old MAC

        Engine engine = engineA();
        nowNs += 1_000_000;
        engine.doWork(nowNs);
        for (int loop = 0; loop < 3; loop++) {
            nowNs += 1_000_000;
            peer.doWork(nowNs);
        }
        for (Engine peerEngine : peer.engines()) {
            NeighborCache arp = peerEngine.arpCache();
            assertEquals(pair.a().macAddress(), arp.cachedMac(0, Integer.toUnsignedLong(A_IP)), "engine " + peerEngine.index());
            assertEquals(NeighborState.STALE, arp.state(0, Integer.toUnsignedLong(A_IP), nowNs));
            NeighborCache nd = peerEngine.neighborCache();
            assertEquals(pair.a().macAddress(), nd.cachedMac(A_IP6.high(), A_IP6.low()), "engine " + peerEngine.index());
            assertEquals(NeighborState.STALE, nd.state(A_IP6.high(), A_IP6.low(), nowNs));
            assertEquals(0, peerEngine.counters().totalDrops(), peerEngine.counters().toString());
        }
    }

    @Test
    void aPeerWithoutAnEntryForUsCreatesNone() {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("announce"));
        Engine peer = new Engine(EngineConfig.of(StackAddresses.of(pair.b().macAddress(), B_IP, 24, B_IP6, 64)), pair.b(), 0, nowNs);
        peer.doWork(nowNs);
        Engine engine = engineA();
        nowNs += 1_000_000;
        engine.doWork(nowNs);
        nowNs += 1_000_000;
        peer.doWork(nowNs);
        assertTrue(peer.counters().framesReceived() >= 2, "the peer received the announcements");
        assertEquals(NeighborState.NONE, peer.arpCache().state(0, Integer.toUnsignedLong(A_IP), nowNs));
        assertEquals(NeighborState.NONE, peer.neighborCache().state(A_IP6.high(), A_IP6.low(), nowNs));
    }

    /**
     * An ARP request and a neighbour solicitation for the peer, from our addresses but an old MAC
     * (what the peer learned from this address's previous owner), built by an IpControl for it.
     */
    private void sendFromOldMac() {
        RoutingTable routes = new RoutingTable().addIpv4Address(A_IP, 24, 0).addIpv6Address(A_IP6, 64, 0);
        NeighborCache cache = new NeighborCache(NeighborConfig.defaults());
        IpControl oldOwner = new IpControl(OLD_MAC, 0, routes, cache, cache);
        FrameBatch out = new FrameBatch();
        assertEquals(2, pair.a().lend(0, out, 2));
        out.length(0, oldOwner.writeArpRequest(B_IP, NeighborCache.NO_MAC, out.segment(0), out.offset(0)));
        out.length(1, oldOwner.writeNeighborSolicitation(B_IP6.high(), B_IP6.low(), NeighborCache.NO_MAC,
                out.segment(1), out.offset(1)));
        assertEquals(2, pair.a().transmit(0, out));
    }

    private void drain(LoopDevice device) {
        for (int queue = 0; queue < device.queueCount(); queue++) {
            while (device.receive(queue, batch) > 0) {
                batch.clear();
            }
        }
    }
}
