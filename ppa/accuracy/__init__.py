"""Functional accuracy model (numpy only): the same devices as the cost side, inside real forward passes.

Submodules are imported on demand so that `import ppa` stays fast for costing.
"""
