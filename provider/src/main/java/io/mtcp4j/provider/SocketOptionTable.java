package io.mtcp4j.provider;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The socket options a {@code SocketChannel} of the platform supports, their values on a fresh
 * socket, and the platform's validation, for {@link MtcpSocketChannel}s that have no kernel
 * socket to ask: one not yet bound or connected, or one on the stack.
 *
 * <p>A prototype kernel socket, opened once, answers. Its values, read before anything is set
 * on it, are the defaults; a value an application sets is first set on a second prototype and
 * read back, so it is checked and normalized exactly as the JDK would ("Invalid IP_TOS value",
 * SO_LINGER clamped to 65535, a buffer size rounded by the kernel), and that read-back is what
 * {@code getOption} reports until a backend exists. Without the platform provider
 * ({@link PlatformProvider}) a fixed table of the standard options with Linux's defaults and the
 * JDK's checks stands in.
 */
final class SocketOptionTable {
    private final Set<SocketOption<?>> supported;
    private final Map<SocketOption<?>, Object> defaults;
    private final SocketChannel validator;

    private static final class Holder {
        static final SocketOptionTable INSTANCE = create();
    }

    private SocketOptionTable(Set<SocketOption<?>> supported, Map<SocketOption<?>, Object> defaults, SocketChannel validator) {
        this.supported = supported;
        this.defaults = defaults;
        this.validator = validator;
    }

    static SocketOptionTable get() {
        return Holder.INSTANCE;
    }

    private static SocketOptionTable create() {
        if (PlatformProvider.available()) {
            try {
                SocketChannel prototype = PlatformProvider.get().openSocketChannel();
                Map<SocketOption<?>, Object> defaults = new HashMap<>();
                for (SocketOption<?> option : prototype.supportedOptions()) {
                    try {
                        defaults.put(option, prototype.getOption(option));
                    } catch (IOException | RuntimeException e) {
                        // not readable on an unconnected socket: getOption fails until a backend exists
                    }
                }
                return new SocketOptionTable(prototype.supportedOptions(), Collections.unmodifiableMap(defaults), prototype);
            } catch (IOException e) {
                // fall through to the fixed table
            }
        }
        Map<SocketOption<?>, Object> defaults = new HashMap<>();
        defaults.put(StandardSocketOptions.SO_SNDBUF, 16384);
        defaults.put(StandardSocketOptions.SO_RCVBUF, 131072);
        defaults.put(StandardSocketOptions.SO_KEEPALIVE, false);
        defaults.put(StandardSocketOptions.SO_REUSEADDR, false);
        defaults.put(StandardSocketOptions.SO_LINGER, -1);
        defaults.put(StandardSocketOptions.TCP_NODELAY, false);
        defaults.put(StandardSocketOptions.IP_TOS, 0);
        return new SocketOptionTable(Collections.unmodifiableSet(defaults.keySet()), Collections.unmodifiableMap(defaults), null);
    }

    Set<SocketOption<?>> supported() {
        return supported;
    }

    /** The option's value on a fresh socket. */
    Object defaultValue(SocketOption<?> name) throws IOException {
        Object value = defaults.get(name);
        if (value == null) {
            throw new java.net.SocketException("'" + name + "' has no value on an unconnected socket");
        }
        return value;
    }

    /**
     * Checks {@code value} as the JDK does and returns what the JDK would report after setting it.
     * The caller has checked that the option is supported and the value of its type.
     */
    <T> Object normalize(SocketOption<T> name, T value) throws IOException {
        if (validator != null) {
            synchronized (validator) {
                validator.setOption(name, value);
                return validator.getOption(name);
            }
        }
        if (name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) {
            if ((Integer) value < 0) {
                throw new IllegalArgumentException("Invalid send/receive buffer size");
            }
        } else if (name == StandardSocketOptions.IP_TOS) {
            int tos = (Integer) value;
            if (tos < 0 || tos > 255) {
                throw new IllegalArgumentException("Invalid IP_TOS value");
            }
        } else if (name == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            return seconds < 0 ? -1 : Math.min(seconds, 65535);
        }
        return value;
    }
}
