package io.mtcp4j.stack.wire;

import static io.mtcp4j.stack.testing.Allocations.bytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.PcapReader.Capture;
import io.mtcp4j.stack.wire.PcapReader.Packet;
import io.mtcp4j.stack.wire.PcapWriter.TimestampPrecision;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PcapWriterTest {
    /** 2023-11-14T22:13:20.123456789Z. */
    private static final long TIMESTAMP_NS = 1_700_000_000_123_456_789L;

    // ---- exact bytes --------------------------------------------------------------------------

    @Test
    void globalHeaderForMicrosecondTimestamps() throws IOException {
        RecordingChannel channel = new RecordingChannel();
        new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 65535).close();
        assertArrayEquals(inNativeOrder(
                new byte[] {
                    (byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, // magic 0xa1b2c3d4: microseconds
                    0x02, 0x00,                                         // version major 2
                    0x04, 0x00,                                         // version minor 4
                    0x00, 0x00, 0x00, 0x00,                             // thiszone 0
                    0x00, 0x00, 0x00, 0x00,                             // sigfigs 0
                    (byte) 0xff, (byte) 0xff, 0x00, 0x00,               // snaplen 65535
                    0x01, 0x00, 0x00, 0x00,                             // network 1: Ethernet
                },
                new byte[] {
                    (byte) 0xa1, (byte) 0xb2, (byte) 0xc3, (byte) 0xd4,
                    0x00, 0x02,
                    0x00, 0x04,
                    0x00, 0x00, 0x00, 0x00,
                    0x00, 0x00, 0x00, 0x00,
                    0x00, 0x00, (byte) 0xff, (byte) 0xff,
                    0x00, 0x00, 0x00, 0x01,
                }),
                channel.bytes());
    }

    @Test
    void globalHeaderForNanosecondTimestamps() throws IOException {
        RecordingChannel channel = new RecordingChannel();
        new PcapWriter(channel, TimestampPrecision.NANOSECONDS, 262_144).close();
        assertArrayEquals(inNativeOrder(
                new byte[] {
                    0x4d, 0x3c, (byte) 0xb2, (byte) 0xa1,               // magic 0xa1b23c4d: nanoseconds
                    0x02, 0x00,                                         // version major 2
                    0x04, 0x00,                                         // version minor 4
                    0x00, 0x00, 0x00, 0x00,                             // thiszone 0
                    0x00, 0x00, 0x00, 0x00,                             // sigfigs 0
                    0x00, 0x00, 0x04, 0x00,                             // snaplen 262144 (0x40000)
                    0x01, 0x00, 0x00, 0x00,                             // network 1: Ethernet
                },
                new byte[] {
                    (byte) 0xa1, (byte) 0xb2, 0x3c, 0x4d,
                    0x00, 0x02,
                    0x00, 0x04,
                    0x00, 0x00, 0x00, 0x00,
                    0x00, 0x00, 0x00, 0x00,
                    0x00, 0x04, 0x00, 0x00,
                    0x00, 0x00, 0x00, 0x01,
                }),
                channel.bytes());
    }

    @Test
    void recordHeaderForMicrosecondTimestamps() throws IOException {
        byte[] frame = sequentialBytes(60);
        RecordingChannel channel = new RecordingChannel();
        try (PcapWriter writer = new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 65535)) {
            writer.write(TIMESTAMP_NS, MemorySegment.ofArray(frame), 0, frame.length);
        }
        byte[] file = channel.bytes();
        assertEquals(PcapWriter.GLOBAL_HEADER_LENGTH + PcapWriter.RECORD_HEADER_LENGTH + 60, file.length);
        assertArrayEquals(inNativeOrder(
                new byte[] {
                    0x00, (byte) 0xf1, 0x53, 0x65,                      // ts_sec 1700000000 (0x6553f100)
                    0x40, (byte) 0xe2, 0x01, 0x00,                      // ts_usec 123456 (0x0001e240)
                    0x3c, 0x00, 0x00, 0x00,                             // incl_len 60
                    0x3c, 0x00, 0x00, 0x00,                             // orig_len 60
                },
                new byte[] {
                    0x65, 0x53, (byte) 0xf1, 0x00,
                    0x00, 0x01, (byte) 0xe2, 0x40,
                    0x00, 0x00, 0x00, 0x3c,
                    0x00, 0x00, 0x00, 0x3c,
                }),
                Arrays.copyOfRange(file, 24, 40));
        assertArrayEquals(frame, Arrays.copyOfRange(file, 40, 100));
    }

    @Test
    void recordHeaderForNanosecondTimestamps() throws IOException {
        byte[] frame = sequentialBytes(60);
        RecordingChannel channel = new RecordingChannel();
        try (PcapWriter writer = new PcapWriter(channel, TimestampPrecision.NANOSECONDS, 65535)) {
            writer.write(TIMESTAMP_NS, MemorySegment.ofArray(frame), 0, frame.length);
        }
        byte[] file = channel.bytes();
        assertArrayEquals(inNativeOrder(
                new byte[] {
                    0x00, (byte) 0xf1, 0x53, 0x65,                      // ts_sec 1700000000 (0x6553f100)
                    0x15, (byte) 0xcd, 0x5b, 0x07,                      // ts_nsec 123456789 (0x075bcd15)
                    0x3c, 0x00, 0x00, 0x00,                             // incl_len 60
                    0x3c, 0x00, 0x00, 0x00,                             // orig_len 60
                },
                new byte[] {
                    0x65, 0x53, (byte) 0xf1, 0x00,
                    0x07, 0x5b, (byte) 0xcd, 0x15,
                    0x00, 0x00, 0x00, 0x3c,
                    0x00, 0x00, 0x00, 0x3c,
                }),
                Arrays.copyOfRange(file, 24, 40));
        assertArrayEquals(frame, Arrays.copyOfRange(file, 40, 100));
    }

    @Test
    void headersAreInNativeOrderAsDocumented() throws IOException {
        RecordingChannel channel = new RecordingChannel();
        new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 1500).close();
        assertEquals(ByteOrder.nativeOrder(), PcapReader.read(channel.bytes()).order());
    }

    // ---- timestamps ---------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} ns -> {1} s + {2} us / {3} ns")
    @CsvSource({
        // timestamp ns,               seconds,    microseconds, nanoseconds
        "1700000000123456789,          1700000000, 123456,       123456789",
        "1700000000999999999,          1700000000, 999999,       999999999", // microseconds truncate, never round up
        "1700000000000000000,          1700000000, 0,            0",
        "1700000000000000999,          1700000000, 0,            999",
        "0,                            0,          0,            0",
        "3000000000000000001,          3000000000, 0,            1",         // past 2038: ts_sec is unsigned
        "4294967295999999999,          4294967295, 999999,       999999999", // the last representable instant
    })
    void timestampsSplitIntoSecondsAndFraction(long timestampNs, long seconds, long microseconds, long nanoseconds)
            throws IOException {
        Packet micro = single(TimestampPrecision.MICROSECONDS, timestampNs);
        assertEquals(seconds, micro.seconds());
        assertEquals(microseconds, micro.fraction());
        Packet nano = single(TimestampPrecision.NANOSECONDS, timestampNs);
        assertEquals(seconds, nano.seconds());
        assertEquals(nanoseconds, nano.fraction());
    }

    private static Packet single(TimestampPrecision precision, long timestampNs) throws IOException {
        RecordingChannel channel = new RecordingChannel();
        try (PcapWriter writer = new PcapWriter(channel, precision, 1500)) {
            writer.write(timestampNs, MemorySegment.ofArray(new byte[14]), 0, 14);
        }
        Capture capture = PcapReader.read(channel.bytes());
        assertEquals(precision == TimestampPrecision.NANOSECONDS, capture.nanosecondTimestamps());
        assertEquals(1, capture.packets().size());
        return capture.packets().getFirst();
    }

    // ---- snap length --------------------------------------------------------------------------

    @Test
    void framesLongerThanTheSnapLengthAreTruncatedKeepingTheirOriginalLength() throws IOException {
        int snapLength = 64;
        int[] lengths = {0, 1, 63, 64, 65, 1514};
        byte[] bytes = sequentialBytes(1514);
        RecordingChannel channel = new RecordingChannel();
        try (PcapWriter writer = new PcapWriter(channel, TimestampPrecision.NANOSECONDS, snapLength)) {
            for (int length : lengths) {
                writer.write(TIMESTAMP_NS, MemorySegment.ofArray(bytes), 0, length);
            }
        }
        Capture capture = PcapReader.read(channel.bytes());
        assertEquals(snapLength, capture.snapLength());
        assertEquals(lengths.length, capture.packets().size());
        for (int i = 0; i < lengths.length; i++) {
            Packet packet = capture.packets().get(i);
            int kept = Math.min(lengths[i], snapLength);
            assertEquals(kept, packet.includedLength(), "incl_len of a " + lengths[i] + "-byte frame");
            assertEquals(lengths[i], packet.originalLength(), "orig_len of a " + lengths[i] + "-byte frame");
            assertArrayEquals(Arrays.copyOf(bytes, kept), packet.data());
        }
    }

    @Test
    void snapLengthOutsideWhatReadersAcceptIsRejected() {
        RecordingChannel channel = new RecordingChannel();
        assertThrows(IllegalArgumentException.class,
                () -> new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new PcapWriter(channel, TimestampPrecision.MICROSECONDS, PcapWriter.MAXIMUM_SNAP_LENGTH + 1));
        assertThrows(IllegalArgumentException.class,
                () -> new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 1500, PcapWriter.GLOBAL_HEADER_LENGTH - 1));
    }

    // ---- the frame argument -------------------------------------------------------------------

    @Test
    void writesTheFrameAtItsOffsetFromANativeSegment() throws IOException {
        RecordingChannel channel = new RecordingChannel();
        try (Arena arena = Arena.ofConfined();
             PcapWriter writer = new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 1500)) {
            MemorySegment umem = arena.allocate(4096);
            umem.asSlice(1000, 60).copyFrom(MemorySegment.ofArray(sequentialBytes(60)));
            writer.write(TIMESTAMP_NS, umem, 1000, 60);
        }
        assertArrayEquals(sequentialBytes(60), PcapReader.read(channel.bytes()).packets().getFirst().data());
    }

    @Test
    void aFrameOutsideItsSegmentIsACallerBug() throws IOException {
        try (PcapWriter writer = new PcapWriter(new RecordingChannel(), TimestampPrecision.MICROSECONDS, 1500)) {
            MemorySegment frame = MemorySegment.ofArray(new byte[100]);
            assertThrows(IndexOutOfBoundsException.class, () -> writer.write(0, frame, 50, 51));
            assertThrows(IndexOutOfBoundsException.class, () -> writer.write(0, frame, -1, 10));
            assertThrows(IndexOutOfBoundsException.class, () -> writer.write(0, frame, 0, -1));
        }
    }

    // ---- buffering ----------------------------------------------------------------------------

    @Test
    void nothingReachesTheChannelUntilFlush() throws IOException {
        RecordingChannel channel = new RecordingChannel();
        try (PcapWriter writer = new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 1500)) {
            writer.write(TIMESTAMP_NS, MemorySegment.ofArray(new byte[60]), 0, 60);
            writer.write(TIMESTAMP_NS, MemorySegment.ofArray(new byte[60]), 0, 60);
            assertEquals(0, channel.bytes().length);
            assertEquals(0, channel.writeCalls());

            writer.flush();
            assertEquals(24 + 2 * (16 + 60), channel.bytes().length);
            assertEquals(1, channel.writeCalls());

            writer.flush(); // nothing new: nothing written
            assertEquals(24 + 2 * (16 + 60), channel.bytes().length);
        }
    }

    @Test
    void outputCrossingTheBufferSizeGoesOutInFullBuffersAndArrivesIntact() throws IOException {
        RecordingChannel channel = new RecordingChannel();
        List<byte[]> frames = new ArrayList<>();
        try (PcapWriter writer = new PcapWriter(channel, TimestampPrecision.NANOSECONDS, 1514)) {
            for (int i = 0; i < 200; i++) { // 200 * (16 + 60..1513) bytes: several 64 KiB buffers
                byte[] frame = patternedBytes(60 + (i * 37) % 1454, i);
                frames.add(frame);
                writer.write(TIMESTAMP_NS + i, MemorySegment.ofArray(frame), 0, frame.length);
            }
            assertTrue(channel.writeCalls() >= 2, "buffer filled and went out before close: " + channel.writeCalls());
            for (int size : channel.writeSizes()) {
                assertEquals(PcapWriter.DEFAULT_BUFFER_BYTES, size, "only full buffers go out before close");
            }
        }
        Capture capture = PcapReader.read(channel.bytes());
        assertEquals(frames.size(), capture.packets().size());
        for (int i = 0; i < frames.size(); i++) {
            Packet packet = capture.packets().get(i);
            assertArrayEquals(frames.get(i), packet.data(), "frame " + i);
            assertEquals(TIMESTAMP_NS % 1_000_000_000 + i, packet.fraction(), "frame " + i);
        }
    }

    @Test
    void framesLargerThanTheWholeBufferAreCopiedInPieces() throws IOException {
        RecordingChannel channel = new RecordingChannel();
        byte[] jumbo = patternedBytes(9000, 7);
        try (PcapWriter writer = new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 65535, 64)) {
            writer.write(TIMESTAMP_NS, MemorySegment.ofArray(jumbo), 0, jumbo.length);
            writer.write(TIMESTAMP_NS, MemorySegment.ofArray(jumbo), 100, 50);
        }
        for (int size : channel.writeSizes()) {
            assertTrue(size <= 64, "a write larger than the buffer: " + size);
        }
        List<Packet> packets = PcapReader.read(channel.bytes()).packets();
        assertArrayEquals(jumbo, packets.get(0).data());
        assertArrayEquals(Arrays.copyOfRange(jumbo, 100, 150), packets.get(1).data());
    }

    @Test
    void shortChannelWritesAreRetriedUntilEverythingIsOut() throws IOException {
        RecordingChannel channel = new RecordingChannel(7); // at most 7 bytes per write call
        byte[] frame = patternedBytes(1000, 3);
        try (PcapWriter writer = new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 1500)) {
            writer.write(TIMESTAMP_NS, MemorySegment.ofArray(frame), 0, frame.length);
        }
        assertArrayEquals(frame, PcapReader.read(channel.bytes()).packets().getFirst().data());
    }

    // ---- lifecycle and errors -----------------------------------------------------------------

    @Test
    void closeFlushesAndClosesTheChannelOnce() throws IOException {
        RecordingChannel channel = new RecordingChannel();
        PcapWriter writer = new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 1500);
        writer.write(TIMESTAMP_NS, MemorySegment.ofArray(new byte[60]), 0, 60);
        assertEquals(0, channel.bytes().length);

        writer.close();
        assertEquals(24 + 16 + 60, channel.bytes().length);
        assertFalse(channel.isOpen());
        assertEquals(1, channel.closeCalls());

        writer.close();
        assertEquals(1, channel.closeCalls(), "a second close does nothing");
        assertThrows(ClosedChannelException.class,
                () -> writer.write(TIMESTAMP_NS, MemorySegment.ofArray(new byte[60]), 0, 60));
        assertThrows(ClosedChannelException.class, writer::flush);
    }

    @Test
    void channelFailuresPropagateAndCloseStillClosesTheChannel() {
        IOException diskFull = new IOException("No space left on device");
        RecordingChannel channel = new RecordingChannel();
        channel.failWith(diskFull);
        PcapWriter writer = new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 1500, 256);
        MemorySegment frame = MemorySegment.ofArray(new byte[200]);
        IOException fromWrite = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 10; i++) { // the second frame no longer fits: flush, which fails
                writer.write(TIMESTAMP_NS, frame, 0, 200);
            }
        });
        assertSame(diskFull, fromWrite);
        assertSame(diskFull, assertThrows(IOException.class, writer::flush));
        assertSame(diskFull, assertThrows(IOException.class, writer::close));
        assertFalse(channel.isOpen(), "close closes the channel even when its flush failed");
    }

    @Test
    void openCreatesOrTruncatesTheFile(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("capture.pcap");
        Files.write(file, new byte[100_000]); // an older, longer capture
        byte[] frame = patternedBytes(74, 1);
        try (PcapWriter writer = PcapWriter.open(file, TimestampPrecision.NANOSECONDS, 128)) {
            assertEquals(TimestampPrecision.NANOSECONDS, writer.precision());
            assertEquals(128, writer.snapLength());
            writer.write(TIMESTAMP_NS, MemorySegment.ofArray(frame), 0, frame.length);
        }
        byte[] written = Files.readAllBytes(file);
        assertEquals(24 + 16 + 74, written.length);
        Capture capture = PcapReader.read(written);
        assertEquals(new Packet(1_700_000_000L, 123_456_789L, 74, 74, frame), capture.packets().getFirst());
        assertEquals(2, capture.versionMajor());
        assertEquals(4, capture.versionMinor());
        assertEquals(0, capture.thiszone());
        assertEquals(0, capture.sigfigs());
    }

    @Test
    void openRejectsABadSnapLengthBeforeTouchingTheFile(@TempDir Path directory) {
        Path file = directory.resolve("capture.pcap");
        assertThrows(IllegalArgumentException.class, () -> PcapWriter.open(file, TimestampPrecision.NANOSECONDS, 0));
        assertFalse(Files.exists(file));
    }

    // ---- allocation ---------------------------------------------------------------------------

    @Test
    void writingFramesAllocatesNothing() throws IOException {
        MemorySegment frame = MemorySegment.ofArray(patternedBytes(1514, 5));
        try (PcapWriter writer = new PcapWriter(new DiscardingChannel(), TimestampPrecision.NANOSECONDS, 1514)) {
            long allocated = bytesAllocatedBy(() -> {
                for (int i = 0; i < 20_000; i++) { // warm up: let the JIT compile write and flush
                    writer.write(TIMESTAMP_NS + i, frame, 0, 1514);
                }
            }, () -> {
                for (int i = 0; i < 100_000; i++) { // ~150 MB through ~2,300 buffer flushes
                    writer.write(TIMESTAMP_NS + i, frame, 0, 1514);
                }
            });
            // One object per frame would be at least 1.6 MB; allow for one-offs by the JVM itself.
            assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 100,000 frames");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Picks the hand-written little- or big-endian expectation for this machine. */
    private static byte[] inNativeOrder(byte[] littleEndian, byte[] bigEndian) {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? littleEndian : bigEndian;
    }

    private static byte[] sequentialBytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** Bytes that differ between frames, so a frame landing in the wrong place shows. */
    private static byte[] patternedBytes(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + seed * 17);
        }
        return bytes;
    }

    /** Accepts everything and keeps nothing, without allocating. */
    private static final class DiscardingChannel implements WritableByteChannel {
        @Override
        public int write(ByteBuffer source) {
            int count = source.remaining();
            source.position(source.limit());
            return count;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }
}
