package io.mtcp4j.stack.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/** Keeps everything written, the size of each write call, and can fail or accept short writes. */
final class RecordingChannel implements WritableByteChannel {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Integer> writeSizes = new ArrayList<>();
    private final int maximumBytesPerWrite;
    private IOException failure;
    private boolean open = true;
    private int closeCalls;

    RecordingChannel() {
        this(Integer.MAX_VALUE);
    }

    RecordingChannel(int maximumBytesPerWrite) {
        this.maximumBytesPerWrite = maximumBytesPerWrite;
    }

    void failWith(IOException failure) {
        this.failure = failure;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (failure != null) {
            throw failure;
        }
        int count = Math.min(source.remaining(), maximumBytesPerWrite);
        byte[] chunk = new byte[count];
        source.get(chunk);
        out.write(chunk);
        writeSizes.add(count);
        return count;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        closeCalls++;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    List<Integer> writeSizes() {
        return writeSizes;
    }

    int writeCalls() {
        return writeSizes.size();
    }

    int closeCalls() {
        return closeCalls;
    }
}
