"""Phasing: which deployment zones are built in which year, for how much, paid by whom.

Modules: :mod:`~bthd.phasing.scenario` (the scenario file), :mod:`~bthd.phasing.zones`
(deployment zones from PM zones), :mod:`~bthd.phasing.engine` (the greedy planner and the exact
MILP), :mod:`~bthd.phasing.financing` (co-financing), :mod:`~bthd.phasing.outputs` (tables,
ZDEP layer, schedule, calibration).
"""
