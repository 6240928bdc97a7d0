"""The slide style: one palette per theme, shared by every picture graphdiff draws.

Colours are chosen for projectors: strong contrast for text, soft fills, one warm accent for
the step being explained and one cool accent for sharing.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """Colours and fonts of one theme (all colours as #rrggbb)."""

    name: str
    background: str
    text: str            # main text (operation symbols, values)
    muted: str           # secondary text (node names, shapes, constants)
    faint: str           # text of pending nodes
    node_fill: str
    node_border: str
    input_fill: str
    input_border: str
    output_fill: str
    output_border: str
    const_border: str
    shared: str          # badge and border of a shared node (fan-out > 1)
    edge: str
    edge_faint: str
    pending_fill: str
    pending_border: str
    current_fill: str
    current_border: str  # also the colour of the current step's edges and terms
    done_tangent: str    # derivative text: v̇ in forward mode
    done_adjoint: str    # derivative text: v̄ in reverse mode
    partial: str         # local partials written on edges
    group_fill: str      # a group's frame (a cluster) and a collapsed group's box
    group_border: str
    group_box: str       # the fill of a collapsed group drawn as one node
    font: str = "DejaVu Serif"
    mono: str = "DejaVu Sans Mono"


LIGHT = Theme(
    name="light",
    background="#ffffff",
    text="#1f2933",
    muted="#52606d",
    faint="#9aa5b1",
    node_fill="#f5f7fa",
    node_border="#7b8794",
    input_fill="#e3f0fc",
    input_border="#2f6fb3",
    output_fill="#fdeee0",
    output_border="#c05621",
    const_border="#b8c2cc",
    shared="#6b46c1",
    edge="#7b8794",
    edge_faint="#d3d9e0",
    pending_fill="#fbfcfd",
    pending_border="#d3d9e0",
    current_fill="#fff3c4",
    current_border="#d9480f",
    done_tangent="#2f6f3e",
    done_adjoint="#9b2c5c",
    partial="#52606d",
    group_fill="#f3f0fa",
    group_border="#8c7ab8",
    group_box="#e6def5",
)

DARK = Theme(
    name="dark",
    background="#1b1f27",
    text="#e6e9ef",
    muted="#a7b0be",
    faint="#6f7889",
    node_fill="#262c36",
    node_border="#6b7585",
    input_fill="#1d3550",
    input_border="#63a4e8",
    output_fill="#47301f",
    output_border="#f0a060",
    const_border="#4a5361",
    shared="#b794f4",
    edge="#8a94a6",
    edge_faint="#3a414d",
    pending_fill="#20252d",
    pending_border="#353c47",
    current_fill="#5a4a12",
    current_border="#ffb347",
    done_tangent="#8fdc9c",
    done_adjoint="#f4a3c8",
    partial="#a7b0be",
    group_fill="#252233",
    group_border="#8f7fc4",
    group_box="#352e4d",
)

THEMES = {"light": LIGHT, "dark": DARK}
