package io.mtcp4j.provider;

import java.nio.channels.spi.SelectorProvider;

/**
 * The JDK's own {@link SelectorProvider} (epoll on Linux), which makes every kernel channel of
 * the provider: kernel delegates, kernel twins of loopback listeners, datagram channels, pipes
 * and Unix-domain channels.
 *
 * <h2>Why this is not simply {@code SelectorProvider.provider()}</h2>
 * When an application runs with {@code -Djava.nio.channels.spi.SelectorProvider=}{@link
 * MtcpSelectorProvider}, {@code SelectorProvider.provider()} is mtcp4j itself: asking it from
 * inside the provider would hand out our own channels (endless delegation), and asking it while
 * the JDK is still constructing our provider (its holder class initialising) returns null. No
 * public API returns the platform provider instance: the JDK makes it in
 * {@code sun.nio.ch.DefaultSelectorProvider.get()}, a package java.base does not export. So:
 * <ol>
 *   <li>when {@code sun.nio.ch} is exported to this module ({@code --add-exports
 *       java.base/sun.nio.ch=ALL-UNNAMED} on the command line or {@code Add-Exports} in an
 *       executable jar's manifest, or by the mtcp4j agent, which exports it with
 *       {@code Instrumentation.redefineModule}), that method is called reflectively;</li>
 *   <li>otherwise, when the JDK's {@code SelectorProvider.provider()} is not mtcp4j (an
 *       application or test created this provider with {@code new}), that provider is used;</li>
 *   <li>otherwise kernel channels are unavailable: operations that need one fail with an
 *       {@link UnsupportedOperationException} saying how to fix it, and stack channels work.</li>
 * </ol>
 * The answer is looked up once, on first use (never while the JDK constructs our provider).
 */
final class PlatformProvider {
    private static final String PROPERTY = "java.nio.channels.spi.SelectorProvider";

    private PlatformProvider() {
    }

    private static final class Holder {
        static final SelectorProvider INSTANCE;
        static final String PROBLEM;

        static {
            SelectorProvider found = null;
            String problem = null;
            try {
                found = lookup();
            } catch (RuntimeException | ReflectiveOperationException e) {
                problem = e.toString();
            }
            if (found == null && problem == null) {
                problem = "java.base does not export sun.nio.ch to mtcp4j and SelectorProvider.provider() is mtcp4j";
            }
            INSTANCE = found;
            PROBLEM = problem;
        }
    }

    /** Whether kernel channels can be made. */
    static boolean available() {
        return Holder.INSTANCE != null;
    }

    /**
     * The platform provider.
     *
     * @throws UnsupportedOperationException when it cannot be reached, with the fix
     */
    static SelectorProvider get() {
        SelectorProvider provider = Holder.INSTANCE;
        if (provider == null) {
            throw new UnsupportedOperationException("mtcp4j needs the JDK's platform SelectorProvider for kernel channels ("
                    + Holder.PROBLEM + "): run with --add-exports java.base/sun.nio.ch=ALL-UNNAMED or with the mtcp4j agent");
        }
        return provider;
    }

    private static SelectorProvider lookup() throws ReflectiveOperationException {
        Module base = Object.class.getModule();
        if (base.isExported("sun.nio.ch", PlatformProvider.class.getModule())) {
            Class<?> type = Class.forName("sun.nio.ch.DefaultSelectorProvider");
            return (SelectorProvider) type.getMethod("get").invoke(null);
        }
        String configured = System.getProperty(PROPERTY);
        if (configured != null && configured.equals(MtcpSelectorProvider.class.getName())) {
            return null; // the JDK's provider() is (or is becoming) ours
        }
        SelectorProvider system = SelectorProvider.provider(); // null while the JDK constructs a provider that made us
        if (system == null || system instanceof MtcpSelectorProvider) {
            return null;
        }
        return system;
    }
}
