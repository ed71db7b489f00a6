package io.mtcp4j.compat;

import io.mtcp4j.provider.MtcpSelectorProvider;
import io.mtcp4j.stack.api.Stack;
import java.nio.channels.spi.SelectorProvider;

/**
 * The providers every compat test runs against: the JDK's own (the platform default: these tests
 * run without {@code -Djava.nio.channels.spi.SelectorProvider}) and mtcp4j over its embedded
 * loopback stack (the process-wide one, as an application gets it).
 */
enum Impl {
    jdk,
    mtcp4j;

    private static final class Holder {
        static final MtcpSelectorProvider MTCP4J = new MtcpSelectorProvider();
    }

    SelectorProvider provider() {
        if (this == jdk) {
            SelectorProvider provider = SelectorProvider.provider();
            if (provider instanceof MtcpSelectorProvider) {
                throw new IllegalStateException("the compat suite compares mtcp4j with the JDK: run it without "
                        + "-Djava.nio.channels.spi.SelectorProvider");
            }
            return provider;
        }
        return Holder.MTCP4J;
    }

    /** The mtcp4j provider's stack (started if it was not). */
    static Stack stack() {
        return Holder.MTCP4J.stack();
    }

    /** Connections the stack opened actively, all engines. */
    static long stackActiveOpens() {
        Stack stack = stack();
        long total = 0;
        for (int i = 0; i < stack.engineCount(); i++) {
            total += stack.counters(i).activeOpens();
        }
        return total;
    }

    /** Connections the stack accepted, all engines. */
    static long stackPassiveOpens() {
        Stack stack = stack();
        long total = 0;
        for (int i = 0; i < stack.engineCount(); i++) {
            total += stack.counters(i).passiveOpens();
        }
        return total;
    }

    static long stackSegmentsSent() {
        Stack stack = stack();
        long total = 0;
        for (int i = 0; i < stack.engineCount(); i++) {
            total += stack.counters(i).segmentsSent();
        }
        return total;
    }
}
