package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.fail;

import io.mtcp4j.stack.wire.Ipv4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A temporary TAP interface for one test: a unique name ({@code mt4j-t<hex>}), a private subnet
 * of its own (kernel 10.77.x.1/24 and fd00:77:x::1/64, mtcp4j .2 and ::2), the interface up, and
 * a {@link TapDevice} attached. {@link #close()} closes the device, which removes the
 * interface (it was created by the device, so it is not persistent), and checks with
 * {@code ip link} that nothing is left; a leftover is removed and reported as a failure.
 */
final class TestTap implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    final String name;
    final int subnet;
    final TapDevice device;
    final String kernelIpv4;
    final String stackIpv4;
    final String kernelIpv6;
    final String stackIpv6;

    private TestTap(String name, int subnet, TapDevice device) {
        this.name = name;
        this.subnet = subnet;
        this.device = device;
        kernelIpv4 = "10.77." + subnet + ".1";
        stackIpv4 = "10.77." + subnet + ".2";
        kernelIpv6 = "fd00:77:" + Integer.toHexString(subnet) + "::1";
        stackIpv6 = "fd00:77:" + Integer.toHexString(subnet) + "::2";
    }

    /** A unique interface name that no interface has now. */
    static String uniqueName() {
        while (true) {
            byte[] bytes = new byte[3];
            RANDOM.nextBytes(bytes);
            String name = "mt4j-t" + HexFormat.of().formatHex(bytes);
            if (!Commands.linkExists(name)) {
                return name;
            }
        }
    }

    /** Creates the interface with {@code options} (its name and create=true are set here), addresses and link up. */
    static TestTap open(TapDevice.Options options) {
        Privileges.requireNetAdmin();
        String name = uniqueName();
        TapDevice device = TapDevice.open(new TapDevice.Options(name, options.queues(), options.mtu(),
                options.macAddress(), options.offloads(), true, options.transmitBuffers(),
                options.transmitQueueLength() == 0 ? 20_000 : options.transmitQueueLength(), options.segmentation()));
        TestTap tap = new TestTap(name, 1 + RANDOM.nextInt(254), device);
        try {
            Commands.check("ip", "addr", "add", tap.kernelIpv4 + "/24", "dev", name);
            Commands.check("ip", "-6", "addr", "add", tap.kernelIpv6 + "/64", "dev", name, "nodad");
            Commands.check("ip", "link", "set", "dev", name, "up");
        } catch (RuntimeException | AssertionError e) {
            tap.close();
            throw e;
        }
        return tap;
    }

    static TestTap open(int queues, boolean offloads) {
        return open(TapDevice.Options.defaults("unused").withQueues(queues).withOffloads(offloads));
    }

    int kernelIpv4Bits() {
        return Ipv4Address.parse(kernelIpv4);
    }

    int stackIpv4Bits() {
        return Ipv4Address.parse(stackIpv4);
    }


    InetAddress kernelAddress(boolean ipv6) {
        return address(ipv6 ? kernelIpv6 : kernelIpv4);
    }

    InetAddress stackAddress(boolean ipv6) {
        return address(ipv6 ? stackIpv6 : stackIpv4);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The kernel interface's own MAC address. */
    long kernelMac() {
        return TapDevice.InterfaceKind.interfaceMac(name);
    }

    @Override
    public void close() {
        device.close();
        if (Commands.linkExists(name)) {
            Commands.run("ip", "link", "del", "dev", name);
            fail("interface " + name + " was still there after its device closed (removed now)");
        }
    }
}
