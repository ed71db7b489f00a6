package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtcp4j.stack.wire.PcapReader.Capture;
import io.mtcp4j.stack.wire.PcapReader.Packet;
import io.mtcp4j.stack.wire.PcapWriter.TimestampPrecision;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Random frames, snap lengths, buffer sizes and timestamps: what is written reads back. */
class PcapWriterPropertyTest {
    private static final long FRAME_SPACING_NS = 1_001L;

    @Property(tries = 200)
    void everyFrameReadsBackAsWritten(@ForAll("frames") List<byte[]> frames,
                                      @ForAll @IntRange(min = 1, max = 2000) int snapLength,
                                      @ForAll @IntRange(min = 24, max = 4096) int bufferBytes,
                                      @ForAll @IntRange(min = 1, max = 100) int channelBytesPerWrite,
                                      @ForAll("timestamps") long firstTimestampNs,
                                      @ForAll boolean nanoseconds) throws IOException {
        TimestampPrecision precision = nanoseconds ? TimestampPrecision.NANOSECONDS : TimestampPrecision.MICROSECONDS;
        byte[] file = write(frames, precision, snapLength, bufferBytes, channelBytesPerWrite, firstTimestampNs);

        Capture capture = PcapReader.read(file);
        assertEquals(nanoseconds, capture.nanosecondTimestamps());
        assertEquals(snapLength, capture.snapLength());
        assertEquals(PcapWriter.LINKTYPE_ETHERNET, capture.network());
        assertEquals(frames.size(), capture.packets().size());
        for (int i = 0; i < frames.size(); i++) {
            byte[] frame = frames.get(i);
            long timestampNs = firstTimestampNs + i * FRAME_SPACING_NS;
            long nanosecondOfSecond = timestampNs % 1_000_000_000L;
            int kept = Math.min(frame.length, snapLength);
            assertEquals(new Packet(timestampNs / 1_000_000_000L,
                            nanoseconds ? nanosecondOfSecond : nanosecondOfSecond / 1_000,
                            kept, frame.length, Arrays.copyOf(frame, kept)),
                    capture.packets().get(i), "frame " + i);
        }

        // Buffering is invisible in the result: the default buffer and a whole-buffer channel give the same file.
        assertArrayEquals(write(frames, precision, snapLength, PcapWriter.DEFAULT_BUFFER_BYTES, Integer.MAX_VALUE,
                firstTimestampNs), file);
    }

    private static byte[] write(List<byte[]> frames, TimestampPrecision precision, int snapLength,
                                int bufferBytes, int channelBytesPerWrite, long firstTimestampNs) throws IOException {
        RecordingChannel channel = new RecordingChannel(channelBytesPerWrite);
        try (PcapWriter writer = new PcapWriter(channel, precision, snapLength, bufferBytes)) {
            for (int i = 0; i < frames.size(); i++) {
                byte[] frame = frames.get(i);
                writer.write(firstTimestampNs + i * FRAME_SPACING_NS, MemorySegment.ofArray(frame), 0, frame.length);
            }
        }
        return channel.bytes();
    }

    @Provide
    Arbitrary<List<byte[]>> frames() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(3000).list().ofMaxSize(20);
    }

    @Provide
    Arbitrary<Long> timestamps() {
        // The format's whole range: ts_sec is an unsigned 32-bit count of seconds.
        return Combinators.combine(Arbitraries.longs().between(0, 0xffff_fff0L),
                        Arbitraries.longs().between(0, 999_999_999L))
                .as((seconds, nanosecondOfSecond) -> seconds * 1_000_000_000L + nanosecondOfSecond);
    }
}
