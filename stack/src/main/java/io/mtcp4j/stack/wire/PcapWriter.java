package io.mtcp4j.stack.wire;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes Ethernet frames to a classic libpcap capture file (not pcapng), which tcpdump, tshark and
 * Wireshark read.
 *
 * <p>File layout. Every field is in this machine's native byte order (little-endian on x86-64 and
 * aarch64), as libpcap itself writes captures; readers tell the order from how the magic number
 * reads, so both orders open everywhere.
 * <pre>
 * global header, once (24 bytes):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          magic (0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds)|  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      version major (2)        |      version minor (4)        |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 thiszone: GMT offset, always 0                |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 sigfigs: timestamp accuracy, always 0         | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 snaplen: most bytes kept per frame            | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 network: link type, 1 = Ethernet              | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * record header, before each frame (16 bytes):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 ts_sec: seconds since the Unix epoch          |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     ts_usec or ts_nsec: fraction of the second (by magic)     |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 incl_len: frame bytes stored                  |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 orig_len: frame length on the wire            | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * A frame longer than the snap length is stored truncated to it; {@code orig_len} keeps the real
 * length so readers show "captured N of M bytes".
 *
 * <p>Output is buffered in one 64 KiB direct buffer that goes to the channel when it fills, on
 * {@link #flush()} and on {@link #close()}; until an explicit flush the channel only ever
 * receives whole buffers. The per-frame path allocates nothing: one record-header segment is
 * refilled for each frame and copied into the buffer, followed by the frame.
 *
 * <p>Not thread-safe: the engine that owns a writer is its only caller. An {@link IOException}
 * from the channel propagates out of {@link #write}, {@link #flush} or {@link #close}; the file may
 * then end in a partial record, and the owner decides whether to count the failure or stop capturing.
 */
public final class PcapWriter implements Closeable {
    /** How finely record timestamps are stored; chosen per file by its magic number. */
    public enum TimestampPrecision {
        MICROSECONDS(0xa1b2c3d4, 1_000),
        NANOSECONDS(0xa1b23c4d, 1);

        private final int magic;
        private final int nanosecondsPerUnit;

        TimestampPrecision(int magic, int nanosecondsPerUnit) {
            this.magic = magic;
            this.nanosecondsPerUnit = nanosecondsPerUnit;
        }

        /** The global header's magic number that tells readers this precision. */
        public int magic() {
            return magic;
        }
    }

    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    /** LINKTYPE_ETHERNET: IEEE 802.3 frames starting at the destination MAC. */
    public static final int LINKTYPE_ETHERNET = 1;
    /**
     * libpcap's MAXIMUM_SNAPLEN. Wireshark refuses records longer than this, so a larger snap
     * length would make files our own tools cannot open.
     */
    public static final int MAXIMUM_SNAP_LENGTH = 262_144;
    public static final int GLOBAL_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;
    public static final int DEFAULT_BUFFER_BYTES = 64 * 1024;

    // Global header field offsets.
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_MAJOR_OFFSET = 4;
    static final int VERSION_MINOR_OFFSET = 6;
    static final int THISZONE_OFFSET = 8;
    static final int SIGFIGS_OFFSET = 12;
    static final int SNAPLEN_OFFSET = 16;
    static final int NETWORK_OFFSET = 20;

    // Record header field offsets.
    static final int TIMESTAMP_SECONDS_OFFSET = 0;
    static final int TIMESTAMP_FRACTION_OFFSET = 4;
    static final int INCLUDED_LENGTH_OFFSET = 8;
    static final int ORIGINAL_LENGTH_OFFSET = 12;

    private static final long NANOSECONDS_PER_SECOND = 1_000_000_000L;
    /** pcap headers are in the writer's native order, unlike the network-order frames they carry. */
    private static final ValueLayout.OfInt NATIVE_U32 = ValueLayout.JAVA_INT_UNALIGNED;

    private final WritableByteChannel channel;
    private final TimestampPrecision precision;
    private final int snapLength;
    /** Pending output in native order; position is the fill mark between flushes. */
    private final ByteBuffer buffer;
    /** The same memory as {@link #buffer}, so frames copy in with one bulk {@code MemorySegment.copy}. */
    private final MemorySegment bufferSegment;
    /** The one record header, filled for each frame and copied into the buffer. */
    private final MemorySegment recordHeader = MemorySegment.ofArray(new byte[RECORD_HEADER_LENGTH]);
    private boolean closed;

    /**
     * Creates (or truncates) the file at {@code path} and starts a capture in it.
     *
     * @param snapLength most bytes kept per frame, 1 to {@value #MAXIMUM_SNAP_LENGTH}
     */
    public static PcapWriter open(Path path, TimestampPrecision precision, int snapLength) throws IOException {
        checkSnapLength(snapLength);
        FileChannel file = FileChannel.open(path,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            return new PcapWriter(file, precision, snapLength);
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    /**
     * Starts a capture on {@code channel}, which the writer then owns and closes. The channel must be
     * in blocking mode: a flush writes until the whole buffer has gone.
     *
     * @param snapLength most bytes kept per frame, 1 to {@value #MAXIMUM_SNAP_LENGTH}
     */
    public PcapWriter(WritableByteChannel channel, TimestampPrecision precision, int snapLength) {
        this(channel, precision, snapLength, DEFAULT_BUFFER_BYTES);
    }

    /** As the public constructor, with a chosen buffer size so tests can cross buffer boundaries cheaply. */
    PcapWriter(WritableByteChannel channel, TimestampPrecision precision, int snapLength, int bufferBytes) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.precision = Objects.requireNonNull(precision, "precision");
        this.snapLength = checkSnapLength(snapLength);
        if (bufferBytes < GLOBAL_HEADER_LENGTH) {
            throw new IllegalArgumentException(
                    "bufferBytes must hold at least the " + GLOBAL_HEADER_LENGTH + "-byte global header: " + bufferBytes);
        }
        this.buffer = ByteBuffer.allocateDirect(bufferBytes).order(ByteOrder.nativeOrder());
        this.bufferSegment = MemorySegment.ofBuffer(buffer);
        buffer.putInt(precision.magic)
                .putShort((short) VERSION_MAJOR)
                .putShort((short) VERSION_MINOR)
                .putInt(0) // thiszone: timestamps are UTC
                .putInt(0) // sigfigs: every tool writes 0
                .putInt(snapLength)
                .putInt(LINKTYPE_ETHERNET);
    }

    public TimestampPrecision precision() {
        return precision;
    }

    public int snapLength() {
        return snapLength;
    }

    /**
     * Appends one frame, truncated to the snap length.
     *
     * <p>The pcap format keeps seconds as an unsigned 32-bit number, so timestamps are meaningful
     * from 1970 to early 2106. Microsecond files drop the sub-microsecond digits (truncating, so a
     * frame is never stamped later than it was seen).
     *
     * @param timestampNs when the frame was seen, in nanoseconds since the Unix epoch
     * @param frame       memory holding the frame, starting at its destination MAC
     * @param offset      where the frame starts in {@code frame}
     * @param length      the frame's length on the wire
     * @throws IOException               if the buffer had to be flushed and the channel failed,
     *                                   or the writer is closed
     * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside {@code frame}
     */
    public void write(long timestampNs, MemorySegment frame, long offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, frame.byteSize());
        ensureOpen();
        int includedLength = Math.min(length, snapLength);
        long seconds = Math.floorDiv(timestampNs, NANOSECONDS_PER_SECOND);
        long fraction = Math.floorMod(timestampNs, NANOSECONDS_PER_SECOND) / precision.nanosecondsPerUnit;

        recordHeader.set(NATIVE_U32, TIMESTAMP_SECONDS_OFFSET, (int) seconds); // low 32 bits: the field is unsigned
        recordHeader.set(NATIVE_U32, TIMESTAMP_FRACTION_OFFSET, (int) fraction);
        recordHeader.set(NATIVE_U32, INCLUDED_LENGTH_OFFSET, includedLength);
        recordHeader.set(NATIVE_U32, ORIGINAL_LENGTH_OFFSET, length);
        append(recordHeader, 0, RECORD_HEADER_LENGTH);
        append(frame, offset, includedLength);
    }

    /**
     * Copies bytes into the buffer, flushing each time it fills: a record may straddle the end of
     * the buffer or be larger than all of it, and the channel only ever sees whole buffers until
     * an explicit flush.
     */
    private void append(MemorySegment source, long offset, int length) throws IOException {
        long copied = 0;
        while (copied < length) {
            if (!buffer.hasRemaining()) {
                flush();
            }
            int piece = (int) Math.min(buffer.remaining(), length - copied);
            MemorySegment.copy(source, offset + copied, bufferSegment, buffer.position(), piece);
            buffer.position(buffer.position() + piece);
            copied += piece;
        }
    }

    /** Sends everything buffered so far to the channel. */
    public void flush() throws IOException {
        ensureOpen();
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } finally {
            // Whatever went out is gone; keep what did not, so the buffer stays consistent.
            buffer.compact();
        }
    }

    /** Flushes, then closes the channel (even if the flush failed). Closing twice does nothing. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            channel.close();
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    private static int checkSnapLength(int snapLength) {
        if (snapLength < 1 || snapLength > MAXIMUM_SNAP_LENGTH) {
            throw new IllegalArgumentException(
                    "snapLength must be 1 to " + MAXIMUM_SNAP_LENGTH + " bytes: " + snapLength);
        }
        return snapLength;
    }
}
