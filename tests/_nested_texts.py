"""Spec texts shared by the nested-model and viewer tests: a tower spec file and a Siamese net
whose tower is that file (written as ``blocks/tower.yaml`` beside it)."""

from __future__ import annotations

__all__ = ["SIAMESE", "TOWER"]

TOWER = """\
graphspec: 1.1
params: {width: 32}
inputs: {x: {shape: [28, 28, 1]}}
nodes:
  c1: {type: Conv2D, filters: "${width}", kernel_size: 3, activation: relu}
  p1: {type: MaxPooling2D}
  f:  {type: Flatten}
  e:  {type: Dense, units: 16}
"""

SIAMESE = """\
graphspec: 1.1
inputs: {left: {shape: [28, 28, 1]}, right: {shape: [28, 28, 1]}}
nodes:
  tower:   {model: blocks/tower.yaml, width: 16, inputs: left}
  tower_r: {share: tower, inputs: right}
  dist:    {expr: "sqrt(maximum(sum(square(tower - tower_r), axis=-1, keepdims=True), 1e-7))"}
  out:     {type: Dense, units: 1, activation: sigmoid, inputs: dist}
"""
