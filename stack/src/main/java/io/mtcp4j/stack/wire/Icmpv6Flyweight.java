package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;

/**
 * An ICMPv6 message (RFC 4443) including the neighbour discovery messages (RFC 4861), over a
 * {@link MemorySegment}.
 *
 * <pre>
 * Every message (RFC 4443 2.1):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Message Body                          |
 *
 * Echo Request (128) and Echo Reply (129), RFC 4443 4.1-4.2:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Identifier          |        Sequence Number        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Data ...
 *
 * Destination Unreachable (1), Packet Too Big (2), Time Exceeded (3), Parameter Problem (4),
 * RFC 4443 3.1-3.4: a 32-bit field (unused, the MTU, unused, the pointer), then the invoking packet:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Unused / MTU / Pointer                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    As much of invoking packet as possible without the ICMPv6 packet
 * +    exceeding the minimum IPv6 MTU
 *
 * Neighbor Solicitation (135) and Neighbor Advertisement (136), RFC 4861 4.3-4.4:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|S|O|                     Reserved                            |   (all Reserved in a solicitation)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                       Target Address (16 bytes)               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options ...
 *
 * Neighbour discovery options, RFC 4861 4.6; Length counts 8-byte units and is never 0:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |    Length     |              ...              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Source (1) / Target (2) Link-layer Address over Ethernet (RFC 2464 6): Length 1, the MAC in bytes 2-7.
 * </pre>
 *
 * <p>ICMPv6 has no length field: the message is everything the IPv6 header's upper-layer length
 * gives it, so {@link #wrap}'s {@code available} is that length, not the rest of the frame. The
 * checksum always covers the IPv6 pseudo-header with Next Header 58 (RFC 4443 2.3); callers pass
 * its partial sum, usually {@link Ipv6Flyweight#pseudoHeaderSum()}.
 *
 * <p>Router Solicitation, Router Advertisement and Redirect are recognised by their minimum
 * lengths and their options are checked and searched for link-layer addresses, but their other
 * fields have no accessors here.
 */
public final class Icmpv6Flyweight {
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    /** The type-specific 32-bit word: identifier and sequence, MTU, pointer, flags or reserved. */
    public static final int WORD_OFFSET = 4;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_NUMBER_OFFSET = 6;
    public static final int MTU_OFFSET = 4;
    public static final int POINTER_OFFSET = 4;
    public static final int FLAGS_OFFSET = 4;
    public static final int TARGET_ADDRESS_OFFSET = 8;
    /** Where echo data and the invoking packet of error messages start. */
    public static final int BODY_AFTER_WORD_OFFSET = 8;

    /** Type, code and checksum: what every message has. */
    public static final int HEADER_LENGTH = 4;

    // Types, RFC 4443 and RFC 4861.
    public static final int DESTINATION_UNREACHABLE = 1;
    public static final int PACKET_TOO_BIG = 2;
    public static final int TIME_EXCEEDED = 3;
    public static final int PARAMETER_PROBLEM = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int ROUTER_SOLICITATION = 133;
    public static final int ROUTER_ADVERTISEMENT = 134;
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;
    public static final int REDIRECT = 137;

    // Minimum message lengths per type: the fixed part before the data, quoted packet or options.
    public static final int ECHO_MIN_LENGTH = 8;
    public static final int ERROR_MIN_LENGTH = 8;
    public static final int ROUTER_SOLICITATION_MIN_LENGTH = 8;
    public static final int ROUTER_ADVERTISEMENT_MIN_LENGTH = 16;
    public static final int NEIGHBOR_MIN_LENGTH = 24;
    public static final int REDIRECT_MIN_LENGTH = 40;

    /** Neighbor Advertisement flags in the first byte of the word (RFC 4861 4.4). */
    public static final int ROUTER_FLAG = 0x80;
    public static final int SOLICITED_FLAG = 0x40;
    public static final int OVERRIDE_FLAG = 0x20;

    // Neighbour discovery options, RFC 4861 4.6.
    public static final int OPTION_TYPE_OFFSET = 0;
    public static final int OPTION_LENGTH_OFFSET = 1;
    public static final int OPTION_LENGTH_UNIT_BYTES = 8;
    public static final int SOURCE_LINK_LAYER_ADDRESS = 1;
    public static final int TARGET_LINK_LAYER_ADDRESS = 2;
    /** An Ethernet link-layer address option: type, length 1, six MAC bytes. */
    public static final int ETHERNET_LINK_LAYER_OPTION_LENGTH = 8;

    /** What the link-layer address accessors return when the message carried no such option. */
    public static final long NO_LINK_LAYER_ADDRESS = -1;

