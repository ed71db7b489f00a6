package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.MacAddress;
import java.util.Objects;

/**
 * The addresses of the interface an engine serves: its MAC (the device's), an IPv4 address and
 * prefix, an IPv6 address and prefix, and optional default gateways.
 *
 * @param macAddress         the interface's Ethernet address, low 48 bits (from {@code NetDevice.macAddress()})
 * @param ipv4Address        our IPv4 address, or {@link Ipv4Address#ANY} for none
 * @param ipv4PrefixLength   its subnet's prefix length, 0-32
 * @param ipv6Address        our IPv6 address, or {@link Ipv6Address#UNSPECIFIED} for none
 * @param ipv6PrefixLength   its subnet's prefix length, 0-128
 * @param ipv4Gateway        the IPv4 default gateway, or {@link Ipv4Address#ANY} for none
 * @param ipv6Gateway        the IPv6 default gateway, or {@link Ipv6Address#UNSPECIFIED} for none
 */
public record StackAddresses(long macAddress, int ipv4Address, int ipv4PrefixLength,
                             Ipv6Address ipv6Address, int ipv6PrefixLength,
                             int ipv4Gateway, Ipv6Address ipv6Gateway) {
    public StackAddresses {
        if (!MacAddress.isValid(macAddress) || MacAddress.isMulticast(macAddress)) {
            throw new IllegalArgumentException("an interface needs a unicast MAC address: 0x" + Long.toHexString(macAddress));
        }
        if (ipv4PrefixLength < 0 || ipv4PrefixLength > 32) {
            throw new IllegalArgumentException("IPv4 prefix length must be 0 to 32: " + ipv4PrefixLength);
        }
        if (ipv6PrefixLength < 0 || ipv6PrefixLength > 128) {
            throw new IllegalArgumentException("IPv6 prefix length must be 0 to 128: " + ipv6PrefixLength);
        }
        Objects.requireNonNull(ipv6Address, "ipv6Address (Ipv6Address.UNSPECIFIED for none)");
        Objects.requireNonNull(ipv6Gateway, "ipv6Gateway (Ipv6Address.UNSPECIFIED for none)");
    }

    /** An interface with both families and no gateways. */
    public static StackAddresses of(long macAddress, int ipv4Address, int ipv4PrefixLength,
                                    Ipv6Address ipv6Address, int ipv6PrefixLength) {
        return new StackAddresses(macAddress, ipv4Address, ipv4PrefixLength, ipv6Address, ipv6PrefixLength,
                Ipv4Address.ANY, Ipv6Address.UNSPECIFIED);
    }

    public boolean hasIpv4() {
        return ipv4Address != Ipv4Address.ANY;
    }

    public boolean hasIpv6() {
        return !ipv6Address.isUnspecified();
    }
}
