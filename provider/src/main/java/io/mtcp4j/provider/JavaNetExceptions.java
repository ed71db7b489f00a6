package io.mtcp4j.provider;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * The socket adaptors' translation of channel exceptions into {@code java.net} ones, as the JDK's
 * {@code sun.nio.ch.Net.translateException} and {@code translateToSocketException} do.
 */
final class JavaNetExceptions {
    private JavaNetExceptions() {
    }

    /** An I/O exception passes; a channel state exception becomes the socket's message. */
    static IOException translate(Exception e) {
        if (e instanceof IOException io) {
            return io;
        }
        return toSocketException(e);
    }

    /** Any exception as the SocketException a {@code java.net.Socket} method throws; runtime exceptions other than channel states pass. */
    static SocketException toSocketException(Exception e) {
        if (e instanceof SocketException socket) {
            return socket;
        }
        String message;
        if (e instanceof ClosedChannelException) {
            message = "Socket is closed";
        } else if (e instanceof NotYetConnectedException) {
            message = "Socket is not connected";
        } else if (e instanceof AlreadyBoundException) {
            message = "Already bound";
        } else if (e instanceof AlreadyConnectedException) {
            message = "Already connected";
        } else if (e instanceof NotYetBoundException) {
            message = "Socket is not bound yet";
        } else if (e instanceof UnsupportedAddressTypeException) {
            message = "Unsupported address type";
        } else if (e instanceof UnresolvedAddressException) {
            message = "Unresolved address";
        } else if (e instanceof IOException) {
            message = e.getMessage();
        } else if (e instanceof RuntimeException runtime) {
            throw runtime;
        } else {
            throw new Error("Untranslated exception", e);
        }
        SocketException translated = new SocketException(message);
        translated.initCause(e);
        return translated;
    }
}
