"""The valid seed dataset loads into an immutable Dataset with every claim resolved."""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
from pathlib import Path

import pytest

from dataset_helpers import (
    DEFAULT_MODEL, SEEDS, copy_seeds, edit_record, read_rows, seed_row, snapshot, write_rows,
)
from reconcile.config import config_from_dict, load_config
from reconcile.dataset import Observation, check_dataset, load_dataset, stance_of
from reconcile.dataset.csvfile import Row
from reconcile.dataset.fields import Cells, parse_date
from reconcile.dataset.quotes import fold, mentions_number, quote_in_document

C, Q, S = "claims.csv", "quantities.csv", "sources.csv"
LEXICON = tomllib.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))["lexicon"]


@pytest.fixture(scope="module")
def seeds():
    return load_dataset(SEEDS)


def claim(dataset, claim_id: str):
    (found,) = [c for c in dataset.claims if c.claim_id == claim_id]
    return found


# --- the seed dataset ---------------------------------------------------------------------
def _records(table: str) -> list[dict[str, str]]:
    rows = read_rows(SEEDS / table)
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _count(text: str) -> int | None:
    return int(text.replace(",", "")) if text else None


def test_seed_dataset_loads(seeds) -> None:
    assert check_dataset(SEEDS) == []
    assert seeds.name == "seeds"
    # Every record, field by field, in file order, against the CSV text.
    claims = _records(C)
    assert len(seeds.claims) == len(claims) > 20
    for number, (record, row) in enumerate(zip(seeds.claims, claims), start=2):
        assert record.row == number
        assert (record.claim_id, record.quantity_id, record.source_id, record.document,
                record.quote, record.qualifier) == (
            row["claim_id"], row["quantity_id"], row["source_id"], row["document"],
            row["quote"], row["qualifier"])
        assert record.via == tuple(v for v in row["via"].split(";") if v)
        assert (record.value, record.low, record.high) == (
            _count(row["value"]), _count(row["low"]), _count(row["high"]))
        assert record.term == (row["term"] or None)
        assert record.published == (row["published"] or None)
        assert record.notes == (row["notes"] or None)
    sources = _records(S)
    assert [(s.source_id, s.name, s.kind, s.side) for s in seeds.sources] == [
        (r["source_id"], r["name"], r["kind"], r["side"] or None) for r in sources]
    quantities = _records(Q)
    assert [(q.quantity_id, q.description, q.outcome, q.side, q.start, q.end, q.place,
             q.parent, q.complete) for q in seeds.quantities] == [
        (r["quantity_id"], r["description"], r["outcome"], r["side"] or None,
         r["start"] or None, r["end"] or None, r["place"] or None, r["parent"] or None,
         r["complete"] == "true") for r in quantities]
    tabrizi = claim(seeds, "tabrizi_since_2012")
    assert tabrizi.via == ("isna", "ea_worldview", "mesop")
    assert seeds.quantity_by_id["irgc_casualties_khan_tuman"].complete is True


def test_loading_changes_nothing_on_disk() -> None:
    before = snapshot(SEEDS)
    load_dataset(SEEDS)
    assert snapshot(SEEDS) == before


def test_input_hashes_cover_tables_and_cited_documents(seeds) -> None:
    documents = {f"documents/{c.document}" for c in seeds.claims}
    assert set(seeds.input_hashes) == {S, Q, C} | documents
    for name, digest in seeds.input_hashes.items():
        assert digest == hashlib.sha256((SEEDS / name).read_bytes()).hexdigest()


