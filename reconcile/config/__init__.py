"""Model configuration: the schema (schema.py), the vague-word lexicon (lexicon.py) and
reading model files (loading.py)."""

from reconcile.config.lexicon import LexiconEntry, lookup_term, normalize_term
from reconcile.config.loading import (
    MAX_CONFIG_BYTES, config_from_dict, default_model_path, load_config, packaged_lexicon,
    packaged_model_paths, resolve_model_path,
)
from reconcile.config.schema import (
    LOW_RANK_MAX_PARAMETERS, STANCES, BiasConfig, DependenceConfig, ModelConfig, NoiseConfig,
    ReadingConfig, RefitPreset, SamplerConfig, SamplerPresets, StanceEffect, TollConfig,
    TruthPrior,
)

__all__ = [
    "LOW_RANK_MAX_PARAMETERS", "MAX_CONFIG_BYTES", "STANCES", "BiasConfig", "DependenceConfig",
    "LexiconEntry", "ModelConfig", "NoiseConfig", "ReadingConfig", "RefitPreset", "SamplerConfig",
    "SamplerPresets", "StanceEffect", "TollConfig", "TruthPrior", "config_from_dict", "default_model_path",
    "load_config", "lookup_term", "normalize_term", "packaged_lexicon", "packaged_model_paths",
    "resolve_model_path",
]
