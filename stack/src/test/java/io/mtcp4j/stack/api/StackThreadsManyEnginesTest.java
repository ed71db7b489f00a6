package io.mtcp4j.stack.api;

/**
 * {@link StackThreadsTest} with four client engines and two server engines on four-queue
 * devices: connects spread over the engines, ports steer replies back to the opening engine, and
 * the server's two engines each read two queues.
 */
class StackThreadsManyEnginesTest extends StackThreadsTest {
    @Override
    int clientEngines() {
        return 4;
    }

    @Override
    int serverEngines() {
        return 2;
    }
}
