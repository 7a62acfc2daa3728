"""Fitting: ``fit()`` builds the model and samples it with a NUTS backend (backends.py, one
module per sampler) or approximates it with ADVI (advi.py); ``compiled.py`` reuses one
compiled model for many refits. ``Fit`` is the plain record the analysis reads."""

from reconcile.inference.fitting import Fit, fit, sample

__all__ = ["Fit", "fit", "sample"]
