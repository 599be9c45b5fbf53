"""Costs in one home: the bill of materials of a design, its allocation to PM zones and to
territories (communes, EPCI, départements), the comparison with published costs, and the cost
of montée-en-débit operations (sunk cost).

Modules: :mod:`bthd.costs.bom` (BOM and PM-zone allocation), :mod:`bthd.costs.territory`
(territories and published comparison), :mod:`bthd.costs.med` (MED operations).
"""
