#!/usr/bin/env python3
"""Writes a synthetic city-scale Pabulib approval election (issue 22):
75,000 voters, 120 projects, ballots of 1 to 10 approvals drawn with a
Zipf-like popularity skew, a budget of 30 M and costs from 20 k to 6 M
(log-uniform), so that about a fifth of the projects fit. Deterministic:
the same seed writes the same file.

Usage: bench/synthetic-pb.py OUT.pb [--voters N] [--projects N] [--seed S]
"""
import argparse
import random

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--voters", type=int, default=75_000)
parser.add_argument("--projects", type=int, default=120)
parser.add_argument("--budget", type=int, default=30_000_000)
parser.add_argument("--seed", type=int, default=22)
args = parser.parse_args()
rng = random.Random(args.seed)

ids = [f"P{i:03d}" for i in range(1, args.projects + 1)]
costs = {p: int(round(20_000 * (300 ** rng.random()), -3)) for p in ids}
# Popularity: the k-th most popular project is drawn with weight 1/k^0.9,
# shuffled so that popularity does not follow cost.
order = ids[:]
rng.shuffle(order)
weight = {p: 1 / (rank + 1) ** 0.9 for rank, p in enumerate(order)}
weights = [weight[p] for p in ids]
# Ballot lengths as seen in large Polish files: most voters pick a few.
lengths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
length_weights = [14, 14, 15, 13, 12, 9, 7, 6, 5, 5]

ballots = []
votes = {p: 0 for p in ids}
for _ in range(args.voters):
    length = rng.choices(lengths, length_weights)[0]
    chosen = set()
    while len(chosen) < length:
        chosen.add(rng.choices(ids, weights)[0])
    ballot = sorted(chosen)
    for p in ballot:
        votes[p] += 1
    ballots.append(ballot)

with open(args.out, "w", encoding="utf-8") as out:
    out.write("META\nkey;value\n")
    out.write("description;Synthetic city-scale election (bench/synthetic-pb.py)\n")
    out.write("country;Nowhere\nunit;Synthetic\ninstance;2026\n")
    out.write(f"num_projects;{args.projects}\nnum_votes;{args.voters}\n")
    out.write(f"budget;{args.budget}\nvote_type;approval\nrule;equalshares/add1\n")
    out.write("min_length;1\nmax_length;10\ncurrency;EUR\n")
    out.write("PROJECTS\nproject_id;cost;votes;name\n")
    for p in ids:
        out.write(f"{p};{costs[p]};{votes[p]};Project {p}\n")
    out.write("VOTES\nvoter_id;vote\n")
    for number, ballot in enumerate(ballots, start=1):
        out.write(f"{number};{','.join(ballot)}\n")
