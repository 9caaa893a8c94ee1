"""Feature weights proposed from outcomes: which features of nominated pairs went with acceptance.

A nomination is a (graduate, opening) pair the enterprise saw; its outcome is accepted or not. A logistic
regression of acceptance on the pair's five feature values (each in [0, 1], the values `features.explain` gives,
in `model.FEATURES` order) says how much each feature moved the odds of acceptance. The coefficients are on the
values themselves, not on standardised ones, because the fit multiplies the values by the weights: a coefficient
is the change in log-odds per unit of that value, the same unit a weight is in. A negative coefficient (a feature
that went *against* acceptance) becomes weight 0, since a weight cannot be negative; the rest are normalised to
sum to 1. If no coefficient is positive there is nothing to propose.

The regression keeps scikit-learn's default L2 penalty (C = 1): with a few hundred outcomes it keeps one lucky
feature from taking all the weight, at the price of pulling the proposal a little towards equal weights.

This only proposes: a person decides whether to adopt the weights. Outcomes also reflect the weights in force
when the candidates were shown, so a proposal is a hint to review, not an estimate of the truth.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

from matching.features import Explanation
from matching.model import FEATURES, Weights

MIN_PER_CLASS = 30
FOLDS = 5
SEED = 0


@dataclass(frozen=True)
class Proposal:
    """Weights proposed from `samples` outcomes of which `accepted` were acceptances.

    `coefficients` are the regression's, per feature, before clipping and normalising. `accuracy` is the share of
    outcomes the regression predicts right: cross-validated over `folds` stratified folds, or in-sample (on the
    outcomes it was fitted to, so optimistic) when `folds` is 0 because a class has too few outcomes to split.
    """

    weights: Weights
    samples: int
    accepted: int
    coefficients: dict[str, float]
    accuracy: float
    folds: int = FOLDS


def feature_values(explanation: Explanation) -> list[float]:
    """The five feature values of an explained pair, in `FEATURES` order: one row of `propose_weights`' input."""
    by_feature = {c.feature: c.value for c in explanation.contributions}
    return [float(by_feature[name]) for name in FEATURES]


def propose_weights(
    features: np.ndarray | Sequence[Sequence[float]],
    accepted: np.ndarray | Sequence[bool],
    min_per_class: int = MIN_PER_CLASS,
) -> Proposal | None:
    """Propose weights from the feature values of nominated pairs and whether each was accepted.

    Returns None when either class has fewer than `min_per_class` outcomes ("not enough outcomes yet") or when no
    feature went with acceptance. Raises ValueError on malformed input. Deterministic: the same outcomes give
    the same proposal.
    """
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(accepted)
    if x.ndim != 2 or x.shape[1] != len(FEATURES):
        raise ValueError(f"features must be an n x {len(FEATURES)} array in the order {FEATURES}")
    if y.ndim != 1 or len(y) != len(x):
        raise ValueError("accepted must hold one outcome per row of features")
    if not np.all(np.isfinite(x)):
        raise ValueError("feature values must be finite")
    y = y.astype(bool)
    n_accepted = int(y.sum())
    smaller_class = min(n_accepted, len(y) - n_accepted)
    if smaller_class < max(1, min_per_class):
        return None

    model = LogisticRegression()
    model.fit(x, y)
    coefficients = model.coef_[0]
    positive = np.clip(coefficients, 0.0, None)
    if positive.sum() <= 0:
        return None
    weights = Weights(**dict(zip(FEATURES, positive.tolist(), strict=True)))

    folds = min(FOLDS, smaller_class)
    if folds >= 2:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
        accuracy = float(cross_val_score(LogisticRegression(), x, y, cv=splitter, scoring="accuracy").mean())
    else:
        folds = 0
        accuracy = float(model.score(x, y))
    return Proposal(
        weights=weights,
        samples=len(y),
        accepted=n_accepted,
        coefficients={name: float(c) for name, c in zip(FEATURES, coefficients, strict=True)},
        accuracy=accuracy,
        folds=folds,
    )
