"""Read a model configuration file: resolve packaged names, parse TOML safely, validate with
every problem listed at once and a "did you mean" for misspelt keys."""

from __future__ import annotations

import difflib
import re
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ValidationError

from reconcile.config.schema import ModelConfig
from reconcile.errors import ConfigError
from reconcile.files import NotRegularFile, TooLarge, read_bounded

MAX_CONFIG_BYTES = 1_000_000


def default_model_path() -> Path:
    """The packaged ``models/default.toml``."""
    return Path(str(resources.files("reconcile.model_files").joinpath("default.toml")))


def packaged_model_paths() -> dict[str, Path]:
    """Every model configuration shipped in ``models/``, by name (file stem)."""
    folder = resources.files("reconcile.model_files")
    return {
        Path(entry.name).stem: Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def resolve_model_path(model: str | Path | None) -> Path:
    """A path, or the name of a packaged configuration (``default``, ``normal-noise``...)."""
    if model is None:
        return default_model_path()
    path = Path(model)
    if path.exists():
        return path
    packaged = packaged_model_paths()
    if str(model) in packaged:
        return packaged[str(model)]
    raise ConfigError(
        f"model configuration {model!s} not found: give a TOML file or one of "
        + ", ".join(sorted(packaged))
    )


def packaged_lexicon() -> dict:
    """The lexicon of the packaged default model, for reading a dataset without a model."""
    return load_config(default_model_path()).lexicon


def load_config(model: str | Path | None = None) -> ModelConfig:
    """Read and validate a model configuration (TOML, parsed safely; nothing is executed)."""
    path = resolve_model_path(model)
    try:
        raw = read_bounded(path, MAX_CONFIG_BYTES)
    except NotRegularFile as exc:
        raise ConfigError(f"{path}: is {exc.kind}, not a model configuration file") from None
    except TooLarge as exc:
        raise ConfigError(f"{path}: is {exc.size:,} bytes, over the limit of "
                          f"{MAX_CONFIG_BYTES:,} for a model configuration") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the model configuration "
                          f"({exc.strerror or type(exc).__name__})") from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays and tables
        raise ConfigError(f"{path}: arrays or tables nested too deeply to be a model "
                          "configuration") from None
    return config_from_dict(data, source=str(path), text=text)


def config_from_dict(data: dict, source: str = "<dict>", text: str | None = None) -> ModelConfig:
    """Validate a parsed configuration; ``text``, the TOML it was parsed from, puts the line
    of each problem in the error."""
    try:
        return ModelConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(exc, source, text)) from None


def _describe_validation_error(exc: ValidationError, source: str, text: str | None) -> str:
    lines = [f"{source}: {exc.error_count()} problem(s) in the model configuration:"]
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key" + _did_you_mean(error["loc"])
        line = _line_of(text, error["loc"]) if text else None
        lines.append(f"  {f'line {line}, ' if line else ''}{location}: {message}")
    return "\n".join(lines)


_TABLE = re.compile(r"\[\[?\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _line_of(text: str, location: tuple) -> int | None:
    """The line that sets (or, failing that, opens the table of) the key at ``location``: the
    longest dotted path of a table header plus a key that leads to it."""
    wanted = tuple(str(part) for part in location if not isinstance(part, int))
    best, best_depth, table = None, 0, ()
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = _TABLE.match(stripped) if stripped.startswith("[") else None
        if header:
            table, path = _dotted(header.group(1)), _dotted(header.group(1))
        else:
            key = _KEY.match(stripped)
            if not key or stripped.startswith("#"):
                continue
            path = table + _dotted(key.group(1))
        if len(path) > best_depth and wanted[:len(path)] == path:
            best, best_depth = number, len(path)
    return best


def _dotted(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in key.split("."))


def _did_you_mean(location: tuple) -> str:
    """Suggest the closest known key for a misspelt one."""
    model: type[BaseModel] | None = ModelConfig
    for part in location[:-1]:
        field = model.model_fields.get(str(part)) if model else None
        annotation = field.annotation if field else None
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    if model is None:
        return ""
    close = difflib.get_close_matches(str(location[-1]), list(model.model_fields), n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(model.model_fields)}"
