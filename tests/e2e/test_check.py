"""`perfreport check` loads and cross-checks every file under params/: one line, exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perfreport.config.rag_settings import SpcRuleSet
from perfreport.config.yamlfile import read_yaml
from perfreport.methods.spc import RULE_SETS
from tests.helpers import GOOD_ENTRY, run_cli, write_catalogue


def edit(project: Path, name: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur once) by ``new`` in ``params/<name>``."""
    path = project / "params" / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def one_error(result) -> str:
    """The single ``perfreport: error:`` line of a failed check (exit status 2)."""
    assert result.code == 2, result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("perfreport: error: "), lines[0]
    return lines[0].removeprefix("perfreport: error: ")


CASES = {
    "spc-rules-typo": (
        ("rag.yaml", "spc_rules: mdc ", "spc_rules: typo"),
        r"params/rag\.yaml:11: field 'spc_rules': 'typo' is not allowed; expected 'mdc' or "
        r"'nhsi2017'",
    ),
    "staleness-frequency-typo": (
        ("rag.yaml", "  monthly: 3", "  monthy: 3"),
        r"params/rag\.yaml:3: field 'staleness_months\.monthy': 'monthy' is not allowed; "
        r"expected 'monthly', 'quarterly', ",
    ),
    "plan-unknown-indicator": (
        ("improvement_plans.yaml", "indicator: MSG-4\n", "indicator: MSG-44\n"),
        r"params/improvement_plans\.yaml:6: plan 'PIP-2023-07': field 'indicator': 'MSG-44' is "
        r"not in the indicator catalogue",
    ),
    "plan-yes-no": (
        (
            "improvement_plans.yaml",
            "new_risk: true\n    mitigation: Discharge",
            "new_risk: yes\n    mitigation: Discharge",
        ),
        r"params/improvement_plans\.yaml:9: field 'plans\[0\]\.new_risk': yes is a YAML 1\.1 "
        r"boolean \(yes, no, on, off, y, n\): write true or false, or quote it \('yes'\) for text",
    ),
    "activity-impossible-date": (
        (
            "activities.yaml",
            "start: 2024-04-01, due: 2025-03-31, status: complete",
            "start: 2024-04-01, due: 2025-02-30, status: complete",
        ),
        r"params/activities\.yaml:9: field 'activities\[0\]\.due': 2025-02-30 is not a date "
        r"\(day is out of range for month\); write dates as YYYY-MM-DD",
    ),
    "activity-date-not-iso": (
        (
            "activities.yaml",
            "start: 2024-04-01, due: 2025-03-31, status: complete",
            "start: 2024-04-01, due: 31/03/2025, status: complete",
        ),
        r"params/activities\.yaml:9: activity 'A-01': field 'due': Input should be a valid date",
    ),
    "objective-unknown-indicator": (
        ("activities.yaml", "indicators: [NI-11, NI-16", "indicators: [NI-99, NI-16"),
        r"params/activities\.yaml:21: objective 'OBJ-1': field 'indicators': 'NI-99' is not in "
        r"the indicator catalogue",
    ),
    "activity-unknown-theme": (
        (
            "activities.yaml",
            "{id: A-01, plan: SCP-DP, theme: prevention",
            "{id: A-01, plan: SCP-DP, theme: prevent",
        ),
        r"params/activities\.yaml:9: activity 'A-01': field 'theme': 'prevent' is not a "
        r"strategic theme",
    ),
    "strategic-unknown-indicator": (
        ("strategic.yaml", "indicator: NI-15}", "indicator: NI-155}"),
        r"params/strategic\.yaml:15: outcome 1: field 'indicator': 'NI-155' is not in the "
        r"indicator catalogue",
    ),
    "source-spec-bad-format": (
        ("sources/demo_observations.yaml", "format: csv", "format: tsv"),
        r"params/sources/demo_observations\.yaml:4: source spec 'demo_observations': field "
        r"'format': 'tsv' is not allowed; expected 'csv', 'xlsx' or 'parquet'",
    ),
    "source-spec-unknown-indicator": (
        ("sources/phs_delayed_discharge_beddays.yaml", "{id: MSG-4}", "{id: MSG-04}"),
        r"params/sources/phs_delayed_discharge_beddays\.yaml:17: source spec "
        r"'phs_delayed_discharge_beddays': field 'measures\[0\]\.indicator\.id': 'MSG-04' is not "
        r"in the indicator catalogue",
    ),
    "area-type-undeclared": (
        ("areas.yaml", "    type: partnership\n", "    type: trust\n"),
        r"params/areas\.yaml:29: area 'S37000005': field 'type': 'trust' is not a declared area "
        r"type; declared: partnership, locality, council, health_board, comparator_group, country$",
    ),
    "area-type-unknown-parent": (
        ("areas.yaml", "parent: partnership, role: part", "parent: partnershp, role: part"),
        r"params/areas\.yaml:\d+: area type 'locality': field 'parent': unknown area type "
        r"'partnershp'; declared: ",
    ),
    "cycle-unknown-area-type": (
        ("cycles.yaml", "areas: [partnership, locality]", "areas: [partnership, localities]"),
        r"params/cycles\.yaml:51: cycle 'locality': field 'areas': 'localities' is not a declared "
        r"area type; declared: .*, or write \[all\] for every area$",
    ),
}


