package io.mtcp4j.provider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * The {@link Socket} view of an {@link MtcpSocketChannel} ({@code SocketChannel.socket()}), after
 * {@code sun.nio.ch.SocketAdaptor}: connect with a timeout, streams that block (the channel must be
 * in blocking mode) with {@code SO_TIMEOUT} on reads, options through the channel, and the
 * channel's exceptions translated to the {@code java.net} ones ("Socket is closed", "Socket is
 * not connected", ...).
 */
final class MtcpSocketAdaptor extends Socket {
    private final MtcpSocketChannel channel;
    /** SO_TIMEOUT for reads, milliseconds; 0 waits without a limit. */
    private volatile int timeoutMs;

    private MtcpSocketAdaptor(MtcpSocketChannel channel) throws SocketException {
        super(NoSocketImpl.INSTANCE);
        this.channel = channel;
    }

    static Socket create(MtcpSocketChannel channel) {
        try {
            return new MtcpSocketAdaptor(channel);
        } catch (SocketException e) {
            throw new InternalError(e); // Socket(SocketImpl) throws only for a SecurityManager check of old
        }
    }

    @Override
    public SocketChannel getChannel() {
        return channel;
    }

    // ------------------------------------------------------------------------------ connect, bind

    @Override
    public void connect(SocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    @Override
    public void connect(SocketAddress remote, int timeout) throws IOException {
        if (remote == null) {
            throw new IllegalArgumentException("connect: The address can't be null");
        }
        if (remote instanceof InetSocketAddress isa && isa.isUnresolved()) {
            if (!channel.isOpen()) {
                throw new SocketException("Socket is closed");
            }
            if (channel.isConnected()) {
                throw new SocketException("Already connected");
            }
            close();
            throw new UnknownHostException(remote.toString());
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        try {
            channel.blockingConnect(remote, timeout);
        } catch (Exception e) {
            throw JavaNetExceptions.translate(e);
        }
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        try {
            channel.bind(local);
        } catch (Exception e) {
            throw JavaNetExceptions.translate(e);
        }
    }

    // ------------------------------------------------------------------------------ addresses, state

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress remote = channel.remoteAddressOrNull();
        return remote == null ? null : remote.getAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        if (channel.isOpen()) {
            InetSocketAddress local = channel.localAddressOrNull();
            if (local != null) {
                return local.getAddress();
            }
        }
        return new InetSocketAddress(0).getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress remote = channel.remoteAddressOrNull();
        return remote == null ? 0 : remote.getPort();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress local = channel.localAddressOrNull();
        return local == null ? -1 : local.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return channel.remoteAddressOrNull();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return channel.localAddressOrNull();
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public boolean isBound() {
        return channel.localAddressOrNull() != null;
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public boolean isInputShutdown() {
        return !channel.isInputOpen();
    }

    @Override
    public boolean isOutputShutdown() {
        return !channel.isOutputOpen();
    }

    // ------------------------------------------------------------------------------ streams

    @Override
    public InputStream getInputStream() throws IOException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (!channel.isConnected()) {
            throw new SocketException("Socket is not connected");
        }
        if (!channel.isInputOpen()) {
            throw new SocketException("Socket input is shutdown");
        }
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n > 0 ? one[0] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return channel.blockingRead(b, off, len, timeoutMs);
            }

            @Override
            public int available() throws IOException {
                return channel.available();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (!channel.isConnected()) {
            throw new SocketException("Socket is not connected");
        }
        if (!channel.isOutputOpen()) {
            throw new SocketException("Socket output is shutdown");
        }
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                channel.blockingWriteFully(b, off, len);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    // ------------------------------------------------------------------------------ options

    private void setOption(SocketOption<Boolean> name, boolean value) throws SocketException {
        try {
            channel.setOption(name, value);
        } catch (IOException e) {
            throw JavaNetExceptions.toSocketException(e);
        }
    }

    private void setIntOption(SocketOption<Integer> name, int value) throws SocketException {
        try {
            channel.setOption(name, value);
        } catch (IOException e) {
            throw JavaNetExceptions.toSocketException(e);
        }
    }

    private boolean booleanOption(SocketOption<Boolean> name) throws SocketException {
        try {
            return channel.getOption(name);
        } catch (IOException e) {
            throw JavaNetExceptions.toSocketException(e);
        }
    }

    private int intOption(SocketOption<Integer> name) throws SocketException {
        try {
            return channel.getOption(name);
        } catch (IOException e) {
            throw JavaNetExceptions.toSocketException(e);
        }
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        setOption(StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return booleanOption(StandardSocketOptions.TCP_NODELAY);
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        setIntOption(StandardSocketOptions.SO_LINGER, on ? linger : -1);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return intOption(StandardSocketOptions.SO_LINGER);
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        channel.sendUrgentData(data);
    }

    /** SO_OOBINLINE is a JDK-internal option; the channel supports it under that name (the kernel's set). */
    @SuppressWarnings("unchecked")
    private SocketOption<Boolean> oobInline() throws SocketException {
        for (SocketOption<?> option : channel.supportedOptions()) {
            if (option.name().equals("SO_OOBINLINE")) {
                return (SocketOption<Boolean>) option;
            }
        }
        throw new SocketException("SO_OOBINLINE not supported");
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        setOption(oobInline(), on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return booleanOption(oobInline());
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        timeoutMs = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        return timeoutMs;
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid send size"); // 0 is valid for the channel, not the socket
        }
        setIntOption(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return intOption(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid receive size");
        }
        setIntOption(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return intOption(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        setOption(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return booleanOption(StandardSocketOptions.SO_KEEPALIVE);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        setIntOption(StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return intOption(StandardSocketOptions.IP_TOS);
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        setOption(StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return booleanOption(StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        channel.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return channel.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return channel.supportedOptions();
    }

    // ------------------------------------------------------------------------------ close, shutdown

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        try {
            channel.shutdownInput();
        } catch (Exception e) {
            throw JavaNetExceptions.translate(e);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        try {
            channel.shutdownOutput();
        } catch (Exception e) {
            throw JavaNetExceptions.translate(e);
        }
    }

    @Override
    public String toString() {
        if (channel.isConnected()) {
            return "Socket[addr=" + getInetAddress() + ",port=" + getPort() + ",localport=" + getLocalPort() + "]";
        }
        return "Socket[unconnected]";
    }
}
