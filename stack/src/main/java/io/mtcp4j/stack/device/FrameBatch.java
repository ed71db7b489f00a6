package io.mtcp4j.stack.device;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Up to {@value #MAX_FRAMES} frames moving between an engine and a device in one call: each frame
 * is a view of device memory ({@link #segment}, {@link #offset}, {@link #length}) with per-frame
 * offload metadata as plain fields. The batch holds only preallocated arrays and references to
 * segments the device created up front, so filling and reading it allocates nothing.
 *
 * <h2>Receive</h2>
 * {@link NetDevice#receive} clears the batch and fills frames {@code 0 .. count()-1}, at most
 * {@link #limit()} of them. The frames
 * are views of the device's receive memory (a ring slot, a UMEM chunk): no copy. They stay valid
 * until the next {@code receive} on the same device queue, whichever batch that call fills; then
 * the device takes the memory back. Received frames are read-only: a middleware device may show
 * the same bytes twice (a duplicate), and a zero-copy driver's memory may be visible to the kernel.
 *
 * <h2>Transmit</h2>
 * The engine builds outgoing frames in buffers the device lends, so that a zero-copy driver can
 * lend the very memory the hardware reads (AF_XDP UMEM chunks) and a copying driver lends
 * preallocated buffers:
 * <ol>
 *   <li>{@link NetDevice#lend} appends lent buffers to the batch: each has a segment, an offset
 *       where the frame starts (a driver may keep headroom before it, e.g. for a TAP
 *       {@code virtio_net_hdr}), {@link #bufferLength} bytes of room, length 0 and no flags;</li>
 *   <li>the engine writes each frame into its buffer and sets {@link #length(int, int)} and, for
 *       offloads, {@link #checksumPartial} or {@link #segmentation};</li>
 *   <li>{@link NetDevice#transmit} sends every frame whose length is not zero, takes back every
 *       lent buffer in the batch (sent, dropped or unused) and clears the batch.</li>
 * </ol>
 * A frame left at length 0 is simply returned: that is how an engine gives back a buffer it
 * borrowed but did not need.
 *
 * <h2>Threads</h2>
 * A batch is used by one thread at a time, the engine thread that owns the device queue.
 */
public final class FrameBatch {
    /** Most frames in one batch: mTCP's and DPDK's burst size, half an AF_XDP ring's usual batch. */
    public static final int MAX_FRAMES = 64;

    /**
     * The transport checksum is partial: its field holds the folded, non-complemented pseudo-header
     * sum, and the bytes from {@link #checksumStart} to the end of the frame are to be summed into
     * the field at {@code checksumStart + checksumOffset}. On transmit, a request to a device with
     * {@link Offload#TX_CHECKSUM}; on receive, a frame whose data is known intact (it never
     * crossed a wire), which the engine accepts without verifying. Linux's
     * {@code VIRTIO_NET_HDR_F_NEEDS_CSUM} / {@code CHECKSUM_PARTIAL}.
     */
    public static final int CHECKSUM_PARTIAL = 1;
    /**
     * Receive only: the device verified the IP and transport checksums and they were right, so the
     * engine skips its own verification. Linux's {@code VIRTIO_NET_HDR_F_DATA_VALID}.
     */
    public static final int CHECKSUM_VERIFIED = 1 << 1;
    /**
     * The frame is an IPv4 TCP super-frame of {@link #segmentSize}-byte segments after
     * {@link #headerLength} bytes of headers: a TSO request on transmit, a merged (GRO) frame on
     * receive. Linux's {@code VIRTIO_NET_HDR_GSO_TCPV4}.
     */
    public static final int SEGMENT_TCP_IPV4 = 1 << 2;
    /** As {@link #SEGMENT_TCP_IPV4}, for IPv6 ({@code VIRTIO_NET_HDR_GSO_TCPV6}). */
    public static final int SEGMENT_TCP_IPV6 = 1 << 3;
    /** Either segmentation flag. */
    public static final int SEGMENT_MASK = SEGMENT_TCP_IPV4 | SEGMENT_TCP_IPV6;
    /** The flags that mean something on transmit. */
    public static final int TRANSMIT_FLAGS = CHECKSUM_PARTIAL | SEGMENT_MASK;
    /** Every defined flag. */
    public static final int ALL_FLAGS = CHECKSUM_PARTIAL | CHECKSUM_VERIFIED | SEGMENT_MASK;

    /** {@link #bufferId} of a frame whose memory no device tracks (tests, middleware copies). */
    public static final long NO_BUFFER_ID = -1;

    private final int capacity;
    private final MemorySegment[] segments;
    private final long[] offsets;
    private final int[] lengths;
    private final int[] bufferLengths;
    private final long[] bufferIds;
    private final int[] flags;
    private final int[] checksumStarts;
    private final int[] checksumOffsets;
    private final int[] segmentSizes;
    private final int[] headerLengths;
    private int count;
    private int limit;

    /** A batch of {@value #MAX_FRAMES} frames. */
    public FrameBatch() {
        this(MAX_FRAMES);
    }

    /** A batch of up to {@code capacity} frames, 1 to {@value #MAX_FRAMES}. */
    public FrameBatch(int capacity) {
        if (capacity < 1 || capacity > MAX_FRAMES) {
            throw new IllegalArgumentException("capacity must be 1 to " + MAX_FRAMES + " frames: " + capacity);
        }
        this.capacity = capacity;
        this.limit = capacity;
        segments = new MemorySegment[capacity];
        offsets = new long[capacity];
        lengths = new int[capacity];
        bufferLengths = new int[capacity];
        bufferIds = new long[capacity];
        flags = new int[capacity];
        checksumStarts = new int[capacity];
        checksumOffsets = new int[capacity];
        segmentSizes = new int[capacity];
        headerLengths = new int[capacity];
    }

    /** Most frames this batch holds. */
    public int capacity() {
        return capacity;
    }

    /** Frames in the batch: received ones, or lent buffers on the way to transmit. */
    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /**
     * The most frames a receive or lend may fill the batch to: the capacity unless lowered, so
     * that an engine (or a middleware device) can take a smaller burst without another batch.
     * Stays until changed.
     */
    public int limit() {
        return limit;
    }

    /** Sets {@link #limit()}, 1 to {@link #capacity()}, and not below the frames already held. */
    public FrameBatch limit(int frames) {
        if (frames < Math.max(1, count) || frames > capacity) {
            throw new IllegalArgumentException("limit must be " + Math.max(1, count) + " to " + capacity + ": " + frames);
        }
        limit = frames;
        return this;
    }

    /** Frames that can still be added before the {@link #limit()}. */
    public int remaining() {
        return limit - count;
    }

    /**
     * Forgets every frame. For device implementations: an engine never needs this, since
     * receive and transmit clear the batch themselves. Segment references are kept (they point at
     * long-lived device memory), so clearing is O(1).
     */
    public void clear() {
        count = 0;
    }

    /**
     * For device implementations: appends a frame (a received one, or a lent buffer with length 0)
     * with no flags, and returns its index.
     *
     * @param segment      memory holding the frame; the device keeps this object for the life of
     *                     the memory, so storing it here allocates nothing
     * @param offset       where the frame starts in {@code segment}
     * @param length       the frame's length, 0 for a lent buffer not yet written
     * @param bufferLength bytes from {@code offset} that belong to this frame's buffer
     * @param bufferId     the device's name for the buffer (a UMEM address, a pool index), or
     *                     {@link #NO_BUFFER_ID}
     * @throws IllegalStateException if the batch is full
     */
    public int add(MemorySegment segment, long offset, int length, int bufferLength, long bufferId) {
        if (count == limit) {
            throw new IllegalStateException("batch is full: " + limit + " frames");
        }
        Objects.checkFromIndexSize(offset, bufferLength, segment.byteSize());
        if (length < 0 || length > bufferLength) {
            throw new IllegalArgumentException("length " + length + " outside the buffer's " + bufferLength + " bytes");
        }
        int i = count++;
        segments[i] = segment;
        offsets[i] = offset;
        lengths[i] = length;
        bufferLengths[i] = bufferLength;
        bufferIds[i] = bufferId;
        flags[i] = 0;
        checksumStarts[i] = 0;
        checksumOffsets[i] = 0;
        segmentSizes[i] = 0;
        headerLengths[i] = 0;
        return i;
    }

    /**
     * For device implementations: copies frame {@code fromIndex}'s offload metadata (flags,
     * checksum start and offset, segment size, header length) from {@code from} to frame {@code i}.
     */
    public void copyMetadata(int i, FrameBatch from, int fromIndex) {
        checkIndex(i);
        from.checkIndex(fromIndex);
        flags[i] = from.flags[fromIndex];
        checksumStarts[i] = from.checksumStarts[fromIndex];
        checksumOffsets[i] = from.checksumOffsets[fromIndex];
        segmentSizes[i] = from.segmentSizes[fromIndex];
        headerLengths[i] = from.headerLengths[fromIndex];
    }

    /**
     * For device implementations: sets frame {@code i}'s metadata in one call (what a ring slot or
     * a {@code virtio_net_hdr} carries).
     */
    public void metadata(int i, int frameFlags, int checksumStart, int checksumOffset, int segmentSize, int headerLength) {
        checkIndex(i);
        checkFlags(frameFlags);
        flags[i] = frameFlags;
        checksumStarts[i] = checksumStart;
        checksumOffsets[i] = checksumOffset;
        segmentSizes[i] = segmentSize;
        headerLengths[i] = headerLength;
    }

    /** The memory frame {@code i} lives in; the frame starts at {@link #offset}. */
    public MemorySegment segment(int i) {
        checkIndex(i);
        return segments[i];
    }

    /** Where frame {@code i} starts (its destination MAC) in {@link #segment}. */
    public long offset(int i) {
        checkIndex(i);
        return offsets[i];
    }

    /** Frame {@code i}'s length in bytes, from its destination MAC to the end of its payload. */
    public int length(int i) {
        checkIndex(i);
        return lengths[i];
    }

    /**
     * Sets frame {@code i}'s length after the engine wrote it into a lent buffer; 0 gives the
     * buffer back unsent.
     *
     * @throws IllegalArgumentException if the length does not fit the buffer
     */
    public FrameBatch length(int i, int length) {
        checkIndex(i);
        if (length < 0 || length > bufferLengths[i]) {
            throw new IllegalArgumentException(
                    "frame " + i + ": length " + length + " does not fit its " + bufferLengths[i] + "-byte buffer");
        }
        lengths[i] = length;
        return this;
    }

    /** Bytes from {@link #offset} that belong to frame {@code i}'s buffer: the most it may grow to. */
    public int bufferLength(int i) {
        checkIndex(i);
        return bufferLengths[i];
    }

    /** The device's name for frame {@code i}'s buffer, or {@link #NO_BUFFER_ID}. */
    public long bufferId(int i) {
        checkIndex(i);
        return bufferIds[i];
    }

    /** Frame {@code i}'s flags: {@link #CHECKSUM_PARTIAL}, {@link #CHECKSUM_VERIFIED}, segmentation. */
    public int flags(int i) {
        checkIndex(i);
        return flags[i];
    }

    /** Whether frame {@code i} has every flag in {@code mask}. */
    public boolean hasFlags(int i, int mask) {
        checkIndex(i);
        return (flags[i] & mask) == mask;
    }

    /** Replaces frame {@code i}'s flags (the other metadata stays). */
    public FrameBatch flags(int i, int frameFlags) {
        checkIndex(i);
        checkFlags(frameFlags);
        flags[i] = frameFlags;
        return this;
    }

    /** With {@link #CHECKSUM_PARTIAL}: where checksumming starts, from the frame's first byte. */
    public int checksumStart(int i) {
        checkIndex(i);
        return checksumStarts[i];
    }

    /** With {@link #CHECKSUM_PARTIAL}: where the checksum field is, from {@link #checksumStart}. */
    public int checksumOffset(int i) {
        checkIndex(i);
        return checksumOffsets[i];
    }

    /** With a segmentation flag: payload bytes per wire segment (the MSS). */
    public int segmentSize(int i) {
        checkIndex(i);
        return segmentSizes[i];
    }

    /** With a segmentation flag: bytes of Ethernet, IP and TCP headers each segment repeats. */
    public int headerLength(int i) {
        checkIndex(i);
        return headerLengths[i];
    }

    /**
     * Asks the device to finish frame {@code i}'s transport checksum ({@link Offload#TX_CHECKSUM}):
     * the field at {@code checksumStart + checksumOffset} already holds the folded,
     * non-complemented pseudo-header sum. For TCP over IPv4 with no IP options, start 34 and
     * offset 16.
     */
    public FrameBatch checksumPartial(int i, int checksumStart, int checksumOffset) {
        checkIndex(i);
        if (checksumStart < 0 || checksumOffset < 0) {
            throw new IllegalArgumentException("checksum start and offset must not be negative: "
                    + checksumStart + ", " + checksumOffset);
        }
        flags[i] |= CHECKSUM_PARTIAL;
        checksumStarts[i] = checksumStart;
        checksumOffsets[i] = checksumOffset;
        return this;
    }

    /**
     * Asks the device to cut frame {@code i} into TCP segments ({@link Offload#TSO}).
     *
     * @param segmentFlag  {@link #SEGMENT_TCP_IPV4} or {@link #SEGMENT_TCP_IPV6}
     * @param segmentSize  payload bytes per segment (the MSS), at least 1
     * @param headerLength Ethernet + IP + TCP header bytes at the start of the frame
     */
    public FrameBatch segmentation(int i, int segmentFlag, int segmentSize, int headerLength) {
        checkIndex(i);
        if (segmentFlag != SEGMENT_TCP_IPV4 && segmentFlag != SEGMENT_TCP_IPV6) {
            throw new IllegalArgumentException("segmentFlag must be SEGMENT_TCP_IPV4 or SEGMENT_TCP_IPV6: " + segmentFlag);
        }
        if (segmentSize < 1 || headerLength < 0) {
            throw new IllegalArgumentException("segment size must be positive and header length not negative: "
                    + segmentSize + ", " + headerLength);
        }
        flags[i] = (flags[i] & ~SEGMENT_MASK) | segmentFlag;
        segmentSizes[i] = segmentSize;
        headerLengths[i] = headerLength;
        return this;
    }

    private void checkIndex(int i) {
        Objects.checkIndex(i, count);
    }

    private static void checkFlags(int frameFlags) {
        if ((frameFlags & ~ALL_FLAGS) != 0 || Integer.bitCount(frameFlags & SEGMENT_MASK) > 1) {
            throw new IllegalArgumentException("undefined or contradictory frame flags: 0x" + Integer.toHexString(frameFlags));
        }
    }

    @Override
    public String toString() {
        return "FrameBatch[" + count + " of " + capacity + " frames]";
    }
}
