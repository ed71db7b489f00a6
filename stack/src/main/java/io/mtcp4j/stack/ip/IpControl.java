package io.mtcp4j.stack.ip;

import io.mtcp4j.stack.wire.ArpFlyweight;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Icmpv4Flyweight;
import io.mtcp4j.stack.wire.Icmpv6Flyweight;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.MacAddress;
import io.mtcp4j.stack.wire.NetworkOrder;
import java.lang.foreign.MemorySegment;

/**
 * The IP control plane of one Ethernet interface: answers ARP requests, neighbour solicitations
 * and echo requests, feeds what ARP and neighbour discovery tell into the neighbour caches, and
 * builds the frames the host originates itself (ARP requests, neighbour solicitations, start-up
 * announcements).
 *
 * <h2>Use from the engine</h2>
 * After {@link FrameParser#parse} returned {@code NONE}:
 * <ul>
 *   <li>{@link FrameParser.Network#ARP}: {@link #onArp};</li>
 *   <li>{@link FrameParser.Transport#ICMPV4}: error types go to {@link IcmpErrorReport}, the rest
 *       to {@link #onIcmpv4};</li>
 *   <li>{@link FrameParser.Transport#ICMPV6}: error types (below 128) go to
 *       {@link IcmpErrorReport}, the rest to {@link #onIcmpv6}.</li>
 * </ul>
 * Each handler returns the length of the reply frame it wrote at {@code replyOffset} (the engine
 * transmits it), or 0 when there is nothing to send; a frame not acted on is counted in
 * {@link #drops()} under its reason. A reply may be built over the request's own buffer (the same
 * segment and offset): every field it needs is read before anything is written.
 *
 * <p>Replies go back to the Ethernet address they came from, with the request's 802.1Q tag if it
 * had one. Frames the host originates ({@code write*}) are untagged.
 *
 * <h2>What is not done</h2>
 * Duplicate address detection before using an IPv6 address (RFC 4862 5.4) and active defence of
 * an IPv4 address (RFC 5227 2.4) are not done: conflicts are counted
 * ({@link IpDrop#ARP_ADDRESS_CONFLICT}, {@link IpDrop#ND_ADDRESS_CONFLICT}) and the
 * address kept. Router and redirect messages are ignored (routes are configured). IPv4 options of
 * an echo request (record route, timestamp) are not reflected in the reply, which RFC 1122 3.2.2.6
 * recommends; no one sends them in practice. Echo requests to broadcast and multicast addresses
 * are not answered (RFC 1122 3.2.2.6 and RFC 4443 4.1 allow either).
 *
 * <p>One instance per interface and engine thread. Nothing here allocates.
 */
public final class IpControl {
    /** The hop limit of every neighbour discovery message, checked on receipt (RFC 4861 7.1). */
    public static final int NEIGHBOR_DISCOVERY_HOP_LIMIT = 255;
    /** TTL and hop limit of the replies the host originates (Linux's default). */
    public static final int DEFAULT_HOP_LIMIT = 64;
    /** A neighbour solicitation or advertisement with one Ethernet link-layer address option. */
    public static final int NEIGHBOR_MESSAGE_LENGTH =
            Icmpv6Flyweight.NEIGHBOR_MIN_LENGTH + Icmpv6Flyweight.ETHERNET_LINK_LAYER_OPTION_LENGTH;

    private static final long ALL_NODES_HIGH = Ipv6Address.ALL_NODES.high();
    private static final long ALL_NODES_LOW = Ipv6Address.ALL_NODES.low();
    private static final long SOLICITED_NODE_LOW_MASK = 0xffff_ffff_ff00_0000L;
    private static final long SOLICITED_NODE_LOW_PREFIX = Ipv6Address.solicitedNodeLow(0);
    /** An Ethernet payload shorter than this is padded (the 60-byte minimum frame less the 14-byte header). */
    private static final int MINIMUM_ETHERNET_PAYLOAD = EthernetFlyweight.MINIMUM_FRAME_LENGTH - EthernetFlyweight.HEADER_LENGTH;
    private static final int NO_TAG = -1;
    /** ICMPv4 and ICMPv6 echo messages alike: type, code, checksum, identifier, sequence number; then data. */
    private static final int ECHO_HEADER_LENGTH = Icmpv6Flyweight.ECHO_MIN_LENGTH;
    /** What {@link #startEchoReply} returns when the reply frame does not fit. */
    private static final long DOES_NOT_FIT = -1;

