package io.metalboot.machine.agent;

/**
 * How far a deploy's write has come: guest bytes done (written, or zeroed) of the image's
 * virtual size (0 while unknown), the recent rate, and the estimated seconds left (-1 unknown).
 */
public record DeployProgress(long bytesDone, long imageBytes, long bytesPerSecond, long etaSeconds) {
}