def test_extra_columns_are_kept_and_ignored_and_column_order_is_free(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    rows = read_rows(data / C)
    order = list(reversed(range(len(rows[0]))))
    write_rows(data / C, [[row[i] for i in order] + ["x"] for row in rows[:1]]
               + [[row[i] for i in order] + ["anything"] for row in rows[1:]])
    assert read_rows(data / C)[0][0] == "notes"
    assert load_dataset(data).claims == load_dataset(SEEDS).claims


# --- immutability ---------------------------------------------------------------------------
def test_dataset_is_immutable(seeds) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        seeds.claims = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        seeds.name = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        seeds.children = {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        del seeds.sources
    assert isinstance(seeds.claims, tuple)
    assert isinstance(seeds.sources, tuple) and isinstance(seeds.quantities, tuple)


@pytest.mark.parametrize("mapping", ["source_by_id", "quantity_by_id", "quantity_index",
                                     "source_index", "children", "input_hashes"])
def test_dataset_mappings_are_read_only(seeds, mapping: str) -> None:
    value = getattr(seeds, mapping)
    key = next(iter(value))
    with pytest.raises(TypeError):
        value[key] = value[key]
    with pytest.raises(TypeError):
        value["new"] = None
    with pytest.raises(TypeError):
        del value[key]
    assert not hasattr(value, "__setitem__") and not hasattr(value, "clear")


def test_records_are_frozen(seeds) -> None:
    record = seeds.claims[0]
    for obj, attribute, value in [
        (record, "value", 1), (record, "via", ()), (record.observation, "low", 0),
        (seeds.sources[0], "side", "x"), (seeds.quantities[0], "parent", None),
    ]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, attribute, value)
    assert isinstance(record.via, tuple)
    assert all(isinstance(kids, tuple) for kids in seeds.children.values())


# --- qualifiers resolve to observations -----------------------------------------------------
def test_seed_qualifiers(seeds) -> None:
    # exact -> a point
    assert claim(seeds, "karbala_bodies_held").observation == Observation("point", 12, 12)
    # more_than X (and "1,200" with a thousands separator) -> lower bound X + 1
    tabrizi = claim(seeds, "tabrizi_since_2012")
    assert tabrizi.value == 1200
    assert tabrizi.observation == Observation("lower_bound", 1201, None)
    # range -> an interval
    assert claim(seeds, "mp_khan_tuman_captured").observation == Observation("interval", 5, 6)
    # vague -> the lexicon's bounds (closed or open-ended)
    for claim_id, term in [("rebel_outlets_morning_dozens", "dozens"),
                           ("eaw_militia_hundreds", "hundreds"),
                           ("saeedi_moharram_many", "many"),
                           ("eaw_militia_large_number", "a large number"),
                           ("algemeiner_war_toll", "hundreds of thousands")]:
        entry = LEXICON[term]
        observation = claim(seeds, claim_id).observation
        assert (observation.low, observation.high) == (entry["low"], entry.get("high")), term
        assert observation.kind == ("vague" if "high" in entry else "lower_bound")
    assert claim(seeds, "rebel_outlets_morning_dozens").observation == Observation(
        "vague", 24, 99)
    # every word of the packaged lexicon has an upper end ("many" too)
    assert all("high" in entry for entry in LEXICON.values())
    assert claim(seeds, "saeedi_moharram_many").observation == Observation("vague", 10, 499)


@pytest.mark.parametrize(("qualifier", "expected"), [
    ("exact", Observation("point", 12, 12)),
    ("about", Observation("point", 12, 12, about=True)),
    ("at_least", Observation("lower_bound", 12, None)),
    ("more_than", Observation("lower_bound", 13, None)),
    ("at_most", Observation("upper_bound", 0, 12)),
    ("fewer_than", Observation("upper_bound", 0, 11)),
    ("nearly", Observation("nearly", 0, 12)),
])
def test_value_qualifiers(tmp_path: Path, qualifier: str, expected: Observation) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, C, "karbala_bodies_held", qualifier=qualifier)
    assert claim(load_dataset(data), "karbala_bodies_held").observation == expected


def test_range_bounds_must_be_stated_in_the_quote(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, C, "mp_khan_tuman_captured", low="4")
    # "five or six" does not state 4: the quote check applies to the bounds as well
    assert [(i.row, i.column) for i in check_dataset(data)] == [
        (seed_row(C, "mp_khan_tuman_captured"), "low")]


