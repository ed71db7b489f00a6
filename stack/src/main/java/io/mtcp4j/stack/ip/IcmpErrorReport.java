package io.mtcp4j.stack.ip;

import io.mtcp4j.stack.tcp.SeqNum;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Icmpv4Flyweight;
import io.mtcp4j.stack.wire.Icmpv6Flyweight;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.NetworkOrder;
import io.mtcp4j.stack.wire.TcpFlyweight;
import java.lang.foreign.MemorySegment;

/**
 * What a received ICMP or ICMPv6 error says about one of our TCP flows: which flow (the four-tuple
 * of the TCP segment it quotes), the quoted sequence number, and for a path MTU message the MTU
 * to use. The engine keeps one report, {@link #read}s each error into it, finds the flow, and then:
 * <ul>
 *   <li>{@link Kind#PATH_MTU} (IPv4 "fragmentation needed", RFC 1191; ICMPv6 "packet too big",
 *       RFC 8201): if {@link #sequenceInWindow} holds and {@link #mtuBytes()} is below the flow's
 *       path MTU, lower it and the flow's MSS to {@link #mssBytes()}, and retransmit;</li>
 *   <li>the other kinds: a soft error to remember for the application (RFC 1122 4.2.3.9), or,
 *       when {@link #hardError()} and the connection is still in SYN-SENT, a reason to abort
 *       (RFC 5461 recommends treating hard errors as soft once the connection is synchronized).</li>
 * </ul>
 * The quoted sequence number is how the engine tells a real error from a forged one (RFC 5927
 * 4.1): a datagram we sent carries a sequence number between SND.UNA and SND.NXT.
 *
 * <h2>MTU clamping</h2>
 * An IPv4 router that predates RFC 1191 reports MTU 0; one may also report an MTU no smaller than
 * the datagram it refused. Either way the estimate is the largest plateau of RFC 1191 7's table
 * below the datagram's length. The result is then clamped to at least the configured IPv4 floor
 * (576 by default: every IPv4 host accepts 576-byte datagrams, RFC 791, and a lower value invites
 * forged messages to cut a flow's MSS to a few bytes, RFC 5927 7; never below RFC 1191's
 * 68) and, for IPv6, to at least the minimum link MTU of 1280 (RFC 8200 5; RFC 8201 4 forbids
 * going lower). Both are capped at 65535.
 *
 * <p>A report belongs to one engine thread; reading allocates nothing. After a read that did not
 * return {@link IpDrop#NONE} the accessors' values are unspecified.
 */
public final class IcmpErrorReport {
    /** What kind of error the message reports. */
    public enum Kind {
        /** The datagram was too big for a link on the path: {@link #mtuBytes()} says how big may go. */
        PATH_MTU,
        /** Destination unreachable for another reason: no route, host, protocol or port unreachable, prohibited. */
        UNREACHABLE,
        /** The TTL or hop limit ran out (a routing loop, or too long a path). */
        TIME_EXCEEDED,
        /** A router or the peer could not process a header field. */
        PARAMETER_PROBLEM
    }

    /** The smallest MTU an IPv4 link may have (RFC 791; RFC 1191 3). */
    public static final int MINIMUM_IPV4_MTU = 68;
    /** The default floor for IPv4 path MTU estimates: the datagram size every host accepts (RFC 791). */
    public static final int DEFAULT_IPV4_MTU_FLOOR = 576;
    /** The smallest MTU an IPv6 link may have (RFC 8200 5). */
    public static final int MINIMUM_IPV6_MTU = 1280;
    /** The largest MTU an IP packet without jumbograms can use. */
    public static final int MAXIMUM_MTU = 65535;

