/**
 * The TAP driver: a Linux TAP interface as a {@link io.mtcp4j.stack.device.NetDevice}, through the
 * FFM API ({@code java.lang.foreign}), no JNI.
 *
 * <ul>
 *   <li>{@link io.mtcp4j.driver.tap.TapDevice}: one non-blocking file per queue on
 *       {@code /dev/net/tun} ({@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE}),
 *       bursts of {@code read} until {@code EAGAIN} into preallocated slots, one {@code write}
 *       per frame, checksum offload through the {@code virtio_net_hdr}, and a wait handle that
 *       polls the queue's file together with an eventfd.</li>
 *   <li>{@link io.mtcp4j.driver.tap.TapDeviceFactory}: the {@code tap} device for
 *       {@link java.util.ServiceLoader} ({@code driver=tap}).</li>
 *   <li>Native surface: {@code Libc} (downcalls with errno captured per call), {@code LinuxTun}
 *       ({@code struct ifreq}, ioctl numbers, flags) and {@code VirtioNetHeader}, all checked
 *       against C by a probe compiled in the tests.</li>
 * </ul>
 *
 * <p>Privileges: CAP_NET_ADMIN to create or attach to the interface (or an interface created
 * for the user with {@code ip tuntap add ... user}). {@code ./mtcp4j net up} creates the
 * interface with its kernel-side addresses.
 */
package io.mtcp4j.driver.tap;
