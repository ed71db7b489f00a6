package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;

/**
 * The IPv6 header (RFC 8200 3) and its extension header chain (RFC 8200 4), over a
 * {@link MemorySegment}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +                         Source Address                        +
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +                      Destination Address                      +
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <h2>Extension headers</h2>
 * The checked {@link #wrap} follows the Next Header chain from the fixed header to the upper
 * layer, skipping each extension header by the length it declares:
 * <pre>
 * Hop-by-Hop Options (0), Routing (43), Destination Options (60): generic format, RFC 8200 4.2-4.6
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Hdr Ext Len  |  (8 * (Hdr Ext Len + 1)) - 2 bytes of options or data ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Fragment (44): always 8 bytes, RFC 8200 4.5
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Authentication Header (51): length in 4-byte units minus 2, RFC 4302 2
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Payload Len  |          RESERVED             | ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Any other Next Header value ends the chain as the upper-layer protocol: TCP (6), ICMPv6 (58),
 * No Next Header (59), and everything the stack does not know, ESP (50) included, whose contents
 * are encrypted. The walk is bounded at {@link #MAX_EXTENSION_HEADERS} so a hostile chain of
 * tiny headers costs a bounded amount of work. When a Fragment header is present its fields are
 * exposed ({@link #isFragment()}); reassembly is not this class's business.
 *
 * <p><b>Jumbograms are not supported.</b> A Payload Length of 0 with a Hop-by-Hop Jumbo Payload
 * option (RFC 2675) means a payload above 65535 bytes; this class reads Payload Length 0 as an
 * empty payload, so such a packet fails with {@link Malformed#IPV6_EXTENSION_TRUNCATED} (its
 * Hop-by-Hop header lies outside the empty payload). Links the stack drives have MTUs far below.
 *
 * <p>Frames may carry bytes beyond the payload (Ethernet pads short frames to 60 bytes): the wrap
 * accepts them and the upper layer is bounded by Payload Length, not by the frame.
 */
public final class Ipv6Flyweight {
    /** Version (4 bits), Traffic Class (8 bits) and Flow Label (20 bits) share the first word. */
    public static final int VERSION_CLASS_FLOW_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SOURCE_ADDRESS_OFFSET = 8;
    public static final int DESTINATION_ADDRESS_OFFSET = 24;
    /** The fixed header; extension headers follow it inside the payload. */
    public static final int FIXED_HEADER_LENGTH = 40;

    public static final int VERSION = 6;

    /** Next Header values (IANA "Assigned Internet Protocol Numbers"). */
    public static final int HOP_BY_HOP_OPTIONS = 0;
    public static final int TCP = 6;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int ENCAPSULATING_SECURITY_PAYLOAD = 50;
    public static final int AUTHENTICATION = 51;
    public static final int ICMPV6 = 58;
    public static final int NO_NEXT_HEADER = 59;
    public static final int DESTINATION_OPTIONS = 60;

    /** Extension headers the wrap follows before giving up with {@link Malformed#IPV6_TOO_MANY_EXTENSIONS}. */
    public static final int MAX_EXTENSION_HEADERS = 8;

    /** Within any extension header: the next header byte and the length byte. */
    public static final int EXTENSION_NEXT_HEADER_OFFSET = 0;
    public static final int EXTENSION_LENGTH_OFFSET = 1;
    /** Generic extension headers count their length in 8-byte units, not counting the first 8. */
    public static final int EXTENSION_LENGTH_UNIT_BYTES = 8;
    /** The Authentication Header counts its length in 4-byte units, minus 2 (RFC 4302 2.2). */
    public static final int AUTHENTICATION_LENGTH_UNIT_BYTES = 4;
    public static final int FRAGMENT_HEADER_LENGTH = 8;
    /** Within the Fragment header: offset (13 bits, 8-byte units), two reserved bits, the M flag. */
    public static final int FRAGMENT_OFFSET_FLAGS_OFFSET = 2;
    public static final int FRAGMENT_IDENTIFICATION_OFFSET = 4;
    public static final int FRAGMENT_OFFSET_UNIT_BYTES = 8;
    private static final int MORE_FRAGMENTS_FLAG = 0x1;

