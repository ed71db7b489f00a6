package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * What the TAP tests need from the machine, and the project's rule for when it is missing: skip
 * with a clear reason, except under CI ({@code CI=true}), where the tests must run and so fail.
 */
final class Privileges {
    /** CAP_NET_ADMIN's bit in the capability sets of {@code /proc/self/status}. */
    private static final int CAP_NET_ADMIN = 12;

    private Privileges() {}

    static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Skips (or, under CI, fails) unless this process may create TAP devices and the tools that
     * set up and inspect the kernel's side ({@code ip}, {@code ss}) are installed.
     */
    static void requireNetAdmin() {
        String missing = null;
        if (!onPath("ip") || !onPath("ss")) {
            missing = "needs `ip` and `ss` (Debian package iproute2); .ci/run installs them";
        } else if (!hasEffectiveCapability(CAP_NET_ADMIN)) {
            missing = "needs CAP_NET_ADMIN to create TAP devices: run as root or grant cap_net_admin";
        } else if (!Files.exists(Path.of(LinuxTun.CLONE_DEVICE))) {
            missing = "needs " + LinuxTun.CLONE_DEVICE + " (the tun module)";
        } else if (!Files.isReadable(Path.of(LinuxTun.CLONE_DEVICE)) || !Files.isWritable(Path.of(LinuxTun.CLONE_DEVICE))) {
            missing = "needs read and write access to " + LinuxTun.CLONE_DEVICE;
        }
        requireThat(missing);
    }

    /** Skips (or, under CI, fails) unless {@code command} is on the PATH. */
    static void requireCommand(String command, String debianPackage) {
        requireThat(onPath(command) ? null
                : "needs `" + command + "` (Debian package " + debianPackage + "); .ci/run installs it");
    }

    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static void requireThat(String missing) {
        if (missing == null) {
            return;
        }
        if (onCi()) {
            fail("CI=true, so this test must run, but it " + missing);
        }
        Assumptions.abort("skipped: this test " + missing + " (with CI=true it fails instead)");
    }

    static boolean hasEffectiveCapability(int capability) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long bits = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                    return (bits & (1L << capability)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
