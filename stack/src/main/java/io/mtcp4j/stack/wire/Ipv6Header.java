package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The fields of an IPv6 header and its extension header chain, for tests, debugging and building
 * crafted packets; see {@link Ipv6Flyweight} for the layout.
 *
 * <p>The chain is kept as it appears on the wire: the fixed header's Next Header is the first
 * extension's type (or {@code upperLayerProtocol} when there are none), and each extension's
 * Next Header byte is the following one's type, so {@link #writeTo} derives every Next Header
 * field and the record cannot describe an inconsistent chain. {@code payloadLength} is written as
 * given, not computed, so tests can also build packets whose lengths lie.
 *
 * @param trafficClass       8 bits
 * @param flowLabel          20 bits
 * @param payloadLength      RFC 8200's Payload Length: extension headers plus the upper layer
 * @param hopLimit           8 bits
 * @param source             source address
 * @param destination        destination address
 * @param extensions         the extension headers in wire order
 * @param upperLayerProtocol the Next Header value that ends the chain
 */
public record Ipv6Header(int trafficClass, int flowLabel, int payloadLength, int hopLimit,
                         Ipv6Address source, Ipv6Address destination,
                         List<Extension> extensions, int upperLayerProtocol) {

    public Ipv6Header {
        checkRange("traffic class", trafficClass, 0xff);
        checkRange("flow label", flowLabel, 0xf_ffff);
        checkRange("payload length", payloadLength, Ipv6Flyweight.MAX_PAYLOAD_LENGTH);
        checkRange("hop limit", hopLimit, 0xff);
        checkRange("upper-layer protocol", upperLayerProtocol, 0xff);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        extensions = List.copyOf(extensions);
    }

    /** A header without extension headers. */
    public Ipv6Header(int trafficClass, int flowLabel, int payloadLength, int hopLimit,
                      Ipv6Address source, Ipv6Address destination, int upperLayerProtocol) {
        this(trafficClass, flowLabel, payloadLength, hopLimit, source, destination, List.of(), upperLayerProtocol);
    }

    /** The fixed header's Next Header field. */
    public int nextHeader() {
        return extensions.isEmpty() ? upperLayerProtocol : extensions.getFirst().type();
    }

    /** Bytes the extension headers take. */
    public int extensionsLength() {
        int length = 0;
        for (Extension extension : extensions) {
            length += extension.length();
        }
        return length;
    }

    /** The fixed header and the extension headers: where the upper layer starts. */
    public int headerLength() {
        return Ipv6Flyweight.FIXED_HEADER_LENGTH + extensionsLength();
    }

    /** Reads a header the flyweight has wrapped successfully. */
    public static Ipv6Header from(Ipv6Flyweight ip) {
        MemorySegment segment = ip.segment();
        List<Extension> extensions = new ArrayList<>(ip.extensionHeaderCount());
        long cursor = ip.offset() + Ipv6Flyweight.FIXED_HEADER_LENGTH;
        int type = ip.nextHeader();
        while (cursor < ip.upperLayerOffset()) {
            int length = Ipv6Flyweight.extensionHeaderLength(type, segment, cursor);
            byte[] body = segment.asSlice(cursor + 2, length - 2).toArray(ValueLayout.JAVA_BYTE);
            extensions.add(new Extension(type, body));
            type = NetworkOrder.u8(segment, cursor + Ipv6Flyweight.EXTENSION_NEXT_HEADER_OFFSET);
            cursor += length;
        }
        return new Ipv6Header(ip.trafficClass(), ip.flowLabel(), ip.payloadLength(), ip.hopLimit(),
                new Ipv6Address(ip.sourceHigh(), ip.sourceLow()),
                new Ipv6Address(ip.destinationHigh(), ip.destinationLow()),
                extensions, ip.upperLayerProtocol());
    }

    /** Writes the fixed header and the extension headers at {@code offset}; returns {@link #headerLength()}. */
    public int writeTo(MemorySegment segment, long offset) {
        Ipv6Flyweight ip = new Ipv6Flyweight().wrapForWrite(segment, offset);
        NetworkOrder.u32(segment, offset + Ipv6Flyweight.VERSION_CLASS_FLOW_OFFSET, 0);
        ip.version(Ipv6Flyweight.VERSION)
                .trafficClass(trafficClass)
                .flowLabel(flowLabel)
                .payloadLength(payloadLength)
                .nextHeader(nextHeader())
                .hopLimit(hopLimit)
                .source(source.high(), source.low())
                .destination(destination.high(), destination.low());
        long cursor = offset + Ipv6Flyweight.FIXED_HEADER_LENGTH;
        for (int i = 0; i < extensions.size(); i++) {
            int following = i + 1 < extensions.size() ? extensions.get(i + 1).type() : upperLayerProtocol;
            cursor += extensions.get(i).writeTo(segment, cursor, following);
        }
        return (int) (cursor - offset);
    }

    private static void checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " " + value + " outside 0.." + max);
        }
    }

    /**
     * One extension header: its type (the Next Header value that announces it) and its bytes after
     * the Next Header and length bytes. The length byte is derived from the body when written, so
     * the body's size must be one the type can express.
     *
     * @param type an extension type {@link Ipv6Flyweight#isExtensionHeader} accepts
     * @param body the bytes from offset 2 to the end of the header
     */
    public record Extension(int type, byte[] body) {
        public Extension {
            if (!Ipv6Flyweight.isExtensionHeader(type)) {
                throw new IllegalArgumentException(type + " is not an extension header type the parser follows");
            }
            int length = body.length + 2;
            boolean expressible = switch (type) {
                case Ipv6Flyweight.FRAGMENT -> length == Ipv6Flyweight.FRAGMENT_HEADER_LENGTH;
                case Ipv6Flyweight.AUTHENTICATION -> length % Ipv6Flyweight.AUTHENTICATION_LENGTH_UNIT_BYTES == 0
                        && length >= 2 * Ipv6Flyweight.AUTHENTICATION_LENGTH_UNIT_BYTES
                        && length <= (0xff + 2) * Ipv6Flyweight.AUTHENTICATION_LENGTH_UNIT_BYTES;
                default -> length % Ipv6Flyweight.EXTENSION_LENGTH_UNIT_BYTES == 0
                        && length <= (0xff + 1) * Ipv6Flyweight.EXTENSION_LENGTH_UNIT_BYTES;
            };
            if (!expressible) {
                throw new IllegalArgumentException("an extension header of type " + type + " cannot be " + length + " bytes");
            }
            body = body.clone();
        }

        /**
         * A Fragment header (RFC 8200 4.5).
         *
         * @param offsetUnits    where the fragment's data starts, in 8-byte units (13 bits)
         * @param moreFragments  the M flag
         * @param identification the 32-bit identification, raw bits
         */
        public static Extension fragment(int offsetUnits, boolean moreFragments, int identification) {
            if (offsetUnits < 0 || offsetUnits > 0x1fff) {
                throw new IllegalArgumentException("fragment offset " + offsetUnits + " outside 0..8191 units");
            }
            byte[] body = new byte[Ipv6Flyweight.FRAGMENT_HEADER_LENGTH - 2];
            MemorySegment s = MemorySegment.ofArray(body);
            NetworkOrder.u16(s, 0, (offsetUnits << 3) | (moreFragments ? 1 : 0));
            NetworkOrder.u32(s, 2, identification);
            return new Extension(Ipv6Flyweight.FRAGMENT, body);
        }

        /**
         * A Hop-by-Hop or Destination Options header of {@code lengthBytes} (a multiple of 8) that
         * holds only padding: one PadN option (RFC 8200 4.2), or Pad1 where 1 byte is left.
         */
        public static Extension padding(int type, int lengthBytes) {
            if (type != Ipv6Flyweight.HOP_BY_HOP_OPTIONS && type != Ipv6Flyweight.DESTINATION_OPTIONS) {
                throw new IllegalArgumentException("only options headers carry padding options, not type " + type);
            }
            byte[] body = new byte[lengthBytes - 2];
            if (body.length >= 2) {
                body[0] = 1; // PadN
                body[1] = (byte) (body.length - 2);
            }
            return new Extension(type, body);
        }

        /** Bytes on the wire. */
        public int length() {
            return body.length + 2;
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        int writeTo(MemorySegment segment, long offset, int nextHeader) {
            int length = length();
            int lengthField = switch (type) {
                case Ipv6Flyweight.FRAGMENT -> 0; // reserved
                case Ipv6Flyweight.AUTHENTICATION -> length / Ipv6Flyweight.AUTHENTICATION_LENGTH_UNIT_BYTES - 2;
                default -> length / Ipv6Flyweight.EXTENSION_LENGTH_UNIT_BYTES - 1;
            };
            NetworkOrder.u8(segment, offset + Ipv6Flyweight.EXTENSION_NEXT_HEADER_OFFSET, nextHeader);
            NetworkOrder.u8(segment, offset + Ipv6Flyweight.EXTENSION_LENGTH_OFFSET, lengthField);
            MemorySegment.copy(MemorySegment.ofArray(body), 0, segment, offset + 2, body.length);
            return length;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Extension that && type == that.type && Arrays.equals(body, that.body);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(body);
        }

        @Override
        public String toString() {
            return "Extension[type=" + type + ", body=" + HexFormat.of().formatHex(body) + "]";
        }
    }
}