@pytest.mark.parametrize(("change", "expected"), CASES.values(), ids=CASES.keys())
def test_check_names_the_file_and_line(project_copy, cli, change, expected):
    edit(project_copy, *change)
    message = one_error(cli("check", cwd=project_copy))
    assert re.search(r"^/.*" + expected, message), message


def commentary(project: Path, period: str, name: str, text: str = "Why it changed.\n") -> Path:
    folder = project / "params" / "commentary" / period
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return folder / name


def test_commentary_for_an_unknown_indicator(project_copy, cli):
    commentary(project_copy, "2024-25-Q4", "L-COM-99.md")
    assert one_error(cli("check", cwd=project_copy)).endswith(
        "params/commentary/2024-25-Q4/L-COM-99.md:1: commentary for 'L-COM-99', which is not in "
        "the indicator catalogue; name the file <indicator id>.md or <indicator id>@<area code>.md"
    )


def test_commentary_for_an_unknown_area(project_copy, cli):
    commentary(project_copy, "2024-25-Q4", "L-COM-01@CS-XXX.md")
    assert one_error(cli("check", cwd=project_copy)).endswith(
        "params/commentary/2024-25-Q4/L-COM-01@CS-XXX.md:1: commentary for area 'CS-XXX', which "
        "is not in params/areas.yaml; name the file <indicator id>.md or "
        "<indicator id>@<area code>.md"
    )


@pytest.mark.parametrize(
    ("folder", "hint"),
    [("2024-25-Q5", ""), ("Q4-2024-25", ""), ("2024-25", "; 2024/25 is written FY2024-25")],
)
def test_commentary_folder_must_be_a_period_id(project_copy, cli, folder, hint):
    commentary(project_copy, folder, "L-COM-01.md")
    assert one_error(cli("check", cwd=project_copy)).endswith(
        f"params/commentary/{folder}: folder name {folder!r} is not a period id such as "
        f"2024-25-Q4 (a quarter) or FY2024-25 (a financial year){hint}"
    )


def test_commentary_must_be_utf8_and_markdown(project_copy, cli):
    commentary(project_copy, "2024-25-Q4", "MSG-4.md", b"Line one\nCaf\xe9\n")
    assert one_error(cli("check", cwd=project_copy)).endswith(
        "params/commentary/2024-25-Q4/MSG-4.md:2: is not UTF-8 text; save it as UTF-8"
    )
    commentary(project_copy, "2024-25-Q4", "MSG-4.md")
    commentary(project_copy, "2024-25-Q4", "MSG-4.txt")
    assert one_error(cli("check", cwd=project_copy)).endswith(
        "params/commentary/2024-25-Q4/MSG-4.txt:1: not a commentary file; name it "
        "<indicator id>.md or <indicator id>@<area code>.md"
    )


def test_check_says_what_it_checked(project_copy, cli):
    result = cli("check", cwd=project_copy)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("ok: params/ checked: 42 indicators, 19 areas, 6 cycles, ")
    for part in (
        "RAG settings (mdc SPC rules)",
        "4 improvement plans",
        "10 activities",
        "4 strategic outcomes",
        "3 commentary files",
        "2 source specs",
    ):
        assert part in result.stdout
    assert "demo" not in result.stdout  # check never reads params/demo.yaml


