"""Code emitters: the evaluation trace and the tangent / adjoint programs, as Python and pseudo-code.

    python_source(g, mode="all")  a runnable module (evaluate, jvp, vjp, gradient, jacobian)
    pseudo_code(g, mode)          the textbook programs (v̇ᵢ = …, v̄ⱼ += v̄ᵢ · ∂vᵢ/∂vⱼ)
    compiled_gradient(g)          the generated module compiled once: the fast path of grad
    compiled_jacobian(g)          … and of jacobian

Every emitter also returns its lines as `Line(node, text)`, so a view can link line ↔ node.
"""
from .compiled import compile_module, compiled_gradient, compiled_jacobian, gradient, jacobian
from .plan import Line
from .pseudo import pseudo_code, pseudo_lines
from .python import python_lines, python_source

__all__ = ["Line", "python_source", "python_lines", "pseudo_code", "pseudo_lines",
           "compile_module", "compiled_gradient", "compiled_jacobian", "gradient", "jacobian"]
