package io.mtcp4j.stack.tcp;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;

/**
 * The four-tuple of a connection. IPv6 addresses are two 64-bit halves; an IPv4 address is held
 * in the low 32 bits of {@code *Low} with {@code *High} zero.
 */
public record TcpEndpoints(boolean ipv6, long localHigh, long localLow, int localPort,
                           long remoteHigh, long remoteLow, int remotePort) {
    public TcpEndpoints {
        checkPort("local port", localPort);
        checkPort("remote port", remotePort);
        if (!ipv6 && ((localHigh | remoteHigh) != 0 || (localLow >>> 32) != 0 || (remoteLow >>> 32) != 0)) {
            throw new IllegalArgumentException("an IPv4 address is the low 32 bits of the low half");
        }
    }

    public static TcpEndpoints ipv4(int localAddress, int localPort, int remoteAddress, int remotePort) {
        return new TcpEndpoints(false, 0, Integer.toUnsignedLong(localAddress), localPort,
                0, Integer.toUnsignedLong(remoteAddress), remotePort);
    }

    public static TcpEndpoints ipv6(Ipv6Address local, int localPort, Ipv6Address remote, int remotePort) {
        return new TcpEndpoints(true, local.high(), local.low(), localPort, remote.high(), remote.low(), remotePort);
    }

    /** The local IPv4 address (IPv4 endpoints only). */
    public int localIpv4() {
        return (int) localLow;
    }

    /** The remote IPv4 address (IPv4 endpoints only). */
    public int remoteIpv4() {
        return (int) remoteLow;
    }

    /** The same connection seen from the other end. */
    public TcpEndpoints reversed() {
        return new TcpEndpoints(ipv6, remoteHigh, remoteLow, remotePort, localHigh, localLow, localPort);
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException(name + " outside 0..65535: " + port);
        }
    }

    @Override
    public String toString() {
        return ipv6
                ? "[" + Ipv6Address.format(localHigh, localLow) + "]:" + localPort
                        + " <-> [" + Ipv6Address.format(remoteHigh, remoteLow) + "]:" + remotePort
                : Ipv4Address.format(localIpv4()) + ":" + localPort + " <-> " + Ipv4Address.format(remoteIpv4()) + ":" + remotePort;
    }
}
