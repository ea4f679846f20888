#!/usr/bin/env python3
"""pabutools' Method of Equal Shares run once, at the money each voter had
in the run where `cabildo budget results` stopped add1, for elections
where pabutools' own add1 would take hours (the synthetic city: one run
takes about 23 s, and add1 runs 485). The winners must be cabildo's:
add1's outcome is that run's. With `--greedy`, pabutools' greedy
completion follows, as reference.py's mes_add1_greedy does.

Usage: bench/mes-once-reference.py PATH/TO/reference.py FILE.pb NUMER/DENOM [--greedy]
Prints JSON: {"selected": [...], "seconds": compute time}.
"""
import json
import os
import sys
import time
from fractions import Fraction

reference_path, path, per_voter, *rest = sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(reference_path)))
import reference  # noqa: E402
from pabutools.election import parse_pabulib  # noqa: E402
from pabutools.fractions import frac  # noqa: E402
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares  # noqa: E402
from pabutools.tiebreaking import lexico_tie_breaking  # noqa: E402

instance, profile = parse_pabulib(path)
score_x_cost, _, mes_util = reference.sat_classes(instance, profile)
numer, denom = (int(part) for part in per_voter.split("/"))
budget = instance.budget_limit
started = time.perf_counter()
# Each voter starts with budget_limit / n: set it so that they have
# exactly the given money.
instance.budget_limit = frac(Fraction(numer, denom) * profile.num_ballots())
outcome = method_of_equal_shares(instance, profile, sat_class=mes_util,
                                 tie_breaking=lexico_tie_breaking)
instance.budget_limit = budget
if "--greedy" in rest:
    outcome = greedy_utilitarian_welfare(instance, profile, sat_class=score_x_cost,
                                         tie_breaking=lexico_tie_breaking,
                                         initial_budget_allocation=outcome)
seconds = time.perf_counter() - started
print(json.dumps({"selected": reference.ids(outcome), "seconds": seconds}))
