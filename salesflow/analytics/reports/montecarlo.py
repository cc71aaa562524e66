"""Monte Carlo simulation of a period's revenue: each open record is won with its probability (vectorised)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Upper bound of random draws held in memory at once (trials × records per block).
BLOCK = 2_000_000


@dataclass
class Distribution:
    """Percentiles of the simulated revenue (closed won so far included)."""

    trials: int
    seed: int
    mean: float
    p10: float
    p50: float
    p90: float
    histogram: list[dict[str, float]]

    def to_data(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"trials": self.trials, "seed": self.seed, "mean": self.mean, "p10": self.p10, "p50": self.p50,
                "p90": self.p90}


def simulate(amounts: np.ndarray, probabilities: np.ndarray, trials: int = 10_000, seed: int = 0) -> np.ndarray:
    """Revenue of each trial: the sum of the amounts of the records won in it (independent Bernoulli draws)."""
    amounts = np.asarray(amounts, dtype=np.float64)
    probabilities = np.clip(np.asarray(probabilities, dtype=np.float64), 0.0, 1.0)
    result = np.zeros(trials, dtype=np.float64)
    count = amounts.shape[0]
    if count == 0:
        return result
    rng = np.random.default_rng(seed)
    block = max(1, min(trials, BLOCK // count))
    for start in range(0, trials, block):
        size = min(block, trials - start)
        wins = rng.random((size, count)) < probabilities
        result[start:start + size] = wins @ amounts
    return result


def distribution(amounts: np.ndarray, probabilities: np.ndarray, base: float = 0.0, trials: int = 10_000,
                 seed: int = 0, bins: int = 24) -> Distribution:
    """Percentiles (P10/P50/P90, linear interpolation) and a histogram of ``base`` + simulated revenue."""
    revenue = base + simulate(amounts, probabilities, trials, seed)
    p10, p50, p90 = np.percentile(revenue, [10, 50, 90])
    low, high = float(revenue.min()), float(revenue.max())
    if high <= low:
        histogram = [{"from": round(low, 2), "to": round(high, 2), "trials": trials}]
    else:
        counts, edges = np.histogram(revenue, bins=bins, range=(low, high))
        histogram = [{"from": round(float(edges[i]), 2), "to": round(float(edges[i + 1]), 2),
                      "trials": int(counts[i])} for i in range(len(counts))]
    return Distribution(trials, seed, round(float(revenue.mean()), 2), round(float(p10), 2), round(float(p50), 2),
                        round(float(p90), 2), histogram)
