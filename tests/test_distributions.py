import numpy as np
import pytest

from versterking.engine.distributions import from_uniforms, mean_of
from versterking.inputs.blocks import Empirical, Exponential, Fixed, Gamma, Lognormal, Triangular

U = np.random.default_rng(0).random(200_000)

SPECS = [
    Fixed(dist="fixed", value=12.5),
    Exponential(dist="exponential", mean=40),
    Lognormal(dist="lognormal", mean=120, sd=60),
    Gamma(dist="gamma", mean=365, sd=150),
    Triangular(dist="triangular", low=10, mode=20, high=60),
    Empirical(dist="empirical", values=[30, 5, 10], weights=[1, 1, 2]),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.dist)
def test_sample_mean_matches_the_spec(spec):
    x = from_uniforms(spec, U)
    assert (x >= 0).all()
    assert x.mean() == pytest.approx(mean_of(spec), rel=0.01)


@pytest.mark.parametrize("spec", SPECS[2:4], ids=lambda s: s.dist)
def test_sd_matches_the_spec(spec):
    assert from_uniforms(spec, U).std() == pytest.approx(spec.sd, rel=0.02)


def test_empirical_takes_only_its_values_with_its_weights():
    x = from_uniforms(SPECS[-1], U)
    values, counts = np.unique(x, return_counts=True)
    assert values.tolist() == [5, 10, 30]
    np.testing.assert_allclose(counts / len(x), [0.25, 0.5, 0.25], atol=0.005)


@pytest.mark.parametrize("spec", SPECS[1:], ids=lambda s: s.dist)
def test_inverse_cdf_is_monotone_so_draws_are_coupled(spec):
    u = np.linspace(0, 0.999, 500)
    assert np.all(np.diff(from_uniforms(spec, u)) >= 0)
