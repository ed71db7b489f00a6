package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * An ARP packet (RFC 826) resolving IPv4 addresses to Ethernet addresses, the only kind the stack
 * speaks: hardware type Ethernet with 6-byte addresses, protocol type IPv4 with 4-byte addresses.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1   byte
 * +-------------------------------+-------------------------------+
 * |     hardware type (ar$hrd)    |     protocol type (ar$pro)    |   0
 * +---------------+---------------+-------------------------------+
 * |  hw addr len  | proto addr len|       operation (ar$op)       |   4
 * +---------------+---------------+-------------------------------+
 * |           sender hardware address (ar$sha), 6 bytes           |   8
 * +                               +-------------------------------+
 * |                               | sender protocol addr (ar$spa) |  12
 * +-------------------------------+-------------------------------+
 * | ... sender protocol address   |                               |  16
 * +-------------------------------+                               +
 * |           target hardware address (ar$tha), 6 bytes           |  20
 * +---------------------------------------------------------------+
 * |           target protocol address (ar$tpa), 4 bytes           |  24
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>In a 60-byte Ethernet frame the 28-byte packet is followed by padding, which the wrap ignores.
 */
public final class ArpFlyweight {
    public static final int HARDWARE_TYPE_OFFSET = 0;
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    public static final int HARDWARE_ADDRESS_LENGTH_OFFSET = 4;
    public static final int PROTOCOL_ADDRESS_LENGTH_OFFSET = 5;
    public static final int OPERATION_OFFSET = 6;
    public static final int SENDER_MAC_OFFSET = 8;
    public static final int SENDER_IP_OFFSET = 14;
    public static final int TARGET_MAC_OFFSET = 18;
    public static final int TARGET_IP_OFFSET = 24;
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;
    /** The fields before the addresses, which say how long the addresses are. */
    public static final int FIXED_LENGTH = 8;

    /** ar$hrd for Ethernet (IANA ARP hardware types). */
    public static final int HARDWARE_TYPE_ETHERNET = 1;
    /** ar$pro for IPv4: its EtherType. */
    public static final int PROTOCOL_TYPE_IPV4 = EthernetFlyweight.ETHERTYPE_IPV4;
    public static final int OPERATION_REQUEST = 1;
    public static final int OPERATION_REPLY = 2;

    private MemorySegment segment;
    private long offset;

    /**
     * Checked ingress wrap of the {@code available} bytes at {@code offset}, the Ethernet payload.
     *
     * @return {@link Malformed#ARP_TRUNCATED}, {@link Malformed#ARP_UNSUPPORTED_HARDWARE},
     *     {@link Malformed#ARP_UNSUPPORTED_PROTOCOL}, {@link Malformed#ARP_UNSUPPORTED_OPERATION} or
     *     {@link Malformed#NONE}
     * @throws IndexOutOfBoundsException if {@code offset} and {@code available} are not within the segment
     */
    public Malformed wrap(MemorySegment segment, long offset, long available) {
        Objects.checkFromIndexSize(offset, available, segment.byteSize());
        this.segment = segment;
        this.offset = offset;
        // The types come first so that an ARP for another medium or protocol is reported as such,
        // not as too short for the Ethernet/IPv4 layout it does not claim to have.
        if (available < FIXED_LENGTH) {
            return Malformed.ARP_TRUNCATED;
        }
        if (hardwareType() != HARDWARE_TYPE_ETHERNET || hardwareAddressLength() != MacAddress.LENGTH_BYTES) {
            return Malformed.ARP_UNSUPPORTED_HARDWARE;
        }
        if (protocolType() != PROTOCOL_TYPE_IPV4 || protocolAddressLength() != Ipv4Address.LENGTH_BYTES) {
            return Malformed.ARP_UNSUPPORTED_PROTOCOL;
        }
        if (available < LENGTH) {
            return Malformed.ARP_TRUNCATED;
        }
        int operation = operation();
        if (operation != OPERATION_REQUEST && operation != OPERATION_REPLY) {
            return Malformed.ARP_UNSUPPORTED_OPERATION;
        }
        return Malformed.NONE;
    }