    private static final long MAC_MASK = 0xffff_ffff_ffffL;

    private MemorySegment segment;
    private long offset;
    private int length;
    private long sourceLinkLayerAddress = NO_LINK_LAYER_ADDRESS;
    private long targetLinkLayerAddress = NO_LINK_LAYER_ADDRESS;

    /**
     * Checked ingress wrap of the {@code available}-byte message at {@code offset}: the minimum
     * length of its type and, for neighbour discovery messages, the option list. It does not check
     * the checksum, which needs the pseudo-header: see {@link #checksumValid} and {@link #wrapAndVerify}.
     */
    public Malformed wrap(MemorySegment segment, long offset, long available) {
        checkBounds(segment, offset, available);
        this.segment = segment;
        this.offset = offset;
        // Anything longer than an IPv6 payload cannot be one message; clamping keeps length an int.
        this.length = (int) Math.min(available, Ipv6Flyweight.MAX_PAYLOAD_LENGTH);
        this.sourceLinkLayerAddress = NO_LINK_LAYER_ADDRESS;
        this.targetLinkLayerAddress = NO_LINK_LAYER_ADDRESS;
        if (length < HEADER_LENGTH) {
            return Malformed.ICMPV6_TRUNCATED;
        }
        int type = type();
        if (length < minimumLength(type)) {
            return Malformed.ICMPV6_TRUNCATED;
        }
        int optionsStart = optionsStart(type);
        if (optionsStart < 0) {
            return Malformed.NONE;
        }
        long cursor = offset + optionsStart;
        long end = offset + length;
        while (cursor < end) {
            if (end - cursor < 2) {
                return Malformed.ICMPV6_BAD_OPTION;
            }
            int optionType = NetworkOrder.u8(segment, cursor + OPTION_TYPE_OFFSET);
            int optionLength = NetworkOrder.u8(segment, cursor + OPTION_LENGTH_OFFSET) * OPTION_LENGTH_UNIT_BYTES;
            // A zero length would loop forever; RFC 4861 4.6 says to discard such a packet.
            if (optionLength == 0 || optionLength > end - cursor) {
                return Malformed.ICMPV6_BAD_OPTION;
            }
            // Only the Ethernet form is read; other link layers have other lengths and are skipped.
            if (optionLength == ETHERNET_LINK_LAYER_OPTION_LENGTH) {
                // The MAC is bytes 2-7, the low 48 bits of the option's first 8 bytes.
                long mac = NetworkOrder.u64(segment, cursor) & MAC_MASK;
                if (optionType == SOURCE_LINK_LAYER_ADDRESS && sourceLinkLayerAddress == NO_LINK_LAYER_ADDRESS) {
                    sourceLinkLayerAddress = mac;
                } else if (optionType == TARGET_LINK_LAYER_ADDRESS && targetLinkLayerAddress == NO_LINK_LAYER_ADDRESS) {
                    targetLinkLayerAddress = mac;
                }
            }
            cursor += optionLength;
        }
        return Malformed.NONE;
    }

    /**
     * {@link #wrap} and then the checksum against the pseudo-header partial sum: what ingress
     * calls, so a corrupted message is one named drop ({@link Malformed#ICMPV6_BAD_CHECKSUM}).
     */
    public Malformed wrapAndVerify(MemorySegment segment, long offset, long available, long pseudoHeaderSum) {
        Malformed reason = wrap(segment, offset, available);
        if (reason != Malformed.NONE) {
            return reason;
        }
        return checksumValid(pseudoHeaderSum) ? Malformed.NONE : Malformed.ICMPV6_BAD_CHECKSUM;
    }

    /**
     * Points at a message being built. ICMPv6 carries no length of its own, so the writer says how
     * long the message will be, for {@link #fillChecksum}.
     */
    public Icmpv6Flyweight wrapForWrite(MemorySegment segment, long offset, int messageLength) {
        checkBounds(segment, offset, messageLength);
        this.segment = segment;
        this.offset = offset;
        this.length = messageLength;
        this.sourceLinkLayerAddress = NO_LINK_LAYER_ADDRESS;
        this.targetLinkLayerAddress = NO_LINK_LAYER_ADDRESS;
        return this;
    }

