package io.mtcp4j.provider;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketImpl;

/**
 * The {@code SocketImpl} the socket adaptors hand to their {@code Socket}/{@code ServerSocket}
 * superclass, which requires one: the adaptors override every method that would use it, so each
 * of its methods is a bug to report (the JDK's adaptors use {@code sun.nio.ch.DummySocketImpl} alike).
 */
final class NoSocketImpl extends SocketImpl {
    static final NoSocketImpl INSTANCE = new NoSocketImpl();

    private NoSocketImpl() {
    }

    private static <T> T notHere() {
        throw new InternalError("mtcp4j socket adaptors do not use their SocketImpl");
    }

    @Override
    protected void create(boolean stream) {
        notHere();
    }

    @Override
    protected void connect(String host, int port) {
        notHere();
    }

    @Override
    protected void connect(InetAddress address, int port) {
        notHere();
    }

    @Override
    protected void connect(SocketAddress address, int timeout) {
        notHere();
    }

    @Override
    protected void bind(InetAddress host, int port) {
        notHere();
    }

    @Override
    protected void listen(int backlog) {
        notHere();
    }

    @Override
    protected void accept(SocketImpl s) {
        notHere();
    }

    @Override
    protected InputStream getInputStream() {
        return notHere();
    }

    @Override
    protected OutputStream getOutputStream() {
        return notHere();
    }

    @Override
    protected int available() {
        return notHere();
    }

    @Override
    protected void close() {
        notHere();
    }

    @Override
    protected void sendUrgentData(int data) {
        notHere();
    }

    @Override
    public void setOption(int optID, Object value) {
        notHere();
    }

    @Override
    public Object getOption(int optID) {
        return notHere();
    }
}
