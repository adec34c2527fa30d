"""Stage 3, explore: several estimates at once: side-by-side comparison and array-evaluated design-space sweeps.

Imports the stages below it (`spec`, `workload`, `cost`); never `report` or `cli`.
"""
