"""Cases for image preprocessing and augmentation layers."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from graphspec.base.catalog import layer_signature
from graphspec.passes.shapes import LayerCall
from graphspec.passes.shapes.rules.image import AUGMENTATIONS

from . import Case, cases, fault, shape_of_rank

# Arguments that do not change shapes, at valid values: Keras checks them, rules need not.
_REQUIRED: dict[str, dict[str, Any]] = {
    "RandomBrightness": {"factor": 0.2},
    "RandomContrast": {"factor": 0.2},
    "RandomHue": {"factor": 0.2},
    "RandomPosterization": {"factor": [1, 4]},
    "RandomRotation": {"factor": 0.2},
    "RandomSaturation": {"factor": 0.2},
    "RandomSharpness": {"factor": 0.2},
    "RandomTranslation": {"height_factor": 0.2, "width_factor": 0.2},
    "RandomZoom": {"height_factor": 0.2},
    "RandomColorDegeneration": {"factor": 0.2},
    "MaxNumBoundingBoxes": {"max_number": 3},
}


def _images(draw: st.DrawFn, channels_first: bool) -> tuple[Any, ...]:
    """Mostly batched images, sometimes another rank (Keras's own rank handling is checked)."""
    rank = draw(st.sampled_from([4, 4, 4, 4, 3, 2, 5]))
    shape = shape_of_rank(draw, rank, st.one_of(st.integers(1, 9), st.none()))
    if rank >= 3 and draw(st.booleans()):
        axis = 1 if channels_first else -1
        dims = list(shape)
        dims[axis] = 3
        shape = tuple(dims)
    return shape


def _format(draw: st.DrawFn, name: str, args: dict[str, Any]) -> bool:
    sig = layer_signature(name)
    if sig is not None and "data_format" in sig.args and draw(st.booleans()):
        args["data_format"] = draw(st.sampled_from(["channels_last", "channels_first"]))
    return args.get("data_format") == "channels_first"


@cases(*AUGMENTATIONS)
@st.composite
def augmentation(draw: st.DrawFn, name: str) -> Case:
    # These keep any input's shape (Keras too): no draw is invalid.
    args = dict(_REQUIRED.get(name, {}))
    cf = _format(draw, name, args)
    return Case(LayerCall(name, args), [_images(draw, cf)])


@cases("RandomColorDegeneration")
@st.composite
def rgb(draw: st.DrawFn, name: str) -> Case:
    broken = fault(draw, "rank", "channels")
    args = dict(_REQUIRED[name])
    cf = _format(draw, name, args)
    dims = [*draw(st.lists(st.one_of(st.integers(1, 9), st.none()), min_size=2, max_size=2))]
    channels = draw(st.sampled_from([3, 3, None])) if broken != "channels" else 2
    shape = (None, channels, *dims) if cf else (None, *dims, channels)
    if broken == "rank":
        shape = (*shape, 3) if draw(st.booleans()) else (None, channels)
    return Case(LayerCall(name, args), [shape])


@cases("Resizing", "CenterCrop", "RandomCrop")
@st.composite
def resize(draw: st.DrawFn, name: str) -> Case:
    # Rank 3 is a deliberate refusal (stricter.py): Keras builds it, the rule refuses.
    broken = fault(draw, "height", "rank")
    args: dict[str, Any] = {"height": draw(st.integers(1, 6)), "width": draw(st.integers(1, 6))}
    if name == "Resizing" and draw(st.booleans()):
        args[draw(st.sampled_from(["crop_to_aspect_ratio", "pad_to_aspect_ratio"]))] = True
    _format(draw, name, args)  # the size of any axis may be unknown: no layout needed
    shape = shape_of_rank(draw, 4, st.one_of(st.integers(1, 9), st.none()))
    if broken == "height":
        args["height"] = 0
    elif broken == "rank":  # one unbatched image, as Keras reads rank 3
        shape = (None, *shape[2:])
    return Case(LayerCall(name, args), [shape])