def test_zero_stated_in_words_is_a_count(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    path = data / "documents" / "000_412b9c8617c643a7.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nNo one was captured.\n",
                    encoding="utf-8")
    edit_record(data, C, "mp_khan_tuman_captured", quote="No one was captured.",
                qualifier="exact", value="0", low="", high="")
    assert claim(load_dataset(data), "mp_khan_tuman_captured").observation == Observation(
        "point", 0, 0)


def test_vague_with_explicit_bounds_overrides_the_lexicon(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, C, "rebel_outlets_morning_dozens", low="30", high="40")
    assert claim(load_dataset(data), "rebel_outlets_morning_dozens").observation == Observation(
        "vague", 30, 40)
    edit_record(data, C, "rebel_outlets_morning_dozens", low="30", high="")
    assert claim(load_dataset(data), "rebel_outlets_morning_dozens").observation == Observation(
        "lower_bound", 30, None)


def test_vague_term_not_in_the_lexicon_is_accepted_with_bounds(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    path = data / "documents" / "003_2558638e5a177ce9.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("killing dozens of", "killing umpteen"), encoding="utf-8")
    edit_record(data, C, "rebel_outlets_morning_dozens", term="umpteen", low="5", high="500",
                quote="Rebel outlets are claiming that they repelled the attacks so far, "
                      "killing umpteen fighters")
    assert claim(load_dataset(data), "rebel_outlets_morning_dozens").observation == Observation(
        "vague", 5, 500)


def test_the_lexicon_comes_from_the_model_configuration() -> None:
    config = load_config()
    data = config.model_dump()
    data["lexicon"] = {**LEXICON, "Dozens": {"low": 12, "high": 60}}
    del data["lexicon"]["dozens"]
    custom = config_from_dict(data)
    dataset = load_dataset(SEEDS, custom.lexicon)
    assert claim(dataset, "rebel_outlets_morning_dozens").observation == Observation(
        "vague", 12, 60)
    # a configuration without the word makes the claim invalid
    del data["lexicon"]["Dozens"]
    issues = check_dataset(SEEDS, config_from_dict(data).lexicon)
    assert [(i.file, i.row, i.column) for i in issues] == [
        (C, seed_row(C, "rebel_outlets_morning_dozens"), "term")]


def test_vague_term_lookup_ignores_case_and_spacing(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, C, "eaw_militia_large_number", term="A  Large\tNumber")
    assert claim(load_dataset(data), "eaw_militia_large_number").observation == Observation(
        "vague", LEXICON["a large number"]["low"], LEXICON["a large number"]["high"])


# --- stance ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("claim_id", "stance"), [
    ("irgc_khan_tuman_killed", "own"),            # iran_axis source, iran_axis losses
    ("jaf_counterattack_killed", "enemy"),        # rebels on iran_axis losses
    ("turkey_is_killed", "enemy"),                # turkey on islamic_state losses
    ("opposition_eighty_officers", "enemy"),      # iran_opposition on iran_axis losses
    ("eaw_al_eis_killed", "third_party"),         # a source with no side
    ("algemeiner_war_toll", "third_party"),       # nobody's side on all parties' losses
])
def test_stance_from_sides(seeds, claim_id: str, stance: str) -> None:
    assert seeds.stance(claim(seeds, claim_id)) == stance


def test_stance_of() -> None:
    assert stance_of("a", "a") == "own"
    assert stance_of("a", "b") == "enemy"
    assert stance_of(None, "b") == "third_party"
    assert stance_of("a", None) == "third_party"
    assert stance_of(None, None) == "third_party"
    assert stance_of("", "") == "third_party"


def test_stance_follows_an_edited_side(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, S, "ea_worldview", side="iran_axis")
    dataset = load_dataset(data)
    assert dataset.stance(claim(dataset, "eaw_al_eis_killed")) == "own"
    assert dataset.stance(claim(dataset, "eaw_kilis_killed")) == "enemy"  # civilians' losses


