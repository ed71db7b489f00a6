package io.mtcp4j.driver.tap;

import java.util.Objects;

/**
 * A TAP device could not be opened or configured, with a message that says what to do about it
 * ("needs CAP_NET_ADMIN: run as root or grant cap_net_admin", "create it with ./mtcp4j net up",
 * ...). {@link #reason()} tells callers and tests which case it was without parsing the text.
 */
public final class TapException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as far as a person needs to know to fix it. */
    public enum Reason {
        /** The process lacks CAP_NET_ADMIN, or may not open {@code /dev/net/tun}. */
        NO_PERMISSION,
        /** {@code /dev/net/tun} is missing: the kernel has no TUN/TAP support loaded. */
        NO_CLONE_DEVICE,
        /** The interface does not exist and the configuration did not ask to create it. */
        NO_SUCH_DEVICE,
        /** Another process holds the device (or some of its queues). */
        DEVICE_BUSY,
        /** The interface exists but is not a TAP device of a kind mtcp4j can use (TUN, single queue, not TUN/TAP at all). */
        WRONG_KIND_OF_DEVICE,
        /** Any other failed system call; the message names it and the errno. */
        SYSTEM_CALL_FAILED
    }

    private final Reason reason;
    private final int errno;

    TapException(Reason reason, int errno, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.errno = errno;
    }

    public Reason reason() {
        return reason;
    }

    /** The {@code errno} of the failed call, or 0 when the problem was found without one. */
    public int errno() {
        return errno;
    }
}
