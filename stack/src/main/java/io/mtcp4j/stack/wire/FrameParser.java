package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;

/**
 * Parses one received Ethernet frame through every layer the stack handles, leaving each
 * flyweight pointing at its header:
 * <pre>
 *   Ethernet (one 802.1Q tag skipped)
 *     +- ARP (IPv4 over Ethernet)
 *     +- IPv4 -+- TCP
 *     |        +- ICMPv4
 *     +- IPv6 -+- TCP          (extension headers walked by their lengths)
 *              +- ICMPv6
 * </pre>
 * {@link #parse} returns {@link Malformed#NONE} or the first reason to drop the frame; it never
 * throws for any content of the frame. {@link #network()} and {@link #transport()} say which
 * flyweights are valid afterwards. One parser belongs to one engine thread and is reused for every
 * frame: it allocates nothing.
 *
 * <p>Checksums are verified only when the caller asks ({@code verifyChecksums}): a device with
 * receive checksum offload has already done it. IP fragments are reported as
 * {@link Malformed#IP_FRAGMENT} after the IP header is known to be well formed: TCP never needs
 * them because the stack clamps its MSS to the path MTU. An IPv6 atomic fragment (offset 0, no
 * more fragments; RFC 8200 4.5, RFC 6946) is a whole packet and is parsed as one.
 */
public final class FrameParser {
    /** The network layer found by the last successful parse. */
    public enum Network { NONE, ARP, IPV4, IPV6 }

    /** The transport layer found by the last successful parse. */
    public enum Transport { NONE, TCP, ICMPV4, ICMPV6 }

    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();
    private final Ipv4Flyweight ipv4 = new Ipv4Flyweight();
    private final Ipv6Flyweight ipv6 = new Ipv6Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final Icmpv4Flyweight icmpv4 = new Icmpv4Flyweight();
    private final Icmpv6Flyweight icmpv6 = new Icmpv6Flyweight();

    private Network network = Network.NONE;
    private Transport transport = Transport.NONE;
    private long pseudoHeaderSum;

    /**
     * Parses the frame of {@code length} bytes at {@code offset}.
     *
     * @param verifyChecksums whether to verify the IPv4 header, TCP, ICMPv4 and ICMPv6 checksums
     * @return {@link Malformed#NONE}, or why the frame is dropped
     */
    public Malformed parse(MemorySegment frame, long offset, long length, boolean verifyChecksums) {
        network = Network.NONE;
        transport = Transport.NONE;
        pseudoHeaderSum = 0;
        Malformed result = ethernet.wrap(frame, offset, length);
        if (result != Malformed.NONE) {
            return result;
        }
        return switch (ethernet.etherType()) {
            case EthernetFlyweight.ETHERTYPE_ARP -> parseArp(frame);
            case EthernetFlyweight.ETHERTYPE_IPV4 -> parseIpv4(frame, verifyChecksums);
            case EthernetFlyweight.ETHERTYPE_IPV6 -> parseIpv6(frame, verifyChecksums);
            default -> Malformed.UNSUPPORTED_PROTOCOL;
        };
    }

    private Malformed parseArp(MemorySegment frame) {
        Malformed result = arp.wrap(frame, ethernet.payloadOffset(), ethernet.payloadLength());
        if (result == Malformed.NONE) {
            network = Network.ARP;
        }
        return result;
    }

