"""Which warnings a reader must see before citing an estimate.

Each flag has a short stable slug (written to estimates.csv's ``flags`` column, ``;``-separated)
and a plain-English clause (appended to the estimate's citation). The flags are computed from
the dataset's claims and the quantity forest, and from the quantity's own convergence
diagnostics; they never look at the posterior's values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reconcile.constants import MAX_RHAT, MIN_ESS_BULK, MIN_ESS_TAIL

if TYPE_CHECKING:
    from reconcile.dataset.records import Claim, Dataset

# slug -> the clause a citation carries after "Caution:" (in the order flags are listed)
FLAG_SENTENCES: dict[str, str] = {
    "no_claims": "no claim is about this quantity or any part of it; it is estimated only "
                 "through the nesting of quantities",
    "denial_only": "its only evidence is a denial (a party saying none of its own were "
                   "harmed)",
    "lower_end_set_by_prior": "no claim bounds it from below: the lower end rests on the "
                              "prior",
    "upper_end_set_by_prior": "no claim states an upper bound: the upper end rests on how "
                              "the claims' words are read (\"more than X\" most likely "
                              "below X's next round step) and on the prior",
    "not_converged": "the sampler did not converge for this quantity (R-hat or effective "
                     "sample size out of bounds)",
}
FLAGS: tuple[str, ...] = tuple(FLAG_SENTENCES)


def caution(flags: Sequence[str]) -> str:
    """The sentence a citation ends with ("" when there is no flag)."""
    if not flags:
        return ""
    return "Caution: " + "; ".join(FLAG_SENTENCES[f] for f in flags) + "."


def split_flags(flags: object) -> tuple[str, ...]:
    """estimates.csv's flags cell as a tuple of slugs (empty or missing: none)."""
    if not isinstance(flags, str):
        return ()
    return tuple(f for f in flags.split(";") if f)


def subtree(dataset: Dataset, quantity_id: str) -> tuple[str, ...]:
    """The quantity and all its descendants."""
    found = [quantity_id]
    for child in dataset.children[quantity_id]:
        found.extend(subtree(dataset, child))
    return tuple(found)


def _claims_in(dataset: Dataset, quantity_ids: Sequence[str]) -> list[Claim]:
    return [c for q in quantity_ids for c in dataset.claims_about(q)]


def bounded_above_from_below(dataset: Dataset, quantity_id: str) -> bool:
    """Bounded above by claims about the quantity or its parts: a claim about it has a finite
    upper end, or it is complete (exactly the sum of its children) and every child is bounded
    above in this same sense."""
    if any(c.observation.high is not None for c in dataset.claims_about(quantity_id)):
        return True
    quantity = dataset.quantity_by_id[quantity_id]
    children = dataset.children[quantity_id]
    return bool(quantity.complete and children
                and all(bounded_above_from_below(dataset, c) for c in children))


def bounded_above(dataset: Dataset, quantity_id: str) -> bool:
    """Does any claim bound the quantity from above?

    Children sum to at most their parent, so whatever bounds an ancestor from above bounds the
    quantity too; a descendant's upper bound bounds it only through complete parents (see
    ``bounded_above_from_below``). Without any such claim the interval's upper end comes from
    the count prior.
    """
    return any(bounded_above_from_below(dataset, q)
               for q in (quantity_id, *dataset.ancestors(quantity_id)))


def bounded_below(dataset: Dataset, quantity_id: str) -> bool:
    """Does any claim bound the quantity from below? A claim of at least one about it or about
    any descendant (a part can only be smaller than the whole). Without one the lower end
    comes from the count prior (and from any complete parent's other parts, ignored here)."""
    claims = _claims_in(dataset, subtree(dataset, quantity_id))
    return any(c.observation.low >= 1 for c in claims)


def is_denial(dataset: Dataset, claim: Claim) -> bool:
    """An exact 0 from a party about its own losses ("no soldiers were harmed")."""
    obs = claim.observation
    return obs.kind == "point" and obs.low == 0 and dataset.stance(claim) == "own"


def not_converged(r_hat: float, ess_bulk: float, ess_tail: float) -> bool:
    """Out of the convergence thresholds (constants.py); NaN (an approximate fit with no
    chains to compare) is never flagged here: the ADVI caveat covers it."""
    return ((not math.isnan(r_hat) and r_hat > MAX_RHAT)
            or (not math.isnan(ess_bulk) and ess_bulk < MIN_ESS_BULK)
            or (not math.isnan(ess_tail) and ess_tail < MIN_ESS_TAIL))


def quantity_flags(dataset: Dataset, quantity_id: str, r_hat: float = math.nan,
                   ess_bulk: float = math.nan, ess_tail: float = math.nan) -> tuple[str, ...]:
    """The flags of one estimate, in the order of ``FLAGS``.

    * ``no_claims``: nobody spoke about the quantity or any part of it: the estimate is the
      prior pushed through the nesting, whatever its ancestors' claims allow.
    * ``denial_only``: every claim about it is a party's denial of its own losses, which the
      model treats as weak evidence; the estimate says little beyond the prior.
    * ``lower_end_set_by_prior`` / ``upper_end_set_by_prior``: no claim bounds that side
      (``bounded_below``, ``bounded_above``): that end of the interval is the prior's tail,
      and moves with the prior, not with the evidence.
    * ``not_converged``: its own R-hat or ESS is out of bounds (NUTS fits only).
    """
    own = dataset.claims_about(quantity_id)
    found = {
        "no_claims": not _claims_in(dataset, subtree(dataset, quantity_id)),
        "denial_only": bool(own) and all(is_denial(dataset, c) for c in own),
        "lower_end_set_by_prior": not bounded_below(dataset, quantity_id),
        "upper_end_set_by_prior": not bounded_above(dataset, quantity_id),
        "not_converged": not_converged(r_hat, ess_bulk, ess_tail),
    }
    return tuple(flag for flag in FLAGS if found[flag])


def flag_column(dataset: Dataset, quantity_ids: Sequence[str], r_hat: Sequence[float],
                ess_bulk: Sequence[float], ess_tail: Sequence[float]) -> list[str]:
    """estimates.csv's ``flags`` column: each quantity's flags joined by ``;`` ("" if none)."""
    return [";".join(quantity_flags(dataset, q, float(r), float(b), float(t)))
            for q, r, b, t in zip(quantity_ids, r_hat, ess_bulk, ess_tail, strict=True)]