    /** Points at a packet being built; writes nothing (see {@link #ethernetIpv4()}). */
    public ArpFlyweight wrapForWrite(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    /** Writes the four type and length fields for IPv4 over Ethernet. */
    public ArpFlyweight ethernetIpv4() {
        return hardwareType(HARDWARE_TYPE_ETHERNET)
                .protocolType(PROTOCOL_TYPE_IPV4)
                .hardwareAddressLength(MacAddress.LENGTH_BYTES)
                .protocolAddressLength(Ipv4Address.LENGTH_BYTES);
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    public int hardwareType() {
        return NetworkOrder.u16(segment, offset + HARDWARE_TYPE_OFFSET);
    }

    public ArpFlyweight hardwareType(int hardwareType) {
        NetworkOrder.u16(segment, offset + HARDWARE_TYPE_OFFSET, hardwareType);
        return this;
    }

    public int protocolType() {
        return NetworkOrder.u16(segment, offset + PROTOCOL_TYPE_OFFSET);
    }

    public ArpFlyweight protocolType(int protocolType) {
        NetworkOrder.u16(segment, offset + PROTOCOL_TYPE_OFFSET, protocolType);
        return this;
    }

    public int hardwareAddressLength() {
        return NetworkOrder.u8(segment, offset + HARDWARE_ADDRESS_LENGTH_OFFSET);
    }

    public ArpFlyweight hardwareAddressLength(int bytes) {
        NetworkOrder.u8(segment, offset + HARDWARE_ADDRESS_LENGTH_OFFSET, bytes);
        return this;
    }

    public int protocolAddressLength() {
        return NetworkOrder.u8(segment, offset + PROTOCOL_ADDRESS_LENGTH_OFFSET);
    }

    public ArpFlyweight protocolAddressLength(int bytes) {
        NetworkOrder.u8(segment, offset + PROTOCOL_ADDRESS_LENGTH_OFFSET, bytes);
        return this;
    }

    /** {@link #OPERATION_REQUEST} or {@link #OPERATION_REPLY} after a successful wrap. */
    public int operation() {
        return NetworkOrder.u16(segment, offset + OPERATION_OFFSET);
    }

    public ArpFlyweight operation(int operation) {
        NetworkOrder.u16(segment, offset + OPERATION_OFFSET, operation);
        return this;
    }

    public boolean isRequest() {
        return operation() == OPERATION_REQUEST;
    }

    public boolean isReply() {
        return operation() == OPERATION_REPLY;
    }

    public long senderMac() {
        return MacAddress.read(segment, offset + SENDER_MAC_OFFSET);
    }

    public ArpFlyweight senderMac(long mac) {
        MacAddress.write(segment, offset + SENDER_MAC_OFFSET, mac);
        return this;
    }

    public int senderIp() {
        return NetworkOrder.u32AsInt(segment, offset + SENDER_IP_OFFSET);
    }

    public ArpFlyweight senderIp(int address) {
        NetworkOrder.u32(segment, offset + SENDER_IP_OFFSET, address);
        return this;
    }

    /** The target hardware address; zero in a request, whose sender does not know it yet. */
    public long targetMac() {
        return MacAddress.read(segment, offset + TARGET_MAC_OFFSET);
    }

    public ArpFlyweight targetMac(long mac) {
        MacAddress.write(segment, offset + TARGET_MAC_OFFSET, mac);
        return this;
    }

    public int targetIp() {
        return NetworkOrder.u32AsInt(segment, offset + TARGET_IP_OFFSET);
    }

    public ArpFlyweight targetIp(int address) {
        NetworkOrder.u32(segment, offset + TARGET_IP_OFFSET, address);
        return this;
    }

    /**
     * Whether the sender announces its own address (RFC 5227 2.3, RFC 5944 4.6): sender and target
     * protocol addresses are equal. Peers update their caches from it; nobody answers it.
     */
    public boolean isGratuitous() {
        return senderIp() == targetIp();
    }

    /**
     * Whether this is an address conflict probe (RFC 5227 2.1.1): a request with sender address
     * 0.0.0.0, which must not enter any cache.
     */
    public boolean isProbe() {
        return isRequest() && senderIp() == Ipv4Address.ANY;
    }

    public int headerLength() {
        return LENGTH;
    }
}
