package io.mtcp4j.driver.tap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The {@code struct virtio_net_hdr} ({@code linux/virtio_net.h}) a TAP device with
 * {@code IFF_VNET_HDR} puts before every frame in both directions: the offload metadata of one
 * frame, which {@link io.mtcp4j.stack.device.FrameBatch}'s flags mirror one to one.
 *
 * <pre>
 *   0       1          2               4               6               8               10
 *  +-------+----------+---------------+---------------+---------------+---------------+
 *  | flags | gso_type |    hdr_len    |   gso_size    |  csum_start   |  csum_offset  |  frame ...
 *  +-------+----------+---------------+---------------+---------------+---------------+
 *   u8      u8         u16 (LE)        u16 (LE)        u16 (LE)        u16 (LE)
 *
 *  flags: bit 0 NEEDS_CSUM (csum_start/csum_offset say where to finish the checksum),
 *         bit 1 DATA_VALID (the kernel verified the checksums), bit 2 RSC_INFO
 *  gso_type: 0 NONE, 1 TCPV4, 3 UDP, 4 TCPV6, | 0x80 ECN
 *  hdr_len: bytes of headers each segment repeats; gso_size: payload bytes per segment (MSS)
 *  csum_start: from the frame's first byte (the destination MAC) to where summing starts;
 *  csum_offset: from csum_start to the 16-bit checksum field
 * </pre>
 *
 * <p>The multi-buffer form adds {@code num_buffers} (u16 at 10), 12 bytes in all; this driver
 * sets the size to {@value #LENGTH} with {@code TUNSETVNETHDRSZ}, the kernel's default. Fields
 * are little-endian: a TAP device uses the virtio 1.0 byte order unless told otherwise, and on a
 * little-endian host the legacy order is the same.
 *
 * <p>A flyweight: static accessors over (segment, offset), so reading and writing it allocates
 * nothing.
 */
final class VirtioNetHeader {
    private VirtioNetHeader() {}

    static final int FLAGS_OFFSET = 0;
    static final int GSO_TYPE_OFFSET = 1;
    static final int HEADER_LENGTH_OFFSET = 2;
    static final int GSO_SIZE_OFFSET = 4;
    static final int CHECKSUM_START_OFFSET = 6;
    static final int CHECKSUM_OFFSET_OFFSET = 8;
    /** {@code sizeof(struct virtio_net_hdr)}. */
    static final int LENGTH = 10;
    /** {@code sizeof(struct virtio_net_hdr_mrg_rxbuf)}: the size with {@code num_buffers}. */
    static final int MERGEABLE_LENGTH = 12;

    static final int F_NEEDS_CSUM = 1;
    static final int F_DATA_VALID = 2;
    static final int F_RSC_INFO = 4;

    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_ECN = 0x80;

    private static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static int flags(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset + FLAGS_OFFSET) & 0xff;
    }

    static int gsoType(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset + GSO_TYPE_OFFSET) & 0xff;
    }

    static int headerLength(MemorySegment segment, long offset) {
        return segment.get(U16, offset + HEADER_LENGTH_OFFSET) & 0xffff;
    }

    static int gsoSize(MemorySegment segment, long offset) {
        return segment.get(U16, offset + GSO_SIZE_OFFSET) & 0xffff;
    }

    static int checksumStart(MemorySegment segment, long offset) {
        return segment.get(U16, offset + CHECKSUM_START_OFFSET) & 0xffff;
    }

    static int checksumOffset(MemorySegment segment, long offset) {
        return segment.get(U16, offset + CHECKSUM_OFFSET_OFFSET) & 0xffff;
    }

    /** Writes every field of a header. */
    static void write(MemorySegment segment, long offset, int flags, int gsoType, int headerLength, int gsoSize,
                      int checksumStart, int checksumOffset) {
        segment.set(ValueLayout.JAVA_BYTE, offset + FLAGS_OFFSET, (byte) flags);
        segment.set(ValueLayout.JAVA_BYTE, offset + GSO_TYPE_OFFSET, (byte) gsoType);
        segment.set(U16, offset + HEADER_LENGTH_OFFSET, (short) headerLength);
        segment.set(U16, offset + GSO_SIZE_OFFSET, (short) gsoSize);
        segment.set(U16, offset + CHECKSUM_START_OFFSET, (short) checksumStart);
        segment.set(U16, offset + CHECKSUM_OFFSET_OFFSET, (short) checksumOffset);
    }

    /** Writes the header of a frame that asks for nothing: no checksum to finish, no segmentation. */
    static void writePlain(MemorySegment segment, long offset) {
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, 0L);
        segment.set(U16, offset + CHECKSUM_OFFSET_OFFSET, (short) 0);
    }
}