def test_summary_counts_stances(seeds) -> None:
    stances = [seeds.stance(c) for c in seeds.claims]
    summary = seeds.summary()
    assert (f"stance: {stances.count('own')} own, {stances.count('enemy')} enemy, "
            f"{stances.count('third_party')} third-party") in summary
    assert min(stances.count("own"), stances.count("enemy"), stances.count("third_party")) > 0


# --- evidence groups ------------------------------------------------------------------------
def test_evidence_groups(seeds) -> None:
    ids = [c.claim_id for c in seeds.claims]
    groups = [{ids[i] for i in members} for members in seeds.evidence_groups]
    assert sorted(i for members in seeds.evidence_groups for i in members) == list(
        range(len(seeds.claims)))
    assert len(groups) == len({(r["source_id"], r["quantity_id"]) for r in _records(C)})
    for pair in [{"irgc_khan_tuman_killed_eaw", "irgc_khan_tuman_killed"},
                 {"irgc_khan_tuman_wounded_eaw", "irgc_khan_tuman_wounded"},
                 {"iranian_media_since_oct_eaw_may11", "iranian_media_since_oct"},
                 {"eaw_militia_large_number", "eaw_militia_hundreds"}]:
        assert pair in groups
    for members in seeds.evidence_groups:
        keys = {(seeds.claims[i].source_id, seeds.claims[i].quantity_id) for i in members}
        assert len(keys) == 1
    # the same source on different quantities is different evidence
    assert {"eaw_al_eis_killed"} in groups and {"eaw_al_eis_casualties"} in groups


def test_evidence_weights(seeds) -> None:
    weights = dict(zip((c.claim_id for c in seeds.claims), seeds.evidence_weights))
    assert weights["irgc_khan_tuman_killed"] == weights["irgc_khan_tuman_killed_eaw"] == 0.5
    assert weights["karbala_bodies_held"] == 1.0
    assert sum(seeds.evidence_weights) == pytest.approx(len(seeds.evidence_groups))
    for members in seeds.evidence_groups:
        assert sum(seeds.evidence_weights[i] for i in members) == pytest.approx(1.0)