    private Malformed parseIpv4(MemorySegment frame, boolean verifyChecksums) {
        Malformed result = ipv4.wrap(frame, ethernet.payloadOffset(), ethernet.payloadLength());
        if (result != Malformed.NONE) {
            return result;
        }
        if (verifyChecksums && !ipv4.checksumValid()) {
            return Malformed.IPV4_BAD_CHECKSUM;
        }
        network = Network.IPV4;
        if (ipv4.isFragment()) {
            return Malformed.IP_FRAGMENT;
        }
        long payloadOffset = ipv4.payloadOffset();
        int payloadLength = ipv4.payloadLength();
        switch (ipv4.protocol()) {
            case Ipv4Flyweight.PROTOCOL_TCP -> {
                result = tcp.wrap(frame, payloadOffset, payloadLength);
                if (result != Malformed.NONE) {
                    return result;
                }
                pseudoHeaderSum = Checksum.pseudoHeaderIpv4(
                        ipv4.source(), ipv4.destination(), Ipv4Flyweight.PROTOCOL_TCP, payloadLength);
                if (verifyChecksums && !tcp.checksumValid(pseudoHeaderSum, payloadLength)) {
                    return Malformed.TCP_BAD_CHECKSUM;
                }
                transport = Transport.TCP;
                return Malformed.NONE;
            }
            case Ipv4Flyweight.PROTOCOL_ICMP -> {
                result = icmpv4.wrap(frame, payloadOffset, payloadLength);
                if (result != Malformed.NONE) {
                    return result;
                }
                if (verifyChecksums && !icmpv4.checksumValid()) {
                    return Malformed.ICMPV4_BAD_CHECKSUM;
                }
                pseudoHeaderSum = 0;
                transport = Transport.ICMPV4;
                return Malformed.NONE;
            }
            default -> {
                return Malformed.UNSUPPORTED_PROTOCOL;
            }
        }
    }

    private Malformed parseIpv6(MemorySegment frame, boolean verifyChecksums) {
        Malformed result = ipv6.wrap(frame, ethernet.payloadOffset(), ethernet.payloadLength());
        if (result != Malformed.NONE) {
            return result;
        }
        network = Network.IPV6;
        if (ipv6.isFragment() && (ipv6.moreFragments() || ipv6.fragmentOffsetBytes() != 0)) {
            return Malformed.IP_FRAGMENT;
        }
        long upperOffset = ipv6.upperLayerOffset();
        int upperLength = ipv6.upperLayerLength();
        switch (ipv6.upperLayerProtocol()) {
            case Ipv6Flyweight.TCP -> {
                result = tcp.wrap(frame, upperOffset, upperLength);
                if (result != Malformed.NONE) {
                    return result;
                }
                pseudoHeaderSum = ipv6.pseudoHeaderSum();
                if (verifyChecksums && !tcp.checksumValid(pseudoHeaderSum, upperLength)) {
                    return Malformed.TCP_BAD_CHECKSUM;
                }
                transport = Transport.TCP;
                return Malformed.NONE;
            }
            case Ipv6Flyweight.ICMPV6 -> {
                result = icmpv6.wrap(frame, upperOffset, upperLength);
                if (result != Malformed.NONE) {
                    return result;
                }
                pseudoHeaderSum = ipv6.pseudoHeaderSum();
                if (verifyChecksums && !icmpv6.checksumValid(pseudoHeaderSum)) {
                    return Malformed.ICMPV6_BAD_CHECKSUM;
                }
                transport = Transport.ICMPV6;
                return Malformed.NONE;
            }
            default -> {
                return Malformed.UNSUPPORTED_PROTOCOL;
            }
        }
    }

    /** The network layer of the last parse; set as soon as its header was well formed. */
    public Network network() {
        return network;
    }

    /** The transport layer of the last parse; {@link Transport#NONE} unless the parse returned {@link Malformed#NONE}. */
    public Transport transport() {
        return transport;
    }

    /**
     * After a parse that found TCP or ICMPv6: the partial sum of the IP pseudo-header, for a
     * caller that verifies the checksum itself later (or builds the reply's). Zero for ICMPv4.
     */
    public long pseudoHeaderSum() {
        return pseudoHeaderSum;
    }

    public EthernetFlyweight ethernet() {
        return ethernet;
    }

    public ArpFlyweight arp() {
        return arp;
    }

    public Ipv4Flyweight ipv4() {
        return ipv4;
    }

    public Ipv6Flyweight ipv6() {
        return ipv6;
    }

    public TcpFlyweight tcp() {
        return tcp;
    }

    public Icmpv4Flyweight icmpv4() {
        return icmpv4;
    }

    public Icmpv6Flyweight icmpv6() {
        return icmpv6;
    }
}
