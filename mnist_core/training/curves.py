"""Training curves that show what happened: per-batch values, smoothed straight through epoch boundaries."""


class BatchSmoother:
    """Per-batch values recovered from Keras's running means over the current epoch, then smoothed
    by an exponential moving average that runs straight through epoch boundaries.

    Keras reports `mean_k`, the mean of batches 1..k of this epoch, so batch k alone was
    `k·mean_k − (k−1)·mean_(k−1)` (exact for equal batches). Plotting the running mean itself makes the
    curve jump at every epoch start, where the mean restarts: a leap in learning that did not happen.
    """

    def __init__(self, decay: float = 0.9):
        self.decay, self.average, self.weight = decay, 0.0, 0.0
        self.new_epoch()

    def new_epoch(self) -> None:
        self.k, self.mean = 0, 0.0

    def add(self, running_mean: float) -> float:
        """Take the epoch's running mean after one more batch; return the smoothed per-batch value."""
        self.k += 1
        batch = self.k * running_mean - (self.k - 1) * self.mean
        self.mean = running_mean
        self.average = self.decay * self.average + (1 - self.decay) * batch
        self.weight = self.decay * self.weight + (1 - self.decay)  # bias correction, as in Adam
        return self.average / self.weight
