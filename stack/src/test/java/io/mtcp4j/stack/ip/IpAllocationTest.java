package io.mtcp4j.stack.ip;

import static io.mtcp4j.stack.ip.IpFrames.INTERFACE;
import static io.mtcp4j.stack.ip.IpFrames.OUR_IP;
import static io.mtcp4j.stack.ip.IpFrames.OUR_IP6;
import static io.mtcp4j.stack.ip.IpFrames.OUR_MAC;
import static io.mtcp4j.stack.ip.IpFrames.PEER_IP;
import static io.mtcp4j.stack.ip.IpFrames.PEER_IP6;
import static io.mtcp4j.stack.ip.IpFrames.PEER_MAC;
import static io.mtcp4j.stack.ip.IpFrames.REMOTE_IP;
import static io.mtcp4j.stack.ip.IpFrames.REMOTE_IP6;
import static io.mtcp4j.stack.ip.IpFrames.ROUTER_IP;
import static io.mtcp4j.stack.ip.IpFrames.ROUTER_MAC;
import static io.mtcp4j.stack.testing.Allocations.bytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.ArpPacket;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Icmpv4Message;
import io.mtcp4j.stack.wire.Icmpv6Message;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.MacAddress;
import io.mtcp4j.stack.wire.Malformed;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The per-packet operations of the ip package allocate nothing (STYLE.md 7): neighbour cache
 * lookups, holds, answers, timers, failures and evictions; ARP, neighbour and echo replies; ICMP
 * error reading; route lookups. Measured with the JVM's per-thread allocation counter after a
 * warm-up ({@link io.mtcp4j.stack.testing.Allocations}), as the tcp package's tests do.
 */
class IpAllocationTest {
    private static final int ROUNDS = 20_000;
    private static final long SECOND = 1_000_000_000L;

    /** Escapes the calibration allocation so that it cannot be optimised away. */
    static volatile Object escaped;

    private final RoutingTable routes = IpFrames.routes();
    private final NeighborCache arpCache = new NeighborCache(NeighborConfig.defaults().withSizes(64, 3, 32));
    private final NeighborCache neighborCache = new NeighborCache(NeighborConfig.defaults());
    private final IpControl control = new IpControl(OUR_MAC, INTERFACE, routes, arpCache, neighborCache);
    private final IcmpErrorReport errors = new IcmpErrorReport();
    private final FrameParser parser = new FrameParser();
    private final NextHop hop = new NextHop();
    private final MemorySegment reply = MemorySegment.ofArray(new byte[2048]);
    private final MemorySegment outgoing = MemorySegment.ofArray(new byte[1500]);
    private long sink;
    private long now = 1_000 * SECOND;

    /** Counts what the caches send, allocating nothing. */
    private final NeighborOutput output = new NeighborOutput() {
        @Override
        public void solicit(long targetHigh, long targetLow, long unicastMac) {
            sink += targetLow + control.writeArpRequest((int) targetLow, unicastMac, reply, 0);
        }

        @Override
        public void transmit(MemorySegment frame, long offset, int length) {
            sink += length + frame.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset);
        }

