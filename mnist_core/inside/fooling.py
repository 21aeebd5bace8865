"""Fool the network: the fewest pixels, found greedily, whose change flips a model's verdict.

Each step tries changing one more pixel to the opposite extreme (ink → 0, background → 1), every
candidate in one batched forward pass, and keeps the change that raises P(target) most (or, with no
target, lowers P(current verdict) most). Only forward passes: the same on every Keras backend.

A full pass over all 784 pixels is costly for a convnet, so between full passes (every `refresh`
steps) only a shortlist of the last full pass's best candidates is re-scored ("lazy greedy").
"""

import time
from dataclasses import dataclass

import keras
import numpy as np

from mnist_core.models.inference import SIDE, forward

SHORTLIST = 48  # pixels re-scored between full scans: the most promising of the last scan
REFRESH = 8     # every 8th step scans all 784 pixels again

@dataclass(frozen=True)
class FoolResult:
    """What the search changed, in order, and what the model said before and after."""

    original: np.ndarray         # (28, 28) the drawing
    changed: np.ndarray          # (28, 28) the drawing with `pixels` changed
    pixels: list[tuple[int, int]]  # (row, col) in the order the search changed them
    before: np.ndarray           # (10,) probabilities for the drawing
    after: np.ndarray            # (10,) probabilities for the changed drawing
    target: int | None           # the digit asked for, or None for "anything but the verdict"
    tried: int                   # candidate images the search sent through the model
    seconds: float

    @property
    def fooled(self) -> bool:
        """Whether the verdict now is the target (or, with no target, no longer the original)."""
        verdict = int(self.after.argmax())
        return verdict == self.target if self.target is not None else verdict != int(self.before.argmax())


def flipped(image: np.ndarray, pixels: list[tuple[int, int]]) -> np.ndarray:
    """`image` with each listed pixel set to the opposite extreme: 0 where it was ≥ 0.5, else 1."""
    out = np.array(image, dtype=np.float32)
    for r, c in pixels:
        out[r, c] = 0.0 if image[r, c] >= 0.5 else 1.0
    return out


def _goal(probs: np.ndarray, target: int | None, original: int) -> np.ndarray:
    """The score each candidate should raise: P(target), or −P(original verdict)."""
    return probs[:, target] if target is not None else -probs[:, original]


def _reached(probs: np.ndarray, target: int | None, original: int) -> bool:
    return int(probs.argmax()) == target if target is not None else int(probs.argmax()) != original


def _try(model: keras.Model, current: np.ndarray, flat: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Probabilities (len(candidates), 10) for `current` with each candidate pixel flipped."""
    batch = np.repeat(current.reshape(1, -1), len(candidates), axis=0)  # (K, 784)
    batch[np.arange(len(candidates)), candidates] = np.where(flat[candidates] >= 0.5, 0.0, 1.0)
    return forward(model, batch.reshape(-1, SIDE, SIDE))


def _best(model: keras.Model, current: np.ndarray, flat: np.ndarray, pool: np.ndarray, chosen: list[int],
          target: int | None, original: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores (len(pool),) of flipping each pixel of `pool` next, and the models' outputs for each."""
    outcomes = _try(model, current, flat, pool)
    scores = _goal(outcomes, target, original)
    scores[np.isin(pool, chosen)] = -np.inf  # a pixel changes once
    return scores, outcomes


def fool(model: keras.Model, image: np.ndarray, target: int | None = None, max_pixels: int = 60,
         seconds: float = 2.0, shortlist: int = SHORTLIST, refresh: int = REFRESH) -> FoolResult:
    """Greedily change up to `max_pixels` pixels of a (28, 28) [0, 1] image until the verdict flips.

    Stops at the first flip, after `max_pixels` changes, or before a step that would end after `seconds`
    (judged by how long the last step of the same kind took).
    """
    start = time.perf_counter()
    flat = np.asarray(image, dtype=np.float32).reshape(-1)
    before = forward(model, flat.reshape(SIDE, SIDE))[0]
    original, current, probs = int(before.argmax()), flat.copy(), before
    chosen: list[int] = []
    everywhere = ranked = np.arange(flat.size)
    took = {True: 0.0, False: 0.0}  # the last full and shortlist step's duration
    while not _reached(probs, target, original) and len(chosen) < max_pixels:
        full = len(chosen) % refresh == 0
        if time.perf_counter() - start + took[full] > seconds:
            break
        step = time.perf_counter()
        pool = everywhere if full else ranked  # two batch sizes only: each new one would retrace the graph
        scores, outcomes = _best(model, current, flat, pool, chosen, target, original)
        ranked = pool[np.argsort(-scores)[:shortlist]] if full else ranked
        best = int(scores.argmax())
        chosen.append(int(pool[best]))
        current[pool[best]] = 0.0 if flat[pool[best]] >= 0.5 else 1.0
        probs, took[full] = outcomes[best], time.perf_counter() - step
    tried = sum(flat.size if i % refresh == 0 else shortlist for i in range(len(chosen)))
    return FoolResult(original=flat.reshape(SIDE, SIDE), changed=current.reshape(SIDE, SIDE),
                      pixels=[divmod(p, SIDE) for p in chosen], before=before, after=probs, target=target,
                      tried=tried, seconds=time.perf_counter() - start)


@dataclass(frozen=True)
class Ranking:
    """Which models fell to the fewest changed pixels, and which resisted most; a tie keeps every name."""

    easiest: list[str]     # fooled by the fewest changed pixels; empty when no change fooled any
    fewest: int | None
    hardest: list[str]     # not fooled within the budget, or else fooled by the most changed pixels
    most: int | None       # None when `hardest` resisted the whole budget (or nothing was changed)


def rank(results: dict[str, FoolResult]) -> Ranking:
    """Rank each model's search on one drawing (a model that already read the goal needed no change)."""
    changed = {name: len(r.pixels) for name, r in results.items() if r.fooled and r.pixels}
    fewest, most = min(changed.values(), default=None), max(changed.values(), default=None)
    resisted = [name for name, r in results.items() if not r.fooled]
    return Ranking([name for name, count in changed.items() if count == fewest], fewest,
                   resisted or [name for name, count in changed.items() if count == most],
                   None if resisted else most)
