package io.mtcp4j.stack.api;

import io.mtcp4j.stack.engine.Engine;
import java.io.Closeable;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * What {@link StackSocket} and {@link StackServerSocket} share: openness, readiness, subscribers
 * and blocking waits.
 *
 * <p>Readiness is computed from the channel's state on the calling thread ({@link #readyOps()});
 * engines tell subscribers and waiting threads when it may have changed, once per engine loop.
 */
public abstract sealed class StackChannel implements Closeable permits StackSocket, StackServerSocket {
    private static final ReadinessSubscriber[] NO_SUBSCRIBERS = {};

    final Stack stack;
    volatile boolean open = true;
    private volatile ReadinessSubscriber[] subscribers = NO_SUBSCRIBERS;
    private final ConcurrentHashMap.KeySetView<Thread, Boolean> waiters = ConcurrentHashMap.newKeySet();
    /** Threads in {@link #awaitReady}: the engine looks at the set only when this is positive. */
    private final AtomicInteger waiterCount = new AtomicInteger();
    private volatile Object attachment;

    StackChannel(Stack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
    }

    /** The stack this channel belongs to. */
    public Stack stack() {
        return stack;
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return open;
    }

    /** The {@link Readiness} bits that hold now. Any thread. */
    public abstract int readyOps();

    /** An object of the caller's, kept with the channel (the provider keeps its channel here). */
    public Object attachment() {
        return attachment;
    }

    public void attach(Object value) {
        attachment = value;
    }

    /**
     * Adds a subscriber that hears of readiness changes from now on (see {@link ReadinessSubscriber}).
     * A channel may have several (one per selector it is registered with). Adding one twice has no effect.
     */
    public synchronized void subscribe(ReadinessSubscriber subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        ReadinessSubscriber[] current = subscribers;
        for (ReadinessSubscriber s : current) {
            if (s == subscriber) {
                return;
            }
        }
        ReadinessSubscriber[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = subscriber;
        subscribers = grown;
    }

    /** Removes a subscriber; calls already under way on an engine thread may still reach it. */
    public synchronized void unsubscribe(ReadinessSubscriber subscriber) {
        ReadinessSubscriber[] current = subscribers;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == subscriber) {
                ReadinessSubscriber[] shrunk = new ReadinessSubscriber[current.length - 1];
                System.arraycopy(current, 0, shrunk, 0, i);
                System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                subscribers = shrunk;
                return;
            }
        }
    }

    /**
     * Blocks until one of {@code ops} is ready, the channel is closed, the thread is interrupted
     * (its interrupt status stays set) or the time runs out.
     *
     * <p>Needs engines on their own threads ({@link Stack.Builder#threads}); with a stack stepped
     * by the caller nothing would change while the caller waits, so this fails at once.
     *
     * @param timeout 0 waits without a time limit
     * @return the ready bits among {@code ops}; 0 on timeout, interrupt or close
     * @throws IllegalStateException when the stack's engines are stepped by the caller
     */
    public int awaitReady(int ops, long timeout, TimeUnit unit) {
        if (!stack.hasEngineThreads()) {
            throw new IllegalStateException("awaitReady needs engine threads: this stack is stepped by its caller (Stack.runOnce)");
        }
        long deadlineNs = timeout == 0 ? Long.MAX_VALUE : System.nanoTime() + unit.toNanos(timeout);
        Thread self = Thread.currentThread();
        int ready = readyOps() & ops;
        if (ready != 0 || !open) {
            return ready;
        }
        waiters.add(self);
        waiterCount.incrementAndGet(); // before the re-check below, which the engine's state write races with
        try {
            // Registered before the re-check: a change after it unparks this thread.
            while ((ready = readyOps() & ops) == 0 && open && !self.isInterrupted()) {
                long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0) {
                    return 0;
                }
                LockSupport.parkNanos(this, remainingNs);
            }
            return ready;
        } finally {
            waiterCount.decrementAndGet();
            waiters.remove(self);
        }
    }

    /**
     * Engine thread (or a closing thread): tells subscribers and waiters that readiness may have
     * changed. {@code engine} is the engine whose loop is publishing, which runs each
     * subscriber's wakeup once after the loop's events; null when not called from a loop, then
     * subscribers are woken at once.
     */
    final void readinessChanged(Engine engine) {
        ReadinessSubscriber[] current = subscribers;
        if (current.length > 0) {
            int ops = readyOps();
            for (ReadinessSubscriber subscriber : current) {
                subscriber.ready(this, ops);
                if (engine != null) {
                    engine.wakeAfterPublish(subscriber);
                } else {
                    subscriber.wakeup();
                }
            }
        }
        wakeWaiters();
    }

    final void wakeWaiters() {
        if (waiterCount.get() > 0) {
            for (Thread waiter : waiters) {
                LockSupport.unpark(waiter);
            }
        }
    }
}