    /**
     * The fewest bytes a message of this type can have. An error type not known here (0, 5-127)
     * still needs {@link #ERROR_MIN_LENGTH}: RFC 4443 2.4 (b) and (d) have such an error handed to
     * the upper layer that sent the packet it quotes, so it is read with the layout every error
     * shares, the 32-bit word and then the invoking packet, and {@link #quotedPacketLength()} must
     * not come out negative. Informational types not known here need only {@link #HEADER_LENGTH}.
     */
    public static int minimumLength(int type) {
        return switch (type) {
            case ECHO_REQUEST, ECHO_REPLY -> ECHO_MIN_LENGTH;
            case DESTINATION_UNREACHABLE, PACKET_TOO_BIG, TIME_EXCEEDED, PARAMETER_PROBLEM -> ERROR_MIN_LENGTH;
            case ROUTER_SOLICITATION -> ROUTER_SOLICITATION_MIN_LENGTH;
            case ROUTER_ADVERTISEMENT -> ROUTER_ADVERTISEMENT_MIN_LENGTH;
            case NEIGHBOR_SOLICITATION, NEIGHBOR_ADVERTISEMENT -> NEIGHBOR_MIN_LENGTH;
            case REDIRECT -> REDIRECT_MIN_LENGTH;
            default -> isError(type) ? ERROR_MIN_LENGTH : HEADER_LENGTH;
        };
    }

    /** Where a neighbour discovery type's options start (its minimum length), or -1 for a type without options. */
    public static int optionsStart(int type) {
        return switch (type) {
            case ROUTER_SOLICITATION, ROUTER_ADVERTISEMENT, NEIGHBOR_SOLICITATION, NEIGHBOR_ADVERTISEMENT, REDIRECT ->
                    minimumLength(type);
            default -> -1;
        };
    }

