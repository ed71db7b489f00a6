package io.mtcp4j.stack.api;

import io.mtcp4j.stack.engine.Wakeup;

/**
 * Hears when channels may have become ready: the NIO provider's selectors subscribe to their
 * channels. Both methods run on an engine thread and must not block.
 *
 * <p>An engine delivers events in its loop's publish step (mTCP's flow-level event aggregation):
 * each connection's events of one loop produce at most one {@link #ready} call per subscribed
 * channel, and after the last of them one {@link #wakeup()} per subscriber, however many of its
 * channels became ready in that loop. A subscriber typically records the channel in a lock-free
 * ready queue in {@code ready} and unparks its selecting thread in {@code wakeup}.
 *
 * <p>Readiness is a level, and {@code ready} reports a possible change of it: the subscriber
 * re-reads {@link StackChannel#readyOps()} when it selects; a channel stays ready as long as that
 * says so.
 */
public interface ReadinessSubscriber extends Wakeup {
    /**
     * The channel's readiness may have changed.
     *
     * @param readyOps the channel's {@link Readiness} bits at this moment (a snapshot)
     */
    void ready(StackChannel channel, int readyOps);
}
