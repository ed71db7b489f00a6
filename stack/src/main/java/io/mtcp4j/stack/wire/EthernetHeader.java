package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;

/**
 * The fields of an Ethernet II header as a value, for tests, debugging and building crafted frames.
 *
 * @param destination destination MAC address, low 48 bits
 * @param source source MAC address, low 48 bits
 * @param tagControl the 802.1Q tag control information, or -1 for an untagged frame
 * @param etherType the payload's EtherType (behind the tag in a tagged frame)
 */
public record EthernetHeader(long destination, long source, int tagControl, int etherType) {
    public EthernetHeader {
        if (!MacAddress.isValid(destination) || !MacAddress.isValid(source)) {
            throw new IllegalArgumentException("MAC addresses have 48 bits: destination "
                    + Long.toHexString(destination) + ", source " + Long.toHexString(source));
        }
        if (tagControl < -1 || tagControl > 0xffff) {
            throw new IllegalArgumentException("tag control is 16 bits, or -1 for untagged: " + tagControl);
        }
        if (etherType < 0 || etherType > 0xffff) {
            throw new IllegalArgumentException("EtherType is 16 bits: " + etherType);
        }
    }

    /** An untagged header. */
    public static EthernetHeader untagged(long destination, long source, int etherType) {
        return new EthernetHeader(destination, source, -1, etherType);
    }

    /** A header with an 802.1Q tag of this priority (0-7) and VLAN id (0-4095), not drop eligible. */
    public static EthernetHeader tagged(long destination, long source, int priority, int vlanId, int etherType) {
        if (priority < 0 || priority > 7 || vlanId < 0 || vlanId > 0xfff) {
            throw new IllegalArgumentException("priority is 0-7 and VLAN id 0-4095: " + priority + ", " + vlanId);
        }
        return new EthernetHeader(destination, source, EthernetFlyweight.tagControlOf(priority, false, vlanId), etherType);
    }

    public static EthernetHeader from(EthernetFlyweight ethernet) {
        return new EthernetHeader(ethernet.destination(), ethernet.source(), ethernet.tagControl(), ethernet.etherType());
    }

    /** Writes the header at {@code offset}; returns the bytes written, 14 or 18. */
    public int writeTo(MemorySegment segment, long offset) {
        EthernetFlyweight ethernet = new EthernetFlyweight().wrapForWrite(segment, offset)
                .destination(destination)
                .source(source);
        if (isTagged()) {
            ethernet.tagControl(tagControl);
        }
        ethernet.etherType(etherType);
        return ethernet.headerLength();
    }

    public boolean isTagged() {
        return tagControl >= 0;
    }

    public int headerLength() {
        return isTagged() ? EthernetFlyweight.TAGGED_HEADER_LENGTH : EthernetFlyweight.HEADER_LENGTH;
    }

    /** The VLAN id, or -1 when untagged. */
    public int vlanId() {
        return isTagged() ? tagControl & 0xfff : -1;
    }

    /** The priority code point, or -1 when untagged. */
    public int priority() {
        return isTagged() ? tagControl >>> 13 : -1;
    }

    @Override
    public String toString() {
        String tag = isTagged()
                ? ", vlan=" + vlanId() + ", priority=" + priority() + ((tagControl & 0x1000) != 0 ? ", drop-eligible" : "")
                : "";
        return "EthernetHeader[" + MacAddress.format(source) + " > " + MacAddress.format(destination)
                + tag + ", etherType=0x" + String.format("%04x", etherType) + "]";
    }
}