    /** Whether the type is an error message (RFC 4443 2.1: types 0-127) that quotes the invoking packet. */
    public static boolean isError(int type) {
        return type < 128;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    /** The whole message, type byte to last option or data byte. */
    public int messageLength() {
        return length;
    }

    public int type() {
        return NetworkOrder.u8(segment, offset + TYPE_OFFSET);
    }

    public Icmpv6Flyweight type(int type) {
        NetworkOrder.u8(segment, offset + TYPE_OFFSET, type);
        return this;
    }

    public int code() {
        return NetworkOrder.u8(segment, offset + CODE_OFFSET);
    }

    public Icmpv6Flyweight code(int code) {
        NetworkOrder.u8(segment, offset + CODE_OFFSET, code);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public Icmpv6Flyweight checksum(int checksum) {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** The 32-bit word after the checksum, raw; the typed accessors below name its meaning per type. */
    public int word() {
        return NetworkOrder.u32AsInt(segment, offset + WORD_OFFSET);
    }

    public Icmpv6Flyweight word(int word) {
        NetworkOrder.u32(segment, offset + WORD_OFFSET, word);
        return this;
    }

    /** Whether the message, with the pseudo-header summed to {@code pseudoHeaderSum}, verifies. */
    public boolean checksumValid(long pseudoHeaderSum) {
        return Checksum.verifies(Checksum.add(pseudoHeaderSum, Checksum.sum(segment, offset, length)));
    }

    /** Computes and writes the checksum over the pseudo-header partial sum and the whole message. */
    public Icmpv6Flyweight fillChecksum(long pseudoHeaderSum) {
        checksum(0);
        return checksum(Checksum.finish(Checksum.add(pseudoHeaderSum, Checksum.sum(segment, offset, length))));
    }

    // Echo Request / Echo Reply

    public int identifier() {
        return NetworkOrder.u16(segment, offset + IDENTIFIER_OFFSET);
    }

    public Icmpv6Flyweight identifier(int identifier) {
        NetworkOrder.u16(segment, offset + IDENTIFIER_OFFSET, identifier);
        return this;
    }

    public int sequenceNumber() {
        return NetworkOrder.u16(segment, offset + SEQUENCE_NUMBER_OFFSET);
    }

    public Icmpv6Flyweight sequenceNumber(int sequenceNumber) {
        NetworkOrder.u16(segment, offset + SEQUENCE_NUMBER_OFFSET, sequenceNumber);
        return this;
    }

    /** Absolute offset of an echo message's data, which a reply returns unchanged. */
    public long echoDataOffset() {
        return offset + BODY_AFTER_WORD_OFFSET;
    }

    public int echoDataLength() {
        return length - BODY_AFTER_WORD_OFFSET;
    }

    // Error messages

    /** Packet Too Big: the next hop's MTU in bytes, unsigned 32 bits. */
    public long mtuBytes() {
        return NetworkOrder.u32(segment, offset + MTU_OFFSET);
    }

    public Icmpv6Flyweight mtuBytes(long mtuBytes) {
        NetworkOrder.u32(segment, offset + MTU_OFFSET, (int) mtuBytes);
        return this;
    }

    /** Parameter Problem: the byte offset into the invoking packet where the problem was found. */
    public long parameterProblemPointer() {
        return NetworkOrder.u32(segment, offset + POINTER_OFFSET);
    }

    public Icmpv6Flyweight parameterProblemPointer(long pointer) {
        NetworkOrder.u32(segment, offset + POINTER_OFFSET, (int) pointer);
        return this;
    }

    /** Absolute offset of the invoking packet an error message quotes: an IPv6 header to wrap. */
    public long quotedPacketOffset() {
        return offset + BODY_AFTER_WORD_OFFSET;
    }

    /** Bytes of the invoking packet quoted (as much as fits the minimum MTU, so often a cut packet). */
    public int quotedPacketLength() {
        return length - BODY_AFTER_WORD_OFFSET;
    }

    // Neighbor Solicitation / Neighbor Advertisement

    /** Neighbor Advertisement R flag: the sender is a router. */
    public boolean router() {
        return (NetworkOrder.u8(segment, offset + FLAGS_OFFSET) & ROUTER_FLAG) != 0;
    }

    public Icmpv6Flyweight router(boolean router) {
        return flag(ROUTER_FLAG, router);
    }

    /** Neighbor Advertisement S flag: the answer to a solicitation (reachability confirmed). */
    public boolean solicited() {
        return (NetworkOrder.u8(segment, offset + FLAGS_OFFSET) & SOLICITED_FLAG) != 0;
    }

    public Icmpv6Flyweight solicited(boolean solicited) {
        return flag(SOLICITED_FLAG, solicited);
    }

    /** Neighbor Advertisement O flag: replace a cached link-layer address. */
    public boolean override() {
        return (NetworkOrder.u8(segment, offset + FLAGS_OFFSET) & OVERRIDE_FLAG) != 0;
    }

    public Icmpv6Flyweight override(boolean override) {
        return flag(OVERRIDE_FLAG, override);
    }

    /** Bytes 0-7 of a neighbour message's target address. */
    public long targetHigh() {
        return Ipv6Address.highAt(segment, offset + TARGET_ADDRESS_OFFSET);
    }

    /** Bytes 8-15 of a neighbour message's target address. */
    public long targetLow() {
        return Ipv6Address.lowAt(segment, offset + TARGET_ADDRESS_OFFSET);
    }

    public Icmpv6Flyweight target(long high, long low) {
        Ipv6Address.writeAt(segment, offset + TARGET_ADDRESS_OFFSET, high, low);
        return this;
    }

    /** After a wrap: absolute offset of a neighbour discovery message's options, or -1 for other types. */
    public long optionsOffset() {
        int start = optionsStart(type());
        return start < 0 ? -1 : offset + start;
    }

    /** After a wrap: bytes of options; 0 for types without options. */
    public int optionsLength() {
        int start = optionsStart(type());
        return start < 0 ? 0 : length - start;
    }

    /** After a wrap: the MAC of the first Ethernet Source Link-layer Address option, or {@link #NO_LINK_LAYER_ADDRESS}. */
    public long sourceLinkLayerAddress() {
        return sourceLinkLayerAddress;
    }

    /** After a wrap: the MAC of the first Ethernet Target Link-layer Address option, or {@link #NO_LINK_LAYER_ADDRESS}. */
    public long targetLinkLayerAddress() {
        return targetLinkLayerAddress;
    }

    /** Writes an Ethernet link-layer address option (type 1 or 2) at an absolute offset; returns its 8 bytes. */
    public static int writeLinkLayerAddressOption(MemorySegment segment, long optionOffset, int optionType, long mac) {
        NetworkOrder.u64(segment, optionOffset, mac & MAC_MASK);
        NetworkOrder.u8(segment, optionOffset + OPTION_TYPE_OFFSET, optionType);
        NetworkOrder.u8(segment, optionOffset + OPTION_LENGTH_OFFSET, ETHERNET_LINK_LAYER_OPTION_LENGTH / OPTION_LENGTH_UNIT_BYTES);
        return ETHERNET_LINK_LAYER_OPTION_LENGTH;
    }

    private Icmpv6Flyweight flag(int flag, boolean set) {
        int flags = NetworkOrder.u8(segment, offset + FLAGS_OFFSET);
        NetworkOrder.u8(segment, offset + FLAGS_OFFSET, set ? flags | flag : flags & ~flag);
        return this;
    }

    private static void checkBounds(MemorySegment segment, long offset, long available) {
        if (offset < 0 || available < 0 || offset > segment.byteSize() || available > segment.byteSize() - offset) {
            throw new IndexOutOfBoundsException("offset " + offset + " and available " + available
                    + " outside a segment of " + segment.byteSize() + " bytes");
        }
    }
}
