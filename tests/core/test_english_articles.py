"""English says "an 8" and "an 18×18": no sentence may put "a" before a number that could start with a vowel sound."""

import re

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from mnist_core.drawing.prepare import BOX
from mnist_core.models.inference import SIDE
from tests.support import ROOT
from ui.convolution_view import K

# Placeholders after "a" whose values are fixed, so the article is checked once here; every other placeholder
# after "a" fails the test, since a digit, a count or a size can be 8, 11 or 18.
FIXED = {"k": K, "box": BOX, "side": SIDE, "minutes": 45, "depth": 16, "formats": "PNG"}
A_BEFORE = re.compile(r"\b[aA] (?:\*\*)?\{(\w+)\}")


def an(word: str) -> bool:
    """Whether English puts "an" before `word` written in digits: 8, 11, 18, 80–89, 800–899, 8,000…"""
    return bool(re.match(r"8|11(\D|$)|18(\D|$)|11\d{3}(\D|$)|18\d{3}(\D|$)", str(word)))


def test_the_rule_knows_its_cases():
    assert [n for n in range(100) if an(str(n))] == [8, 11, 18, *range(80, 90)]
    assert an("800") and an("11,000".replace(",", "")) and not an("110") and not an("1")


def test_no_sentence_puts_a_before_a_number_that_needs_an():
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    texts = [text for _file, _line, message, _comments, _context in extract_from_dir(ROOT, method_map, options_map)
             for text in ((message,) if isinstance(message, str) else message)]
    found = [(name, text) for text in texts for name in A_BEFORE.findall(text)]
    assert found, "the pattern finds the constant cases"
    assert [(name, text) for name, text in found if name not in FIXED] == []
    assert [name for name, _text in found if an(str(FIXED[name]))] == []
