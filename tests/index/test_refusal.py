"""The refusal decision is the fitted model shipped as data, read and applied as written."""

import json
import math

import pytest

from index.refusal import FEATURES, Evidence, RefusalModel, default_model


def evidence(**values):
    return Evidence(**{name: values.get(name, 0.0) for name in FEATURES})


def test_the_shipped_model_names_every_feature_and_an_operating_point():
    model = default_model()
    assert len(model.weights) == len(FEATURES)
    assert 0 < model.threshold < 1
    assert all(math.isfinite(w) for w in (*model.weights, model.bias))


def test_the_probability_is_the_logistic_of_the_weighted_features():
    model = RefusalModel(tuple(float(n) for n in range(len(FEATURES))), -1.0, 0.5)
    seen = evidence(coverage=0.5, sentence=0.25)
    z = -1.0 + 0 * 0.5 + 1 * 0.25
    assert model.probability(seen) == pytest.approx(1 / (1 + math.exp(-z)))
    assert model.answers(seen) is (model.probability(seen) >= 0.5)


def test_a_model_of_other_features_is_refused():
    data = {"features": ["coverage"], "weights": {"coverage": 1}, "bias": 0, "threshold": 0.5}
    with pytest.raises(ValueError, match="features"):
        RefusalModel.from_json(json.dumps(data))