        @Override
        public void resolutionFailed(long targetHigh, long targetLow, int droppedFrames) {
            sink += droppedFrames;
        }
    };

    private final MemorySegment arpRequest = segment(IpFrames.arp(MacAddress.BROADCAST, PEER_MAC,
            ArpPacket.request(PEER_MAC, PEER_IP, OUR_IP)));
    private final MemorySegment echoRequest = segment(IpFrames.icmpv4(OUR_MAC, PEER_MAC, PEER_IP, OUR_IP,
            Icmpv4Message.echoRequest(1, 2, new byte[56])));
    private final MemorySegment solicitation = segment(IpFrames.icmpv6(OUR_IP6.solicitedNode().multicastMac(), PEER_MAC,
            PEER_IP6, OUR_IP6.solicitedNode(), 255, new Icmpv6Message.NeighborSolicitation(OUR_IP6, OptionalLong.of(PEER_MAC))));
    private final MemorySegment echoRequest6 = segment(IpFrames.icmpv6(OUR_MAC, PEER_MAC, PEER_IP6, OUR_IP6, 64,
            new Icmpv6Message.EchoRequest(1, 2, new byte[56])));
    private final MemorySegment fragmentationNeeded = segment(IpFrames.icmpv4(OUR_MAC, ROUTER_MAC, ROUTER_IP, OUR_IP,
            Icmpv4Message.fragmentationNeeded(1400, IpFrames.quotedIpv4(Ipv4Flyweight.PROTOCOL_TCP, OUR_IP, REMOTE_IP, 1500,
                    IpFrames.tcpHeader(40000, 443, 12345)))));
    private final MemorySegment packetTooBig = segment(IpFrames.icmpv6(OUR_MAC, ROUTER_MAC, IpFrames.ROUTER_LINK_LOCAL, OUR_IP6, 64,
            new Icmpv6Message.PacketTooBig(1280, IpFrames.quotedIpv6(OUR_IP6, REMOTE_IP6, 1460, List.of(), Ipv6Flyweight.TCP,
                    IpFrames.tcpHeader(40000, 443, 12345)))));

    private static MemorySegment segment(byte[] frame) {
        return MemorySegment.ofArray(frame);
    }

    @Test
    void theCounterSeesAnAllocation() {
        // Calibration: without this, a counter stuck at zero would pass the test below.
        assertTrue(bytesAllocatedBy(() -> escaped = new byte[64]) >= 64);
    }

    @Test
    void perPacketOperationsDoNotAllocate() {
        long allocated = bytesAllocatedBy(this::exercise);
        // Any allocation per round is at least 16 bytes; a few dozen bytes once (deoptimisation) are not per round.
        assertTrue(allocated < ROUNDS, allocated + " bytes allocated by " + ROUNDS + " rounds");
        assertTrue(sink != 0);
        // The loop did take the paths it claims to measure.
        assertTrue(arpCache.evictions() > 0, "evictions");
        assertTrue(arpCache.drops().count(IpDrop.NEIGHBOR_RESOLUTION_FAILED) > 0, "failed resolutions");
        assertTrue(neighborCache.size() > 0, "solicitations learned");
        assertEquals(0, control.drops().count(IpDrop.REPLY_DOES_NOT_FIT));
    }

    private void exercise() {
        for (int i = 0; i < ROUNDS; i++) {
            // Neighbour cache: 200 addresses through a 64-entry table, so entries are evicted;
            // every fourth resolution is never answered and fails after its solicitations.
            long address = Integer.toUnsignedLong(0x0a00_0000 | (i % 200));
            if (arpCache.resolveOrHold(0, address, outgoing, 0, 100, now) == NeighborCache.HELD && (i & 3) != 0) {
                arpCache.learn(0, address, 0x0200_0000_0000L | i, NeighborCache.SOLICITED | NeighborCache.OVERRIDE, now, output);
            }
            sink += arpCache.resolve(0, address, now);
            arpCache.confirm(0, address, now);
            sink += arpCache.onTimers(now, output);
            now += SECOND / 4;

            // Control plane replies and the frames the host originates.
            sink += receive(arpRequest);
            sink += receive(echoRequest);
            sink += receive(solicitation);
            sink += receive(echoRequest6);
            sink += control.writeNeighborSolicitation(PEER_IP6.high(), PEER_IP6.low(), NeighborCache.NO_MAC, reply, 0);
            sink += control.writeGratuitousArp(OUR_IP, reply, 0);

            // ICMP errors and routes.
            sink += parse(fragmentationNeeded) && errors.read(parser) == IpDrop.NONE ? errors.mssBytes() : 0;
            sink += parse(packetTooBig) && errors.read(parser) == IpDrop.NONE ? errors.mtuBytes() : 0;
            sink += routes.routeIpv4(REMOTE_IP + (i & 0xff), hop) ? hop.ipv4() : 0;
            sink += routes.routeIpv6(REMOTE_IP6.high(), REMOTE_IP6.low() + i, hop) ? hop.low() : 0;
            sink += routes.isLocalIpv4(OUR_IP) ? 1 : 0;
        }
    }

    private boolean parse(MemorySegment frame) {
        return parser.parse(frame, 0, frame.byteSize(), true) == Malformed.NONE;
    }

    private int receive(MemorySegment frame) {
        parse(frame);
        if (parser.network() == FrameParser.Network.ARP) {
            return control.onArp(parser, now, output, reply, 0);
        }
        return parser.transport() == FrameParser.Transport.ICMPV4
                ? control.onIcmpv4(parser, reply, 0)
                : control.onIcmpv6(parser, now, output, reply, 0);
    }
}
