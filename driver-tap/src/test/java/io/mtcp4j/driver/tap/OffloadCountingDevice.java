package io.mtcp4j.driver.tap;

import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.device.WrappingDevice;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the checksum flags of the frames that pass, so a test can tell that offload was used
 * (or not): received frames the kernel marked partial or verified, transmitted frames the
 * engine left partial for the kernel.
 */
final class OffloadCountingDevice extends WrappingDevice {
    final LongAdder receivedPartial = new LongAdder();
    final LongAdder receivedVerified = new LongAdder();
    final LongAdder receivedPlain = new LongAdder();
    final LongAdder transmittedPartial = new LongAdder();
    final LongAdder transmittedPlain = new LongAdder();

    OffloadCountingDevice(NetDevice inner) {
        super(inner);
    }

    @Override
    public int receive(int queue, FrameBatch batch) {
        int frames = inner.receive(queue, batch);
        for (int i = 0; i < frames; i++) {
            int flags = batch.flags(i);
            if ((flags & FrameBatch.CHECKSUM_PARTIAL) != 0) {
                receivedPartial.increment();
            } else if ((flags & FrameBatch.CHECKSUM_VERIFIED) != 0) {
                receivedVerified.increment();
            } else {
                receivedPlain.increment();
            }
        }
        return frames;
    }

    @Override
    public int lend(int queue, FrameBatch batch, int frames) {
        return inner.lend(queue, batch, frames);
    }

    @Override
    public int transmit(int queue, FrameBatch batch) {
        for (int i = 0; i < batch.count(); i++) {
            if (batch.length(i) != 0) {
                (batch.hasFlags(i, FrameBatch.CHECKSUM_PARTIAL) ? transmittedPartial : transmittedPlain).increment();
            }
        }
        return inner.transmit(queue, batch);
    }

    @Override
    public void close() {
        inner.close();
    }
}
