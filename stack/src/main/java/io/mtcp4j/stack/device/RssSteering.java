package io.mtcp4j.stack.device;

import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.NetworkOrder;
import io.mtcp4j.stack.wire.TcpFlyweight;
import java.lang.foreign.MemorySegment;

/**
 * Receive-side scaling as a network card does it: a {@link ToeplitzHash} of the flow, whose low
 * seven bits index a 128-entry indirection table of queue numbers (entry {@code i} holds
 * {@code i % queues}, Linux's default table).
 *
 * <p>What is hashed, as Intel cards do by default: TCP over IPv4 or IPv6 by its 4-tuple; any other
 * IP packet (UDP, ICMP, IPv4 fragments, IPv6 with extension headers before TCP) by its address
 * pair; everything else (ARP, malformed frames) goes to queue 0. One 802.1Q or 802.1ad tag is
 * skipped. An ICMP error about a TCP flow therefore may land on a different queue than the flow
 * (its address pair is the same but its hash type is not); the engine forwards it.
 *
 * <p>Immutable; any thread. No allocation.
 */
public final class RssSteering implements ReceiveSteering {
    /** Entries in the indirection table (Intel's RETA size; Linux's default table length). */
    public static final int INDIRECTION_ENTRIES = 128;

    private static final ToeplitzHash SYMMETRIC = new ToeplitzHash(ToeplitzHash.symmetricKey());
    /** Fragment offset and more-fragments flag: a fragment carries no (or not only) its ports. */
    private static final int FRAGMENT_MASK = 0x3fff;

    private final ToeplitzHash hash;
    private final int queues;
    private final int[] indirection = new int[INDIRECTION_ENTRIES];

    /** Steering over {@code queues} queues (1 to {@value NetDevice#MAX_QUEUES}) with {@code hash}. */
    public RssSteering(ToeplitzHash hash, int queues) {
        if (queues < 1 || queues > NetDevice.MAX_QUEUES) {
            throw new IllegalArgumentException("queues must be 1 to " + NetDevice.MAX_QUEUES + ": " + queues);
        }
        this.hash = hash;
        this.queues = queues;
        for (int i = 0; i < INDIRECTION_ENTRIES; i++) {
            indirection[i] = i % queues;
        }
    }

    /** Steering with the symmetric key: both directions of a connection land on the same queue. */
    public static RssSteering symmetric(int queues) {
        return new RssSteering(SYMMETRIC, queues);
    }

    public int queueCount() {
        return queues;
    }

    /** The queue a hash value selects. */
    public int queueOfHash(int hashValue) {
        return indirection[hashValue & (INDIRECTION_ENTRIES - 1)];
    }

    @Override
    public boolean computable() {
        return true;
    }

    @Override
    public int queueOfIpv4(int sourceAddress, int destinationAddress, int sourcePort, int destinationPort) {
        return queueOfHash(hash.ipv4(sourceAddress, destinationAddress, sourcePort, destinationPort));
    }

    @Override
    public int queueOfIpv6(long sourceHigh, long sourceLow, long destinationHigh, long destinationLow,
                           int sourcePort, int destinationPort) {
        return queueOfHash(hash.ipv6(sourceHigh, sourceLow, destinationHigh, destinationLow, sourcePort, destinationPort));
    }

    @Override
    public int queueOfFrame(MemorySegment segment, long offset, int length) {
        if (queues == 1) {
            return 0;
        }
        long end = offset + length;
        if (length < EthernetFlyweight.HEADER_LENGTH) {
            return 0;
        }
        int etherType = NetworkOrder.u16(segment, offset + EthernetFlyweight.ETHERTYPE_OFFSET);
        long network = offset + EthernetFlyweight.HEADER_LENGTH;
        if (etherType == EthernetFlyweight.ETHERTYPE_VLAN || etherType == EthernetFlyweight.ETHERTYPE_SERVICE_VLAN) {
            if (length < EthernetFlyweight.TAGGED_HEADER_LENGTH) {
                return 0;
            }
            etherType = NetworkOrder.u16(segment, offset + EthernetFlyweight.TAGGED_ETHERTYPE_OFFSET);
            network = offset + EthernetFlyweight.TAGGED_HEADER_LENGTH;
        }
        if (etherType == EthernetFlyweight.ETHERTYPE_IPV4) {
            return queueOfIpv4Packet(segment, network, end);
        }
        if (etherType == EthernetFlyweight.ETHERTYPE_IPV6) {
            return queueOfIpv6Packet(segment, network, end);
        }
        return 0;
    }

