"""Cases for core layers: dense projections, activations, noise, embeddings."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.passes.shapes import LayerCall

from . import Case, cases, fault, maybe_dim, shape_of_rank

dims = st.integers(1, 6)


@cases("Dense")
@st.composite
def dense(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, max_size=2)), draw(dims))
    broken = fault(draw, "units", "rank", "features")
    args: dict[str, Any] = {"units": draw(st.integers(1, 9))}
    if draw(st.booleans()):
        args["use_bias"] = draw(st.booleans())
    if draw(st.booleans()):
        args["lora_rank"] = draw(st.integers(1, 3))
    if broken == "units":
        args["units"] = draw(st.integers(-1, 0))
    elif broken == "rank":
        shape = (None,)
    elif broken == "features":
        shape = (*shape[:-1], None)
    return Case(LayerCall(name, args), [shape])


# Each form: its input rank (None: any from 2 to 4, '...'), output letters with the input's size
# (shared), new output letters, and the bias_axes that name only known sizes.
_EINSUM = {
    "ab,bc->ac": (2, "", "c", ["c"]),
    "abc,cd->abd": (3, "b", "d", ["d", "bd"]),
    "abc,cde->abde": (3, "b", "de", ["e", "de", "bde"]),
    "...b,bc->...c": (None, "", "c", ["c"]),
}


@cases("EinsumDense")
@st.composite
def einsum(draw: st.DrawFn, name: str) -> Case:
    # Keras accepts a rank mismatch between a no-ellipsis equation and the input at build time
    # (it fails later inside einsum), so inputs always have one axis per input letter here.
    form = draw(st.sampled_from(sorted(_EINSUM)))
    rank, shared, new, biases = _EINSUM[form]
    broken = fault(draw, "shared", "contracted")
    shape = shape_of_rank(draw, rank or draw(st.integers(2, 4)), dims)
    out: list[Any] = [draw(st.sampled_from([shape[1], None])) for _ in shared]
    out += [draw(dims) for _ in new]
    args: dict[str, Any] = {"equation": form, "output_shape": out}
    if draw(st.booleans()):
        args["bias_axes"] = draw(st.sampled_from(biases))
        if "b" in args["bias_axes"]:  # its size comes from output_shape: give it
            out[0] = shape[1]
    if broken == "shared" and shared:
        out[0] = shape[1] + 1
    elif broken is not None:  # the contracted axis unknown: the kernel has no size
        shape = (*shape[:-1], None)
    return Case(LayerCall(name, args), [shape])


@cases("PReLU")
@st.composite
def prelu(draw: st.DrawFn, name: str) -> Case:
    rank = draw(st.integers(2, 4))
    broken = fault(draw, "unknown")
    shape = list(shape_of_rank(draw, rank, dims))
    args: dict[str, Any] = {}
    if draw(st.booleans()):
        # Keras indexes shared axes as ``param_shape[i - 1]``, so axis 0 or negative axes would
        # silently alias other axes; only valid axes 1..rank-1 are drawn.
        args["shared_axes"] = draw(st.lists(st.integers(1, rank - 1), min_size=1, unique=True))
        for axis in args["shared_axes"]:  # a shared axis may have any size
            shape[axis] = draw(maybe_dim)
    if broken is not None:  # a weight axis of unknown size
        free = [a for a in range(1, rank) if a not in args.get("shared_axes", [])]
        if free:
            shape[draw(st.sampled_from(free))] = None
    return Case(LayerCall(name, args), [tuple(shape)])


@cases("Embedding", "ReversibleEmbedding")
@st.composite
def embedding(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, max_size=2)))
    broken = fault(draw, "input_dim", "output_dim", *(["lora_untied"] if "Rev" in name else []))
    args: dict[str, Any] = {
        "input_dim": draw(st.integers(1, 50)),
        "output_dim": draw(st.integers(1, 9)),
    }
    if draw(st.booleans()):
        args["lora_rank"] = draw(st.integers(1, 3))
    if name == "ReversibleEmbedding" and draw(st.booleans()):
        # Keras fails to build lora_rank with untied weights (the rule says so).
        args["tie_weights"] = draw(st.booleans()) if "lora_rank" not in args else True
    if broken in ("input_dim", "output_dim"):
        args[broken] = 0
    elif broken == "lora_untied":
        args["lora_rank"], args["tie_weights"] = 2, False
    return Case(LayerCall(name, args), [shape])


_NOISE = ("Dropout", "GaussianDropout", "AlphaDropout", "GaussianNoise")
_SPATIAL = ("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D")


@cases(*_NOISE, *_SPATIAL)
@st.composite
def noise(draw: st.DrawFn, name: str) -> Case:
    spatial = name in _SPATIAL
    rank = int(name[-2]) + 2 if spatial else draw(st.integers(2, 5))
    broken = fault(draw, "rate", *(["rank"] if spatial else []))
    value = draw(st.floats(0, 1))
    if broken == "rate":
        value = draw(st.sampled_from([-0.5, -0.01, 1.01, 1.5]))
    elif broken == "rank":
        rank = draw(st.sampled_from([rank - 1, rank + 1]))
    args = {"stddev" if name == "GaussianNoise" else "rate": value}
    return Case(LayerCall(name, args), [shape_of_rank(draw, rank, dims)])


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
            "max_value": st.floats(0, 6),
            "negative_slope": st.floats(0, 0.5),
            "threshold": st.floats(0, 0.5),
        },
    ),
    "LeakyReLU": st.fixed_dictionaries({}, optional={"negative_slope": st.floats(0, 0.5)}),
}
# The arguments a rule refuses when negative (as Keras does).
_NON_NEGATIVE = {
    "ReLU": ["max_value", "negative_slope", "threshold"],
    "LeakyReLU": ["negative_slope"],
}


@cases(*_PLAIN)
@st.composite
def plain(draw: st.DrawFn, name: str) -> Case:
    shape = (None, *draw(st.lists(maybe_dim, min_size=1, max_size=3)))
    broken = fault(draw, *_NON_NEGATIVE.get(name, []))
    args = draw(_PLAIN[name])
    if broken is not None:
        args[broken] = -draw(st.floats(0.01, 1))
    return Case(LayerCall(name, args), [shape])
