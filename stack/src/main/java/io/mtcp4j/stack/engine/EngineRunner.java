package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.device.WaitHandle;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Runs one {@link Engine} on a thread: read the clock once, {@link Engine#doWork}, and when a
 * loop did nothing, spin a few loops ({@link Thread#onSpinWait()}) before blocking on the device
 * queue's {@link WaitHandle} until {@link Engine#nextDeadlineNs()} (Agrona's
 * {@code BackoffIdleStrategy}, shortened to spin-then-park). Frames arriving, or
 * {@link #stop()}, end the wait early.
 *
 * <p>In this version the application shares the engine thread: it runs through
 * {@link Engine#submit} tasks and connection handlers. Other threads reach the engine through
 * the MPSC command queue of a later step.
 */
public final class EngineRunner implements Runnable {
    /** Empty loops spun before blocking: a few microseconds, so a reply arriving soon is not met with a park. */
    public static final int DEFAULT_SPIN_LOOPS = 100;
    /** The longest single wait, so that a stop or a missed signal is noticed within this time. */
    public static final long MAX_WAIT_NS = 100_000_000L;

    private final Engine engine;
    private final LongSupplier clockNs;
    private final int spinLoops;
    private final WaitHandle waitHandle;
    private volatile boolean running = true;

    /**
     * @param clockNs the engine's clock ({@code System::nanoTime} in production)
     */
    public EngineRunner(Engine engine, LongSupplier clockNs, int spinLoops) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.clockNs = Objects.requireNonNull(clockNs, "clockNs");
        if (spinLoops < 0) {
            throw new IllegalArgumentException("spinLoops must not be negative: " + spinLoops);
        }
        this.spinLoops = spinLoops;
        this.waitHandle = engine.device().waitHandle(engine.queue());
    }

    public EngineRunner(Engine engine) {
        this(engine, System::nanoTime, DEFAULT_SPIN_LOOPS);
    }

    @Override
    public void run() {
        int idleLoops = 0;
        while (running && !Thread.currentThread().isInterrupted()) {
            long nowNs = clockNs.getAsLong();
            if (engine.doWork(nowNs) > 0) {
                idleLoops = 0;
            } else if (idleLoops < spinLoops) {
                idleLoops++;
                Thread.onSpinWait();
            } else {
                long waitNs = Math.min(engine.nextDeadlineNs() - nowNs, MAX_WAIT_NS);
                if (waitNs > 0) {
                    waitHandle.await(waitNs);
                }
            }
        }
    }

    /** Asks the loop to end; any thread. The engine's thread returns from {@link #run()} soon after. */
    public void stop() {
        running = false;
        waitHandle.signal();
    }

    public boolean isRunning() {
        return running;
    }
}
