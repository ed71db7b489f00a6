/**
 * Network devices: the batch-shaped interface between engines and packet I/O, the in-process
 * devices, and middleware devices that wrap any device (smoltcp's {@code phy/}, mTCP's
 * {@code io_module.h}).
 *
 * <h2>The interface</h2>
 * <ul>
 *   <li>{@link io.mtcp4j.stack.device.NetDevice}: queues of Ethernet frames moved in batches;
 *       engine {@code i} owns queue {@code i}. Name, queue count, MTU, MAC address,
 *       {@link io.mtcp4j.stack.device.Offload offloads}, receive steering, counters, and a
 *       {@link io.mtcp4j.stack.device.WaitHandle} per queue for the idle strategy.</li>
 *   <li>{@link io.mtcp4j.stack.device.FrameBatch}: up to 64 frames as views of device memory with
 *       per-frame offload metadata in preallocated arrays.</li>
 *   <li>{@link io.mtcp4j.stack.device.DeviceFactory}: creates devices by name
 *       ({@code loop}, and {@code tap} / {@code afxdp} from the driver modules), found with
 *       {@link java.util.ServiceLoader}, configured by a {@link io.mtcp4j.stack.device.DeviceConfig}.</li>
 * </ul>
 *
 * <h2>Who owns the memory</h2>
 * Received frames are the device's memory shown in place, valid until the next receive on the
 * same queue, read-only. Frames to transmit are built in buffers the device lends
 * ({@code lend}), and {@code transmit} takes every lent buffer back, sent or not. So a zero-copy
 * driver lends the memory the hardware reads (AF_XDP UMEM chunks) and shows received UMEM chunks
 * in place, and a copying driver (TAP, the loop devices) copies once per frame.
 *
 * <h2>Devices here</h2>
 * <ul>
 *   <li>{@link io.mtcp4j.stack.device.LoopDevice}: loopback, and linked pairs (two stacks back to
 *       back), multi-queue with symmetric RSS ({@link io.mtcp4j.stack.device.RssSteering},
 *       {@link io.mtcp4j.stack.device.ToeplitzHash}); {@link io.mtcp4j.stack.device.LoopDeviceFactory}
 *       registers it as {@code loop}.</li>
 *   <li>{@link io.mtcp4j.stack.device.ImpairedDevice}: loss, corruption, duplication, reordering,
 *       delay with jitter and a rate limit per direction ({@link io.mtcp4j.stack.device.Impairment}),
 *       seeded and clock-injected so tests replay exactly.</li>
 *   <li>{@link io.mtcp4j.stack.device.CaptureDevice}: writes a pcap of every frame in and out.</li>
 * </ul>
 *
 * <h2>No allocation, no locks, counted drops</h2>
 * {@code receive}, {@code lend} and {@code transmit} allocate nothing (buffers and their segment
 * objects are made at creation) and take no lock (the capture device's writer lock aside). Every
 * frame a device drops is counted under a {@link io.mtcp4j.stack.device.DeviceDrop} reason in
 * {@link io.mtcp4j.stack.device.DeviceCounters}, written by the queue's own thread and readable by
 * any thread.
 */
package io.mtcp4j.stack.device;
