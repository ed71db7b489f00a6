package io.mtcp4j.provider;

import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A channel's keys with mtcp4j selectors, readable without a lock from engine threads: the
 * selectors' readiness subscriber finds the key of a stack channel that became ready here
 * ({@link #find}), usually in an array of one.
 */
final class SelectorKeys {
    private static final MtcpSelectionKey[] NONE = {};

    private volatile MtcpSelectionKey[] keys = NONE;

    synchronized void add(MtcpSelectionKey key) {
        MtcpSelectionKey[] current = keys;
        MtcpSelectionKey[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = key;
        keys = grown;
    }

    synchronized void remove(MtcpSelectionKey key) {
        MtcpSelectionKey[] current = keys;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == key) {
                MtcpSelectionKey[] shrunk = new MtcpSelectionKey[current.length - 1];
                System.arraycopy(current, 0, shrunk, 0, i);
                System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                keys = shrunk;
                return;
            }
        }
    }

    /** The key of {@code selector}, or null. Any thread. */
    MtcpSelectionKey find(MtcpSelector selector) {
        for (MtcpSelectionKey key : keys) {
            if (key.selectorImpl() == selector) {
                return key;
            }
        }
        return null;
    }

    /** The channel's backend appeared or grew (connect, bind): each selector attaches it and re-checks readiness. */
    void backendChanged() {
        for (MtcpSelectionKey key : keys) {
            key.selectorImpl().backendChanged(key);
        }
    }

    /**
     * The channel's readiness changed by the application's hand, without an engine event
     * (shutdownInput, shutdownOutput): each selector re-checks it.
     */
    void readinessChanged() {
        for (MtcpSelectionKey key : keys) {
            key.selectorImpl().readinessChanged(key);
        }
    }

    /** The inner JDK selectors of the mtcp4j selectors this channel has keys with (cancelled ones included). */
    void forEachInnerSelector(Consumer<Selector> action) {
        for (MtcpSelectionKey key : keys) {
            Selector inner = key.selectorImpl().innerOrNull();
            if (inner != null) {
                action.accept(inner);
            }
        }
    }
}
