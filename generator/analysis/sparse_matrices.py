"""SciPy's sparse matrices, imported without the parts of numpy that SciPy only lists.

Importing ``scipy.sparse`` makes SciPy's copy of numpy's namespace for its array-API layer: it
takes every name numpy exports, and numpy imports a submodule when its name is first asked for.
So it imported numpy's build and test tools (``f2py``, ``testing``, ``ma``, ``polynomial`` and
others), which nothing of SciPy's sparse matrices uses: 0.16 to 0.17 s, against 0.07 s without
them. A daily build's side of the analysis that finds the topics pays it after it forks, beside
the names side. Those names are left out of numpy's list of exports while SciPy is imported,
and put back at once; a submodule asked for later is imported then, as always. (SciPy's copy
then lacks them: it asks for ``testing`` only of CuPy's and PyTorch's namespaces.)"""
from __future__ import annotations

import sys

import numpy

__all__ = ["sparse"]

# numpy's submodules that its namespace exports and SciPy's sparse matrices do not use.
_UNUSED = frozenset({"f2py", "testing", "ma", "polynomial", "ctypeslib", "rec", "char", "strings", "core", "matlib"})


def _import_sparse():
    if "scipy.sparse" in sys.modules:
        return sys.modules["scipy.sparse"]
    exported, submodules = getattr(numpy, "__all__", None), getattr(numpy, "__numpy_submodules__", None)
    if not isinstance(exported, list) or not isinstance(submodules, (set, frozenset)):  # another numpy
        from scipy import sparse as module

        return module
    numpy.__all__ = [name for name in exported if name not in _UNUSED]
    numpy.__numpy_submodules__ = type(submodules)(submodules - _UNUSED)
    try:
        from scipy import sparse as module
    finally:
        numpy.__all__, numpy.__numpy_submodules__ = exported, submodules
    return module


sparse = _import_sparse()