    /** The most a Payload Length field can say. */
    public static final int MAX_PAYLOAD_LENGTH = 0xffff;

    private MemorySegment segment;
    private long offset;
    private int upperLayerProtocol;
    private long upperLayerOffset;
    private int upperLayerLength;
    private int extensionHeaderCount;
    /** Absolute offset of the first Fragment header, or -1 when there is none. */
    private long fragmentHeaderOffset = -1;

    /**
     * Checked ingress wrap: the fixed header, the version, the payload length against the frame,
     * and the extension header chain up to the upper layer.
     */
    public Malformed wrap(MemorySegment segment, long offset, long available) {
        return wrap(segment, offset, available, false);
    }

    /**
     * Wrap of the invoking packet an ICMPv6 error message quotes (RFC 4443 2.4 (c)): the sender
     * cut it to keep the error within the minimum MTU, so its Payload Length may claim more than
     * is there. The walk stops at the quoted bytes instead of reporting
     * {@link Malformed#IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME}, and {@link #upperLayerLength()} is the
     * upper-layer bytes present, enough to read the ports of a quoted TCP header.
     */
    public Malformed wrapQuoted(MemorySegment segment, long offset, long available) {
        return wrap(segment, offset, available, true);
    }

    private Malformed wrap(MemorySegment segment, long offset, long available, boolean quoted) {
        checkBounds(segment, offset, available);
        this.segment = segment;
        this.offset = offset;
        this.fragmentHeaderOffset = -1;
        this.extensionHeaderCount = 0;
        if (available < FIXED_HEADER_LENGTH) {
            return Malformed.IPV6_TRUNCATED;
        }
        if (version() != VERSION) {
            return Malformed.IPV6_BAD_VERSION;
        }
        long payloadLength = payloadLength();
        if (payloadLength > available - FIXED_HEADER_LENGTH) {
            if (!quoted) {
                return Malformed.IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME;
            }
            payloadLength = available - FIXED_HEADER_LENGTH;
        }

        long cursor = offset + FIXED_HEADER_LENGTH;
        long end = cursor + payloadLength;
        int next = nextHeader();
        while (isExtensionHeader(next)) {
            if (extensionHeaderCount == MAX_EXTENSION_HEADERS) {
                return Malformed.IPV6_TOO_MANY_EXTENSIONS;
            }
            // Every extension header starts with its next header and length bytes.
            if (end - cursor < 2) {
                return Malformed.IPV6_EXTENSION_TRUNCATED;
            }
            int length = extensionHeaderLength(next, segment, cursor);
            if (end - cursor < length) {
                return Malformed.IPV6_EXTENSION_TRUNCATED;
            }
            if (next == FRAGMENT && fragmentHeaderOffset < 0) {
                fragmentHeaderOffset = cursor;
            }
            next = NetworkOrder.u8(segment, cursor + EXTENSION_NEXT_HEADER_OFFSET);
            cursor += length;
            extensionHeaderCount++;
        }
        this.upperLayerProtocol = next;
        this.upperLayerOffset = cursor;
        this.upperLayerLength = (int) (end - cursor);
        return Malformed.NONE;
    }

    /** Points at a header being built; the chain accessors stay unset until a {@link #wrap}. */
    public Ipv6Flyweight wrapForWrite(MemorySegment segment, long offset) {
        checkBounds(segment, offset, FIXED_HEADER_LENGTH);
        this.segment = segment;
        this.offset = offset;
        this.fragmentHeaderOffset = -1;
        this.extensionHeaderCount = 0;
        return this;
    }

    /** Whether the wrap skips this Next Header value as an extension header rather than stopping at it. */
    public static boolean isExtensionHeader(int nextHeader) {
        return switch (nextHeader) {
            case HOP_BY_HOP_OPTIONS, ROUTING, FRAGMENT, DESTINATION_OPTIONS, AUTHENTICATION -> true;
            default -> false;
        };
    }