    private int queueOfIpv4Packet(MemorySegment segment, long network, long end) {
        if (network + Ipv4Flyweight.MINIMUM_HEADER_LENGTH > end) {
            return 0;
        }
        int versionAndLength = NetworkOrder.u8(segment, network + Ipv4Flyweight.VERSION_AND_HEADER_LENGTH_OFFSET);
        int headerLength = (versionAndLength & 0x0f) * 4;
        if (versionAndLength >>> 4 != Ipv4Flyweight.VERSION || headerLength < Ipv4Flyweight.MINIMUM_HEADER_LENGTH) {
            return 0;
        }
        int source = NetworkOrder.u32AsInt(segment, network + Ipv4Flyweight.SOURCE_OFFSET);
        int destination = NetworkOrder.u32AsInt(segment, network + Ipv4Flyweight.DESTINATION_OFFSET);
        int protocol = NetworkOrder.u8(segment, network + Ipv4Flyweight.PROTOCOL_OFFSET);
        int fragment = NetworkOrder.u16(segment, network + Ipv4Flyweight.FLAGS_AND_FRAGMENT_OFFSET_OFFSET) & FRAGMENT_MASK;
        long transport = network + headerLength;
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP && fragment == 0 && transport + 4 <= end) {
            return queueOfIpv4(source, destination,
                    NetworkOrder.u16(segment, transport + TcpFlyweight.SOURCE_PORT_OFFSET),
                    NetworkOrder.u16(segment, transport + TcpFlyweight.DESTINATION_PORT_OFFSET));
        }
        return queueOfHash(hash.ipv4(source, destination));
    }

    private int queueOfIpv6Packet(MemorySegment segment, long network, long end) {
        if (network + Ipv6Flyweight.FIXED_HEADER_LENGTH > end
                || NetworkOrder.u8(segment, network) >>> 4 != Ipv6Flyweight.VERSION) {
            return 0;
        }
        long sourceHigh = NetworkOrder.u64(segment, network + Ipv6Flyweight.SOURCE_ADDRESS_OFFSET);
        long sourceLow = NetworkOrder.u64(segment, network + Ipv6Flyweight.SOURCE_ADDRESS_OFFSET + 8);
        long destinationHigh = NetworkOrder.u64(segment, network + Ipv6Flyweight.DESTINATION_ADDRESS_OFFSET);
        long destinationLow = NetworkOrder.u64(segment, network + Ipv6Flyweight.DESTINATION_ADDRESS_OFFSET + 8);
        int nextHeader = NetworkOrder.u8(segment, network + Ipv6Flyweight.NEXT_HEADER_OFFSET);
        long transport = network + Ipv6Flyweight.FIXED_HEADER_LENGTH;
        if (nextHeader == Ipv6Flyweight.TCP && transport + 4 <= end) {
            return queueOfIpv6(sourceHigh, sourceLow, destinationHigh, destinationLow,
                    NetworkOrder.u16(segment, transport + TcpFlyweight.SOURCE_PORT_OFFSET),
                    NetworkOrder.u16(segment, transport + TcpFlyweight.DESTINATION_PORT_OFFSET));
        }
        return queueOfHash(hash.ipv6(sourceHigh, sourceLow, destinationHigh, destinationLow));
    }

    @Override
    public String toString() {
        return "RssSteering[" + queues + " queues]";
    }
}
