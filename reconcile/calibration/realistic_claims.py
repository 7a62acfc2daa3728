"""Who speaks about what in a realistic archive: how densely each quantity is reported,
by which stances, and the claims that are not new statements: undeclared copies, the same
statement reported again via other outlets, an own side's revisions upwards, denials.

``archive_claims`` makes a whole archive's claims (realistic.py's ``simulate_realistic``);
``restate`` says a real structure's claims again (the calibration scenario ``realistic``).
What each source believes and the words it uses are in realistic_sources.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from reconcile.calibration.realistic_sources import (
    believe, draw_form, form_of, say, worded, wording_of,
)
from reconcile.config.lexicon import LexiconEntry
from reconcile.dataset.records import Claim, Dataset, Quantity, Source, stance_of

DENIAL_P = {"civilians": 0.3, "battle": 0.04}  # an own side's exact 0, by kind of quantity
STANCE_WEIGHTS = {"own": 0.35, "enemy": 0.3, "third_party": 0.35}  # of a new speaker
RESTATE_REPEAT_P = 0.8  # a structure's speaker says the same again about a quantity
RESTATE_COPY_P = 0.15  # a side-less outlet copies an earlier speaker's words


@dataclass(frozen=True)
class Shape:
    """How densely an archive is reported, and in which words."""

    claims_per_quantity: Mapping[int, float]
    own_forms: Mapping[str, float]  # a party on its own losses: lists and floors
    other_forms: Mapping[str, float]
    copy_p: float  # an undeclared copy of an earlier figure about the quantity
    revision_p: float  # an own side's later, higher figure
    repeat_p: float = 0.1  # the same statement reported again, via other outlets
    via_p: float = 0.5  # a claim names 1-2 relaying outlets


SHAPES = {
    "sparse": Shape({0: 0.12, 1: 0.55, 2: 0.33}, {"exact": 0.4, "lower": 0.5, "vague": 0.1},
                    {"lower": 0.45, "exact": 0.2, "about": 0.12, "vague": 0.11, "range": 0.06,
                     "upper": 0.06}, copy_p=0.1, revision_p=0.15),
    "dense": Shape({3: 1 / 3, 4: 1 / 3, 5: 1 / 3}, {"exact": 0.65, "lower": 0.25, "vague": 0.1},
                   {"exact": 0.35, "about": 0.2, "lower": 0.2, "vague": 0.1, "range": 0.08,
                    "upper": 0.07}, copy_p=0.15, revision_p=0.25),
}


def archive_claims(skeleton: Dataset, counts: np.ndarray, denial_p: Sequence[float],
                   shape: Shape, rng: np.random.Generator,
                   lexicon: Mapping[str, LexiconEntry]) -> tuple[list[Claim], list[float]]:
    """Claims about ``skeleton``'s quantities (true ``counts``) in ``shape``, with each
    claim's belief (NaN for a copy): new speakers, copies, repeats and revisions (Shape)."""
    claims: list[Claim] = []
    beliefs: list[float] = []
    outlets = [s for s in skeleton.sources if s.side is None and s.kind != "monitor"]
    sizes, weights = zip(*shape.claims_per_quantity.items())
    for index, quantity in enumerate(skeleton.quantities):
        truth = float(counts[index])
        made: list[int] = []  # positions in ``claims`` of the claims about this quantity
        for _ in range(int(rng.choice(sizes, p=np.array(weights) / sum(weights)))):
            draw = rng.random()
            cid, earlier = f"c{len(claims):03d}", [claims[i] for i in made]
            date = dt.date.fromisoformat(quantity.end) + dt.timedelta(int(rng.integers(0, 30)))
            own = [i for i in made if skeleton.stance(claims[i]) == "own" and beliefs[i] > 0]
            copiers = [s for s in outlets if s.source_id not in {c.source_id for c in earlier}]
            if made and copiers and draw < shape.copy_p:
                original = earlier[int(rng.integers(len(earlier)))]
                copier = copiers[int(rng.integers(len(copiers)))]
                claim = replace(original, claim_id=cid, source_id=copier.source_id, via=(),
                                notes=f"undeclared copy of {original.claim_id}")
                belief = float("nan")
            elif made and draw < shape.copy_p + shape.repeat_p:
                position = made[int(rng.integers(len(made)))]
                claim, belief = claims[position], beliefs[position]
                claim = replace(claim, claim_id=cid, via=_via(outlets, claim.source_id, rng) or
                                claim.via, notes=f"{claim.claim_id} reported again")
            elif own and draw < shape.copy_p + shape.repeat_p + shape.revision_p:
                first = claims[own[0]]
                kind = skeleton.source_by_id[first.source_id].kind
                belief = believe("own", kind, truth, rng, at_least=beliefs[own[0]] / truth)
                claim = worded(first, say("exact", belief, "own", rng, lexicon), claim_id=cid,
                               notes=f"revises {first.claim_id} upwards",
                               published=(date + dt.timedelta(int(rng.integers(30, 200))))
                               .isoformat())
            else:
                stance, source = _new_speaker(skeleton, quantity, earlier, rng)
                belief = believe(stance, source.kind, truth, rng)
                forms = shape.own_forms if stance == "own" else shape.other_forms
                form = "denial" if stance == "own" and rng.random() < denial_p[index] else \
                    draw_form(forms, rng)
                claim = Claim(cid, quantity.quantity_id, source.source_id, "", None,
                              "simulated.txt", "", via=_via(outlets, source.source_id, rng,
                                                             shape.via_p))
                claim = worded(claim, say(form, belief, stance, rng, lexicon))
            if claim.published is None:
                claim = replace(claim, published=date.isoformat())
            claims.append(claim)
            beliefs.append(float(belief))
            made.append(len(claims) - 1)
    return claims, beliefs