    private final long mac;
    private final int interfaceIndex;
    private final RoutingTable routes;
    private final NeighborCache arpCache;
    private final NeighborCache neighborCache;
    private final NextHop route = new NextHop();
    private final DropCounters drops = new DropCounters();

    private final EthernetFlyweight ethernetOut = new EthernetFlyweight();
    private final ArpFlyweight arpOut = new ArpFlyweight();
    private final Ipv4Flyweight ipv4Out = new Ipv4Flyweight();
    private final Icmpv4Flyweight icmpv4Out = new Icmpv4Flyweight();
    private final Ipv6Flyweight ipv6Out = new Ipv6Flyweight();
    private final Icmpv6Flyweight icmpv6Out = new Icmpv6Flyweight();

    /**
     * @param mac            the interface's Ethernet address
     * @param interfaceIndex the interface's index in {@code routes}: ARP and neighbour discovery
     *                       answer for the addresses configured on it
     * @param routes         addresses and routes (for "is this ours" and source selection)
     * @param arpCache       the interface's IPv4 neighbour cache
     * @param neighborCache  the interface's IPv6 neighbour cache
     */
    public IpControl(long mac, int interfaceIndex, RoutingTable routes, NeighborCache arpCache, NeighborCache neighborCache) {
        if (!MacAddress.isValid(mac) || MacAddress.isMulticast(mac)) {
            throw new IllegalArgumentException("an interface needs a unicast MAC address, not " + MacAddress.format(mac));
        }
        this.mac = mac;
        this.interfaceIndex = interfaceIndex;
        this.routes = routes;
        this.arpCache = arpCache;
        this.neighborCache = neighborCache;
    }

    public long mac() {
        return mac;
    }

    /** Frames not acted on, by reason. */
    public DropCounters drops() {
        return drops;
    }

    // ---- ARP ----

    /**
     * A received ARP packet (RFC 826 "Packet Reception", with RFC 5227's probe rule): an existing
     * cache entry for the sender is updated from any ARP packet; one is created only when the
     * packet is aimed at us; a request for one of our addresses is answered. A reply to us
     * confirms reachability (it answers our request, sent to us alone), anything else leaves the
     * entry STALE when its address changed. A probe (sender 0.0.0.0) teaches nothing but is
     * answered, which is how its sender learns the address is taken.
     *
     * @param output receives the frames that waited for this sender's address
     * @return the length of the ARP reply written at {@code replyOffset}, or 0
     */
    public int onArp(FrameParser frame, long nowNs, NeighborOutput output, MemorySegment reply, long replyOffset) {
        ArpFlyweight arp = frame.arp();
        EthernetFlyweight ethernet = frame.ethernet();
        long senderMac = arp.senderMac();
        int senderIp = arp.senderIp();
        int targetIp = arp.targetIp();
        boolean request = arp.isRequest();
        if (senderMac == mac) {
            drops.increment(IpDrop.ARP_OWN_FRAME);
            return 0;
        }
        if (MacAddress.isMulticast(senderMac) || senderMac == MacAddress.ZERO
                || Ipv4Address.isMulticast(senderIp) || senderIp == Ipv4Address.LIMITED_BROADCAST) {
            drops.increment(IpDrop.ARP_BAD_SENDER);
            return 0;
        }
        if (isOurIpv4(senderIp)) {
            drops.increment(IpDrop.ARP_ADDRESS_CONFLICT);
            return 0;
        }
        boolean targetIsUs = isOurIpv4(targetIp);
        if (senderIp != Ipv4Address.ANY) {
            int flags = NeighborCache.OVERRIDE
                    | (targetIsUs ? NeighborCache.CREATE : 0)
                    | (targetIsUs && !request ? NeighborCache.SOLICITED : 0);
            arpCache.learn(0, Integer.toUnsignedLong(senderIp), senderMac, flags, nowNs, output);
        }
        if (!request) {
            return 0;
        }
        if (!targetIsUs) {
            drops.increment(IpDrop.ARP_NOT_FOR_US);
            return 0;
        }
        int tag = ethernet.tagControl();
        if (!fits(reply, replyOffset, arpFrameLength(tag))) {
            return 0;
        }
        return writeArp(reply, replyOffset, senderMac, tag, ArpFlyweight.OPERATION_REPLY, targetIp, senderMac, senderIp);
    }