def test_three_claims_in_one_group_weigh_a_third_each(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    # a third statement by the same speaker about the same quantity
    edit_record(data, C, "irgc_khan_tuman_casualties", quantity_id="irgc_killed_khan_tuman",
                quote="He said 13 IRGC troops had been killed", qualifier="exact", value="13")
    dataset = load_dataset(data)
    index = {c.claim_id: i for i, c in enumerate(dataset.claims)}
    group = {index["irgc_khan_tuman_killed"], index["irgc_khan_tuman_killed_eaw"],
             index["irgc_khan_tuman_casualties"]}
    assert tuple(sorted(group)) in dataset.evidence_groups
    for i in group:
        assert dataset.evidence_weights[i] == pytest.approx(1 / 3)


# --- the quantity forest --------------------------------------------------------------------
def test_children_and_roots(seeds) -> None:
    assert seeds.children["irgc_casualties_khan_tuman"] == (
        "irgc_killed_khan_tuman", "irgc_wounded_khan_tuman")
    assert seeds.children["irgc_killed_khan_tuman"] == ("irgc_bodies_held_khan_tuman",)
    assert seeds.children["iran_killed_since_oct_2015"] == (
        "iran_officers_killed_two_months_dec_2015", "irgc_killed_russian_airstrike_dec_2015")
    assert seeds.children["syria_war_killed"] == ()
    assert set(seeds.children) == set(seeds.quantity_by_id)
    assert seeds.roots == tuple(r["quantity_id"] for r in _records(Q) if not r["parent"])
    assert all(seeds.quantity_by_id[r].parent is None for r in seeds.roots)
    assert "iran_killed_since_2012" in seeds.roots
    assert "iran_killed_since_oct_2015" not in seeds.roots
    for parent, kids in seeds.children.items():
        for kid in kids:
            assert seeds.quantity_by_id[kid].parent == parent


def test_ancestors_and_depth(seeds) -> None:
    assert seeds.ancestors("iran_commanders_killed_oct_2015") == (
        "irgc_officers_killed_autumn_2015", "iran_officers_killed_two_months_dec_2015",
        "iran_killed_since_oct_2015", "iran_killed_since_2012")
    assert seeds.depth("iran_commanders_killed_oct_2015") == 4
    assert seeds.ancestors("iran_killed_since_2012") == ()
    assert seeds.depth("irgc_bodies_held_khan_tuman") == 2


def test_tree_order(seeds) -> None:
    order = seeds.tree_order
    assert sorted(order) == sorted(seeds.quantity_by_id)
    position = {qid: i for i, qid in enumerate(order)}
    for q in seeds.quantities:
        if q.parent:
            assert position[q.parent] < position[q.quantity_id]
    # depth first: every subtree is a contiguous block
    for qid in order:
        descendants = {d for d in order if qid in seeds.ancestors(d)}
        block = order[position[qid] + 1: position[qid] + 1 + len(descendants)]
        assert set(block) == descendants
    assert order[:5] == ("iran_killed_since_2012", "iran_killed_since_oct_2015",
                         "iran_officers_killed_two_months_dec_2015",
                         "irgc_officers_killed_autumn_2015", "iran_commanders_killed_oct_2015")


def test_far_dates_do_not_break_the_period_check(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, Q, "iran_killed_since_2012", end="9999-12")
    assert load_dataset(data).quantity_by_id["iran_killed_since_2012"].end == "9999-12"


@pytest.mark.parametrize(("value", "first", "last"), [
    ("2016-05-08", "2016-05-08", "2016-05-08"),
    ("2016-02", "2016-02-01", "2016-02-29"),
    ("2015-02", "2015-02-01", "2015-02-28"),
    ("2015-12", "2015-12-01", "2015-12-31"),
    ("9999-12", "9999-12-01", "9999-12-31"),
    ("2012", "2012-01-01", "2012-12-31"),
])
def test_parse_date(value: str, first: str, last: str) -> None:
    start, end = parse_date(value)
    assert (start.isoformat(), end.isoformat()) == (first, last)


@pytest.mark.parametrize("value", ["2016-13", "2016-02-30", "16-05-08", "May 2016", "2016/05"])
def test_parse_date_rejects(value: str) -> None:
    assert parse_date(value) is None


def test_month_period_compares_by_its_last_day(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, Q, "irgc_captured_khan_tuman", start="2016-05-31", end="2016-05")
    assert check_dataset(data) == []
    edit_record(data, Q, "irgc_captured_khan_tuman", start="2016-06-01", end="2016-05")
    assert [(i.row, i.column) for i in check_dataset(data)] == [
        (seed_row(Q, "irgc_captured_khan_tuman"), "end")]


# --- numbers --------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "number"), [
    ("1,200", 1200), ("1200", 1200), ("1 200", 1200), ("1\u202f200", 1200),
    ("1\u00a0200", 1200), ("0", 0), ("007", 7), ("1,000,000", 1_000_000),
    ("999999999999999", 999_999_999_999_999),
])
def test_count_accepts(text: str, number: int) -> None:
    issues: list = []
    assert Cells(C, Row(2, {"value": text}), issues).count("value") == number
    assert issues == []


@pytest.mark.parametrize("text", ["1,20", "12.5", "-3", "abc", "1e3", "1,2000", "12a",
                                  "1" * 16, "+5", "½"])
def test_count_rejects(text: str) -> None:
    issues: list = []
    assert Cells(C, Row(7, {"value": text}), issues).count("value") is None
    assert [(i.file, i.row, i.column) for i in issues] == [(C, 7, "value")]


@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), ("TRUE", True), ("yes", True), ("1", True),
    ("false", False), ("no", False), ("0", False), ("", False),
])
def test_boolean(text: str, expected: bool) -> None:
    issues: list = []
    assert Cells(Q, Row(3, {"complete": text}), issues).boolean("complete") is expected
    assert issues == []


