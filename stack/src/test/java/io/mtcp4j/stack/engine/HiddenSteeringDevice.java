package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.device.ReceiveSteering;
import io.mtcp4j.stack.device.WrappingDevice;

/**
 * A device that does not say how it steers (as a TAP device): an engine group over it falls back
 * to software steering and hands frames between engines.
 */
final class HiddenSteeringDevice extends WrappingDevice {
    HiddenSteeringDevice(NetDevice inner) {
        super(inner);
    }

    @Override
    public ReceiveSteering steering() {
        return ReceiveSteering.UNKNOWN;
    }

    @Override
    public int receive(int queue, FrameBatch batch) {
        return inner.receive(queue, batch);
    }

    @Override
    public int lend(int queue, FrameBatch batch, int frames) {
        return inner.lend(queue, batch, frames);
    }

    @Override
    public int transmit(int queue, FrameBatch batch) {
        return inner.transmit(queue, batch);
    }

    @Override
    public void close() {
        inner.close();
    }
}