def test_prepare_reads_rag_settings_with_the_same_loader(project_copy, cli):
    """What check refuses, prepare refuses the same way (it used to raise a bare KeyError)."""
    edit(project_copy, "rag.yaml", "spc_rules: mdc ", "spc_rules: typo")
    message = one_error(cli("prepare", cwd=project_copy))
    assert "params/rag.yaml:11: field 'spc_rules': 'typo' is not allowed" in message


def test_the_spc_vocabulary_is_the_rule_sets_spc_knows():
    assert set(SpcRuleSet.__args__) == set(RULE_SETS)


def test_rag_yaml_line_numbers_used_above_are_right():
    doc = read_yaml(Path(__file__).resolve().parents[2] / "params" / "rag.yaml")
    assert doc.line_of(("spc_rules",)) == 11


# --- the hostile tester's findings: each one line, file:line, exit 2 -------------------------


def append(project: Path, name: str, data: bytes) -> int:
    """Append ``data`` to ``params/<name>``; the line it starts on."""
    path = project / "params" / name
    before = path.read_bytes()
    path.write_bytes(before + data)
    return before.count(b"\n") + 1


def test_a_params_file_not_in_utf8_is_one_line_from_the_command(project_copy):
    """As the tester ran it: ``printf '# caf\\xe9\\n' >> params/rag.yaml; perfreport check``."""
    line = append(project_copy, "rag.yaml", b"# caf\xe9\n")
    result = run_cli("check", cwd=project_copy)
    assert "Traceback" not in result.stderr
    assert one_error(result).endswith(
        f"params/rag.yaml:{line}: not UTF-8 text (byte 0xe9 at column 6): save the file as UTF-8"
    )


@pytest.mark.parametrize(
    "name", ["rag.yaml", "framework.yaml", "cycles.yaml", "strategic.yaml", "activities.yaml"]
)
def test_a_control_character_in_any_params_file_is_one_line(project_copy, cli, name):
    line = append(project_copy, name, b"# ring the bell \x07\n")
    assert one_error(cli("check", cwd=project_copy)).endswith(
        f"params/{name}:{line}: a control character (U+0007) at column 17, which YAML does not "
        "allow: delete it (an invisible character is often pasted in from another program)"
    )


NATIONAL_OUTCOME_1 = "  1: People are able to look after"


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (
            "+1",
            "field 'national_outcomes.+1': duplicate key (+1 and 1 are the same key), already "
            "given on line 40; give each key once",
        ),
        (
            "1.0",
            "field 'national_outcomes.1.0': duplicate key (1.0 and 1 are the same key), "
            "already given on line 40; give each key once",
        ),
        (
            "'1'",
            "field 'national_outcomes.1': duplicate key ('1' and 1 are the same key), already "
            "given on line 40; give each key once",
        ),
        (
            "0x1",
            "field 'national_outcomes': key 0x1 is read as a hexadecimal number (1): write 1, "
            "or '0x1' in quotes for text",
        ),
        (
            "+10",
            "field 'national_outcomes': key +10 is a whole number written with a plus sign: "
            "write 10, or '+10' in quotes for text",
        ),
    ],
)
def test_a_national_outcome_written_differently_is_refused(project_copy, cli, key, problem):
    """``1:`` is on line 40; a second way of writing a key goes on line 41, after it."""
    path = project_copy / "params" / "framework.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[39].startswith(NATIONAL_OUTCOME_1)
    lines.insert(40, f"  {key}: Later.\n")
    path.write_text("".join(lines), encoding="utf-8")
    assert one_error(cli("check", cwd=project_copy)).endswith(
        f"params/framework.yaml:41: {problem}"
    )


def survey_line(project: Path, field: str) -> int:
    return read_yaml(project / "params" / "strategic.yaml").line_of(("survey", field))


def test_a_survey_population_below_the_responses_fails_the_check(project_copy, cli):
    """The strategic report's margin of error needs population >= responses (stats.py)."""
    edit(project_copy, "strategic.yaml", "population: 6200 ", "population: 50 ")
    assert one_error(cli("check", cwd=project_copy)).endswith(
        f"params/strategic.yaml:{survey_line(project_copy, 'population')}: survey: field "
        "'population': 50 people invited is fewer than the 1,352 responses to question Q1; the "
        "population is the number invited, at least the responses to every question"
    )


def test_a_survey_population_equal_to_the_most_responses_passes(project_copy, cli):
    edit(project_copy, "strategic.yaml", "population: 6200 ", "population: 1352 ")
    assert cli("check", cwd=project_copy).code == 0


