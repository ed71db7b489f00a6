package io.mtcp4j.stack.device;

import java.util.Objects;
import java.util.Set;

/**
 * Base of a middleware device (smoltcp's phy middleware: impairment, capture): it wraps another
 * device and answers every question about it by asking the wrapped one, so a subclass overrides
 * only the calls it changes (usually {@link #receive}, {@link #lend}, {@link #transmit} and
 * {@link #close}). The wrapper owns the wrapped device.
 */
public abstract class WrappingDevice implements NetDevice {
    /** The wrapped device. */
    protected final NetDevice inner;

    protected WrappingDevice(NetDevice inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public int queueCount() {
        return inner.queueCount();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public int maxFrameBytes() {
        return inner.maxFrameBytes();
    }

    @Override
    public long macAddress() {
        return inner.macAddress();
    }

    @Override
    public Set<Offload> offloads() {
        return inner.offloads();
    }

    @Override
    public ReceiveSteering steering() {
        return inner.steering();
    }

    @Override
    public DeviceCounters counters() {
        return inner.counters();
    }

    @Override
    public WaitHandle waitHandle(int queue) {
        return inner.waitHandle(queue);
    }

    @Override
    public long wakeupDeadlineNs(int queue) {
        return inner.wakeupDeadlineNs(queue);
    }
}
