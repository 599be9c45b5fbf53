"""Network design on graphs: routing of cables and trenches.

Steiner trees: :mod:`bthd.network.steiner`.
"""
