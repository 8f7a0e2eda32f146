"""Colours and fonts of the diagrams: one colour per layer family, with a legend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "DIFF",
    "EDGE",
    "FAMILIES",
    "FAULT",
    "FONT",
    "INPUT",
    "LAYER_FAMILY",
    "PORT",
    "SHARE",
    "SKIP",
    "WARN",
    "Family",
    "family_of",
]

FONT: Final = "Helvetica,Arial,sans-serif"
"""A font every Graphviz install and browser has (Graphviz falls back along the list)."""


@dataclass(frozen=True)
class Family:
    """A layer family: its legend name and its fill and border colours."""

    key: str
    label: str
    fill: str
    border: str


FAMILIES: Final[dict[str, Family]] = {
    f.key: f
    for f in (
        Family("conv", "convolution", "#dbe9f6", "#4a7fb5"),
        Family("pooling", "pooling", "#d9f0e3", "#3f8f5f"),
        Family("dense", "dense", "#fde4c8", "#c07a2c"),
        Family("merge", "merge", "#ece0f4", "#7d55a3"),
        Family("norm", "normalisation", "#f5f0c4", "#a39422"),
        Family("activation", "activation", "#fbe0ec", "#b2507f"),
        Family("recurrent", "recurrent", "#d5f1f1", "#2f8c8c"),
        Family("attention", "attention", "#f9dcd2", "#b25a3c"),
        Family("reshape", "reshape", "#e6e6e6", "#6e6e6e"),
        Family("regularisation", "dropout / noise", "#f2f2ea", "#8c8c70"),
        Family("embedding", "embedding", "#e0e4f8", "#5560a8"),
        Family("preprocessing", "preprocessing", "#eef6dc", "#74913a"),
        Family("block", "block (collapsed)", "#f4efe6", "#8a7653"),
        Family("expression", "expression", "#fffbea", "#9c8a3a"),
        Family("weight", "learned tensor", "#fdf0f6", "#a3487a"),
        Family("model", "nested model", "#eaf2ea", "#4d7a4d"),
        Family("other", "other", "#f7f7f7", "#8a8a8a"),
    )
}
"""Every family by key, in legend order."""

INPUT: Final = Family("input", "model input", "#ffffff", "#333333")
"""How model inputs are drawn (not a layer family, but shown in the legend)."""

FAULT: Final = Family("fault", "error", "#fde0dd", "#d7301f")
"""Nodes with an error, their incoming edges and their note boxes."""

WARN: Final = Family("warning", "warning", "#fff3d6", "#c98a00")
"""Note boxes of warnings."""

DIFF: Final[dict[str, Family]] = {
    f.key: f
    for f in (
        Family("added", "added", "#bfe8bf", "#2e8b3a"),
        Family("changed", "changed (old → new)", "#ffe1a0", "#d48a00"),
        Family("shape", "shape / params changed", "#fff8e6", "#d48a00"),
        Family("removed", "removed", "#f4f4f4", "#a0a0a0"),
    )
}
"""The marks of a diff diagram (:data:`graphspec.backends.diagram.boxes.MARKS`): green added,
amber changed, amber-bordered shape changes, grey dashed ghosts of removed nodes."""

EDGE: Final = "#555555"
"""Ordinary edges and their shape labels."""

SKIP: Final = "#1f78b4"
"""Skip / shortcut edges."""

PORT: Final = "#b35806"
"""Port names where inputs enter order-sensitive layers (query/value/key, + and −)."""

SHARE: Final = "#7d55a3"
"""The dotted link between nodes that share one layer's weights."""

_MEMBERS: Final[dict[str, str]] = {
    "conv": (
        "Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose Conv3DTranspose Convolution1D "
        "Convolution2D Convolution3D Convolution1DTranspose Convolution2DTranspose "
        "Convolution3DTranspose DepthwiseConv1D DepthwiseConv2D SeparableConv1D SeparableConv2D "
        "SeparableConvolution1D SeparableConvolution2D"
    ),
    "pooling": (
        "MaxPooling1D MaxPooling2D MaxPooling3D MaxPool1D MaxPool2D MaxPool3D AveragePooling1D "
        "AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D GlobalMaxPooling1D "
        "GlobalMaxPooling2D GlobalMaxPooling3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D "
        "GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D GlobalAvgPool1D "
        "GlobalAvgPool2D GlobalAvgPool3D AdaptiveAveragePooling1D AdaptiveAveragePooling2D "
        "AdaptiveAveragePooling3D AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D"
    ),
    "dense": "Dense EinsumDense",
    "merge": "Add Subtract Multiply Average Maximum Minimum Concatenate Dot",
    "norm": (
        "BatchNormalization LayerNormalization GroupNormalization UnitNormalization "
        "RMSNormalization SpectralNormalization Normalization"
    ),
    "activation": "Activation ReLU LeakyReLU PReLU ELU Softmax",
    "recurrent": (
        "LSTM GRU SimpleRNN RNN ConvLSTM1D ConvLSTM2D ConvLSTM3D Bidirectional LSTMCell GRUCell "
        "SimpleRNNCell StackedRNNCells TimeDistributed"
    ),
    "attention": (
        "Attention AdditiveAttention MultiHeadAttention GroupQueryAttention "
        "CachedMultiHeadAttention TransformerEncoder TransformerDecoder FNetEncoder AlibiBias"
    ),
    "reshape": (
        "Flatten Reshape Permute RepeatVector Cropping1D Cropping2D Cropping3D UpSampling1D "
        "UpSampling2D UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D Identity Masking"
    ),
    "regularisation": (
        "Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D AlphaDropout GaussianDropout "
        "GaussianNoise ActivityRegularization"
    ),
    "embedding": (
        "Embedding ReversibleEmbedding CategoryEncoding Hashing HashedCrossing IntegerLookup "
        "StringLookup TextVectorization Discretization TokenAndPositionEmbedding "
        "PositionEmbedding SinePositionEncoding RotaryEmbedding"
    ),
    "preprocessing": (
        "Rescaling Resizing CenterCrop RandomCrop RandomFlip RandomRotation RandomZoom "
        "RandomTranslation RandomContrast RandomBrightness MelSpectrogram STFTSpectrogram"
    ),
}

LAYER_FAMILY: Final[dict[str, str]] = {
    layer: family for family, layers in _MEMBERS.items() for layer in layers.split()
}
"""Keras layer class name -> family key; unlisted types are ``other``."""


def family_of(layer_type: str | None) -> Family:
    """The family of a layer type (``other`` for unknown and custom layers).

    >>> family_of("Conv2D").key, family_of("MyLayer").key
    ('conv', 'other')
    """
    return FAMILIES[LAYER_FAMILY.get(layer_type or "", "other")]
