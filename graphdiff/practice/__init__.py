"""Practice mode: the student computes each step's value, tangent or adjoint before it is
revealed; graphdiff checks the answer, hints, names common mistakes and keeps score.

`answers` reads what a student types (the graph language over the quantities already known);
`questions` makes the questions from the step records (and from `stats` and `cost` after the
sweep); `feedback` writes the graded hints and recognises named mistakes; `session` runs a
session and keeps its record. No screen here: `graphdiff practice --plain` and the debugger's
practice screen (key `P`) both drive a `Session`.
"""
from .answers import close, evaluate_answer
from .feedback import LEVELS, Mistake, diagnose, hint
from .questions import DEFAULT_KINDS, DEFAULT_TOL, KINDS, Context, Given, Question, build
from .session import Feedback, Session, duration, total_record

__all__ = ["Session", "Feedback", "Question", "Given", "Context", "Mistake", "build", "hint", "diagnose",
           "evaluate_answer", "close", "total_record", "duration", "LEVELS", "KINDS", "DEFAULT_KINDS",
           "DEFAULT_TOL"]