def test_a_survey_question_given_twice_fails_the_check(project_copy, cli):
    edit(project_copy, "strategic.yaml", "{id: Q5, scale: agree", "{id: Q3, scale: agree")
    doc = read_yaml(project_copy / "params" / "strategic.yaml")
    assert one_error(cli("check", cwd=project_copy)).endswith(
        f"params/strategic.yaml:{doc.line_of(('survey', 'questions', 3, 'id'))}: question Q3: "
        "field 'id': duplicate id, give each question its own"
    )


@pytest.mark.parametrize(
    ("key", "first", "second", "position"),
    [
        ("plans", "SCP-DP", "WINTER", 2),
        ("activities", "A-01", "A-10", 9),
        ("objectives", "OBJ-1", "OBJ-5", 4),
    ],
)
def test_an_activities_id_given_twice_fails_the_check(
    project_copy, cli, key, first, second, position
):
    """The annual report looks plans and activities up by id: one would silently hide the other."""
    edit(project_copy, "activities.yaml", f"{{id: {second}, ", f"{{id: {first}, ")
    path = project_copy / "params" / "activities.yaml"
    path.write_text(path.read_text().replace(f"plan: {second}", f"plan: {first}"))
    doc = read_yaml(path)
    assert one_error(cli("check", cwd=project_copy)).endswith(
        f"params/activities.yaml:{doc.line_of((key, position, 'id'))}: field "
        f"'{key}[{position}].id': {first!r} is a duplicate id, already given on line "
        f"{doc.line_of((key, 0, 'id'))}; give each its own"
    )


def test_no_activities_fails_the_check_while_the_annual_report_is_a_cycle(project_copy, cli):
    path = project_copy / "params" / "activities.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("activities:\n")
    path.write_text(text[:start] + "activities: []\n\nobjectives: []\n", encoding="utf-8")
    assert one_error(cli("check", cwd=project_copy)).endswith(
        f"params/activities.yaml:{text[:start].count(chr(10)) + 1}: field 'activities': no "
        "activities, but the annual report (cycle 'annual') tabulates them: give at least one"
    )


CONTACT = "contact: performance.reports@example.org"


@pytest.mark.parametrize(
    ("contact", "problem"),
    [
        ("performance team", "it has a space"),
        ("'Performance <reports@example.org>'", "it has a space"),
        ("<reports@example.org>", "the part before the @ has one of"),
        ("reports.example.org", "it has no @"),
        ("reports@@example.org", "it has more than one @"),
        ("reports@example", "the domain after the @ has no dot"),
        ("reports@example..org", "the domain after the @ is not dot-separated letters"),
        ("'\"reports\"@example.org'", "the part before the @ has one of"),
        ("mailto:reports@example.org", "write it without mailto:"),
        ("'@example.org'", "nothing before the @"),
    ],
)
def test_the_accessibility_contact_is_an_email_address(project_copy, cli, contact, problem):
    edit(project_copy, "cycles.yaml", CONTACT, f"contact: {contact}")
    message = one_error(cli("check", cwd=project_copy))
    assert re.search(
        r"params/cycles\.yaml:23: accessibility: field 'contact': '.*' is not an email address "
        rf"\({re.escape(problem)}.*\); write it as name@example\.org$",
        message,
    ), message


def test_ordinary_email_addresses_pass(project_copy, cli):
    for contact in ("reports+a11y@sub.example.co.uk", "o'neill@example.org", "é@exämple.org"):
        edit(project_copy, "cycles.yaml", CONTACT, f'contact: "{contact}"')
        result = cli("check", cwd=project_copy)
        assert result.code == 0, (contact, result.stderr)
        edit(project_copy, "cycles.yaml", f'contact: "{contact}"', CONTACT)


def test_check_never_asks_for_demo_series(project_copy, cli):
    """A new real indicator needs no invented series, and a broken or missing demo.yaml is the
    demo's business alone (it used to refuse until every indicator had a series)."""
    write_catalogue(project_copy, GOOD_ENTRY)
    (project_copy / "params" / "demo.yaml").write_text("indicators: [not, a, mapping]\n")
    result = cli("check", cwd=project_copy)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("ok: params/ checked: 43 indicators, ")
    (project_copy / "params" / "demo.yaml").unlink()
    assert cli("check", cwd=project_copy).code == 0
