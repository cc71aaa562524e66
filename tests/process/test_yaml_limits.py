"""Process YAML is read within bounds: alias bombs, recursive aliases, deep nesting and huge texts are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from salesflow.process.loader import LIMITS, BoundedLoader, YamlLimits, YamlProblem, load_yaml
from tests.process.yaml_bombs import RECURSIVE_LIST, RECURSIVE_MAPPING, nested_aliases

LIBRARY = Path(__file__).resolve().parents[2] / "salesflow" / "library"


def refusal(text: str, limits: YamlLimits = LIMITS) -> YamlProblem:
    with pytest.raises(YamlProblem) as raised:
        load_yaml(text, limits)
    return raised.value


def test_nested_aliases_are_refused_at_the_line_where_they_pass_the_bound() -> None:
    problem = refusal(nested_aliases())
    assert "expands to more than 100,000 values" in problem.message
    assert problem.line == 7  # level 5 (9**6 values) is the first beyond 100 000


@pytest.mark.parametrize("text", [RECURSIVE_LIST, RECURSIVE_MAPPING], ids=["list", "mapping"])
def test_a_recursive_alias_is_refused_with_its_name(text: str) -> None:
    problem = refusal(text)
    assert "recursive alias *loop" in problem.message
    assert problem.line in (2, 3)


def test_aliased_long_text_counts_every_copy() -> None:
    text = "big: &big " + "x" * 1000 + "\ncopies: [" + ", ".join(["*big"] * 50) + "]\n"
    problem = refusal(text, YamlLimits(max_scalar_chars=20_000))
    assert "more than 20,000 characters" in problem.message


def test_too_many_aliases_are_refused() -> None:
    text = "a: &a 1\nmany: [" + ", ".join(["*a"] * 30) + "]\n"
    assert "too many aliases (more than 20)" in refusal(text, YamlLimits(max_aliases=20)).message


def test_deep_nesting_is_refused_without_a_recursion_error() -> None:
    text = "deep: " + "[" * 5000 + "]" * 5000 + "\n"
    assert "nested too deep (more than 64 levels)" in refusal(text).message


def test_a_text_beyond_the_size_bound_is_refused_before_it_is_parsed() -> None:
    text = "note: " + "x" * (LIMITS.max_chars + 1) + "\n"
    problem = refusal(text)
    assert problem.line == 1 and "too large" in problem.message


def test_a_modest_alias_still_works_and_keeps_lines() -> None:
    data, lines = load_yaml("base: &base [a, b]\ncopy: *base\n")
    assert data == {"base": ["a", "b"], "copy": ["a", "b"]}
    assert lines.line_of(("copy",)) == 2


def test_every_file_of_the_default_library_is_far_inside_the_bounds() -> None:
    tight = YamlLimits(max_chars=LIMITS.max_chars // 8, max_nodes=LIMITS.max_nodes // 8,
                       max_depth=LIMITS.max_depth // 4)
    for path in sorted(LIBRARY.glob("*.yaml")):
        data, _lines = load_yaml(path.read_text(encoding="utf-8"), tight)
        assert data.get("process") or data.get("library_settings"), path.name


def test_the_bounded_loader_serves_plain_yaml_load_too() -> None:
    with pytest.raises(yaml.YAMLError, match="recursive alias"):
        yaml.load(RECURSIVE_MAPPING, Loader=BoundedLoader)
    assert yaml.load("a: [1, 2]\n", Loader=BoundedLoader) == {"a": [1, 2]}


def test_a_huge_file_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    from salesflow.process.validate import ProcessInvalid, read_file

    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(LIMITS.max_chars * 4 + 10)  # sparse: nothing to read past the bound
    with pytest.raises(ProcessInvalid) as raised:
        read_file(path)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{path}:1: file is too large (more than {LIMITS.max_chars * 4:,} bytes)"]
