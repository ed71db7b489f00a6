package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The fields of an IPv4 header as a value, for tests, debugging and building crafted packets.
 * The version is implied (4) and the header length follows from the options.
 *
 * @param dscp differentiated services code point, 0-63
 * @param ecn explicit congestion notification codepoint, 0-3
 * @param totalLength header plus data in bytes, 0-65535 (below the header length only to craft bad packets)
 * @param identification 16 bits
 * @param flags the three flag bits ({@link Ipv4Flyweight#FLAG_DONT_FRAGMENT}, ...)
 * @param fragmentOffsetBytes a multiple of 8 in 0-65528
 * @param ttl 0-255
 * @param protocol 0-255
 * @param headerChecksum as carried; {@link #withComputedChecksum()} gives the right one
 * @param source raw address bits
 * @param destination raw address bits
 * @param options the option bytes with their padding, a multiple of 4 up to 40; copied in and out
 */
public record Ipv4Header(int dscp, int ecn, int totalLength, int identification, int flags, int fragmentOffsetBytes,
                         int ttl, int protocol, int headerChecksum, int source, int destination, byte[] options) {
    /** TTL for packets this stack originates, as Linux's default {@code ip_default_ttl}. */
    public static final int DEFAULT_TTL = 64;

    private static final byte[] NO_OPTIONS = new byte[0];

    public Ipv4Header {
        checkRange("dscp", dscp, 0x3f);
        checkRange("ecn", ecn, 0x3);
        checkRange("total length", totalLength, 0xffff);
        checkRange("identification", identification, 0xffff);
        checkRange("flags", flags, 0x7);
        checkRange("ttl", ttl, 0xff);
        checkRange("protocol", protocol, 0xff);
        checkRange("header checksum", headerChecksum, 0xffff);
        if (fragmentOffsetBytes < 0 || fragmentOffsetBytes > 65528 || fragmentOffsetBytes % 8 != 0) {
            throw new IllegalArgumentException("fragment offset is a multiple of 8 bytes up to 65528: " + fragmentOffsetBytes);
        }
        if (options.length > Ipv4Flyweight.MAXIMUM_HEADER_LENGTH - Ipv4Flyweight.MINIMUM_HEADER_LENGTH
                || options.length % 4 != 0) {
            throw new IllegalArgumentException("options are a multiple of 4 bytes up to 40: " + options.length);
        }
        options = options.clone();
    }

    /**
     * A header for an unfragmented packet this stack sends: DF set (path MTU discovery, RFC 1191),
     * TTL {@value #DEFAULT_TTL}, no options, correct checksum.
     */
    public static Ipv4Header of(int protocol, int source, int destination, int payloadLength) {
        return new Ipv4Header(0, 0, Ipv4Flyweight.MINIMUM_HEADER_LENGTH + payloadLength, 0,
                Ipv4Flyweight.FLAG_DONT_FRAGMENT, 0, DEFAULT_TTL, protocol, 0, source, destination, NO_OPTIONS)
                .withComputedChecksum();
    }

    public static Ipv4Header from(Ipv4Flyweight ipv4) {
        byte[] options = ipv4.segment().asSlice(ipv4.optionsOffset(), ipv4.optionsLength()).toArray(ValueLayout.JAVA_BYTE);
        return new Ipv4Header(ipv4.dscp(), ipv4.ecn(), ipv4.totalLength(), ipv4.identification(), ipv4.flags(),
                ipv4.fragmentOffsetBytes(), ipv4.ttl(), ipv4.protocol(), ipv4.headerChecksum(), ipv4.source(),
                ipv4.destination(), options);
    }

    /** Writes the header and options at {@code offset} (not the data); returns {@link #headerLength()}. */
    public int writeTo(MemorySegment segment, long offset) {
        Ipv4Flyweight ipv4 = new Ipv4Flyweight().wrapForWrite(segment, offset)
                .version(Ipv4Flyweight.VERSION)
                .headerLength(headerLength())
                .dscp(dscp)
                .ecn(ecn)
                .totalLength(totalLength)
                .identification(identification)
                .flags(flags)
                .fragmentOffsetBytes(fragmentOffsetBytes)
                .ttl(ttl)
                .protocol(protocol)
                .headerChecksum(headerChecksum)
                .source(source)
                .destination(destination);
        MemorySegment.copy(options, 0, segment, ValueLayout.JAVA_BYTE, ipv4.optionsOffset(), options.length);
        return headerLength();
    }

    /** This header with the checksum its other fields call for. */
    public Ipv4Header withComputedChecksum() {
        byte[] bytes = new byte[headerLength()];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        writeTo(segment, 0);
        int checksum = new Ipv4Flyweight().wrapForWrite(segment, 0).computeChecksum();
        return new Ipv4Header(dscp, ecn, totalLength, identification, flags, fragmentOffsetBytes, ttl, protocol,
                checksum, source, destination, options);
    }

    @Override
    public byte[] options() {
        return options.clone();
    }

    public int headerLength() {
        return Ipv4Flyweight.MINIMUM_HEADER_LENGTH + options.length;
    }

    public int payloadLength() {
        return totalLength - headerLength();
    }

    public boolean dontFragment() {
        return (flags & Ipv4Flyweight.FLAG_DONT_FRAGMENT) != 0;
    }

    public boolean moreFragments() {
        return (flags & Ipv4Flyweight.FLAG_MORE_FRAGMENTS) != 0;
    }

    public boolean isFragment() {
        return moreFragments() || fragmentOffsetBytes != 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Ipv4Header that
                && dscp == that.dscp && ecn == that.ecn && totalLength == that.totalLength
                && identification == that.identification && flags == that.flags
                && fragmentOffsetBytes == that.fragmentOffsetBytes && ttl == that.ttl && protocol == that.protocol
                && headerChecksum == that.headerChecksum && source == that.source && destination == that.destination
                && Arrays.equals(options, that.options);
    }

    @Override
    public int hashCode() {
        int hash = Objects.hash(dscp, ecn, totalLength, identification, flags, fragmentOffsetBytes, ttl, protocol,
                headerChecksum, source, destination);
        return 31 * hash + Arrays.hashCode(options);
    }

    @Override
    public String toString() {
        StringBuilder flagText = new StringBuilder();
        if ((flags & Ipv4Flyweight.FLAG_RESERVED) != 0) {
            flagText.append(" reserved");
        }
        if (dontFragment()) {
            flagText.append(" DF");
        }
        if (moreFragments()) {
            flagText.append(" MF");
        }
        return "Ipv4Header[" + Ipv4Address.format(source) + " > " + Ipv4Address.format(destination)
                + ", protocol=" + protocol + ", totalLength=" + totalLength + ", id=" + identification
                + ", flags=[" + flagText.toString().trim() + "], fragmentOffsetBytes=" + fragmentOffsetBytes
                + ", ttl=" + ttl + ", dscp=" + dscp + ", ecn=" + ecn
                + ", checksum=0x" + String.format("%04x", headerChecksum)
                + (options.length > 0 ? ", options=" + HexFormat.of().formatHex(options) : "") + "]";
    }

    private static void checkRange(String name, int value, int maximum) {
        if (value < 0 || value > maximum) {
            throw new IllegalArgumentException(name + " must be 0-" + maximum + ": " + value);
        }
    }
}
