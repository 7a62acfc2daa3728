"""``reconcile check``: the real command on the seeds, and that it stays light (no PyMC)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from dataset_helpers import REPO, SEEDS, copy_seeds, edit_record, run_cli, snapshot
from reconcile.cli import main
from reconcile.dataset import load_dataset

HEAVY = ("pymc", "pytensor", "arviz", "arviz_base", "arviz_stats", "arviz_plots", "nutpie",
         "numpyro", "jax", "matplotlib")


def test_check_seeds_exits_0() -> None:
    before = snapshot(SEEDS)
    result = run_cli("check", "seeds", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("seeds: valid. ")
    assert load_dataset(SEEDS).summary() in result.stdout
    assert result.stderr == ""
    assert snapshot(SEEDS) == before


def test_check_seeds_by_absolute_path_and_module(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "reconcile", "check", str(SEEDS)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"{SEEDS}: valid." in result.stdout


def test_check_invalid_exits_2_in_process(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, "claims.csv", "karbala_bodies_held", value="abc")
    result = CliRunner().invoke(main, ["check", str(data)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "1 problem in the input" in result.stderr
    assert result.stdout == ""


def test_check_with_a_bad_model_file_exits_2(tmp_path: Path) -> None:
    model = tmp_path / "model.toml"
    model.write_text("[lexicon]\ndozens = { low = 30, high = 20 }\n", encoding="utf-8")
    result = run_cli("check", SEEDS, "--model", model)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "model.toml" in result.stderr and "lexicon" in result.stderr


def test_check_with_a_model_uses_its_lexicon(tmp_path: Path) -> None:
    """--model supplies the lexicon: a configuration without 'dozens' invalidates a claim."""
    import tomllib

    data = tomllib.loads((REPO / "models" / "default.toml").read_text(encoding="utf-8"))
    lexicon = {term: entry for term, entry in data["lexicon"].items() if term != "dozens"}
    lines = [f'"{term}" = {{ low = {e["low"]}' + (f', high = {e["high"]}' if "high" in e else "")
             + " }" for term, e in lexicon.items()]
    model = tmp_path / "no-dozens.toml"
    model.write_text("[lexicon]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("check", SEEDS, "--model", model)
    assert result.returncode == 2, result.stdout
    assert "'dozens' is not in the model configuration's lexicon" in result.stderr


def test_check_does_not_import_the_modelling_stack() -> None:
    """`reconcile check` must stay fast: PyMC, PyTensor and ArviZ are imported lazily."""
    script = textwrap.dedent(f"""
        import sys
        from click.testing import CliRunner
        from reconcile.cli import main
        result = CliRunner().invoke(main, ["check", {str(SEEDS)!r}], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "valid." in result.output, result.output
        assert "reconcile.dataset.load" in sys.modules  # the probe sees what check imported
        heavy = sorted(name for name in sys.modules if name.split(".")[0] in {HEAVY!r})
        assert not heavy, heavy
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_check_with_a_model_path_the_file_system_refuses_exits_2() -> None:
    result = CliRunner().invoke(main, ["check", str(SEEDS), "--model", "m" * 5000],
                                catch_exceptions=False)
    assert result.exit_code == 2
    assert "File name too long" in result.stderr
    assert "Traceback" not in result.output


# --- model files are data: parsed as TOML, bounded, never executed ---------------------------
def _model_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (model path, fragment of the expected message)."""
    default = (REPO / "models" / "default.toml").read_text(encoding="utf-8")
    marker = tmp_path / "executed"
    cases = {
        "huge": ("# padding\n" * 200_000 + default, "over the limit of 1,000,000"),
        "utf16": (default.encode("utf-16"), "not UTF-8"),
        "unknown-key": (default.replace("[truth]", "[truth]\nmuu = 3"), "unknown key"),
        "deep-arrays": ("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
        "deep-tables": ("a = " + "{b=" * 50_000 + "1" + "}" * 50_000 + "\n",
                        "nested too deeply"),
        "yaml-object": (f'!!python/object/apply:os.system ["touch {marker}"]\n',
                        "not valid TOML"),
        "python-code": (f'name = "__import__(\'os\').system(\'touch {marker}\')"\n'
                        "[sampler]\ndraws = 'eval(1)'\n", "sampler.draws"),
    }
    paths: dict[str, tuple[Path, str]] = {}
    for name, (content, says) in cases.items():
        path = tmp_path / f"{name}.toml"
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        path.write_bytes(data)
        paths[name] = (path, says)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    paths["fifo"] = (fifo, "is a FIFO (named pipe), not a model configuration file")
    paths["device"] = (Path("/dev/zero"), "is a character device")
    paths["folder"] = (tmp_path, "is a folder")
    return paths


def test_bad_model_files_are_refused_with_exit_2(tmp_path: Path) -> None:
    """Through the real command, each under run_cli's time limit: a FIFO or /dev/zero must
    not hang it or fill memory, deep nesting must not end in a RecursionError traceback."""
    for name, (path, says) in _model_cases(tmp_path).items():
        result = run_cli("check", SEEDS, "--model", path)
        assert result.returncode == 2, (name, result.stderr)
        assert "Traceback" not in result.stderr, name
        assert says in result.stderr, (name, result.stderr)
    assert not (tmp_path / "executed").exists()


def test_run_refuses_a_bad_model_file_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fifo = tmp_path / "model.toml"
    os.mkfifo(fifo)
    result = run_cli("run", SEEDS, "--model", fifo, "--out", out)
    assert result.returncode == 2 and "is a FIFO" in result.stderr
    assert not out.exists()


def test_help_is_never_cut_and_names_the_shipped_models() -> None:
    """`reconcile --help` cut each command's description with "..." (issue 17.6); --model
    now lists the model files shipped with the package."""
    runner = CliRunner()
    top = runner.invoke(main, ["--help"], terminal_width=80)
    commands = top.output.split("Commands:")[1]
    assert "..." not in commands and {"calibrate", "check", "run"} <= set(commands.split())
    shipped = sorted(p.stem for p in (REPO / "models").glob("*.toml"))
    for command in ("run", "check", "calibrate"):
        text = " ".join(runner.invoke(main, [command, "--help"], terminal_width=200)
                        .output.split())
        assert ", ".join(shipped) in text, (command, text)
