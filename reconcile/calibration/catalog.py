"""The calibration scenarios by name, with what each one does (no heavy imports: the
command line lists them without loading PyMC). Their simulators are in scenarios.py."""

SCENARIO_DESCRIPTIONS: dict[str, str] = {
    "model": "the model's own generative process",
    "heavy_tails": "Student-t statement noise with 2-3 degrees of freedom",
    "rounding": "journalistic rounding; 'more than X' well below the belief",
    "copying": "undeclared copying of another speaker's figure",
    "drift": "each source's bias drifts over time",
    "biased_anchor": "third parties inflate by 35% (the anchor is wrong)",
    "realistic": "realistic event sizes and reporters (truths not from the prior; counts only)",
}
WELL_SPECIFIED = ("model",)
