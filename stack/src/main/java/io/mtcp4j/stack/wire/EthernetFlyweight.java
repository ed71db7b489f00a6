package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * An Ethernet II frame header (IEEE 802.3 clause 3 with the DIX type field), optionally carrying
 * one IEEE 802.1Q VLAN tag.
 *
 * <pre>
 *  untagged, 14 bytes:
 *   0                 6                 12     14
 *  +-----------------+-----------------+------+
 *  | destination MAC |   source MAC    | type |  payload ...
 *  +-----------------+-----------------+------+
 *
 *  802.1Q tagged, 18 bytes:
 *   0                 6                 12       14    16     18
 *  +-----------------+-----------------+--------+-----+------+
 *  | destination MAC |   source MAC    | 0x8100 | TCI | type |  payload ...
 *  +-----------------+-----------------+--------+-----+------+
 *
 *  Tag control information (TCI), 16 bits:
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *  +-----+-+-----------------------+
 *  | PCP |D|        VLAN id        |     PCP: priority code point, D: drop eligible indicator
 *  +-----+-+-----------------------+
 * </pre>
 *
 * <p>The frame check sequence is not part of the view: devices strip it on receive and append it
 * on transmit. A frame may carry padding after the upper-layer packet, because Ethernet frames are
 * at least {@value #MINIMUM_FRAME_LENGTH} bytes without the FCS; {@link #payloadLength()} includes
 * it and the network layer's own length field bounds the packet.
 *
 * <p>At most one 802.1Q tag (TPID {@code 0x8100}) is skipped. Stacked tags are not followed: an
 * 802.1ad service tag (TPID {@code 0x88a8}) is reported as the EtherType {@code 0x88a8}, and a
 * second {@code 0x8100} behind the first as the EtherType {@code 0x8100}; the frame parser counts
 * both as unsupported.
 */
public final class EthernetFlyweight {
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    /** The EtherType of an untagged frame, or the tag protocol identifier of a tagged one. */
    public static final int ETHERTYPE_OFFSET = 12;
    /** In a tagged frame: the tag control information. */
    public static final int TAG_CONTROL_OFFSET = 14;
    /** In a tagged frame: the EtherType of the payload. */
    public static final int TAGGED_ETHERTYPE_OFFSET = 16;
    public static final int HEADER_LENGTH = 14;
    public static final int TAGGED_HEADER_LENGTH = 18;
    /** Shortest frame on the wire without its 4-byte FCS; shorter packets are padded up to it. */
    public static final int MINIMUM_FRAME_LENGTH = 60;

    /** Values below this are IEEE 802.3 length fields, not EtherTypes. */
    public static final int MINIMUM_ETHERTYPE = 0x0600;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    /** IEEE 802.1Q customer VLAN tag protocol identifier. */
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_IPV6 = 0x86dd;
    /** IEEE 802.1ad service VLAN tag (the outer tag of QinQ); not followed. */
    public static final int ETHERTYPE_SERVICE_VLAN = 0x88a8;

    private static final int VLAN_ID_MASK = 0x0fff;
    private static final int DROP_ELIGIBLE_BIT = 0x1000;
    private static final int PRIORITY_SHIFT = 13;

    private MemorySegment segment;
    private long offset;
    private long length;
    private boolean tagged;

    /**
     * Checked ingress wrap of a frame of {@code available} bytes at {@code offset}.
     *
     * @return {@link Malformed#ETHERNET_TRUNCATED}, {@link Malformed#ETHERNET_NOT_ETHERNET_II} or
     *     {@link Malformed#NONE}
     * @throws IndexOutOfBoundsException if {@code offset} and {@code available} are not within the segment
     */
    public Malformed wrap(MemorySegment segment, long offset, long available) {
        Objects.checkFromIndexSize(offset, available, segment.byteSize());
        this.segment = segment;
        this.offset = offset;
        this.length = available;
        this.tagged = false;
        if (available < HEADER_LENGTH) {
            return Malformed.ETHERNET_TRUNCATED;
        }
        int type = NetworkOrder.u16(segment, offset + ETHERTYPE_OFFSET);
        if (type == ETHERTYPE_VLAN) {
            if (available < TAGGED_HEADER_LENGTH) {
                return Malformed.ETHERNET_TRUNCATED;
            }
            tagged = true;
            type = NetworkOrder.u16(segment, offset + TAGGED_ETHERTYPE_OFFSET);
        }
        if (type < MINIMUM_ETHERTYPE) {
            return Malformed.ETHERNET_NOT_ETHERNET_II;
        }
        return Malformed.NONE;
    }

    /**
     * Points at a frame being built, as an untagged header; {@link #tagControl(int)} makes it tagged.
     * Writes nothing.
     */
    public EthernetFlyweight wrapForWrite(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        this.length = segment.byteSize() - offset;
        this.tagged = false;
        return this;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    public long destination() {
        return MacAddress.read(segment, offset + DESTINATION_OFFSET);
    }

    public EthernetFlyweight destination(long mac) {
        MacAddress.write(segment, offset + DESTINATION_OFFSET, mac);
        return this;
    }

    public long source() {
        return MacAddress.read(segment, offset + SOURCE_OFFSET);
    }

    public EthernetFlyweight source(long mac) {
        MacAddress.write(segment, offset + SOURCE_OFFSET, mac);
        return this;
    }

    /** The EtherType of the payload: behind the tag in a tagged frame. */
    public int etherType() {
        return NetworkOrder.u16(segment, offset + headerLength() - 2);
    }

    public EthernetFlyweight etherType(int etherType) {
        NetworkOrder.u16(segment, offset + headerLength() - 2, etherType);
        return this;
    }

    /** Whether the frame carries an 802.1Q tag. */
    public boolean isTagged() {
        return tagged;
    }

    /** The 16-bit tag control information, or -1 for an untagged frame. */
    public int tagControl() {
        return tagged ? NetworkOrder.u16(segment, offset + TAG_CONTROL_OFFSET) : -1;
    }

    /**
     * Inserts (or rewrites) the 802.1Q tag with this tag control information. An EtherType already
     * written moves behind the tag, so setters may be called in any order.
     */
    public EthernetFlyweight tagControl(int tagControl) {
        if (!tagged) {
            int etherType = NetworkOrder.u16(segment, offset + ETHERTYPE_OFFSET);
            NetworkOrder.u16(segment, offset + TAGGED_ETHERTYPE_OFFSET, etherType);
            NetworkOrder.u16(segment, offset + ETHERTYPE_OFFSET, ETHERTYPE_VLAN);
            tagged = true;
        }
        NetworkOrder.u16(segment, offset + TAG_CONTROL_OFFSET, tagControl);
        return this;
    }

    /** The 12-bit VLAN identifier, or -1 for an untagged frame. */
    public int vlanId() {
        return tagged ? tagControl() & VLAN_ID_MASK : -1;
    }

    /** The 3-bit priority code point (IEEE 802.1p), or -1 for an untagged frame. */
    public int priority() {
        return tagged ? tagControl() >>> PRIORITY_SHIFT : -1;
    }

    /** The drop eligible indicator; false for an untagged frame. */
    public boolean dropEligible() {
        return tagged && (tagControl() & DROP_ELIGIBLE_BIT) != 0;
    }

    /** 14, or 18 with a VLAN tag. */
    public int headerLength() {
        return tagged ? TAGGED_HEADER_LENGTH : HEADER_LENGTH;
    }

    public long payloadOffset() {
        return offset + headerLength();
    }

    /** Bytes after the header, including any padding: the network layer's length field says how many it uses. */
    public long payloadLength() {
        return length - headerLength();
    }

    /** Tag control information from its parts. */
    public static int tagControlOf(int priority, boolean dropEligible, int vlanId) {
        return (priority & 0x7) << PRIORITY_SHIFT | (dropEligible ? DROP_ELIGIBLE_BIT : 0) | (vlanId & VLAN_ID_MASK);
    }
}
