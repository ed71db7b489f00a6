package io.mtcp4j.driver.tap;

import io.mtcp4j.stack.device.WaitHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What an idle engine blocks on for one TAP queue: {@code ppoll(2)} on the queue's file
 * descriptor (readable when the kernel queued a frame) together with an {@code eventfd(2)} that
 * {@link #signal()} writes, so that an engine parked in the kernel wakes for an application's
 * command ({@code Engine.submit} signals) or a frame another engine handed it.
 *
 * <h2>Signalling costs a system call only when it must</h2>
 * Most signals arrive while the engine is busy: then setting a flag is enough, since the engine
 * looks at its command queue in its next loop anyway. The engine announces that it is about to
 * block ({@code parked}) and then checks the flag; a signaller sets the flag and then checks
 * {@code parked}. Both fields are volatile, so at least one side sees the other's write (the
 * Dekker pattern): either the engine sees the flag and does not block, or the signaller sees the
 * engine parked and writes the eventfd. A flag already set means a wake-up is already on its way.
 *
 * <h2>Threads</h2>
 * {@link #await} runs on the queue's engine thread, with the queue's call-state segment;
 * {@link #signal()} on any thread. The eventfd write happens under a lock that {@link #close}
 * also takes, so a late signal never writes to a file descriptor number the process has reused.
 */
final class TapWaitHandle implements WaitHandle {
    /**
     * The longest single {@code ppoll}: a native wait does not see {@link Thread#interrupt()}, so
     * an interrupt ends the wait within this time.
     */
    static final long SLICE_NS = 20_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int queueFd;
    private final int eventFd;
    private final MemorySegment callState;
    private final MemorySegment pollFds;
    private final MemorySegment timeout;
    private final MemorySegment counter;
    private final MemorySegment one;
    private final Object signalLock = new Object();
    private volatile boolean parked;
    private volatile boolean signalled;
    private boolean closed;
    private long wakeupsWritten;

    /**
     * @param callState the queue's call-state segment (engine thread only)
     * @param arena     the device's shared arena, for the poll structures
     */
    TapWaitHandle(int queueFd, int eventFd, MemorySegment callState, Arena arena) {
        this.queueFd = queueFd;
        this.eventFd = eventFd;
        this.callState = callState;
        pollFds = arena.allocate(Libc.POLLFD, 2);
        timeout = arena.allocate(Libc.TIMESPEC);
        counter = arena.allocate(ValueLayout.JAVA_LONG);
        one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        pollFds.set(ValueLayout.JAVA_INT, Libc.POLLFD_FD, queueFd);
        pollFds.set(ValueLayout.JAVA_SHORT, Libc.POLLFD_EVENTS, Libc.POLLIN);
        pollFds.set(ValueLayout.JAVA_INT, Libc.POLLFD.byteSize() + Libc.POLLFD_FD, eventFd);
        pollFds.set(ValueLayout.JAVA_SHORT, Libc.POLLFD.byteSize() + Libc.POLLFD_EVENTS, Libc.POLLIN);
    }

    @Override
    public void await(long timeoutNs) {
        if (timeoutNs <= 0) {
            signalled = false;
            return;
        }
        parked = true;
        try {
            long deadlineNs = System.nanoTime() + timeoutNs;
            long remainingNs = timeoutNs;
            while (!signalled && !Thread.currentThread().isInterrupted()) {
                long sliceNs = Math.min(remainingNs, SLICE_NS);
                timeout.set(ValueLayout.JAVA_LONG, Libc.TIMESPEC_SECONDS, sliceNs / NANOS_PER_SECOND);
                timeout.set(ValueLayout.JAVA_LONG, Libc.TIMESPEC_NANOSECONDS, sliceNs % NANOS_PER_SECOND);
                pollFds.set(ValueLayout.JAVA_SHORT, Libc.POLLFD_REVENTS, (short) 0);
                pollFds.set(ValueLayout.JAVA_SHORT, Libc.POLLFD.byteSize() + Libc.POLLFD_REVENTS, (short) 0);
                int ready = Libc.ppoll(callState, pollFds, 2, timeout);
                if (ready != 0) {
                    // Frames, a signal, an error on the fd (the engine's receive will see it), or EINTR.
                    short eventRevents = pollFds.get(ValueLayout.JAVA_SHORT, Libc.POLLFD.byteSize() + Libc.POLLFD_REVENTS);
                    if (ready > 0 && (eventRevents & Libc.POLLIN) != 0) {
                        Libc.read(callState, eventFd, counter, Long.BYTES); // reset the eventfd's count
                    }
                    break;
                }
                remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0) {
                    break;
                }
            }
        } finally {
            parked = false;
            signalled = false;
        }
    }

    @Override
    public void signal() {
        if (signalled) {
            return; // a wake-up is already on its way, or the engine has not yet looked
        }
        signalled = true;
        if (parked) {
            synchronized (signalLock) {
                if (!closed) {
                    Libc.write(Libc.threadCallState(), eventFd, one, Long.BYTES);
                    wakeupsWritten++;
                }
            }
        }
    }

    /** The queue's file descriptor: it polls readable when frames wait. */
    @Override
    public int fileDescriptor() {
        return queueFd;
    }

    /** The eventfd {@link #signal()} writes. */
    int eventFileDescriptor() {
        return eventFd;
    }

    /** How many signals had to write the eventfd (the engine was parked); for tests. */
    long wakeupsWritten() {
        synchronized (signalLock) {
            return wakeupsWritten;
        }
    }

    /** Stops signals from writing; the device closes the eventfd afterwards. */
    void close() {
        synchronized (signalLock) {
            closed = true;
        }
    }
}
