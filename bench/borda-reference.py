#!/usr/bin/env python3
"""`reference.py` (../shared/pabulib) with pabutools' own satisfaction for
ordinal ballots instead of Pabulib's points: `Additive_Borda_Sat` (the k-th
of n choices is worth n - k - 1) as the Method of Equal Shares' utility,
and Borda points times cost for greedy, whose key (satisfaction over cost)
is then the project's total Borda points, as `cabildo budget results
--ordinal borda` counts them. Other ballots are read as reference.py reads
them.

Usage: bench/borda-reference.py PATH/TO/reference.py FILE.pb [reference.py's options]
"""
import os
import sys

reference_path = sys.argv.pop(1)
sys.path.insert(0, os.path.dirname(os.path.abspath(reference_path)))
import reference  # noqa: E402
from pabutools.election.satisfaction import AdditiveSatisfaction  # noqa: E402
from pabutools.election.satisfaction.positionalsatisfaction import (  # noqa: E402
    Additive_Borda_Sat,
    borda_sat_func,
)


class BordaTimesCost_Sat(AdditiveSatisfaction):
    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(
            self, instance, profile, ballot,
            lambda inst, prof, b, p, pre: borda_sat_func(b, p) * p.cost,
        )


pabulib_points = reference.sat_classes


def sat_classes(instance, profile):
    if isinstance(profile, reference.AbstractOrdinalProfile):
        return BordaTimesCost_Sat, Additive_Borda_Sat, Additive_Borda_Sat
    return pabulib_points(instance, profile)


reference.sat_classes = sat_classes
sys.exit(reference.main())
