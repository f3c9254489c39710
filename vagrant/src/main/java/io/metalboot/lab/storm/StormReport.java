package io.metalboot.lab.storm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What one storm did, as the generator writes it (JSON) and the bench reads it: the time until
 * every machine was served, each step's p50/p99/max over the machines that finished it, and every
 * failure with its machine, step and error.
 *
 * @param servedSeconds  from the start to the last machine's last step; over all machines, failed ones included
 * @param checksummed    machines whose ramdisk downloads were hashed in full (the rest length-checked)
 * @param bytesHashed    ramdisk bytes hashed and found equal to the files'
 * @param bytesCounted   ramdisk bytes only counted (their length checked)
 * @param unmatchedDhcp  DHCP replies for no pending exchange (answers to retransmissions, mostly)
 * @param retransmitted  DHCP requests the machines sent again after a wait without an answer
 */
public record StormReport(String target, String scope, int machines, int succeeded, double servedSeconds,
                          int checksummed, long bytesHashed, long bytesCounted, long unmatchedDhcp,
                          List<StepFigures> steps, List<Failure> failures, Map<String, Integer> failuresByStep) {

    /** One step's figures, in milliseconds, over the machines that completed it. */
    public record StepFigures(String step, int completed, double p50Ms, double p99Ms, double maxMs) {
        static StepFigures of(StormStep step, long[] nanos) {
            long[] done = Arrays.stream(nanos).filter(n -> n >= 0).sorted().toArray();
            if (done.length == 0) {
                return new StepFigures(step.label(), 0, Double.NaN, Double.NaN, Double.NaN);
            }
            return new StepFigures(step.label(), done.length, ms(percentile(done, 50)), ms(percentile(done, 99)),
                    ms(done[done.length - 1]));
        }
    }

    /** A machine whose boot stopped at {@code step}. */
    public record Failure(int machine, String mac, String step, String error) {
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    public int failed() {
        return machines - succeeded;
    }

    /** The figures of one step, if the storm ran it. */
    public java.util.Optional<StepFigures> step(String label) {
        return steps.stream().filter(s -> s.step().equals(label)).findFirst();
    }

    static List<StepFigures> figures(StormScope scope, long[][] nanosByStep) {
        List<StepFigures> figures = new ArrayList<>();
        for (StormStep step : StormStep.values()) {
            if (step.in(scope)) {
                figures.add(StepFigures.of(step, nanosByStep[step.ordinal()]));
            }
        }
        return figures;
    }
}
