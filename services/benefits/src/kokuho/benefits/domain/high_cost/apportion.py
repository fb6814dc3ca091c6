"""Sharing a household amount among persons in proportion to what each bore (按分), in whole
yen: shares rounded down, the yen left over go to the largest remainders (ties: first listed).
No share exceeds the weight it stands on, and the shares add up to the amount exactly."""

from __future__ import annotations


def apportion(amount: int, weights: dict[str, int]) -> dict[str, int]:
    total = sum(weights.values())
    if amount < 0 or amount > total:
        raise ValueError("the amount must lie between 0 and the weights' total")
    if total == 0:
        return {key: 0 for key in weights}
    shares = {key: amount * w // total for key, w in weights.items()}
    left = amount - sum(shares.values())
    order = sorted(weights, key=lambda k: -((amount * weights[k]) % total))
    for key in order[:left]:
        shares[key] += 1
    return shares
