package io.metalboot.agent.deploy;

import io.metalboot.machine.agent.DeployProgress;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/** Once a second while a write runs: bytes done, the rate over the last seconds, and the time left. */
final class ProgressTicker implements AutoCloseable {
    private final LongSupplier done;
    private final long total;
    private final Consumer<DeployProgress> listener;
    private final Thread thread;
    private volatile boolean running = true;
    private double rate;

    ProgressTicker(LongSupplier done, long total, Consumer<DeployProgress> listener) {
        this.done = done;
        this.total = Math.max(total, 0);
        this.listener = listener;
        this.thread = Thread.ofVirtual().name("deploy-progress").start(this::run);
    }

    private void run() {
        long lastBytes = 0;
        long lastTime = System.nanoTime();
        while (running) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long bytes = done.getAsLong();
            double instant = (bytes - lastBytes) / ((now - lastTime) / 1e9);
            rate = rate == 0 ? instant : 0.7 * rate + 0.3 * instant; // smoothed: one slow second is not the ETA
            lastBytes = bytes;
            lastTime = now;
            long eta = total > 0 && rate > 0 ? (long) Math.ceil(Math.max(0, total - bytes) / rate) : -1;
            listener.accept(new DeployProgress(bytes, total, (long) rate, eta));
        }
    }

    /** The final figure: all of it done. */
    void last(long size) {
        running = false;
        thread.interrupt();
        listener.accept(new DeployProgress(size, size, (long) rate, 0));
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
