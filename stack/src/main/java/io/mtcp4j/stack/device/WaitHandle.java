package io.mtcp4j.stack.device;

/**
 * What an idle engine blocks on until frames arrive on its device queue.
 *
 * <p>Two ways to wait, because devices differ:
 * <ul>
 *   <li>{@link #await(long)}: block the calling thread until frames may be waiting, another
 *       thread calls {@link #signal()}, or the timeout passes. In-memory devices park the thread
 *       and their sending side unparks it.</li>
 *   <li>{@link #fileDescriptor()}: a file descriptor that becomes readable when frames arrive (a
 *       TAP queue fd, an AF_XDP socket). An engine that also waits for its own eventfd polls both
 *       with one {@code poll(2)} instead of calling {@code await}. In-memory devices have none.</li>
 * </ul>
 * A device implements {@code await} either way (an fd device by polling its fd), so an engine
 * that only ever calls {@code await} works with every device.
 *
 * <p>Spurious returns are allowed: after {@code await} the engine simply tries to receive.
 * {@code await} is called by the queue's engine thread; {@code signal} by any thread.
 */
public interface WaitHandle {
    /** {@link #fileDescriptor()} of a device that has no file descriptor to poll. */
    int NO_FILE_DESCRIPTOR = -1;

    /**
     * Blocks for at most {@code timeoutNs} until frames may be ready to receive or
     * {@link #signal()} was called (since the last return from {@code await}). Returns at once
     * if either already holds or the timeout is not positive. An interrupt ends the wait and
     * stays set.
     */
    void await(long timeoutNs);

    /** Makes the current or next {@link #await} return at once. Any thread. */
    void signal();

    /**
     * A file descriptor that polls readable ({@code POLLIN}) when frames arrive, or
     * {@link #NO_FILE_DESCRIPTOR} when the device has none and {@link #await} is the only way.
     */
    default int fileDescriptor() {
        return NO_FILE_DESCRIPTOR;
    }
}
