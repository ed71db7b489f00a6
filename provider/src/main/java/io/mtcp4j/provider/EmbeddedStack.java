package io.mtcp4j.provider;

import io.mtcp4j.stack.api.Stack;
import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.engine.EngineConfig;
import io.mtcp4j.stack.engine.StackAddresses;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The stack the provider uses when no device is configured: one in-process loopback device
 * ({@link LoopDevice#loopback}, whose frames come back to itself) owning {@code 127.0.0.1/8} and
 * {@code ::1/128}, with the configured number of engines on daemon threads. It starts on first
 * use (the first stack listener or stack connect), so an application that never talks over
 * loopback pays nothing.
 *
 * <p>Routing inside the stack: {@code 127.0.0.1} and {@code ::1} are LOCAL host routes, so
 * frames to them are addressed to the device's own MAC and need no ARP or neighbour discovery.
 * The rest of {@code 127.0.0.0/8} is on the stack's routing table as an on-link subnet, which
 * the provider never routes to the stack: only the two addresses the stack owns go there
 * ({@link #owns}), everything else goes to the kernel.
 *
 * <p>The device's MTU is {@value #MTU} bytes (Linux's {@code lo} has 65536; a larger frame means
 * fewer per-frame costs, at {@value #QUEUE_DEPTH} preallocated frame slots per queue).
 */
final class EmbeddedStack implements AutoCloseable {
    static final int MTU = 16_384;
    static final int QUEUE_DEPTH = 1024;
    static final int IPV4_LOOPBACK = Ipv4Address.parse("127.0.0.1");
    static final Ipv6Address IPV6_LOOPBACK = Ipv6Address.parse("::1");

    private static final class Shared {
        static final EmbeddedStack INSTANCE = new EmbeddedStack(MtcpConfig.fromSystemProperties(), "mtcp4j");
    }

    private final MtcpConfig config;
    private final String name;
    private volatile Stack stack;
    private LoopDevice device;
    private boolean closed;

    EmbeddedStack(MtcpConfig config, String name) {
        this.config = config;
        this.name = name;
    }

    /** The process-wide stack, configured from system properties (parsed on first call: a bad value fails then). */
    static EmbeddedStack shared() {
        return Shared.INSTANCE;
    }

    MtcpConfig config() {
        return config;
    }

    /** The running stack, started now if it was not. */
    Stack stack() {
        Stack running = stack;
        if (running != null) {
            return running;
        }
        synchronized (this) {
            if (stack == null) {
                if (closed) {
                    throw new IllegalStateException("the embedded stack was closed");
                }
                device = LoopDevice.loopback(LoopDevice.Options.defaults(name + "-lo").withQueues(config.engines())
                        .withMtu(MTU).withQueueDepth(QUEUE_DEPTH));
                StackAddresses addresses = StackAddresses.of(device.macAddress(), IPV4_LOOPBACK, 8, IPV6_LOOPBACK, 128);
                stack = Stack.builder().name(name).engines(config.engines()).device(device)
                        .config(EngineConfig.of(addresses).withTcp(config.tcp())).start();
            }
            return stack;
        }
    }

    /** The stack if it started, else null: asking whether it has a listener must not start it. */
    Stack startedOrNull() {
        return stack;
    }

    /** Whether {@code address} belongs to the stack: {@code 127.0.0.1} or {@code ::1}, when loopback is the stack's. */
    boolean owns(InetAddress address) {
        if (config.loopback() != MtcpConfig.Loopback.STACK || address == null) {
            return false;
        }
        if (address instanceof Inet4Address) {
            byte[] b = address.getAddress();
            return b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] == 1;
        }
        return address instanceof Inet6Address && address.isLoopbackAddress();
    }

    /** Whether a listener may be served by the stack on {@code address}: one it owns, or the wildcard. */
    boolean listensOn(InetAddress address) {
        return config.loopback() == MtcpConfig.Loopback.STACK && (address == null || address.isAnyLocalAddress() || owns(address));
    }

    /** Stops a private stack's engines and frees its device (the process-wide one is never closed). */
    @Override
    public synchronized void close() {
        closed = true;
        if (stack != null) {
            stack.close();
            device.close();
        }
    }
}
