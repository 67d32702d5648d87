"""nqpf.measure: each document's language, words, spacing and boilerplate in one pass."""

import pytest

from nqpf.boilerplate import find_boilerplate
from nqpf.language import count_words, detect, single_spaced
from nqpf.measure import measure

TEXTS = [
    ("Developing new quality productive forces.", None),
    ("加快发展新质生产力，推动高质量发展。\n来源：新华社", None),
    ("Source: Xinhua\nA second line with the body of the text.", None),
    ("two  spaces", "en"),
    ("新质生产力 forces", "zh"),
    ("", None),
]


@pytest.mark.parametrize("chunk", [TEXTS, TEXTS[::-1], TEXTS[:1], []])
def test_measure_is_the_measures_one_text_at_a_time(chunk):
    expected = []
    for text, given in chunk:
        language = given or detect(text)
        expected.append((language, count_words(text, language), single_spaced(text),
                         find_boilerplate(text)))
    assert measure(chunk) == expected
