"""Weights proposed from outcomes: the feature acceptance depends on gets the weight, and too little data gives none."""

import numpy as np
import pytest

from matching.features import Contribution, Explanation
from matching.model import FEATURES, Weights
from matching.weights import Proposal, feature_values, propose_weights


def outcomes(n: int = 600, seed: int = 3, depends_on: str = "major") -> tuple[np.ndarray, np.ndarray]:
    """Feature values drawn uniformly; acceptance depends on one feature only, with some noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(n, len(FEATURES)))
    column = x[:, FEATURES.index(depends_on)]
    accepted = rng.uniform(0, 1, n) < 0.05 + 0.9 * column
    return x, accepted


@pytest.mark.parametrize("feature", ["major", "place"])
def test_the_feature_acceptance_depends_on_gets_the_largest_weight(feature):
    x, accepted = outcomes(depends_on=feature)
    proposal = propose_weights(x, accepted)
    assert isinstance(proposal, Proposal)
    weights = proposal.weights.as_dict()
    assert max(weights, key=weights.get) == feature
    assert weights[feature] > 0.5
    assert proposal.samples == len(x)
    assert proposal.accepted == int(accepted.sum())
    assert set(proposal.coefficients) == set(FEATURES)
    assert proposal.folds == 5
    assert 0.6 < proposal.accuracy <= 1


def test_weights_are_non_negative_and_sum_to_one():
    x, accepted = outcomes()
    weights = propose_weights(x, accepted).weights
    values = [getattr(weights, name) for name in FEATURES]
    assert all(v >= 0 for v in values)
    assert sum(values) == pytest.approx(1.0)
    # a feature that goes against acceptance gets weight 0, not a negative one
    x[:, FEATURES.index("grades")] = 1 - x[:, FEATURES.index("major")]
    proposal = propose_weights(x, accepted)
    assert proposal.coefficients["grades"] < 0
    assert proposal.weights.grades == 0


def test_too_few_outcomes_of_either_class_give_none():
    x, accepted = outcomes(n=40)
    assert propose_weights(x, accepted) is None  # 40 outcomes cannot hold 30 of each
    x, accepted = outcomes()
    assert propose_weights(x, np.ones(len(x), dtype=bool)) is None
    few_rejections = accepted.copy()
    few_rejections[np.flatnonzero(~accepted)[29:]] = True  # 29 rejections left
    assert propose_weights(x, few_rejections) is None
    assert propose_weights(x, few_rejections, min_per_class=29) is not None


def test_no_feature_going_with_acceptance_gives_none():
    x, accepted = outcomes()
    inverse = np.all(x < 0.5, axis=1)  # accepted when every value is low
    x = np.vstack([x, np.full((40, len(FEATURES)), 0.1)])
    inverse = np.concatenate([inverse, np.ones(40, dtype=bool)])
    assert propose_weights(x, inverse) is None


def test_deterministic():
    x, accepted = outcomes()
    assert propose_weights(x, accepted) == propose_weights(x.copy(), accepted.copy())


def test_small_classes_fall_back_to_fewer_folds():
    x, accepted = outcomes(n=200)
    rejected = np.flatnonzero(~accepted)
    accepted[rejected[3:]] = True  # three rejections: three folds
    proposal = propose_weights(x, accepted, min_per_class=3)
    assert proposal is not None
    assert proposal.folds == 3


def test_malformed_input_is_rejected():
    x, accepted = outcomes()
    with pytest.raises(ValueError, match="features"):
        propose_weights(x[:, :4], accepted)
    with pytest.raises(ValueError, match="accepted"):
        propose_weights(x, accepted[:-1])
    x[0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        propose_weights(x, accepted)


def test_feature_values_follow_the_features_order():
    values = dict(zip(FEATURES, (1.0, 0.42, 0.5, 0.6, 0.8), strict=True))
    explanation = Explanation(
        tuple(Contribution(name, values[name], getattr(Weights(), name), "r") for name in reversed(FEATURES))
    )
    assert feature_values(explanation) == [values[name] for name in FEATURES]