def _new_speaker(skeleton: Dataset, quantity: Quantity, earlier: list[Claim],
                 rng: np.random.Generator) -> tuple[str, Source]:
    """A stance (own, enemy, third party: STANCE_WEIGHTS, among those with speakers) and a
    source of it, one that has not yet spoken about the quantity where possible."""
    pools: dict[str, list[Source]] = {}
    for source in skeleton.sources:
        pools.setdefault(stance_of(source.side, quantity.side), []).append(source)
    stances = [s for s in STANCE_WEIGHTS if pools.get(s)]
    weights = np.array([STANCE_WEIGHTS[s] for s in stances])
    stance = stances[int(rng.choice(len(stances), p=weights / weights.sum()))]
    spoken = {c.source_id for c in earlier}
    pool = [s for s in pools[stance] if s.source_id not in spoken] or pools[stance]
    return stance, pool[int(rng.integers(len(pool)))]


def _via(outlets: list[Source], speaker: str, rng: np.random.Generator,
         p: float = 1.0) -> tuple[str, ...]:
    """1-2 outlets other than the speaker relaying a statement, with probability ``p``."""
    others = [s.source_id for s in outlets if s.source_id != speaker]
    if not others or rng.random() >= p:
        return ()
    picked = rng.choice(len(others), size=min(int(rng.integers(1, 3)), len(others)),
                        replace=False)
    return tuple(others[int(i)] for i in sorted(picked))


def restate(structure: Dataset, counts: np.ndarray, rng: np.random.Generator,
            lexicon: Mapping[str, LexiconEntry]) -> tuple[list[Claim], list[float]]:
    """``structure``'s claims said again by realistic reporters believing ``counts``: the
    same ids, speakers, quantities, relays and kinds of words. A speaker's later claims about
    a quantity repeat its first (RESTATE_REPEAT_P) or restate it (an own side revises
    upwards); a side-less outlet copies an earlier speaker (RESTATE_COPY_P); an own side's
    figure is a denial with DENIAL_P["battle"]. Beliefs: NaN for a copy."""
    claims: list[Claim] = []
    beliefs: list[float] = []
    said: dict[tuple[str, str], int] = {}  # (speaker, quantity) -> its first claim's position
    for claim in structure.claims:
        stance = structure.stance(claim)
        source = structure.source_by_id[claim.source_id]
        truth = float(counts[structure.quantity_index[claim.quantity_id]])
        first = said.get((claim.source_id, claim.quantity_id))
        others = [p for (s, q), p in said.items()
                  if q == claim.quantity_id and s != source.source_id]
        if first is not None and rng.random() < RESTATE_REPEAT_P:
            claim, belief = worded(claim, wording_of(claims[first])), beliefs[first]
        elif first is None and others and source.side is None and rng.random() < RESTATE_COPY_P:
            original = claims[others[int(rng.integers(len(others)))]]
            claim, belief = worded(claim, wording_of(original)), float("nan")
        else:
            share = beliefs[first] / truth if first is not None and stance == "own" else 0.0
            belief = believe(stance, source.kind, truth, rng, at_least=min(share, 1.0))
            form = form_of(claim.observation, claim.term)
            if stance == "own" and form == "exact" and rng.random() < DENIAL_P["battle"]:
                form = "denial"
            claim = worded(claim, say(form, belief, stance, rng, lexicon))
        said.setdefault((claim.source_id, claim.quantity_id), len(claims))
        claims.append(claim)
        beliefs.append(float(belief))
    return claims, beliefs
