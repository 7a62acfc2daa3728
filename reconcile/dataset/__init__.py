"""The claim-record dataset: reading, validation and the immutable validated Dataset."""

from reconcile.dataset.load import check_dataset, load_dataset
from reconcile.dataset.records import Claim, Dataset, Quantity, Source, stance_of
from reconcile.observations import Observation, log_bounds

__all__ = [
    "Claim", "Dataset", "Observation", "Quantity", "Source", "check_dataset", "load_dataset",
    "log_bounds", "stance_of",
]
