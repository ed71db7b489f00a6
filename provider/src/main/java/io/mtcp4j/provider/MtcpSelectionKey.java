package io.mtcp4j.provider;

import io.mtcp4j.stack.api.StackChannel;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/**
 * A registration of a channel with an {@link MtcpSelector}, after {@code sun.nio.ch.SelectionKeyImpl}:
 * the interest set is written by any thread and applied by the selector at its next select (the
 * key is queued on the selector's update queue); the ready set is written by the selecting
 * thread only.
 *
 * <p>Behind the key are up to two registrations the selector makes at select time
 * ({@link MtcpSelector}): a readiness subscription on the channel's stack side and a key
 * ({@link #innerKey}) of its kernel side with the selector's inner JDK selector. Their fields
 * belong to the selecting thread (under the selector's lock), except {@link #queued}, the flag
 * that keeps the key on the selector's ready queue at most once, which engine threads set.
 */
final class MtcpSelectionKey extends AbstractSelectionKey {
    private static final VarHandle INTEREST_OPS;
    private static final VarHandle QUEUED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            INTEREST_OPS = lookup.findVarHandle(MtcpSelectionKey.class, "interestOps", int.class);
            QUEUED = lookup.findVarHandle(MtcpSelectionKey.class, "queued", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SelectableChannel channel;
    private final MtcpSelector selector;
    final Selectable target;

    @SuppressWarnings("unused") // through INTEREST_OPS
    private volatile int interestOps;
    private volatile int readyOps;
    /** 1 while the key sits on the selector's ready queue; engine threads set it, the selecting thread clears it. */
    @SuppressWarnings("unused") // through QUEUED
    private volatile int queued;

    // ---- the selecting thread's, under the selector's lock
    /** The stack channel subscribed to, or null. */
    StackChannel subscribed;
    /** The kernel channel's key with the inner selector, or null. */
    SelectionKey innerKey;
    /** The gather pass that last read the stack side's readiness (one read per pass). */
    long passStamp;
    /** The select that last collected ops for this key, and those ops (stack and kernel merged). */
    long collectStamp;
    int collectedOps;
    /** The select whose still-ready list holds this key (a key is re-checked at the next select while it is ready). */
    long stillReadyStamp;

    MtcpSelectionKey(SelectableChannel channel, MtcpSelector selector, Selectable target) {
        this.channel = channel;
        this.selector = selector;
        this.target = target;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    MtcpSelector selectorImpl() {
        return selector;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    /** The interest set without the validity check: for the selector. */
    int interest() {
        return interestOps;
    }

    @Override
    public SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops");
        }
        int old = (int) INTEREST_OPS.getAndSet(this, ops);
        if (ops != old) {
            selector.interestChanged(this);
        }
        return this;
    }

    @Override
    public int interestOpsOr(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops");
        }
        int old = (int) INTEREST_OPS.getAndBitwiseOr(this, ops);
        if (old != (old | ops)) {
            selector.interestChanged(this);
        }
        return old;
    }

    @Override
    public int interestOpsAnd(int ops) {
        ensureValid();
        int old = (int) INTEREST_OPS.getAndBitwiseAnd(this, ops);
        if (old != (old & ops)) {
            selector.interestChanged(this);
        }
        return old;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    int ready() {
        return readyOps;
    }

    void readyOps(int ops) {
        readyOps = ops;
    }

    /** Engine thread: claims the key's place on the ready queue; false when it is there already. */
    boolean markQueued() {
        return (int) QUEUED.getVolatile(this) == 0 && QUEUED.compareAndSet(this, 0, 1);
    }

    /** Selecting thread: the key left the ready queue; an event from now on queues it again. */
    void clearQueued() {
        QUEUED.setVolatile(this, 0);
    }

    @Override
    public String toString() {
        return "MtcpSelectionKey[" + (isValid() ? "interest=" + interestOps + " ready=" + readyOps : "cancelled")
                + " " + channel + "]";
    }
}
