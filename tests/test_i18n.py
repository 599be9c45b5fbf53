"""Tests of bthd.i18n: languages, labels and the check of a value against its choices."""

from __future__ import annotations

import pandas as pd
import pytest

from bthd import catalogue, contributions, governance, i18n
from bthd._errors import InputError


def test_a_valid_choice_passes() -> None:
    i18n.check_choice("b", ("a", "b"), "letter")
    i18n.check_choice(2015, (2015, 2026), "year")


def test_an_unknown_choice_names_the_value_the_choices_and_the_closest() -> None:
    with pytest.raises(InputError) as err:
        i18n.check_choice("cybersecurty", ["administration", "cybersecurity"], "category")
    msg = str(err.value)
    assert isinstance(err.value, ValueError)
    assert msg.startswith("category 'cybersecurty' is unknown")
    assert "the valid choices are: administration, cybersecurity." in msg
    assert msg.endswith("Did you mean 'cybersecurity'?")


def test_no_suggestion_when_nothing_is_close_or_for_numbers() -> None:
    with pytest.raises(InputError) as err:
        i18n.check_choice("zzz", ["simple", "two_thirds"], "majority kind")
    assert "Did you mean" not in str(err.value)
    with pytest.raises(InputError) as err:
        i18n.check_choice(2020, (2015, 2026), "year")
    assert str(err.value) == "year 2020 is unknown; the valid choices are: 2015, 2026."


def test_source_and_a_named_list_of_choices() -> None:
    with pytest.raises(InputError) as err:
        i18n.check_choice("ab-1", ["ab-2", "y"], "code", "codes.csv", choices_name="2 codes")
    assert str(err.value) == (
        "codes.csv: code 'ab-1' is unknown; the valid choices are the 2 codes: ab-2, y."
        " Did you mean 'ab-2'?"
    )


def test_languages_case_is_suggested() -> None:
    assert i18n.check_lang("fr") == "fr"
    with pytest.raises(InputError) as err:
        i18n.check_lang("FR", "--lang")
    assert str(err.value) == (
        "--lang: language 'FR' is unknown; the valid choices are: en, fr. Did you mean 'fr'?"
    )


def test_labels_columns_and_texts_in_each_language() -> None:
    table = pd.DataFrame({"code": ["a", "b"], "label_en": ["A", "B"], "label_fr": ["Â", "Bé"]})
    assert i18n.labels(table, "code", "fr") == {"a": "Â", "b": "Bé"}
    assert i18n.label_column("en", "name") == "name_en"
    df = pd.DataFrame({"year": [1], "other": [2]})
    assert list(i18n.translate_columns(df, {"year": "année"}, "fr").columns) == ["année", "other"]
    assert i18n.translate_columns(df, {"year": "année"}, "en") is df
    assert i18n.column_names(["year", "x"], {"year": "année"}, "fr") == ["année", "x"]
    assert i18n.pick({"en": "hello", "fr": "bonjour"}, "fr") == "bonjour"
    for bad in (
        lambda: i18n.labels(table, "code", "de"),
        lambda: i18n.translate_columns(df, {}, "de"),
        lambda: i18n.pick({"en": 1, "fr": 2}, "de"),
    ):
        with pytest.raises(InputError, match="'de' is unknown"):
            bad()


@pytest.mark.parametrize(
    ("call", "suggestion"),
    [
        (lambda: catalogue.services(category="cybersecurty"), "'cybersecurity'"),
        (lambda: catalogue.services("megalys"), "'megalis'"),
        (lambda: catalogue.usage(service="parapher"), "'parapheur'"),
        (lambda: governance.majority(1, 3, kind="simpel"), "'simple'"),
        (lambda: governance.assign_colleges(pd.DataFrame(), rule="types"), "'type'"),
        (
            lambda: contributions.contributions(siren="243500734"),
            "'243500634', '243500733' or '243500741'",
        ),
        (lambda: contributions.scale_points(lang="FR"), "'fr'"),
    ],
)
def test_the_thin_modules_suggest_the_closest_choice(call: object, suggestion: str) -> None:
    with pytest.raises(InputError) as err:
        call()  # type: ignore[operator]
    assert f"Did you mean {suggestion}?" in str(err.value)


def test_the_thin_modules_share_the_languages() -> None:
    assert catalogue.LANGS == contributions.LANGS == governance.LANGS == i18n.LANGS == ("en", "fr")
