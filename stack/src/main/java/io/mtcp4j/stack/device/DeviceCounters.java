package io.mtcp4j.stack.device;

import java.util.StringJoiner;

/**
 * A device's traffic counters per queue: frames and bytes received and transmitted, and drops by
 * {@link DeviceDrop} reason.
 *
 * <p>Threads: the cells of queue {@code q} are written only by the thread that owns that queue
 * (its engine, through the device's receive and transmit calls), and read by any thread at any
 * time without stopping the engine: plain single-writer increments published with opaque stores,
 * read with opaque loads (see {@link CounterCells}); no locks, no atomics, no allocation. Each
 * value is exact as of some recent moment; two values read one after the other may come from
 * slightly different moments.
 */
public final class DeviceCounters {
    private static final int RECEIVED_FRAMES = 0;
    private static final int RECEIVED_BYTES = 1;
    private static final int TRANSMITTED_FRAMES = 2;
    private static final int TRANSMITTED_BYTES = 3;
    private static final int FIRST_DROP = 4;
    private static final DeviceDrop[] DROPS = DeviceDrop.values();

    private final CounterCells cells;

    /** Counters for a device of {@code queues} queues, all zero. */
    public DeviceCounters(int queues) {
        cells = new CounterCells(queues, FIRST_DROP + DROPS.length);
    }

    public int queueCount() {
        return cells.rows();
    }

    // ---- writers: the queue's own thread -------------------------------------------------------

    /** Counts frames handed to the engine by a receive on {@code queue}. */
    public void received(int queue, int frames, long bytes) {
        cells.add(queue, RECEIVED_FRAMES, frames);
        cells.add(queue, RECEIVED_BYTES, bytes);
    }

    /** Counts frames a transmit on {@code queue} sent on. */
    public void transmitted(int queue, int frames, long bytes) {
        cells.add(queue, TRANSMITTED_FRAMES, frames);
        cells.add(queue, TRANSMITTED_BYTES, bytes);
    }

    /** Counts frames dropped by a call on {@code queue}. */
    public void dropped(int queue, DeviceDrop reason, long frames) {
        cells.add(queue, FIRST_DROP + reason.ordinal(), frames);
    }

    // ---- readers: any thread ----------------------------------------------------------------------

    public long receivedFrames() {
        return cells.sum(RECEIVED_FRAMES);
    }

    public long receivedBytes() {
        return cells.sum(RECEIVED_BYTES);
    }

    public long transmittedFrames() {
        return cells.sum(TRANSMITTED_FRAMES);
    }

    public long transmittedBytes() {
        return cells.sum(TRANSMITTED_BYTES);
    }

    public long receivedFrames(int queue) {
        return cells.get(queue, RECEIVED_FRAMES);
    }

    public long receivedBytes(int queue) {
        return cells.get(queue, RECEIVED_BYTES);
    }

    public long transmittedFrames(int queue) {
        return cells.get(queue, TRANSMITTED_FRAMES);
    }

    public long transmittedBytes(int queue) {
        return cells.get(queue, TRANSMITTED_BYTES);
    }

    /** Drops for one reason, all queues. */
    public long drops(DeviceDrop reason) {
        return cells.sum(FIRST_DROP + reason.ordinal());
    }

    /** Drops for one reason on one queue. */
    public long drops(int queue, DeviceDrop reason) {
        return cells.get(queue, FIRST_DROP + reason.ordinal());
    }

    /** Drops for every reason, all queues. */
    public long totalDrops() {
        long total = 0;
        for (DeviceDrop reason : DROPS) {
            total += drops(reason);
        }
        return total;
    }

    /** A one-line summary with the drop reasons that are not zero. */
    @Override
    public String toString() {
        StringJoiner text = new StringJoiner(", ", "DeviceCounters[", "]");
        text.add("rx " + receivedFrames() + " frames/" + receivedBytes() + " bytes");
        text.add("tx " + transmittedFrames() + " frames/" + transmittedBytes() + " bytes");
        for (DeviceDrop reason : DROPS) {
            long drops = drops(reason);
            if (drops != 0) {
                text.add(reason + " " + drops);
            }
        }
        return text.toString();
    }
}
