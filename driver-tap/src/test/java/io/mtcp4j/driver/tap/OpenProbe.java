package io.mtcp4j.driver.tap;

/**
 * Opens a TAP device in a separate process and prints what happened on one line ("opened", or
 * the {@link TapException}'s reason and message): how a test sees the error a process without
 * privileges gets.
 */
public final class OpenProbe {
    private OpenProbe() {}

    public static void main(String[] args) {
        try (TapDevice device = TapDevice.open(TapDevice.Options.defaults(args[0]).withCreate(true))) {
            System.out.println("opened " + device);
        } catch (TapException e) {
            System.out.println(e.reason() + " " + e.getMessage());
        }
    }
}
