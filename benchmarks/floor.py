"""The floor kernel: the least NumPy work that computes a tick's CES trade aggregates.

Given the cached factors of a world (``F = (tau (1 + t))**(1 - sigma) * open`` and its
tariff-free counterpart ``G``, each (S, N, N)), the origins' capacity weights and producer
prices (S, N) and the buyers' spending (S, N), exact CES needs

1. one pass over F: the denominators ``phi[s, d] = sum_o v[s, o] F[s, o, d]`` with
   ``v = w (p / pbar)**(1 - sigma)``, which give the purchaser price indices;
2. one pass over G: every origin's sales ``v[s, o] sum_d G[s, o, d] spend[s, d] / phi[s, d]``;

plus elementwise work on (S, N) arrays (a power, a root, a few products). Nothing else in a
tick has to touch an N x N x S array. This is the kernel without any of the model's safety
(no blocked-origin correction of the index, no unreachable buyers, no tariff revenue); at large
N its time is two sweeps of memory, at small N the cost of a dozen NumPy calls.
"""

from __future__ import annotations

import numpy as np


def floor_kernel(
    F: np.ndarray, G: np.ndarray, weight: np.ndarray, price: np.ndarray, spend: np.ndarray, one_minus: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CES price indices, sales, exports and imports (S, N) from cached factors.

    Args:
        F: (S, N, N) purchaser-price factors [s, origin, destination].
        G: (S, N, N) producer-price factors (F itself without tariffs).
        weight: (S, N) origins' shares of world capacity.
        price: (S, N) producer prices.
        spend: (S, N) each buyer's spending on each traded sector.
        one_minus: (S, 1) ``1 - sigma``.

    Returns:
        purchaser price index, sales (home included), exports and imports, each (S, N).
    """
    pbar = (weight * price).sum(axis=1, keepdims=True)
    v = weight * (price / pbar) ** one_minus
    phi = np.matmul(v[:, None, :], F)[:, 0, :]  # pass 1
    index = pbar * phi ** (1.0 / one_minus)
    y = spend / phi
    sales = v * np.matmul(G, y[:, :, None])[:, :, 0]  # pass 2
    home = v * y
    return index, sales, sales - home, spend - home


def two_passes(F: np.ndarray, G: np.ndarray, v: np.ndarray, y: np.ndarray) -> None:
    """Only the two contractions (the memory-bandwidth part of the floor)."""
    np.matmul(v[:, None, :], F)
    np.matmul(G, y[:, :, None])


def floor_inputs(model) -> dict[str, np.ndarray]:
    """The floor kernel's inputs taken from a model that has run at least one tick."""
    st, s = model.view(0), model.s
    cap = st.capacity[:, :s]
    weight = np.ascontiguousarray((cap / cap.sum(axis=0)).T)
    f = model.factors
    return {
        "F": f.F,
        "G": f.F if f.G is None else f.G,
        "weight": weight,
        "price": np.ascontiguousarray(st.price[:, :s].T),
        "spend": np.ascontiguousarray(model._spend_traded[0]),
        "one_minus": f.one_minus,
    }
