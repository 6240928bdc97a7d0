"""Functions from other libraries as graphdiff graphs, and back.

    numpy.py     NumPy's protocols on node handles: np.sin(x), np.sum(x), x @ W build nodes
    callsite.py  where in the user's Python code an error happened (file:line:col, a caret)
    sympy.py     gd.from_sympy(expr), gd.to_sympy(g)        (the optional extra graphdiff[sympy])
    jax.py       gd.from_jax(f, *example_args)              (the optional extra graphdiff[jax])

SymPy and JAX are imported only when those functions are called: `import graphdiff` never
imports them.
"""