    /** RFC 1191 7, table 7-1: common MTUs, largest first, for guessing when a router reports none. */
    private static final int[] PLATEAUS = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};
    /** IPv4 and TCP headers without options, what an MTU loses to become an MSS. */
    private static final int IPV4_TCP_HEADERS = Ipv4Flyweight.MINIMUM_HEADER_LENGTH + TcpFlyweight.MIN_HEADER_LENGTH;
    private static final int IPV6_TCP_HEADERS = Ipv6Flyweight.FIXED_HEADER_LENGTH + TcpFlyweight.MIN_HEADER_LENGTH;
    /** RFC 792: an error quotes the IP header and at least 8 bytes: both ports and the sequence number. */
    private static final int QUOTED_TCP_BYTES = 8;

    // Destination unreachable codes not named in Icmpv4Flyweight (RFC 1122 3.2.2.1, RFC 1812 5.2.7.1).
    private static final int CODE_NETWORK_ADMINISTRATIVELY_PROHIBITED = 9;
    private static final int CODE_HOST_ADMINISTRATIVELY_PROHIBITED = 10;
    // ICMPv6 destination unreachable codes (RFC 4443 3.1) and parameter problem (3.4).
    private static final int CODE6_ADMINISTRATIVELY_PROHIBITED = 1;
    private static final int CODE6_PORT_UNREACHABLE = 4;
    private static final int CODE6_SOURCE_ADDRESS_FAILED_POLICY = 5;
    private static final int CODE6_REJECT_ROUTE = 6;
    private static final int CODE6_UNRECOGNIZED_NEXT_HEADER = 1;

    private final int ipv4MtuFloorBytes;
    private final Ipv4Flyweight quotedIpv4 = new Ipv4Flyweight();
    private final Ipv6Flyweight quotedIpv6 = new Ipv6Flyweight();

    private Kind kind;
    private int type;
    private int code;
    private boolean hardError;
    private boolean ipv6;
    private long localHigh;
    private long localLow;
    private int localPort;
    private long remoteHigh;
    private long remoteLow;
    private int remotePort;
    private int sequenceNumber;
    private long reportedMtuBytes;
    private int mtuBytes;

    public IcmpErrorReport() {
        this(DEFAULT_IPV4_MTU_FLOOR);
    }

    /** @param ipv4MtuFloorBytes the least IPv4 path MTU to accept, 68-1500 (see the class comment) */
    public IcmpErrorReport(int ipv4MtuFloorBytes) {
        if (ipv4MtuFloorBytes < MINIMUM_IPV4_MTU || ipv4MtuFloorBytes > 1500) {
            throw new IllegalArgumentException("an IPv4 MTU floor lies between " + MINIMUM_IPV4_MTU
                    + " and 1500 bytes: " + ipv4MtuFloorBytes);
        }
        this.ipv4MtuFloorBytes = ipv4MtuFloorBytes;
    }

    /**
     * Reads the error message of a frame that {@link FrameParser} parsed to ICMPv4 or ICMPv6.
     *
     * @return {@link IpDrop#NONE} with the report filled in; {@link IpDrop#ICMP_IGNORED_TYPE} for a
     *     message that is not an error TCP acts on (echo, source quench, redirect, ...);
     *     {@link IpDrop#ICMP_ERROR_QUOTE_MALFORMED} or {@link IpDrop#ICMP_ERROR_NOT_TCP} when the
     *     quoted datagram names no TCP flow
     * @throws IllegalArgumentException if the frame's transport is not ICMPv4 or ICMPv6 (a caller bug)
     */
    public IpDrop read(FrameParser frame) {
        return switch (frame.transport()) {
            case ICMPV4 -> readIcmpv4(frame.icmpv4());
            case ICMPV6 -> readIcmpv6(frame.icmpv6());
            default -> throw new IllegalArgumentException("not an ICMP frame: " + frame.transport());
        };
    }

    private IpDrop readIcmpv4(Icmpv4Flyweight icmp) {
        type = icmp.type();
        code = icmp.code();
        ipv6 = false;
        reportedMtuBytes = 0;
        mtuBytes = 0;
        switch (type) {
            case Icmpv4Flyweight.TYPE_DESTINATION_UNREACHABLE -> {
                kind = code == Icmpv4Flyweight.CODE_FRAGMENTATION_NEEDED ? Kind.PATH_MTU : Kind.UNREACHABLE;
                // RFC 1122 4.2.3.9: protocol and port unreachable are hard; RFC 1812's prohibitions too (as Linux).
                hardError = code == Icmpv4Flyweight.CODE_PROTOCOL_UNREACHABLE
                        || code == Icmpv4Flyweight.CODE_PORT_UNREACHABLE
                        || code == CODE_NETWORK_ADMINISTRATIVELY_PROHIBITED
                        || code == CODE_HOST_ADMINISTRATIVELY_PROHIBITED
                        || code == Icmpv4Flyweight.CODE_COMMUNICATION_ADMINISTRATIVELY_PROHIBITED;
            }
            case Icmpv4Flyweight.TYPE_TIME_EXCEEDED -> {
                kind = Kind.TIME_EXCEEDED;
                hardError = false;
            }
            case Icmpv4Flyweight.TYPE_PARAMETER_PROBLEM -> {
                kind = Kind.PARAMETER_PROBLEM;
                hardError = false;
            }
            default -> {
                return IpDrop.ICMP_IGNORED_TYPE;
            }
        }
        if (quotedIpv4.wrapQuoted(icmp.segment(), icmp.quotedDatagramOffset(), icmp.quotedDatagramLength()) != Malformed.NONE) {
            return IpDrop.ICMP_ERROR_QUOTE_MALFORMED;
        }
        if (quotedIpv4.protocol() != Ipv4Flyweight.PROTOCOL_TCP || quotedIpv4.fragmentOffsetBytes() != 0) {
            return IpDrop.ICMP_ERROR_NOT_TCP;
        }
        if (quotedIpv4.payloadLength() < QUOTED_TCP_BYTES) {
            return IpDrop.ICMP_ERROR_QUOTE_MALFORMED;
        }
        // The quoted datagram is one we sent: its source is our end of the flow.
        localHigh = 0;
        localLow = Integer.toUnsignedLong(quotedIpv4.source());
        remoteHigh = 0;
        remoteLow = Integer.toUnsignedLong(quotedIpv4.destination());
        readQuotedTcp(icmp.segment(), quotedIpv4.payloadOffset());
        if (kind == Kind.PATH_MTU) {
            reportedMtuBytes = icmp.nextHopMtu();
            mtuBytes = ipv4PathMtu(icmp.nextHopMtu(), quotedIpv4.totalLength());
        }
        return IpDrop.NONE;
    }

    private IpDrop readIcmpv6(Icmpv6Flyweight icmp) {
        type = icmp.type();
        code = icmp.code();
        ipv6 = true;
        reportedMtuBytes = 0;
        mtuBytes = 0;
        switch (type) {
            case Icmpv6Flyweight.PACKET_TOO_BIG -> {
                kind = Kind.PATH_MTU;
                hardError = false;
            }
            case Icmpv6Flyweight.DESTINATION_UNREACHABLE -> {
                kind = Kind.UNREACHABLE;
                // As RFC 1122 for IPv4: port unreachable and the prohibitions are hard (Linux's icmpv6_err_convert).
                hardError = code == CODE6_ADMINISTRATIVELY_PROHIBITED || code == CODE6_PORT_UNREACHABLE
                        || code == CODE6_SOURCE_ADDRESS_FAILED_POLICY || code == CODE6_REJECT_ROUTE;
            }
            case Icmpv6Flyweight.TIME_EXCEEDED -> {
                kind = Kind.TIME_EXCEEDED;
                hardError = false;
            }
            case Icmpv6Flyweight.PARAMETER_PROBLEM -> {
                kind = Kind.PARAMETER_PROBLEM;
                // "Unrecognized Next Header": the peer does not speak TCP, as protocol unreachable in IPv4.
                hardError = code == CODE6_UNRECOGNIZED_NEXT_HEADER;
            }
            default -> {
                return IpDrop.ICMP_IGNORED_TYPE;
            }
        }
        if (quotedIpv6.wrapQuoted(icmp.segment(), icmp.quotedPacketOffset(), icmp.quotedPacketLength()) != Malformed.NONE) {
            return IpDrop.ICMP_ERROR_QUOTE_MALFORMED;
        }
        if (quotedIpv6.upperLayerProtocol() != Ipv6Flyweight.TCP
                || quotedIpv6.isFragment() && quotedIpv6.fragmentOffsetBytes() != 0) {
            return IpDrop.ICMP_ERROR_NOT_TCP;
        }
        if (quotedIpv6.upperLayerLength() < QUOTED_TCP_BYTES) {
            return IpDrop.ICMP_ERROR_QUOTE_MALFORMED;
        }
        localHigh = quotedIpv6.sourceHigh();
        localLow = quotedIpv6.sourceLow();
        remoteHigh = quotedIpv6.destinationHigh();
        remoteLow = quotedIpv6.destinationLow();
        readQuotedTcp(icmp.segment(), quotedIpv6.upperLayerOffset());
        if (kind == Kind.PATH_MTU) {
            reportedMtuBytes = icmp.mtuBytes();
            mtuBytes = Math.clamp(reportedMtuBytes, MINIMUM_IPV6_MTU, MAXIMUM_MTU);
        }
        return IpDrop.NONE;
    }

    private void readQuotedTcp(MemorySegment segment, long tcpOffset) {
        localPort = NetworkOrder.u16(segment, tcpOffset + TcpFlyweight.SOURCE_PORT_OFFSET);
        remotePort = NetworkOrder.u16(segment, tcpOffset + TcpFlyweight.DESTINATION_PORT_OFFSET);
        sequenceNumber = NetworkOrder.u32AsInt(segment, tcpOffset + TcpFlyweight.SEQUENCE_NUMBER_OFFSET);
    }

    /** The IPv4 path MTU estimate for a report of {@code reportedMtu} about a datagram of {@code datagramLength} bytes. */
    int ipv4PathMtu(int reportedMtu, int datagramLength) {
        int estimate = reportedMtu;
        if (reportedMtu == 0 || reportedMtu >= datagramLength) {
            estimate = plateauBelow(datagramLength);
        }
        return Math.clamp(estimate, ipv4MtuFloorBytes, MAXIMUM_MTU);
    }

    /** RFC 1191 5: the largest plateau less than the refused datagram's length; 68 when there is none. */
    static int plateauBelow(int datagramLength) {
        for (int plateau : PLATEAUS) {
            if (plateau < datagramLength) {
                return plateau;
            }
        }
        return MINIMUM_IPV4_MTU;
    }

    /**
     * RFC 5927 4.1: whether the quoted sequence number is one the flow has sent and not yet had
     * acknowledged, {@code SND.UNA <= SEG.SEQ < SND.NXT}; an error about anything else is forged
     * or stale and should be ignored.
     */
    public boolean sequenceInWindow(int sndUna, int sndNxt) {
        return SeqNum.le(sndUna, sequenceNumber) && SeqNum.lt(sequenceNumber, sndNxt);
    }

    public Kind kind() {
        return kind;
    }

    /** The ICMP or ICMPv6 type of the message. */
    public int type() {
        return type;
    }

    public int code() {
        return code;
    }

    /**
     * Whether RFC 1122 4.2.3.9 (IPv4) or the RFC 4443 codes that mean the same (IPv6) make this a
     * hard error: protocol or port unreachable, administratively prohibited, unrecognised next header.
     */
    public boolean hardError() {
        return hardError;
    }

    public boolean isIpv6() {
        return ipv6;
    }

    /** Our address in the quoted datagram (its source); an IPv4 address in the low 32 bits. */
    public long localHigh() {
        return localHigh;
    }

    public long localLow() {
        return localLow;
    }

    public int localIpv4() {
        return (int) localLow;
    }

    public int localPort() {
        return localPort;
    }

    /** The peer's address in the quoted datagram (its destination). */
    public long remoteHigh() {
        return remoteHigh;
    }

    public long remoteLow() {
        return remoteLow;
    }

    public int remoteIpv4() {
        return (int) remoteLow;
    }

    public int remotePort() {
        return remotePort;
    }

    /** The sequence number of the quoted TCP segment, raw bits. */
    public int sequenceNumber() {
        return sequenceNumber;
    }

    /** {@link Kind#PATH_MTU}: the MTU field as received, before any guess or clamp; 0 otherwise. */
    public long reportedMtuBytes() {
        return reportedMtuBytes;
    }

    /** {@link Kind#PATH_MTU}: the path MTU to use, guessed and clamped as the class comment says; 0 otherwise. */
    public int mtuBytes() {
        return mtuBytes;
    }

    /** {@link Kind#PATH_MTU}: the MSS that fits {@link #mtuBytes()}, IP and TCP headers without options taken off. */
    public int mssBytes() {
        return mtuBytes == 0 ? 0 : mtuBytes - (ipv6 ? IPV6_TCP_HEADERS : IPV4_TCP_HEADERS);
    }

    @Override
    public String toString() {
        String local = ipv6 ? "[" + Ipv6Address.format(localHigh, localLow) + "]" : Ipv4Address.format(localIpv4());
        String remote = ipv6 ? "[" + Ipv6Address.format(remoteHigh, remoteLow) + "]" : Ipv4Address.format(remoteIpv4());
        return "IcmpErrorReport[" + kind + " type " + type + " code " + code + (hardError ? " hard" : " soft")
                + " " + local + ":" + localPort + " -> " + remote + ":" + remotePort
                + " seq " + Integer.toUnsignedString(sequenceNumber)
                + (kind == Kind.PATH_MTU ? " mtu " + mtuBytes + " (reported " + reportedMtuBytes + ")" : "") + "]";
    }
}