    /**
     * Bytes the extension header of this type at {@code headerOffset} occupies, from its length
     * byte; the caller has checked that the first two bytes are there.
     */
    public static int extensionHeaderLength(int type, MemorySegment segment, long headerOffset) {
        if (type == FRAGMENT) {
            return FRAGMENT_HEADER_LENGTH;
        }
        int lengthField = NetworkOrder.u8(segment, headerOffset + EXTENSION_LENGTH_OFFSET);
        if (type == AUTHENTICATION) {
            return (lengthField + 2) * AUTHENTICATION_LENGTH_UNIT_BYTES;
        }
        return (lengthField + 1) * EXTENSION_LENGTH_UNIT_BYTES;
    }

    public MemorySegment segment() {
        return segment;
    }

    /** Where the header starts in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    public int version() {
        return NetworkOrder.u8(segment, offset + VERSION_CLASS_FLOW_OFFSET) >>> 4;
    }

    public Ipv6Flyweight version(int version) {
        int word = NetworkOrder.u32AsInt(segment, offset + VERSION_CLASS_FLOW_OFFSET);
        NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET, (word & 0x0fff_ffff) | ((version & 0xf) << 28));
        return this;
    }

    /** The 8-bit Traffic Class: DSCP in the upper six bits, ECN in the lower two (RFC 2474, RFC 3168). */
    public int trafficClass() {
        return (NetworkOrder.u32AsInt(segment, offset + VERSION_CLASS_FLOW_OFFSET) >>> 20) & 0xff;
    }

