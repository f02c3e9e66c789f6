"""The mapping file: the sample fits its ward and ledger; a bad mapping is refused with each problem named by
its place in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from domain.registry import Registry
from domain.vocabulary import Field
from infra.ledger.mapping import MappingError, load_mapping, mapping_problems
from infra.ledger.reading import read_ledger
from tests.ledger_samples import SAMPLE_CSV, SAMPLE_MAPPING


def _written(tmp_path: Path, change: dict[str, object]) -> Path:
    data = yaml.safe_load(SAMPLE_MAPPING.read_text(encoding="utf-8"))
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        target = data
        for name in parents:
            target = target[name]
        if value is None:
            del target[last]
        else:
            target[last] = value
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_sample_mapping_fits_the_ward_and_the_sample_ledger(registry: Registry) -> None:
    mapping = load_mapping(SAMPLE_MAPPING)
    assert mapping.values.field["高齢"] == Field.ELDERLY
    assert mapping_problems(mapping, registry, read_ledger(SAMPLE_CSV).header) == []


@pytest.mark.parametrize(("change", "place"), [
    ({"values.field.高齢": "old-age"}, "values.field.高齢"),
    ({"case.numbr": "台帳番号"}, "case.numbr"),
    ({"case.number": None}, "case.number"),
    ({"version": 2}, "version"),
    ({"values.meeting.地域ケア会議": "community_care"}, "values.meeting"),
    ({"consent.categories": ["secrets"]}, "consent.categories.0"),
])
def test_a_mapping_of_the_wrong_shape_is_refused_naming_the_place(tmp_path: Path, change: dict[str, object],
                                                                  place: str) -> None:
    with pytest.raises(MappingError) as refused:
        load_mapping(_written(tmp_path, change))
    assert any(line.startswith(place) for line in refused.value.lines), refused.value.lines


def test_a_mapping_that_is_not_yaml_is_refused_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text("version: [1\n", encoding="utf-8")
    with pytest.raises(MappingError) as refused:
        load_mapping(path)
    assert "cannot read the mapping" in refused.value.lines[0]


@pytest.mark.parametrize(("change", "place"), [
    ({"values.agency.青山こども相談室": "aoyama-kids"}, "values.agency.青山こども相談室"),
    ({"consent.agencies": ["nowhere"]}, "consent.agencies"),
    ({"values.district.青山": "aoyama"}, "values.district.青山"),
    ({"meeting.participants": [{"agency": "shakyo", "staff": "tanaka-yui"}]}, "meeting.participants"),
    ({"case.received_on": "受付年月日"}, "case.received_on"),
    ({"import_as": "nobody"}, "import_as"),
])
def test_a_mapping_that_does_not_fit_the_ward_or_the_ledger_names_each_problem(
        tmp_path: Path, registry: Registry, change: dict[str, object], place: str) -> None:
    problems = mapping_problems(load_mapping(_written(tmp_path, change)), registry, read_ledger(SAMPLE_CSV).header)
    assert [line.split(":")[0] for line in problems] == [place]