    /**
     * An ARP request for {@code targetIp} from the interface address on its subnet: broadcast for
     * a resolution, or sent to {@code unicastMac} for a reachability probe. What the engine's
     * {@link NeighborOutput#solicit} writes for the ARP cache.
     *
     * @param unicastMac {@link NeighborCache#NO_MAC} to broadcast
     * @return the frame length (60 bytes), or 0 when the interface has no IPv4 address ({@link IpDrop#NO_SOURCE_ADDRESS})
     */
    public int writeArpRequest(int targetIp, long unicastMac, MemorySegment frame, long offset) {
        if (!routes.routeIpv4(targetIp, route) || !route.hasSource()) {
            drops.increment(IpDrop.NO_SOURCE_ADDRESS);
            return 0;
        }
        long destination = unicastMac == NeighborCache.NO_MAC ? MacAddress.BROADCAST : unicastMac;
        return writeArp(frame, offset, destination, NO_TAG, ArpFlyweight.OPERATION_REQUEST,
                route.sourceIpv4(), MacAddress.ZERO, targetIp);
    }

    /**
     * A gratuitous ARP for {@code address} in RFC 5227 2.3's announcement form (a broadcast
     * request whose sender and target addresses are both ours), for the engine to send when the
     * interface comes up, so that neighbours replace any stale entry for the address.
     *
     * @return the frame length (60 bytes)
     */
    public int writeGratuitousArp(int address, MemorySegment frame, long offset) {
        return writeArp(frame, offset, MacAddress.BROADCAST, NO_TAG, ArpFlyweight.OPERATION_REQUEST,
                address, MacAddress.ZERO, address);
    }

    private int writeArp(MemorySegment frame, long offset, long destinationMac, int tag, int operation,
                         int senderIp, long targetMac, int targetIp) {
        long arpOffset = writeEthernet(frame, offset, destinationMac, EthernetFlyweight.ETHERTYPE_ARP, tag);
        arpOut.wrapForWrite(frame, arpOffset)
                .ethernetIpv4()
                .operation(operation)
                .senderMac(mac)
                .senderIp(senderIp)
                .targetMac(targetMac)
                .targetIp(targetIp);
        // Pad to the minimum frame, which a NIC would do, but a TAP device or a capture would not.
        long end = arpOffset + MINIMUM_ETHERNET_PAYLOAD;
        for (long at = arpOffset + ArpFlyweight.LENGTH; at < end; at++) {
            NetworkOrder.u8(frame, at, 0);
        }
        return (int) (end - offset);
    }

    private static int arpFrameLength(int tag) {
        return ethernetHeaderLength(tag) + MINIMUM_ETHERNET_PAYLOAD;
    }

    // ---- ICMPv4 ----

