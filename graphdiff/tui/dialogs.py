"""The debugger's dialogs: help (generated from the key bindings), the seed, an input's value,
and where to export the current frame."""
from __future__ import annotations

import json
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from .state import Debugger


def key_names(key: str) -> str:
    """`n,right` as a person reads it: `n / →`."""
    names = {"right": "→", "left": "←", "up": "↑", "down": "↓", "question_mark": "?", "full_stop": ".",
             "left_square_bracket": "[", "right_square_bracket": "]", "shift+left": "⇧←",
             "shift+right": "⇧→", "pageup": "PgUp", "pagedown": "PgDn", "escape": "esc"}
    return " / ".join(names.get(k.strip(), k.strip()) for k in key.split(","))


def help_text(bindings) -> Text:
    """Every key of a screen, from its bindings (what the footer cannot fit is here)."""
    t = Text()
    t.append("graphdiff — keys\n\n", style="bold")
    for b in bindings:
        t.append(f"  {key_names(b.key):14}", style="bold")
        t.append(f"{b.tooltip or b.description}\n")
    t.append("\nForward mode fills v̇ top-down (v̇ᵢ = Σⱼ ∂vᵢ/∂vⱼ v̇ⱼ); reverse mode fills v̄ bottom-up\n"
             "(v̄ⱼ = Σᵢ v̄ᵢ ∂vᵢ/∂vⱼ, one term per consumer). Mouse: drag or wheel to pan the graph,\n"
             "click a box or a row to go to its step.\n\nescape closes", style="dim")
    return t


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "close")]

    def __init__(self, bindings):
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_text(self.bindings), id="help")


class SeedScreen(ModalScreen):
    """Pick the seed: an input entry (forward) or an output entry (reverse)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "cancel")]

    def __init__(self, choices):
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Seed the sweep at:", classes="title")
            yield OptionList(*[Option(label, id=str(k)) for k, (label, _) in enumerate(self.choices)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id)][1])


class PromptScreen(ModalScreen):
    """One line to edit, prefilled; the cursor starts after the text, nothing selected (typing
    appends). Enter gives the text, escape cancels."""

    BINDINGS = [Binding("escape", "app.pop_screen", "cancel")]

    def __init__(self, title: str, value: str, *, field: str):
        super().__init__()
        self.title_text, self.value, self.field = title, value, field

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, classes="title")
            yield Input(value=self.value, id=self.field, select_on_focus=False)

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.cursor_position = len(box.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())


def input_prompt(prefill: str) -> PromptScreen:
    """Edit an input: `name = value` (a number or a JSON array)."""
    return PromptScreen("Set an input (NAME = number or JSON array), then enter:", prefill, field="value")


def export_prompt(path: str) -> PromptScreen:
    """Where to write the current frame: an absolute path, beside the graph file unless changed."""
    return PromptScreen("Export the current frame to (.svg, .png, .pdf or .dot), then enter:", path, field="path")


def json_value(v) -> str:
    return json.dumps(v.tolist() if hasattr(v, "tolist") else v)


def export_path(dbg: Debugger, source_path: str, *, directory: str | Path | None = None) -> Path:
    """The default file for the current frame: beside the graph file (or in `directory`), named by
    the graph, the mode and the step as a person counts it: `peyre-reverse-step004.svg`."""
    from ..render.output import dot_available
    source = Path(source_path)
    folder = Path(directory) if directory is not None else (source.parent if source.parent != Path("") else Path("."))
    suffix = ".svg" if dot_available() else ".dot"
    return (folder / f"{source.stem}-{dbg.mode}-step{dbg.number:03d}{suffix}").resolve()


def export_frame(dbg: Debugger, target: str | Path) -> Path:
    """Write the current frame in the slide style to `target` (its suffix picks the format; .dot
    needs no Graphviz)."""
    from ..render import render, to_dot
    path = Path(target).expanduser().resolve()
    if path.suffix == ".dot":
        path.write_text(to_dot(dbg.graph, dbg.sweep, dbg.index).source)
        return path
    if path.suffix not in (".svg", ".png", ".pdf"):
        raise OSError(f"unknown picture format '{path.suffix or path.name}': use .svg, .png, .pdf or .dot")
    return Path(render(dbg.graph, path, sweep=dbg.sweep, step=dbg.index))
