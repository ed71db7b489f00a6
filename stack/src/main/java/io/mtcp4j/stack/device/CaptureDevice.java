package io.mtcp4j.stack.device;

import io.mtcp4j.stack.wire.PcapWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Wraps any device and writes every frame it receives and transmits to a pcap file, passing the
 * frames through unchanged (smoltcp's {@code PcapWriter} device, tcpdump on an interface).
 *
 * <p>Received frames are written as they come back from the inner device's receive; transmitted
 * frames (those of non-zero length) as the engine hands them to transmit, before the inner device
 * sees them, so a frame the inner device then drops is still in the capture, as tcpdump shows
 * frames a qdisc later drops. Offload metadata is not in the file: a frame sent with a partial
 * checksum appears with its pseudo-header sum in the checksum field, as in a Linux capture.
 *
 * <p>Capture must never hurt traffic: an {@link IOException} from the writer is counted, kept
 * ({@link #failure()}) and turns capture off; frames keep flowing and no call throws because of
 * it.
 *
 * <p>Threads: one {@link PcapWriter} serves every queue, so writes are serialised by a lock taken
 * once per batch. Capture is a debugging tool; the lock is its cost, paid only when it is on.
 * Timestamps come from the injected clock (nanoseconds since the Unix epoch), read once per
 * batch. Closing this device closes the writer and the inner device.
 */
public final class CaptureDevice extends WrappingDevice {
    private static final int CAPTURED = 0;
    private static final int WRITE_FAILURES = 1;

    private final PcapWriter writer;
    private final LongSupplier epochClockNs;
    private final Object writeLock = new Object();
    /** Per queue; written only under {@link #writeLock}, read by anyone. */
    private final CounterCells counts;
    private volatile boolean capturing = true;
    private volatile IOException failure;
    private boolean closed;

    /**
     * @param inner        the device whose frames are captured; this device owns and closes it
     * @param writer       where frames go; this device owns and closes it
     * @param epochClockNs nanoseconds since the Unix epoch, for record timestamps
     *                     (e.g. {@link #wallClockNs()}, or a test's clock)
     */
    public CaptureDevice(NetDevice inner, PcapWriter writer, LongSupplier epochClockNs) {
        super(inner);
        this.writer = Objects.requireNonNull(writer, "writer");
        this.epochClockNs = Objects.requireNonNull(epochClockNs, "epochClockNs");
        this.counts = new CounterCells(inner.queueCount(), 2);
    }

    /**
     * A clock of nanoseconds since the Unix epoch that allocates nothing per reading: the wall
     * clock read once now, advanced by {@link System#nanoTime()}.
     */
    public static LongSupplier wallClockNs() {
        Instant start = Instant.now();
        long startEpochNs = start.getEpochSecond() * 1_000_000_000L + start.getNano();
        long startNanoTime = System.nanoTime();
        return () -> startEpochNs + (System.nanoTime() - startNanoTime);
    }

    public NetDevice inner() {
        return inner;
    }

    /** Whether frames are still being written (false after a write failure or close). */
    public boolean isCapturing() {
        return capturing;
    }

    /** Frames written to the capture, all queues. Any thread. */
    public long capturedFrames() {
        return counts.sum(CAPTURED);
    }

    /** Write failures seen: 0 or 1, since capture stops at the first. Any thread. */
    public long writeFailures() {
        return counts.sum(WRITE_FAILURES);
    }

    /** The write failure that stopped capture, or null. */
    public IOException failure() {
        return failure;
    }

    @Override
    public int receive(int queue, FrameBatch batch) {
        int n = inner.receive(queue, batch);
        if (n > 0 && capturing) {
            capture(queue, batch);
        }
        return n;
    }

    @Override
    public int lend(int queue, FrameBatch batch, int frames) {
        return inner.lend(queue, batch, frames);
    }

    @Override
    public int transmit(int queue, FrameBatch batch) {
        if (batch.count() > 0 && capturing) {
            capture(queue, batch);
        }
        return inner.transmit(queue, batch);
    }

    /** Writes the batch's frames of non-zero length; a failure turns capture off. */
    private void capture(int queue, FrameBatch batch) {
        long timestampNs = epochClockNs.getAsLong();
        int written = 0;
        synchronized (writeLock) {
            if (!capturing) {
                return;
            }
            try {
                for (int i = 0; i < batch.count(); i++) {
                    int length = batch.length(i);
                    if (length != 0) {
                        writer.write(timestampNs, batch.segment(i), batch.offset(i), length);
                        written++;
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                fail(queue, e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e);
            }
            counts.add(queue, CAPTURED, written);
        }
    }

    /** Sends buffered records to the file, so a reader sees everything captured so far. */
    public void flush() {
        synchronized (writeLock) {
            if (!capturing) {
                return;
            }
            try {
                writer.flush();
            } catch (IOException | UncheckedIOException e) {
                fail(0, e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e);
            }
        }
    }

    /** Under the write lock. */
    private void fail(int queue, IOException e) {
        capturing = false;
        if (failure == null) {
            failure = e;
        }
        counts.add(queue, WRITE_FAILURES, 1);
    }

    /**
     * Closes the writer (flushing it; a failure is recorded, not thrown), then the inner device.
     * Closing twice does nothing.
     */
    @Override
    public void close() {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
            boolean wasCapturing = capturing;
            capturing = false;
            try {
                writer.close();
            } catch (IOException | UncheckedIOException e) {
                if (wasCapturing) {
                    failure = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e;
                }
            }
        }
        inner.close();
    }

    @Override
    public String toString() {
        return "CaptureDevice[" + inner + (capturing ? ", capturing" : ", not capturing") + "]";
    }
}
