"""How sure a class can be of its own accuracy: Wilson score intervals, and a comparison with MNIST's test
accuracy that is made only when there are enough drawings, and says "higher" or "lower" from the sign.

The Wilson interval (Wilson 1927; Newcombe 1998, "method 3") stays inside [0, 1] and behaves at 0 of n and n of n,
where the textbook p ± z·√(p(1−p)/n) collapses to a single point.
"""

import math
from dataclasses import dataclass
from enum import Enum

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95 % interval
MIN_TO_COMPARE = 20  # fewer drawings than this: "too few drawings to compare", no percentages


def wilson(right: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for `right` successes in `n` trials; (0, 1) when n is 0 (nothing is known)."""
    if n == 0:
        return 0.0, 1.0
    p, z2 = right / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


class Verdict(Enum):
    """How a class's accuracy stands against MNIST's, in words a sentence can be chosen by."""

    TOO_FEW = "too few"      # fewer than MIN_TO_COMPARE drawings
    SAME = "same"            # exactly equal
    HIGHER = "higher"        # higher, and MNIST's accuracy lies outside our interval
    LOWER = "lower"          # lower, and MNIST's accuracy lies outside our interval
    UNCLEAR_HIGHER = "unclear higher"  # higher, but MNIST's accuracy lies inside our interval
    UNCLEAR_LOWER = "unclear lower"


@dataclass(frozen=True)
class Comparison:
    """A model's accuracy on `n` class drawings (`right` read right) against its MNIST test accuracy."""

    right: int
    n: int
    mnist: float

    @property
    def accuracy(self) -> float:
        return self.right / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.right, self.n)

    @property
    def gap(self) -> float:
        """Our accuracy minus MNIST's, in percentage points: positive when the class is read better."""
        return 100 * (self.accuracy - self.mnist)

    @property
    def verdict(self) -> Verdict:
        if self.n < MIN_TO_COMPARE:
            return Verdict.TOO_FEW
        if self.right == self.n * self.mnist:
            return Verdict.SAME
        low, high = self.interval
        clear = not low <= self.mnist <= high
        if self.accuracy > self.mnist:
            return Verdict.HIGHER if clear else Verdict.UNCLEAR_HIGHER
        return Verdict.LOWER if clear else Verdict.UNCLEAR_LOWER
