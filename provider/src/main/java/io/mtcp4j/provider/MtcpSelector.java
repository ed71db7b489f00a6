package io.mtcp4j.provider;

import io.mtcp4j.stack.api.ReadinessSubscriber;
import io.mtcp4j.stack.api.StackChannel;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * The hybrid selector: stack channels become ready from engine events, kernel channels through
 * an inner JDK selector. Its template is {@code sun.nio.ch.SelectorImpl}'s.
 *
 * <h2>Keys and sets</h2>
 * {@link #keys()} is an unmodifiable view of the registered keys and {@link #selectedKeys()} a
 * view that allows removal but not addition. Registration, {@code interestOps} changes and
 * cancellation never block: registration and interest changes are queued on the update queue
 * and applied at the next select; a cancelled key goes to the cancelled-key set and is
 * deregistered (removed from both sets and from its channel) at the next select.
 *
 * <h2>How readiness arrives</h2>
 * <ul>
 *   <li><b>Stack keys.</b> The selector subscribes to its stack channels ({@link ReadinessSubscriber}).
 *       An engine reports a channel whose readiness may have changed: the subscriber puts its key
 *       on the ready queue (an MPSC queue; a flag keeps a key there at most once) and, once per
 *       engine loop, wakes the selector. Readiness is a level: at select time the key's ready ops
 *       are the channel's {@link StackChannel#readyOps()} masked by the interest set. So that a
 *       select is not O(all keys), it reads only the keys the ready queue names, the keys whose
 *       interest or backend changed, and the keys that were ready at the previous select (still
 *       ready unless the application drained them).</li>
 *   <li><b>Kernel keys.</b> A kernel channel (a kernel delegate, a listener's kernel twin, or a
 *       platform provider's channel registered here directly) is registered with an inner JDK
 *       selector, with the mtcp4j key as its attachment and the same interest set. Each select
 *       polls it ({@code selectNow}) and, when it has to block and there are kernel keys, blocks
 *       in it.</li>
 * </ul>
 *
 * <h2>Blocking and waking</h2>
 * Every producer (an engine's wakeup, {@link #wakeup()}, a channel that changed its backend)
 * sets {@link #signal} and, if it was clear, wakes the selecting thread according to
 * {@link #blockState}: unpark when parked, inner {@code wakeup()} when blocked in the inner
 * selector. The selecting thread clears the signal before it drains the queues and checks it
 * after it published its block state, so a wakeup is never lost (both sides use sequentially
 * consistent atomics). {@code wakeup()} also sets {@link #wakeupPending}: a select consumes it
 * when it polls, so a wakeup before a select makes that select return at once, and
 * {@code selectNow} clears it. An interrupt of a blocked select calls {@code wakeup()} (through
 * {@code AbstractSelector.begin}); the interrupt status stays set.
 *
 * <h2>Locks</h2>
 * A select holds the selector's monitor and then the selected-key set's, as the JDK does, so
 * {@link #close()} waits for a select in progress after waking it. The update queue has its own
 * lock; the ready queue and the signal are lock-free.
 */
final class MtcpSelector extends AbstractSelector {
    private static final int RUNNING = 0;
    private static final int PARKED = 1;
    private static final int IN_INNER = 2;

    private final MtcpSelectorProvider mtcpProvider;
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    /** Guarded by {@link #publicSelectedKeys}. */
    private final Set<SelectionKey> selectedKeys = new HashSet<>();
    private final Set<SelectionKey> publicSelectedKeys = new UngrowableSet<>(selectedKeys);

    private final Object updateLock = new Object();
    /** Keys whose interest set changed, or that were registered, or whose channel's backend changed. Guarded by {@link #updateLock}. */
    private ArrayDeque<MtcpSelectionKey> updates = new ArrayDeque<>();
    private ArrayDeque<MtcpSelectionKey> spareUpdates = new ArrayDeque<>();

    /** Stack keys that engines reported, each at most once ({@link MtcpSelectionKey#markQueued()}). */
    private final MpscUnboundedAtomicArrayQueue<MtcpSelectionKey> readyQueue = new MpscUnboundedAtomicArrayQueue<>(256);
    private final AtomicInteger signal = new AtomicInteger();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private volatile int blockState = RUNNING;
    private volatile Thread selectingThread;
    /** Created when the first kernel key is attached; read by waking threads. */
    private volatile Selector inner;
    private final Subscriber subscriber = new Subscriber();

    // ---- the selecting thread's, under this selector's monitor
    private boolean inSelect;
    private int innerKeyCount;
    private boolean innerFlushDue;
    private long selectEpoch;
    private long passEpoch;
    private final ArrayList<MtcpSelectionKey> collected = new ArrayList<>();
    private ArrayList<MtcpSelectionKey> stillReady = new ArrayList<>();
    private ArrayList<MtcpSelectionKey> nextStillReady = new ArrayList<>();

    MtcpSelector(MtcpSelectorProvider provider) {
        super(provider);
        this.mtcpProvider = provider;
    }

    // ------------------------------------------------------------------------------ key sets

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return publicSelectedKeys;
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel channel, int ops, Object attachment) {
        Selectable target;
        if (channel instanceof Selectable own) {
            target = own;
        } else if (PlatformProvider.available() && channel.provider() == PlatformProvider.get()) {
            target = Selectable.platform(channel);
        } else {
            throw new IllegalSelectorException();
        }
        MtcpSelectionKey key = new MtcpSelectionKey(channel, this, target);
        if (attachment != null) {
            key.attach(attachment);
        }
        ensureOpen();
        keys.add(key);
        SelectorKeys channelKeys = target.selectorKeys();
        if (channelKeys != null) {
            channelKeys.add(key);
        }
        try {
            key.interestOps(ops); // queues the key: the next select attaches its stack and kernel sides
            if (ops == 0) {
                interestChanged(key); // an unchanged (empty) interest set queues nothing: attach it all the same
            }
        } catch (ClosedSelectorException e) {
            keys.remove(key);
            if (channelKeys != null) {
                channelKeys.remove(key);
            }
            key.cancel();
            throw e;
        }
        return key;
    }

    /** Any thread: a key's interest set changed (or it was registered); applied at the next select. */
    void interestChanged(MtcpSelectionKey key) {
        ensureOpen();
        synchronized (updateLock) {
            updates.addLast(key);
        }
    }

    /**
     * Any thread: the key's channel got a stack or kernel side after it was registered (it bound
     * or connected). Unlike an interest change this wakes a select in progress, because the
     * JDK's selector would already be watching the socket: a connect completing while a select
     * blocks must end that select.
     */
    void backendChanged(MtcpSelectionKey key) {
        if (!isOpen()) {
            return;
        }
        synchronized (updateLock) {
            updates.addLast(key);
        }
        signalWake();
    }

    /** Any thread: the key's stack channel changed readiness without an engine event. */
    void readinessChanged(MtcpSelectionKey key) {
        if (key.markQueued()) {
            readyQueue.offer(key);
        }
        signalWake();
    }

    // ------------------------------------------------------------------------------ select

    @Override
    public int selectNow() throws IOException {
        return lockAndDoSelect(null, 0);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return lockAndDoSelect(null, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select() throws IOException {
        return lockAndDoSelect(null, -1);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        Objects.requireNonNull(action);
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return lockAndDoSelect(action, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        Objects.requireNonNull(action);
        return lockAndDoSelect(action, -1);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        Objects.requireNonNull(action);
        return lockAndDoSelect(action, 0);
    }

    /** @param timeoutMs -1 waits without a limit, 0 does not wait */
    private int lockAndDoSelect(Consumer<SelectionKey> action, long timeoutMs) throws IOException {
        synchronized (this) {
            ensureOpen();
            if (inSelect) {
                throw new IllegalStateException("select in progress");
            }
            inSelect = true;
            try {
                synchronized (publicSelectedKeys) {
                    return doSelect(action, timeoutMs);
                }
            } finally {
                inSelect = false;
            }
        }
    }

    private int doSelect(Consumer<SelectionKey> action, long timeoutMs) throws IOException {
        assert Thread.holdsLock(this) && Thread.holdsLock(publicSelectedKeys);
        long epoch = ++selectEpoch;
        selectingThread = Thread.currentThread();
        processDeregisterQueue();
        // The keys ready at the last select are read again: level-triggered.
        ArrayList<MtcpSelectionKey> previous = stillReady;
        stillReady = nextStillReady;
        nextStillReady = previous;
        nextStillReady.clear();
        long pass = ++passEpoch;
        for (int i = 0, n = stillReady.size(); i < n; i++) {
            evaluate(stillReady.get(i), pass, epoch);
        }
        stillReady.clear();
        gather(pass, epoch);
        pollInner(epoch);
        boolean woken = wakeupPending.getAndSet(false);
        if (collected.isEmpty() && timeoutMs != 0 && !woken && !Thread.currentThread().isInterrupted()) {
            block(epoch, timeoutMs);
        }
        processDeregisterQueue();
        int updated = dispatch(action);
        flushInner();
        return updated;
    }

    /** Drains the update queue and the ready queue, reading each named stack key's readiness once. */
    private void gather(long pass, long epoch) {
        signal.set(0); // from here on a producer's signal means something the drains below may have missed
        ArrayDeque<MtcpSelectionKey> batch;
        synchronized (updateLock) {
            batch = updates;
            updates = spareUpdates;
            spareUpdates = batch;
        }
        MtcpSelectionKey key;
        while ((key = batch.pollFirst()) != null) {
            if (!key.isValid()) {
                continue;
            }
            attach(key);
            SelectionKey innerKey = key.innerKey;
            if (innerKey != null) {
                try {
                    innerKey.interestOps(key.interest());
                } catch (CancelledKeyException e) {
                    // the kernel channel closed; its mtcp4j key is cancelled with it
                }
            }
            key.passStamp = 0; // a changed interest set is read again even if read in this pass
            evaluate(key, pass, epoch);
        }
        while ((key = readyQueue.poll()) != null) {
            key.clearQueued(); // before reading readiness: an event after the read queues the key again
            key.passStamp = 0;
            evaluate(key, pass, epoch);
        }
    }

    /** Reads a stack key's readiness (once per pass) and collects what is ready and wanted. */
    private void evaluate(MtcpSelectionKey key, long pass, long epoch) {
        if (key.passStamp == pass) {
            return;
        }
        key.passStamp = pass;
        StackChannel stack = key.subscribed;
        if (stack == null || !key.isValid()) {
            return;
        }
        int ready = stack.readyOps() & key.interest();
        if (ready != 0) {
            if (key.stillReadyStamp != epoch) {
                key.stillReadyStamp = epoch;
                nextStillReady.add(key);
            }
            collect(key, ready, epoch);
        }
    }

    private void collect(MtcpSelectionKey key, int ops, long epoch) {
        if (key.collectStamp != epoch) {
            key.collectStamp = epoch;
            key.collectedOps = ops;
            collected.add(key);
        } else {
            key.collectedOps |= ops;
        }
    }

    /** Polls the inner selector without waiting, when there are kernel keys. */
    private void pollInner(long epoch) throws IOException {
        Selector in = inner;
        if (in != null && innerKeyCount > 0) {
            in.selectNow();
            harvestInner(in, epoch);
        }
    }

    private void harvestInner(Selector in, long epoch) {
        Set<SelectionKey> ready = in.selectedKeys();
        if (ready.isEmpty()) {
            return;
        }
        for (Iterator<SelectionKey> it = ready.iterator(); it.hasNext(); ) {
            SelectionKey innerKey = it.next();
            it.remove();
            MtcpSelectionKey key = (MtcpSelectionKey) innerKey.attachment();
            if (!key.isValid()) {
                innerKey.cancel(); // stop a level-triggered kernel channel from waking us again
                continue;
            }
            int ops;
            try {
                ops = innerKey.readyOps() & key.interest();
            } catch (CancelledKeyException e) {
                continue;
            }
            if (ops != 0) {
                collect(key, ops, epoch);
            }
        }
    }

    /** Waits until something is collected, a wakeup, an interrupt or the timeout. */
    private void block(long epoch, long timeoutMs) throws IOException {
        boolean timed = timeoutMs > 0;
        long deadlineNs = timed ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs) : 0;
        Thread self = Thread.currentThread();
        begin();
        try {
            while (true) {
                Selector in = inner;
                boolean kernel = in != null && innerKeyCount > 0;
                blockState = kernel ? IN_INNER : PARKED;
                if (signal.get() == 0 && !wakeupPending.get() && !self.isInterrupted()) {
                    long remainingNs = timed ? deadlineNs - System.nanoTime() : Long.MAX_VALUE;
                    if (remainingNs <= 0) {
                        return;
                    }
                    if (kernel) {
                        if (timed) {
                            in.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNs + 999_999)));
                        } else {
                            in.select();
                        }
                    } else if (timed) {
                        LockSupport.parkNanos(this, remainingNs);
                    } else {
                        LockSupport.park(this);
                    }
                }
                blockState = RUNNING;
                processDeregisterQueue();
                gather(++passEpoch, epoch);
                if (kernel) {
                    harvestInner(in, epoch);
                } else if (inner != null && innerKeyCount > 0) {
                    pollInner(epoch); // kernel keys attached while parked
                }
                if (!collected.isEmpty() || wakeupPending.getAndSet(false) || self.isInterrupted()) {
                    return;
                }
                if (timed && deadlineNs - System.nanoTime() <= 0) {
                    return;
                }
            }
        } finally {
            blockState = RUNNING;
            end();
        }
    }

    /** Updates the selected-key set (or runs the action) per {@code sun.nio.ch.SelectorImpl.processReadyEvents}. */
    private int dispatch(Consumer<SelectionKey> action) {
        int updated = 0;
        for (int i = 0, n = collected.size(); i < n; i++) {
            MtcpSelectionKey key = collected.get(i);
            if (!key.isValid()) {
                continue;
            }
            int ops = key.collectedOps;
            if (action != null) {
                key.readyOps(ops);
                if ((ops & key.interest()) != 0) {
                    action.accept(key);
                    ensureOpen();
                    updated++;
                }
            } else if (selectedKeys.contains(key)) {
                int old = key.ready();
                int now = old | ops;
                key.readyOps(now);
                if ((now & ~old) != 0) {
                    updated++;
                }
            } else {
                key.readyOps(ops);
                if ((ops & key.interest()) != 0) {
                    selectedKeys.add(key);
                    updated++;
                }
            }
        }
        collected.clear();
        return updated;
    }

    // ------------------------------------------------------------------------------ attach, detach

    /** Selecting thread: subscribes to the key's stack side and registers its kernel side, whichever exists now. */
    private void attach(MtcpSelectionKey key) {
        Selectable target = key.target;
        if (key.subscribed == null) {
            StackChannel stack = target.stackChannel();
            if (stack != null) {
                stack.subscribe(subscriber);
                key.subscribed = stack;
            }
        }
        if (key.innerKey == null) {
            SelectableChannel kernel = target.kernelChannel();
            if (kernel != null) {
                try {
                    key.innerKey = kernel.register(innerSelector(), key.interest(), key);
                    innerKeyCount++;
                } catch (ClosedChannelException | IllegalBlockingModeException | CancelledKeyException e) {
                    // closing or being reconfigured: the mtcp4j key is (or is about to be) cancelled
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot open the inner selector for kernel channels", e);
                }
            }
        }
    }

    private Selector innerSelector() throws IOException {
        Selector in = inner;
        if (in == null) {
            in = PlatformProvider.get().openSelector();
            inner = in;
        }
        return in;
    }

    private void detach(MtcpSelectionKey key) {
        if (key.subscribed != null) {
            key.subscribed.unsubscribe(subscriber);
            key.subscribed = null;
        }
        if (key.innerKey != null) {
            key.innerKey.cancel();
            key.innerKey = null;
            innerKeyCount--;
            innerFlushDue = true;
        }
    }

    /** Removes cancelled keys from the key sets, their channels and their stack and kernel sides. */
    private void processDeregisterQueue() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            if (cancelled.isEmpty()) {
                return;
            }
            for (SelectionKey k : cancelled) {
                MtcpSelectionKey key = (MtcpSelectionKey) k;
                keys.remove(key);
                selectedKeys.remove(key);
                detach(key);
                deregister(key);
                SelectorKeys channelKeys = key.target.selectorKeys();
                if (channelKeys != null) {
                    channelKeys.remove(key);
                }
            }
            cancelled.clear();
        }
    }

    /**
     * After kernel keys were cancelled, lets the inner selector deregister them now: a closed
     * platform channel is really closed (its descriptor released) only once no selector holds it.
     */
    private void flushInner() throws IOException {
        if (innerFlushDue) {
            innerFlushDue = false;
            Selector in = inner;
            if (in != null) {
                in.selectNow();
                in.selectedKeys().clear(); // level-triggered: whatever was ready is reported again
            }
        }
    }

    // ------------------------------------------------------------------------------ wakeup, close

    @Override
    public Selector wakeup() {
        wakeupPending.set(true);
        signalWake();
        return this;
    }

    /** Any thread: makes a blocked select look at its queues (see the class comment). */
    private void signalWake() {
        if (signal.getAndSet(1) == 0) {
            int state = blockState;
            if (state == PARKED) {
                LockSupport.unpark(selectingThread);
            } else if (state == IN_INNER) {
                Selector in = inner;
                if (in != null) {
                    in.wakeup();
                }
            }
        }
    }

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        synchronized (this) {
            synchronized (publicSelectedKeys) {
                Set<SelectionKey> cancelled = cancelledKeys();
                synchronized (cancelled) {
                    cancelled.clear();
                }
                for (Iterator<SelectionKey> it = keys.iterator(); it.hasNext(); ) {
                    MtcpSelectionKey key = (MtcpSelectionKey) it.next();
                    detach(key);
                    deregister(key);
                    SelectorKeys channelKeys = key.target.selectorKeys();
                    if (channelKeys != null) {
                        channelKeys.remove(key);
                    }
                    it.remove();
                }
                selectedKeys.clear();
                Selector in = inner;
                if (in != null) {
                    in.close();
                }
                stillReady.clear();
                nextStillReady.clear();
                readyQueue.clear();
            }
        }
    }

    @Override
    public String toString() {
        return "MtcpSelector[" + (isOpen() ? keys.size() + " keys" : "closed") + "]";
    }

    MtcpSelectorProvider mtcpProvider() {
        return mtcpProvider;
    }

    /** The inner JDK selector for kernel channels, or null when none was needed yet. */
    Selector innerOrNull() {
        return inner;
    }

    /** The selector's ear on the engines: one per selector, so an engine wakes it once per loop. */
    private final class Subscriber implements ReadinessSubscriber {
        @Override
        public void ready(StackChannel channel, int readyOps) {
            if (channel.attachment() instanceof Selectable owner) {
                SelectorKeys channelKeys = owner.selectorKeys();
                MtcpSelectionKey key = channelKeys == null ? null : channelKeys.find(MtcpSelector.this);
                if (key != null && key.markQueued()) {
                    readyQueue.offer(key);
                }
            }
        }

        @Override
        public void wakeup() {
            signalWake();
        }
    }
}
