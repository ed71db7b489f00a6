package io.mtcp4j.stack.engine;

/**
 * Something to wake after an engine loop published its events: a selector parked until one of
 * its channels becomes ready. {@link Engine#wakeAfterPublish} runs each wakeup at most once per
 * loop, after every connection's events of that loop were delivered, so a selector that several
 * connections of one loop made ready is woken once (mTCP's event aggregation).
 */
@FunctionalInterface
public interface Wakeup {
    /** Called on the engine thread; must not block. */
    void wakeup();
}