    /**
     * A received ICMPv4 message that is not an error: an echo request to one of our addresses is
     * answered (RFC 792, RFC 1122 3.2.2.6) with the same identifier, sequence number and data,
     * from the address it was sent to, with DF set and the request's type of service. Error
     * types return 0 uncounted (they are {@link IcmpErrorReport}'s); other types are counted as
     * {@link IpDrop#ICMP_IGNORED_TYPE}.
     *
     * @return the length of the echo reply frame written at {@code replyOffset}, or 0
     */
    public int onIcmpv4(FrameParser frame, MemorySegment reply, long replyOffset) {
        Icmpv4Flyweight icmp = frame.icmpv4();
        Ipv4Flyweight ip = frame.ipv4();
        int type = icmp.type();
        if (type != Icmpv4Flyweight.TYPE_ECHO_REQUEST) {
            boolean forErrorHandling = Icmpv4Flyweight.isErrorType(type)
                    && type != Icmpv4Flyweight.TYPE_SOURCE_QUENCH && type != Icmpv4Flyweight.TYPE_REDIRECT;
            if (!forErrorHandling) {
                drops.increment(IpDrop.ICMP_IGNORED_TYPE);
            }
            return 0;
        }
        int source = ip.source();
        int destination = ip.destination();
        if (destination == Ipv4Address.LIMITED_BROADCAST || Ipv4Address.isMulticast(destination)) {
            drops.increment(IpDrop.ICMP_ECHO_NOT_UNICAST);
            return 0;
        }
        if (!routes.isLocalIpv4(destination)) {
            drops.increment(IpDrop.ICMP_NOT_FOR_US);
            return 0;
        }
        if (source == Ipv4Address.ANY || source == Ipv4Address.LIMITED_BROADCAST || Ipv4Address.isMulticast(source)) {
            drops.increment(IpDrop.ICMP_BAD_SOURCE);
            return 0;
        }
        int messageLength = (int) icmp.length();
        int typeOfService = ip.typeOfService();
        int identifierAndSequence = icmp.restOfHeader();
        long replyIp = startEchoReply(frame.ethernet(), EthernetFlyweight.ETHERTYPE_IPV4, Ipv4Flyweight.MINIMUM_HEADER_LENGTH,
                messageLength, icmp.segment(), icmp.payloadOffset(), reply, replyOffset);
        if (replyIp == DOES_NOT_FIT) {
            return 0;
        }
        long replyIcmp = replyIp + Ipv4Flyweight.MINIMUM_HEADER_LENGTH;
        ipv4Out.wrapForWrite(reply, replyIp)
                .version(Ipv4Flyweight.VERSION)
                .headerLength(Ipv4Flyweight.MINIMUM_HEADER_LENGTH)
                .typeOfService(typeOfService)
                .totalLength(Ipv4Flyweight.MINIMUM_HEADER_LENGTH + messageLength)
                .identification(0)
                .fragmentOffsetBytes(0)
                .flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT)
                .ttl(DEFAULT_HOP_LIMIT)
                .protocol(Ipv4Flyweight.PROTOCOL_ICMP)
                .source(destination)
                .destination(source)
                .fillChecksum();
        icmpv4Out.wrapForWrite(reply, replyIcmp, messageLength)
                .type(Icmpv4Flyweight.TYPE_ECHO_REPLY)
                .code(0)
                .restOfHeader(identifierAndSequence)
                .fillChecksum();
        return (int) (replyIcmp + messageLength - replyOffset);
    }

    // ---- ICMPv6 ----

    /**
     * A received ICMPv6 message that is not an error: a neighbour solicitation for one of our
     * addresses is answered with an advertisement and teaches the cache the solicitor's address;
     * a neighbour advertisement updates the cache (RFC 4861 7.2.5); an echo request to one of our
     * addresses is answered (RFC 4443 4.2). Router discovery and redirects are counted and
     * ignored; error types return 0 uncounted ({@link IcmpErrorReport}'s).
     *
     * @param output receives the frames an advertisement releases from the cache
     * @return the length of the reply frame written at {@code replyOffset}, or 0
     */
    public int onIcmpv6(FrameParser frame, long nowNs, NeighborOutput output, MemorySegment reply, long replyOffset) {
        int type = frame.icmpv6().type();
        switch (type) {
            case Icmpv6Flyweight.ECHO_REQUEST -> {
                return echoReplyIpv6(frame, reply, replyOffset);
            }
            case Icmpv6Flyweight.NEIGHBOR_SOLICITATION -> {
                return onSolicitation(frame, nowNs, output, reply, replyOffset);
            }
            case Icmpv6Flyweight.NEIGHBOR_ADVERTISEMENT -> {
                onAdvertisement(frame, nowNs, output);
                return 0;
            }
            case Icmpv6Flyweight.ROUTER_SOLICITATION, Icmpv6Flyweight.ROUTER_ADVERTISEMENT, Icmpv6Flyweight.REDIRECT -> {
                drops.increment(IpDrop.ND_ROUTER_MESSAGE_IGNORED);
                return 0;
            }
            default -> {
                if (!Icmpv6Flyweight.isError(type)) {
                    drops.increment(IpDrop.ICMP_IGNORED_TYPE);
                }
                return 0;
            }
        }
    }

    /** RFC 4861 7.1.1 validation, 7.2.3 cache update, 7.2.4 answer. */
    private int onSolicitation(FrameParser frame, long nowNs, NeighborOutput output, MemorySegment reply, long replyOffset) {
        Ipv6Flyweight ip = frame.ipv6();
        Icmpv6Flyweight icmp = frame.icmpv6();
        long targetHigh = icmp.targetHigh();
        long targetLow = icmp.targetLow();
        long sourceHigh = ip.sourceHigh();
        long sourceLow = ip.sourceLow();
        long sourceLinkLayer = icmp.sourceLinkLayerAddress();
        boolean duplicateAddressProbe = Ipv6Address.isUnspecified(sourceHigh, sourceLow);
        if (ip.hopLimit() != NEIGHBOR_DISCOVERY_HOP_LIMIT || icmp.code() != 0
                || Ipv6Address.isMulticast(targetHigh) || Ipv6Address.isMulticast(sourceHigh)
                || duplicateAddressProbe && (!isSolicitedNode(ip.destinationHigh(), ip.destinationLow())
                        || sourceLinkLayer != Icmpv6Flyweight.NO_LINK_LAYER_ADDRESS)) {
            drops.increment(IpDrop.ND_INVALID);
            return 0;
        }
        if (!isOurIpv6(targetHigh, targetLow)) {
            drops.increment(IpDrop.ND_NOT_FOR_US);
            return 0;
        }
        long destinationMac;
        long destinationHigh;
        long destinationLow;
        if (duplicateAddressProbe) {
            // Someone wants our address; we keep it, and answering to all nodes tells the prober (7.2.4).
            drops.increment(IpDrop.ND_ADDRESS_CONFLICT);
            destinationHigh = ALL_NODES_HIGH;
            destinationLow = ALL_NODES_LOW;
            destinationMac = Ipv6Address.multicastMac(ALL_NODES_LOW);
        } else {
            if (sourceLinkLayer != Icmpv6Flyweight.NO_LINK_LAYER_ADDRESS) {
                neighborCache.learn(sourceHigh, sourceLow, sourceLinkLayer,
                        NeighborCache.OVERRIDE | NeighborCache.CREATE, nowNs, output);
            }
            destinationHigh = sourceHigh;
            destinationLow = sourceLow;
            // Without the option (a unicast probe, RFC 4861 7.2.2) the frame's source is the answer's destination.
            destinationMac = sourceLinkLayer != Icmpv6Flyweight.NO_LINK_LAYER_ADDRESS
                    ? sourceLinkLayer : frame.ethernet().source();
        }
        int tag = frame.ethernet().tagControl();
        int flags = Icmpv6Flyweight.OVERRIDE_FLAG | (duplicateAddressProbe ? 0 : Icmpv6Flyweight.SOLICITED_FLAG);
        if (!fits(reply, replyOffset, neighborFrameLength(tag))) {
            return 0;
        }
        return writeNeighborMessage(reply, replyOffset, destinationMac, tag, targetHigh, targetLow,
                destinationHigh, destinationLow, Icmpv6Flyweight.NEIGHBOR_ADVERTISEMENT, flags,
                targetHigh, targetLow, Icmpv6Flyweight.TARGET_LINK_LAYER_ADDRESS);
    }

    /** RFC 4861 7.1.2 validation, 7.2.5 cache update. */
    private void onAdvertisement(FrameParser frame, long nowNs, NeighborOutput output) {
        Ipv6Flyweight ip = frame.ipv6();
        Icmpv6Flyweight icmp = frame.icmpv6();
        long targetHigh = icmp.targetHigh();
        long targetLow = icmp.targetLow();
        boolean solicited = icmp.solicited();
        if (ip.hopLimit() != NEIGHBOR_DISCOVERY_HOP_LIMIT || icmp.code() != 0 || Ipv6Address.isMulticast(targetHigh)
                || solicited && Ipv6Address.isMulticast(ip.destinationHigh())) {
            drops.increment(IpDrop.ND_INVALID);
            return;
        }
        long targetLinkLayer = icmp.targetLinkLayerAddress();
        if (isOurIpv6(targetHigh, targetLow)) {
            if (targetLinkLayer != mac) {
                drops.increment(IpDrop.ND_ADDRESS_CONFLICT);
            }
            return;
        }
        long learned = targetLinkLayer == Icmpv6Flyweight.NO_LINK_LAYER_ADDRESS ? NeighborCache.NO_MAC : targetLinkLayer;
        int flags = (solicited ? NeighborCache.SOLICITED : 0) | (icmp.override() ? NeighborCache.OVERRIDE : 0);
        neighborCache.learn(targetHigh, targetLow, learned, flags, nowNs, output);
    }

    private int echoReplyIpv6(FrameParser frame, MemorySegment reply, long replyOffset) {
        Ipv6Flyweight ip = frame.ipv6();
        Icmpv6Flyweight icmp = frame.icmpv6();
        long sourceHigh = ip.sourceHigh();
        long sourceLow = ip.sourceLow();
        long destinationHigh = ip.destinationHigh();
        long destinationLow = ip.destinationLow();
        if (Ipv6Address.isMulticast(destinationHigh)) {
            drops.increment(IpDrop.ICMP_ECHO_NOT_UNICAST);
            return 0;
        }
        if (!routes.isLocalIpv6(destinationHigh, destinationLow)) {
            drops.increment(IpDrop.ICMP_NOT_FOR_US);
            return 0;
        }
        if (Ipv6Address.isUnspecified(sourceHigh, sourceLow) || Ipv6Address.isMulticast(sourceHigh)) {
            drops.increment(IpDrop.ICMP_BAD_SOURCE);
            return 0;
        }
        int messageLength = icmp.messageLength();
        int identifier = icmp.identifier();
        int sequenceNumber = icmp.sequenceNumber();
        long replyIp = startEchoReply(frame.ethernet(), EthernetFlyweight.ETHERTYPE_IPV6, Ipv6Flyweight.FIXED_HEADER_LENGTH,
                messageLength, icmp.segment(), icmp.echoDataOffset(), reply, replyOffset);
        if (replyIp == DOES_NOT_FIT) {
            return 0;
        }
        long replyIcmp = replyIp + Ipv6Flyweight.FIXED_HEADER_LENGTH;
        writeIpv6Header(reply, replyIp, messageLength, DEFAULT_HOP_LIMIT,
                destinationHigh, destinationLow, sourceHigh, sourceLow);
        icmpv6Out.wrapForWrite(reply, replyIcmp, messageLength)
                .type(Icmpv6Flyweight.ECHO_REPLY)
                .code(0)
                .identifier(identifier)
                .sequenceNumber(sequenceNumber)
                .fillChecksum(ipv6Out.pseudoHeaderSum(Ipv6Flyweight.ICMPV6, messageLength));
        return (int) (replyIcmp + messageLength - replyOffset);
    }

    /**
     * A neighbour solicitation for {@code target} (RFC 4861 4.3, 7.2.2) with our link-layer
     * address in a source option, from the interface address that suits the target: to the
     * target's solicited-node multicast group for a resolution, or to the target itself at
     * {@code unicastMac} for a reachability probe. What the engine's {@link NeighborOutput#solicit}
     * writes for the IPv6 cache.
     *
     * @param unicastMac {@link NeighborCache#NO_MAC} for multicast
     * @return the frame length (86 bytes), or 0 when the interface has no IPv6 address ({@link IpDrop#NO_SOURCE_ADDRESS})
     */
    public int writeNeighborSolicitation(long targetHigh, long targetLow, long unicastMac, MemorySegment frame, long offset) {
        if (!routes.routeIpv6(targetHigh, targetLow, route) || !route.hasSource()) {
            drops.increment(IpDrop.NO_SOURCE_ADDRESS);
            return 0;
        }
        boolean multicast = unicastMac == NeighborCache.NO_MAC;
        long destinationHigh = multicast ? Ipv6Address.solicitedNodeHigh() : targetHigh;
        long destinationLow = multicast ? Ipv6Address.solicitedNodeLow(targetLow) : targetLow;
        long destinationMac = multicast ? Ipv6Address.multicastMac(destinationLow) : unicastMac;
        return writeNeighborMessage(frame, offset, destinationMac, NO_TAG, route.sourceHigh(), route.sourceLow(),
                destinationHigh, destinationLow, Icmpv6Flyweight.NEIGHBOR_SOLICITATION, 0,
                targetHigh, targetLow, Icmpv6Flyweight.SOURCE_LINK_LAYER_ADDRESS);
    }

    /**
     * An unsolicited neighbour advertisement for our {@code address} (RFC 4861 7.2.6): to all nodes,
     * Override set, Solicited clear, our link-layer address in a target option. The engine sends it
     * when the interface comes up (RFC 4861 allows up to MAX_NEIGHBOR_ADVERTISEMENT = 3, a second
     * apart), so that neighbours replace a stale address.
     *
     * @return the frame length (86 bytes)
     */
    public int writeUnsolicitedAdvertisement(long addressHigh, long addressLow, MemorySegment frame, long offset) {
        return writeNeighborMessage(frame, offset, Ipv6Address.multicastMac(ALL_NODES_LOW), NO_TAG,
                addressHigh, addressLow, ALL_NODES_HIGH, ALL_NODES_LOW,
                Icmpv6Flyweight.NEIGHBOR_ADVERTISEMENT, Icmpv6Flyweight.OVERRIDE_FLAG,
                addressHigh, addressLow, Icmpv6Flyweight.TARGET_LINK_LAYER_ADDRESS);
    }

    private int writeNeighborMessage(MemorySegment frame, long offset, long destinationMac, int tag,
                                     long sourceHigh, long sourceLow, long destinationHigh, long destinationLow,
                                     int type, int flags, long targetHigh, long targetLow, int optionType) {
        long ipOffset = writeEthernet(frame, offset, destinationMac, EthernetFlyweight.ETHERTYPE_IPV6, tag);
        writeIpv6Header(frame, ipOffset, NEIGHBOR_MESSAGE_LENGTH, NEIGHBOR_DISCOVERY_HOP_LIMIT,
                sourceHigh, sourceLow, destinationHigh, destinationLow);
        long icmpOffset = ipOffset + Ipv6Flyweight.FIXED_HEADER_LENGTH;
        icmpv6Out.wrapForWrite(frame, icmpOffset, NEIGHBOR_MESSAGE_LENGTH)
                .type(type)
                .code(0)
                .word(flags << 24)
                .target(targetHigh, targetLow);
        Icmpv6Flyweight.writeLinkLayerAddressOption(frame, icmpOffset + Icmpv6Flyweight.NEIGHBOR_MIN_LENGTH, optionType, mac);
        icmpv6Out.fillChecksum(ipv6Out.pseudoHeaderSum(Ipv6Flyweight.ICMPV6, NEIGHBOR_MESSAGE_LENGTH));
        return (int) (icmpOffset + NEIGHBOR_MESSAGE_LENGTH - offset);
    }

    private static int neighborFrameLength(int tag) {
        return ethernetHeaderLength(tag) + Ipv6Flyweight.FIXED_HEADER_LENGTH + NEIGHBOR_MESSAGE_LENGTH;
    }

    private void writeIpv6Header(MemorySegment frame, long offset, int payloadLength, int hopLimit,
                                 long sourceHigh, long sourceLow, long destinationHigh, long destinationLow) {
        // Version 6, traffic class 0, flow label 0 in one word.
        NetworkOrder.u32(frame, offset + Ipv6Flyweight.VERSION_CLASS_FLOW_OFFSET, Ipv6Flyweight.VERSION << 28);
        ipv6Out.wrapForWrite(frame, offset)
                .payloadLength(payloadLength)
                .nextHeader(Ipv6Flyweight.ICMPV6)
                .hopLimit(hopLimit)
                .source(sourceHigh, sourceLow)
                .destination(destinationHigh, destinationLow);
    }

    // ---- shared ----

    /**
     * Starts the answer to an echo request (ICMPv4 or ICMPv6, whose echo messages both carry their
     * data after an 8-byte header): checks the reply frame fits, copies the echo data to where the
     * reply carries it, and writes the Ethernet header back to the request's source with its
     * 802.1Q tag. The data goes first: answering in place, the request's data may lie where the
     * reply's headers go (behind IPv4 options or IPv6 extension headers). The caller has read
     * every other request field it needs, and writes the IP header and the echo header after.
     *
     * @param messageLength the echo message's length, its 8-byte header and data
     * @param dataOffset    where the request's echo data starts in {@code data}
     * @return the offset of the reply's IP header, or {@link #DOES_NOT_FIT} (counted)
     */
    private long startEchoReply(EthernetFlyweight request, int etherType, int ipHeaderLength, int messageLength,
                                MemorySegment data, long dataOffset, MemorySegment reply, long replyOffset) {
        int linkHeaderLength = request.headerLength();
        if (!fits(reply, replyOffset, linkHeaderLength + ipHeaderLength + messageLength)) {
            return DOES_NOT_FIT;
        }
        long sourceMac = request.source();
        int tag = request.tagControl();
        long replyIp = replyOffset + linkHeaderLength;
        MemorySegment.copy(data, dataOffset, reply, replyIp + ipHeaderLength + ECHO_HEADER_LENGTH,
                messageLength - ECHO_HEADER_LENGTH);
        writeEthernet(reply, replyOffset, sourceMac, etherType, tag);
        return replyIp;
    }

    private long writeEthernet(MemorySegment frame, long offset, long destinationMac, int etherType, int tag) {
        ethernetOut.wrapForWrite(frame, offset).destination(destinationMac).source(mac).etherType(etherType);
        if (tag != NO_TAG) {
            ethernetOut.tagControl(tag);
        }
        return ethernetOut.payloadOffset();
    }

    private static int ethernetHeaderLength(int tag) {
        return tag == NO_TAG ? EthernetFlyweight.HEADER_LENGTH : EthernetFlyweight.TAGGED_HEADER_LENGTH;
    }

    private boolean fits(MemorySegment reply, long replyOffset, int frameLength) {
        if (reply.byteSize() - replyOffset < frameLength) {
            drops.increment(IpDrop.REPLY_DOES_NOT_FIT);
            return false;
        }
        return true;
    }

    /** One of our addresses on this interface; never a loopback address, which ARP does not answer for. */
    private boolean isOurIpv4(int address) {
        return !Ipv4Address.isLoopback(address) && routes.localInterfaceIpv4(address) == interfaceIndex;
    }

    private boolean isOurIpv6(long high, long low) {
        return routes.localInterfaceIpv6(high, low) == interfaceIndex && !(high == 0 && low == 1);
    }

    private static boolean isSolicitedNode(long high, long low) {
        return high == Ipv6Address.solicitedNodeHigh() && (low & SOLICITED_NODE_LOW_MASK) == SOLICITED_NODE_LOW_PREFIX;
    }
}
