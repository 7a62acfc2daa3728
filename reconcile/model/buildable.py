"""What the model cannot take, and what it takes with a warning: checks of a dataset against
a model configuration before the model is built (build.py) or when a fit fails."""

from __future__ import annotations

from reconcile.config import ModelConfig
from reconcile.dataset.records import Dataset
from reconcile.errors import ModelBuildError


def check_buildable(dataset: Dataset, config: ModelConfig) -> None:
    """Refuse, with the likely cause named, data the model cannot take."""
    if not dataset.claims:
        raise ModelBuildError("the dataset has no claims: there is nothing to estimate from.")
    if config.noise.rounding == "density":
        zeros = [c.claim_id for c in dataset.claims
                 if c.observation.is_point and c.observation.low == 0]
        if zeros:
            raise ModelBuildError(
                f"model {config.name!r} uses the log-scale density for stated counts, which "
                f"cannot take a claim of 0 ({', '.join(zeros[:5])}); use rounding = \"interval\"."
            )


def nesting_conflicts(dataset: Dataset) -> list[str]:
    """Claims that contradict the nesting outright (the parts are claimed above every claim
    about a complete parent). The model can still absorb them as bias or noise, but they are
    the likely cause when a fit cannot initialize, and deserve a warning in any case."""
    conflicts = []
    for q in dataset.quantities:
        children = dataset.children[q.quantity_id]
        if not (q.complete and children):
            continue
        parent_high = _highest_bound(dataset, q.quantity_id)
        children_low = sum(_lowest_bound(dataset, child) for child in children)
        if parent_high is not None and children_low > parent_high:
            conflicts.append(
                f"impossible nesting: {q.quantity_id!r} is complete (the sum of its parts), but "
                f"its parts are claimed at {children_low:,} or more while a claim about it "
                f"says at most {parent_high:,}. Check the parent links and the complete flag."
            )
    return conflicts


def _lowest_bound(dataset: Dataset, quantity_id: str) -> int:
    """The largest lower bound any single claim puts on the stated count (0 if none; an
    upper bound's is 0)."""
    return max((c.observation.low for c in dataset.claims_about(quantity_id)), default=0)


def _highest_bound(dataset: Dataset, quantity_id: str) -> int | None:
    """The smallest upper bound a claim puts on the final count: none from a running toll,
    whose claims bound the toll at their date, below the final one."""
    if dataset.quantity_by_id[quantity_id].cumulative:
        return None
    highs = [c.observation.high for c in dataset.claims_about(quantity_id)
             if c.observation.high is not None]
    return min(highs, default=None)
