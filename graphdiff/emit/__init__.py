"""Code emitters: the evaluation trace and the tangent / adjoint programs, as Python and pseudo-code.

    python_source(g, mode="all")  a runnable module (evaluate, jvp, vjp, gradient, jacobian)
    jax_source(g)                 the evaluation in jax.numpy (evaluate, value, gradient by JAX)
    pseudo_code(g, mode)          the textbook programs (v̇ᵢ = …, v̄ⱼ += v̄ᵢ · ∂vᵢ/∂vⱼ)
    compiled_gradient(g)          the generated module compiled once: the fast path of grad
    compiled_jacobian(g)          … and of jacobian

Every emitter also returns its lines as `Line(node, text)`, so a view can link line ↔ node.
The names load with their module, on first use.
"""
import importlib

_WHERE = {"Line": "plan", "pseudo_code": "pseudo", "pseudo_lines": "pseudo", "python_lines": "python",
          "python_source": "python",
          "jax_lines": "jax", "jax_source": "jax", "compile_module": "compiled", "compiled_gradient": "compiled",
          "compiled_jacobian": "compiled", "gradient": "compiled", "jacobian": "compiled", "compiled": None}

__all__ = [name for name in _WHERE if name != "compiled"]


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'graphdiff.emit' has no attribute '{name}'")
    module = importlib.import_module(f"{__name__}.{_WHERE[name] or name}")
    value = module if _WHERE[name] is None else getattr(module, name)
    globals()[name] = value
    return value
