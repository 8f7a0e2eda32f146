"""keras.io examples whose Lambda layers graphspec cannot import (their Python is never read),
written by hand as expressions: the same values as the examples' Lambdas, rewritten here."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pytest

import graphspec
from graphspec import check
from graphspec.backends.importer import UnsupportedLayersError, from_keras

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras
layers, ops = keras.layers, keras.ops

# -- keras.io/examples/rl/deep_q_network_breakout --------------------------------------------------


def _dqn(num_actions: int = 4) -> Any:
    """``create_q_model()`` as the example writes it: a Lambda puts the frames last."""
    return keras.Sequential(
        [
            keras.Input((4, 84, 84)),
            layers.Lambda(
                lambda tensor: keras.ops.transpose(tensor, [0, 2, 3, 1]),
                output_shape=(84, 84, 4),
            ),
            layers.Conv2D(32, 8, strides=4, activation="relu"),
            layers.Conv2D(64, 4, strides=2, activation="relu"),
            layers.Conv2D(64, 3, strides=1, activation="relu"),
            layers.Flatten(),
            layers.Dense(512, activation="relu"),
            layers.Dense(num_actions, activation="linear"),
        ]
    )


DQN = textwrap.dedent(
    """\
    graphspec: 1.1
    name: dqn
    inputs: {frames: {shape: [4, 84, 84]}}
    nodes:
      frames_last: {expr: "transpose(frames, [0, 2, 3, 1])"}
      conv1:  {type: Conv2D, filters: 32, kernel_size: 8, strides: 4, activation: relu}
      conv2:  {type: Conv2D, filters: 64, kernel_size: 4, strides: 2, activation: relu}
      conv3:  {type: Conv2D, filters: 64, kernel_size: 3, strides: 1, activation: relu}
      flat:   {type: Flatten}
      hidden: {type: Dense, units: 512, activation: relu}
      q:      {type: Dense, units: 4, activation: linear}
    """
)


def test_dqn_transpose_as_an_expression_computes_the_lambda() -> None:
    original, model = _dqn(), graphspec.compile(DQN)
    result = check(DQN)
    assert result.shapes is not None and result.shapes["frames_last"].outputs == (
        (None, 84, 84, 4),
    )
    assert model.count_params() == original.count_params() == result.shapes.total
    model.set_weights(original.get_weights())
    frames = np.random.default_rng(0).random((2, 4, 84, 84), dtype="float32")
    np.testing.assert_allclose(
        model.predict(frames, verbose=0), original.predict(frames, verbose=0), atol=1e-5
    )


def test_importing_the_lambda_says_how_to_write_it() -> None:
    with pytest.raises(UnsupportedLayersError) as info:
        from_keras(_dqn())
    message = str(info.value)
    assert "a Lambda runs Python code, which graphspec never reads" in message
    assert 'expr: "transpose(' in message and "register_layer" not in message


# -- keras.io/examples/generative/ddim --------------------------------------------------------------

EMBEDDING_DIMS = 32
EMBEDDING_MAX_FREQUENCY = 1000.0


def _sinusoidal_embedding(x: Any) -> Any:
    """The example's ``sinusoidal_embedding``, as it writes it."""
    embedding_min_frequency = 1.0
    frequencies = ops.exp(
        ops.linspace(
            ops.log(embedding_min_frequency),
            ops.log(EMBEDDING_MAX_FREQUENCY),
            EMBEDDING_DIMS // 2,
        )
    )
    angular_speeds = ops.cast(2.0 * math.pi * frequencies, "float32")
    embeddings = ops.concatenate([ops.sin(angular_speeds * x), ops.cos(angular_speeds * x)], axis=3)
    return embeddings


def _ddim_embedding(image_size: int = 8) -> Any:
    noise_variances = keras.Input(shape=(1, 1, 1))
    e = layers.Lambda(_sinusoidal_embedding, output_shape=(1, 1, 32))(noise_variances)
    e = layers.UpSampling2D(size=image_size, interpolation="nearest")(e)
    return keras.Model(noise_variances, e)


DDIM = textwrap.dedent(
    """\
    graphspec: 1.1
    name: ddim_embedding
    params: {dims: 32, max_frequency: 1000.0, image_size: 8}
    inputs: {noise_variances: {shape: [1, 1, 1]}}
    nodes:
      angles:    {expr: "2.0 * 3.141592653589793 * exp(linspace(log(1.0), log(${max_frequency}), ${dims} // 2)) * noise_variances"}
      embedding: {expr: "concatenate([sin(angles), cos(angles)], axis=3)"}
      upsampled: {type: UpSampling2D, size: "${image_size}", interpolation: nearest}
    """
)


def test_ddim_sinusoidal_embedding_as_expressions_computes_the_lambda() -> None:
    original, model = _ddim_embedding(), graphspec.compile(DDIM)
    result = check(DDIM)
    assert result.shapes is not None
    assert result.shapes["embedding"].outputs == ((None, 1, 1, 32),)
    assert result.shapes["upsampled"].outputs == ((None, 8, 8, 32),)
    variances = np.random.default_rng(0).random((5, 1, 1, 1), dtype="float32")
    got, want = model.predict(variances, verbose=0), original.predict(variances, verbose=0)
    assert got.shape == want.shape == (5, 8, 8, 32)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