# --- quote matching -------------------------------------------------------------------------
@pytest.mark.parametrize("quote", [
    # typographic apostrophe in the document, a straight one in the quote
    "the Guards' official declaration of 13 dead and 21 wounded",
    # case
    "THE GUARDS’ OFFICIAL DECLARATION OF 13 DEAD AND 21 WOUNDED",
    # whitespace and line breaks
    "the   Guards’ official\ndeclaration of\r\n13 dead and\t21 wounded",
    "  the Guards’ official declaration of 13 dead and 21 wounded  ",
    # non-breaking and zero-width spaces
    "the\u00a0Guards’ official declaration of 13\u200b dead and 21 wounded",
])
def test_quote_matching_tolerates_typography(tmp_path: Path, quote: str) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, C, "irgc_khan_tuman_killed_eaw", quote=quote)
    assert check_dataset(data) == []
    assert claim(load_dataset(data), "irgc_khan_tuman_killed_eaw").quote == quote.strip()


def test_quote_matching_tolerates_double_quotes_and_dashes(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    # the document has “...”; the quote straight double quotes
    edit_record(data, C, "karbala_bodies_held",
                quote='He said 12 bodies are still "in the hands of the takfiris"')
    # the document has an ASCII hyphen in "Iranian-led"; the quote an en dash and an em dash
    edit_record(data, C, "eaw_al_eis_casualties",
                quote="Iranian forces and Iranian\u2013led foreign militias suffered more than "
                      "100 casualties")
    edit_record(data, C, "eaw_al_quds_killed",
                quote="the al\u2014Quds Hospital in east Aleppo city was hit by missiles, "
                      "killing 55 people and wounding 80")
    assert check_dataset(data) == []


def test_quote_matching_does_not_tolerate_rewording(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, C, "irgc_khan_tuman_killed_eaw",
                quote="the Guards’ official declaration of 13 dead and 21 injured")
    assert [(i.column, "not found" in i.message) for i in check_dataset(data)] == [
        ("quote", True)]


def test_fold_and_helpers() -> None:
    assert fold("  A\u2019B \u201cC\u201d\u2014D\n\tE\u2026 ") == "a'b \"c\"-d e..."
    assert quote_in_document("B  c", fold("a b c d"))
    assert not quote_in_document("", fold("a b c d"))
    assert not quote_in_document("   ", fold("a b c d"))
    assert mentions_number("more than 1,200 troops", 1200)
    assert mentions_number("more than 1\u202f200 troops", 1200)
    assert mentions_number("five or six soldiers", 5) and mentions_number("five or six", 6)
    assert mentions_number("twenty-one wounded", 21)
    assert mentions_number("no one was hurt", 0)
    assert not mentions_number("more than 1,200 troops", 200)
    assert not mentions_number("121 wounded", 21)
    assert not mentions_number("2.5 million", 5)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    for name in (S, Q, C, "documents/000_412b9c8617c643a7.txt"):
        path = data / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert check_dataset(data) == []
    loaded = load_dataset(data)
    assert loaded.claims == load_dataset(SEEDS).claims
    assert loaded.sources == load_dataset(SEEDS).sources


def test_crlf_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    path = data / C
    lines = path.read_bytes().split(b"\n")
    lines.insert(5, b"")
    lines.insert(9, b",,,")
    path.write_bytes(b"\r\n".join(lines))
    dataset = load_dataset(data)
    assert [c.claim_id for c in dataset.claims] == [c.claim_id for c in load_dataset(SEEDS).claims]
    # rows are numbered as a spreadsheet shows them, blank rows included
    assert claim(dataset, "mp_khan_tuman_captured").row == 7


def test_multiline_cell_keeps_spreadsheet_row_numbers(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    edit_record(data, C, "tabrizi_since_2012", notes="line one\nline two\nline three")
    edit_record(data, C, "karbala_bodies_held", value="abc")
    issues = check_dataset(data)
    assert [(i.row, i.column) for i in issues] == [(seed_row(C, "karbala_bodies_held"), "value")]
    # the same holds for a defect that stops the file from being read
    path = data / C
    path.write_bytes(path.read_bytes().replace(b",abc,", b",a\x00bc,"))
    assert [(i.row, i.column) for i in check_dataset(data)] == [
        (seed_row(C, "karbala_bodies_held"), "value")]


def test_written_datasets_load_back_unchanged(tmp_path, seed_dataset, default_config):
    """write_dataset gives a folder that validates and loads back to the same records: the
    seed dataset (its own quotes) and a simulated one (quotes made to state each figure)."""
    from reconcile.dataset import load_dataset
    from reconcile.dataset.write import write_dataset
    from reconcile.model.simulate import simulate

    simulated = simulate(default_config, seed=3, n_sources=8, n_quantities=12, n_claims=40)[0].dataset
    for name, dataset in (("seeds", seed_dataset), ("simulated", simulated)):
        back = load_dataset(write_dataset(dataset, tmp_path / name), default_config.lexicon)
        assert back.sources == dataset.sources and back.quantities == dataset.quantities
        keys = ("claim_id", "quantity_id", "source_id", "via", "qualifier", "observation",
                "value", "low", "high", "term")
        assert [[getattr(c, k) for k in keys] for c in back.claims] == \
            [[getattr(c, k) for k in keys] for c in dataset.claims], name
        assert back.evidence_groups == dataset.evidence_groups


def test_every_qualifier_is_written_as_words_the_quote_checker_reads(tmp_path, seed_dataset,
                                                                     default_config):
    """A simulated claim of any qualifier gets a made-up quote stating its figure ("nearly"
    had none, and writing a benchmark dataset failed on it)."""
    from dataclasses import replace

    from reconcile.dataset import load_dataset
    from reconcile.dataset.write import write_dataset
    from reconcile.qualifiers import QUALIFIERS, read_qualifier

    template = next(c for c in seed_dataset.claims if c.qualifier == "exact")
    figures = {"range": (None, 40, 60), "vague": (None, None, None)}
    claims = []
    for number, qualifier in enumerate(QUALIFIERS):
        value, low, high = figures.get(qualifier, (50, None, None))
        term = "dozens" if qualifier == "vague" else None
        observation = (template.observation if qualifier == "vague" else
                       read_qualifier(qualifier, value, low, high))
        claims.append(replace(template, claim_id=f"q{number}", qualifier=qualifier, value=value,
                              low=low, high=high, term=term, quote=None, via=(),
                              observation=observation))
    dataset = replace(seed_dataset, claims=tuple(claims))
    back = load_dataset(write_dataset(dataset, tmp_path / "all"), default_config.lexicon)
    assert [c.qualifier for c in back.claims] == list(QUALIFIERS)


def test_stance_is_judged_against_the_party_that_caused_the_deaths(tmp_path: Path) -> None:
    """quantities.by: the party whose strike killed civilians speaks of harm it caused (own),
    the victims' side and others of harm caused by their enemy (enemy); a sideless monitor
    stays a third party."""
    data = copy_seeds(tmp_path / "data")
    table = data / "quantities.csv"
    rows = table.read_text(encoding="utf-8").splitlines()
    rows[0] += ",by"
    rows[1:] = [row + (",iran_axis" if row.startswith("civilians_") else ",") for row in rows[1:]]
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    dataset = load_dataset(data)
    quantity = dataset.quantity_by_id["civilians_killed_al_quds_hospital"]
    assert quantity.by == "iran_axis" and quantity.side == "civilians"
    for claim_ in dataset.claims_about(quantity.quantity_id):
        side = dataset.source_by_id[claim_.source_id].side
        expected = "third_party" if not side else ("own" if side == "iran_axis" else "enemy")
        assert dataset.stance(claim_) == expected
    untouched = load_dataset(SEEDS)
    for claim_ in dataset.claims:
        if not claim_.quantity_id.startswith("civilians_"):
            assert dataset.stance(claim_) == untouched.stance(claim_)