    public Ipv6Flyweight trafficClass(int trafficClass) {
        int word = NetworkOrder.u32AsInt(segment, offset + VERSION_CLASS_FLOW_OFFSET);
        NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET, (word & 0xf00f_ffff) | ((trafficClass & 0xff) << 20));
        return this;
    }

    /** The 20-bit Flow Label (RFC 6437). */
    public int flowLabel() {
        return NetworkOrder.u32AsInt(segment, offset + VERSION_CLASS_FLOW_OFFSET) & 0xf_ffff;
    }

    public Ipv6Flyweight flowLabel(int flowLabel) {
        int word = NetworkOrder.u32AsInt(segment, offset + VERSION_CLASS_FLOW_OFFSET);
        NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET, (word & 0xfff0_0000) | (flowLabel & 0xf_ffff));
        return this;
    }

    /** RFC 8200's Payload Length: the bytes after the fixed header, extension headers included. */
    public int payloadLength() {
        return NetworkOrder.u16(segment, offset + PAYLOAD_LENGTH_OFFSET);
    }

    public Ipv6Flyweight payloadLength(int payloadLength) {
        NetworkOrder.u16(segment, offset + PAYLOAD_LENGTH_OFFSET, payloadLength);
        return this;
    }

    /** The Next Header of the fixed header: the first extension header, or the upper layer when there is none. */
    public int nextHeader() {
        return NetworkOrder.u8(segment, offset + NEXT_HEADER_OFFSET);
    }

    public Ipv6Flyweight nextHeader(int nextHeader) {
        NetworkOrder.u8(segment, offset + NEXT_HEADER_OFFSET, nextHeader);
        return this;
    }

    public int hopLimit() {
        return NetworkOrder.u8(segment, offset + HOP_LIMIT_OFFSET);
    }

    public Ipv6Flyweight hopLimit(int hopLimit) {
        NetworkOrder.u8(segment, offset + HOP_LIMIT_OFFSET, hopLimit);
        return this;
    }

    /** Bytes 0-7 of the source address. */
    public long sourceHigh() {
        return Ipv6Address.highAt(segment, offset + SOURCE_ADDRESS_OFFSET);
    }

    /** Bytes 8-15 of the source address. */
    public long sourceLow() {
        return Ipv6Address.lowAt(segment, offset + SOURCE_ADDRESS_OFFSET);
    }

    public Ipv6Flyweight source(long high, long low) {
        Ipv6Address.writeAt(segment, offset + SOURCE_ADDRESS_OFFSET, high, low);
        return this;
    }

    /** Absolute offset of the source address in {@link #segment()}, for {@link Checksum#pseudoHeaderIpv6}. */
    public long sourceAddressOffset() {
        return offset + SOURCE_ADDRESS_OFFSET;
    }

    /** Bytes 0-7 of the destination address. */
    public long destinationHigh() {
        return Ipv6Address.highAt(segment, offset + DESTINATION_ADDRESS_OFFSET);
    }

    /** Bytes 8-15 of the destination address. */
    public long destinationLow() {
        return Ipv6Address.lowAt(segment, offset + DESTINATION_ADDRESS_OFFSET);
    }

    public Ipv6Flyweight destination(long high, long low) {
        Ipv6Address.writeAt(segment, offset + DESTINATION_ADDRESS_OFFSET, high, low);
        return this;
    }

    /** Absolute offset of the destination address in {@link #segment()}, for {@link Checksum#pseudoHeaderIpv6}. */
    public long destinationAddressOffset() {
        return offset + DESTINATION_ADDRESS_OFFSET;
    }

    /** After a wrap: the protocol after the extension headers (TCP, ICMPv6, No Next Header or unknown). */
    public int upperLayerProtocol() {
        return upperLayerProtocol;
    }

    /** After a wrap: absolute offset of the upper-layer header, where the next flyweight wraps. */
    public long upperLayerOffset() {
        return upperLayerOffset;
    }

    /** After a wrap: Payload Length minus the extension headers, the upper-layer length of the pseudo-header. */
    public int upperLayerLength() {
        return upperLayerLength;
    }

    /** After a wrap: the fixed header and the extension headers, the bytes before the upper layer. */
    public int headerLength() {
        return (int) (upperLayerOffset - offset);
    }

    /** After a wrap: how many extension headers the chain had. */
    public int extensionHeaderCount() {
        return extensionHeaderCount;
    }

    /**
     * After a wrap: the partial sum of the pseudo-header (RFC 8200 8.1) for the upper layer found,
     * to pass to its checksum check. It uses the Destination Address field as it stands, which is
     * the final destination at the final destination even behind a Routing header.
     */
    public long pseudoHeaderSum() {
        return pseudoHeaderSum(upperLayerProtocol, upperLayerLength);
    }

    /** The partial sum of the pseudo-header over this header's addresses with the given protocol and length. */
    public long pseudoHeaderSum(int upperLayerProtocol, long upperLayerLength) {
        return Checksum.pseudoHeaderIpv6(segment, sourceAddressOffset(), segment, destinationAddressOffset(),
                upperLayerProtocol, upperLayerLength);
    }

    /** After a wrap: whether the chain had a Fragment header (even an atomic one, offset 0 and M clear: RFC 8200 4.5). */
    public boolean isFragment() {
        return fragmentHeaderOffset >= 0;
    }

    /** After a wrap that found a Fragment header: its absolute offset; -1 when {@link #isFragment()} is false. */
    public long fragmentHeaderOffset() {
        return fragmentHeaderOffset;
    }

    /** The 13-bit Fragment Offset in 8-byte units; only when {@link #isFragment()}. */
    public int fragmentOffsetUnits() {
        return NetworkOrder.u16(segment, fragmentHeaderOffset + FRAGMENT_OFFSET_FLAGS_OFFSET) >>> 3;
    }

    /** Where this fragment's data starts in the original packet's fragmentable part, in bytes. */
    public int fragmentOffsetBytes() {
        return fragmentOffsetUnits() * FRAGMENT_OFFSET_UNIT_BYTES;
    }

    /** The M flag: more fragments follow this one. Only when {@link #isFragment()}. */
    public boolean moreFragments() {
        return (NetworkOrder.u16(segment, fragmentHeaderOffset + FRAGMENT_OFFSET_FLAGS_OFFSET) & MORE_FRAGMENTS_FLAG) != 0;
    }

    /** The 32-bit Identification, as raw bits. Only when {@link #isFragment()}. */
    public int fragmentIdentification() {
        return NetworkOrder.u32AsInt(segment, fragmentHeaderOffset + FRAGMENT_IDENTIFICATION_OFFSET);
    }

    private static void checkBounds(MemorySegment segment, long offset, long available) {
        if (offset < 0 || available < 0 || offset > segment.byteSize() || available > segment.byteSize() - offset) {
            throw new IndexOutOfBoundsException("offset " + offset + " and available " + available
                    + " outside a segment of " + segment.byteSize() + " bytes");
        }
    }
}
