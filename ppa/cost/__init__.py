"""Stage 2, cost: mapping counts actions, components price them, estimate aggregates them into a table.

Imports `ppa.spec`, `ppa.workload` and `ppa.errors`. Counting (`mapping`) never sees joules or metres; pricing
(`components`) never sees layers; `estimate` joins the two (Timeloop counts, Accelergy prices).
"""
