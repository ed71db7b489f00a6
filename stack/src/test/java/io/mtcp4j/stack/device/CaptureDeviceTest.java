package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.PcapWriter;
import io.mtcp4j.stack.wire.PcapWriter.TimestampPrecision;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureDeviceTest {
    private static final int CLIENT = Ipv4Address.parse("10.2.0.1");
    private static final int SERVER = Ipv4Address.parse("10.2.0.2");
    /** 2023-11-14T22:13:20.123456789Z. */
    private static final long START_NS = 1_700_000_000_123_456_789L;

    private long nowNs = START_NS;
    private final LongSupplier clock = () -> nowNs;
    private final FrameBatch tx = new FrameBatch();
    private final FrameBatch rx = new FrameBatch();

    @Test
    void everyFrameInAndOutIsWrittenUnchanged(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("loop.pcap");
        byte[][] sent = new byte[2][];
        try (CaptureDevice device = new CaptureDevice(LoopDevice.loopback(LoopDevice.Options.defaults("lo")),
                PcapWriter.open(file, TimestampPrecision.NANOSECONDS, 65535), clock)) {
            TestFrames.sendTcp4(device, 0, tx, CLIENT, SERVER, 40000, 80, 1, 100);
            TestFrames.sendTcp4(device, 0, tx, SERVER, CLIENT, 80, 40000, 2, 300);
            device.lend(0, tx, 1); // an unused buffer: not a frame, not captured
            sent[0] = TestFrames.bytes(tx, 0);
            sent[1] = TestFrames.bytes(tx, 1);
            assertEquals(2, device.transmit(0, tx));
            nowNs += 1_500;
            assertEquals(2, device.receive(0, rx));
            assertArrayEquals(sent[0], TestFrames.bytes(rx, 0), "frames pass through unchanged");
            assertEquals(4, device.capturedFrames());
            assertTrue(device.isCapturing());
        }
        CaptureFile capture = CaptureFile.parse(Files.readAllBytes(file));
        assertTrue(capture.nanosecondTimestamps());
        assertEquals(2, capture.versionMajor());
        assertEquals(4, capture.versionMinor());
        assertEquals(65535, capture.snapLength());
        assertEquals(1, capture.linkType(), "Ethernet");
        assertEquals(4, capture.records().size());
        for (int r = 0; r < 4; r++) {
            CaptureFile.Record record = capture.records().get(r);
            assertArrayEquals(sent[r % 2], record.data(), "record " + r);
            assertEquals(sent[r % 2].length, record.originalLength());
            assertEquals(1_700_000_000L, record.seconds());
            assertEquals(r < 2 ? 123_456_789L : 123_458_289L, record.fraction(), "sent, then received 1.5 us later");
        }
    }

    @Test
    void aWriteFailureStopsCaptureButNotTraffic() {
        FailingChannel channel = new FailingChannel();
        channel.failing = true;
        CaptureDevice device = new CaptureDevice(LoopDevice.loopback(LoopDevice.Options.defaults("lo")),
                new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 65535), clock);
        // 1,000-byte frames: the writer's 64 KiB buffer fills within 66 of them and goes to the channel.
        int received = 0;
        for (int round = 0; round < 4; round++) {
            for (int k = 0; k < 32; k++) {
                TestFrames.sendTcp4(device, 0, tx, CLIENT, SERVER, 40000, 80, round * 32 + k, 946);
            }
            assertEquals(32, device.transmit(0, tx));
            received += device.receive(0, rx);
        }
        assertEquals(128, received, "every frame still went through");
        assertFalse(device.isCapturing());
        assertEquals(1, device.writeFailures());
        assertEquals("disk full", device.failure().getMessage());
        assertTrue(device.capturedFrames() < 128);
        device.flush(); // capture is off: nothing happens, nothing throws
        device.close(); // the writer's close fails too: recorded, not thrown
        assertEquals("disk full", device.failure().getMessage());
    }

    @Test
    void aFlushFailureIsRecordedNotThrown() {
        FailingChannel channel = new FailingChannel();
        try (CaptureDevice device = new CaptureDevice(LoopDevice.loopback(LoopDevice.Options.defaults("lo")),
                new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 65535), clock)) {
            TestFrames.sendTcp4(device, 0, tx, CLIENT, SERVER, 40000, 80, 1, 10);
            device.transmit(0, tx);
            device.flush();
            assertTrue(channel.written > 24, "global header and one record reached the channel");
            channel.failing = true;
            assertEquals(1, device.receive(0, rx)); // captured into the writer's buffer
            device.flush();
            assertFalse(device.isCapturing());
            assertEquals(1, device.writeFailures());
            TestFrames.sendTcp4(device, 0, tx, CLIENT, SERVER, 40000, 80, 2, 10);
            assertEquals(1, device.transmit(0, tx));
            assertEquals(1, device.receive(0, rx), "traffic goes on");
        }
    }

    @Test
    void closingTheCaptureClosesTheWriterAndTheInnerDevice() throws IOException {
        FailingChannel channel = new FailingChannel();
        LoopDevice inner = LoopDevice.loopback(LoopDevice.Options.defaults("lo"));
        CaptureDevice device = new CaptureDevice(inner, new PcapWriter(channel, TimestampPrecision.MICROSECONDS, 65535), clock);
        assertSame(inner, device.inner());
        assertSame(inner.counters(), device.counters());
        device.close();
        assertTrue(inner.isClosed());
        assertFalse(channel.isOpen());
        assertNull(device.failure());
        assertEquals(24, channel.written, "the global header was flushed on close");
    }

    @Test
    void theWallClockReadsNanosecondsSinceTheEpoch() {
        long before = System.currentTimeMillis() * 1_000_000L;
        long reading = CaptureDevice.wallClockNs().getAsLong();
        long after = System.currentTimeMillis() * 1_000_000L;
        assertTrue(reading >= before - 1_000_000_000L && reading <= after + 1_000_000_000L, reading + " vs " + before);
    }

    /** Discards what it is given, or fails like a full disk when told to. */
    private static final class FailingChannel implements WritableByteChannel {
        boolean failing;
        boolean open = true;
        long written;

        @Override
        public int write(ByteBuffer source) throws IOException {
            if (failing) {
                throw new IOException("disk full");
            }
            int n = source.remaining();
            source.position(source.limit());
            written += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
