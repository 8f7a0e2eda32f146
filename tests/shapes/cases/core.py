"""Cases for core layers: dense projections, activations, noise, embeddings."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, maybe_dim, shape_of_rank

dims = st.integers(1, 6)


@cases("Dense")
@st.composite
def dense(draw: st.DrawFn, name: str) -> Case:
    args: dict[str, Any] = {"units": draw(st.integers(-1, 9))}
    if draw(st.booleans()):
        args["use_bias"] = draw(st.booleans())
    if draw(st.booleans()):
        args["lora_rank"] = draw(st.integers(1, 3))
    shape = (None, *draw(st.lists(maybe_dim, min_size=0, max_size=3)))
    return Case(LayerCall(name, args), [shape])


@cases("EinsumDense")
@st.composite
def einsum(draw: st.DrawFn, name: str) -> Case:
    # Keras accepts a rank mismatch between a no-ellipsis equation and the input at build time
    # (it fails later inside einsum), so inputs always have one axis per input letter here.
    form = draw(st.sampled_from(["ab,bc->ac", "abc,cd->abd", "abc,cde->abde", "...b,bc->...c"]))
    n_out = {"ab,bc->ac": 1, "abc,cd->abd": 2, "abc,cde->abde": 3, "...b,bc->...c": 1}[form]
    rank = 3 if form.startswith("abc") else 2
    if form.startswith("..."):
        rank = draw(st.integers(2, 4))
    shape = shape_of_rank(draw, rank, dims)
    out = draw(st.lists(maybe_dim, min_size=n_out, max_size=n_out))
    letters = form.split("->")[1].replace("...", "")
    args: dict[str, Any] = {"equation": form, "output_shape": out}
    if draw(st.booleans()):
        args["bias_axes"] = draw(st.sampled_from([letters[-1], letters[-2:], letters[1:]]))
    return Case(LayerCall(name, args), [shape])


@cases("PReLU")
@st.composite
def prelu(draw: st.DrawFn, name: str) -> Case:
    rank = draw(st.integers(2, 4))
    shape = shape_of_rank(draw, rank)
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        # Keras indexes shared axes as ``param_shape[i - 1]``, so axis 0 or negative axes would
        # silently alias other axes; only valid axes 1..rank-1 are drawn.
        args["shared_axes"] = draw(st.lists(st.integers(1, rank - 1), min_size=1, unique=True))
    return Case(LayerCall(name, args), [shape])


@cases("Embedding", "ReversibleEmbedding")
@st.composite
def embedding(draw: st.DrawFn, name: str) -> Case:
    args: dict[str, Any] = {
        "input_dim": draw(st.integers(1, 50)),
        "output_dim": draw(st.integers(1, 9)),
    }
    if draw(st.booleans()):
        args["lora_rank"] = draw(st.integers(1, 3))
    if name == "ReversibleEmbedding" and draw(st.booleans()):
        args["tie_weights"] = draw(st.booleans())
    shape = (None, *draw(st.lists(maybe_dim, max_size=2)))
    return Case(LayerCall(name, args), [shape])


_NOISE = ("Dropout", "GaussianDropout", "AlphaDropout", "GaussianNoise")
_SPATIAL = ("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D")


@cases(*_NOISE, *_SPATIAL)
@st.composite
def noise(draw: st.DrawFn, name: str) -> Case:
    value = draw(st.floats(-0.5, 1.5))
    args = {"stddev" if name == "GaussianNoise" else "rate": value}
    shape = (None, *draw(st.lists(dims, min_size=1, max_size=4)))
    return Case(LayerCall(name, args), [shape])


_PLAIN: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "Activation": st.fixed_dictionaries({"activation": st.sampled_from(["relu", "tanh"])}),
    "ELU": st.fixed_dictionaries({}, optional={"alpha": st.floats(0.1, 2)}),
    "Softmax": st.fixed_dictionaries({}, optional={"axis": st.sampled_from([-1, 1])}),
    "Identity": st.just({}),
    "Rescaling": st.fixed_dictionaries({"scale": st.floats(0.001, 2)}),
    "Masking": st.fixed_dictionaries({}, optional={"mask_value": st.floats(-1, 1)}),
    "ActivityRegularization": st.fixed_dictionaries({}, optional={"l1": st.floats(0, 0.1)}),
    "ReLU": st.fixed_dictionaries(
        {},
        optional={
            "max_value": st.floats(-1, 6),
            "negative_slope": st.floats(-0.5, 0.5),
            "threshold": st.floats(-0.5, 0.5),
        },
    ),
    "LeakyReLU": st.fixed_dictionaries({}, optional={"negative_slope": st.floats(-0.5, 0.5)}),
}


@cases(*_PLAIN)
@st.composite
def plain(draw: st.DrawFn, name: str) -> Case:
    args = draw(_PLAIN[name])
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    return Case(LayerCall(name, args), [shape])
