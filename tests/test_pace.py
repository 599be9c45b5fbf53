"""bthd.io.pace: PACE 2018 Steiner tree instances, plain or gzip, and their errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from bthd._errors import InputError, InputNotFoundError
from bthd.io.pace import read_pace

DATA = Path(__file__).parent / "data"

SMALL = """SECTION Graph
Nodes 4
Edges 4
E 1 2 3
E 2 3 4
E 3 4 5
E 1 4 0
END

SECTION Terminals
Terminals 2
T 1
T 3
END

EOF
"""


def _write(tmp_path: Path, text: str, name: str = "x.gr") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_reads_the_vienna_instance() -> None:
    inst = read_pace(DATA / "instance009.gr.gz")
    assert inst.n_nodes == 3803
    assert len(inst.u) == len(inst.v) == len(inst.w) == 6213
    assert len(inst.terminals) == 38
    for a in (inst.u, inst.v, inst.terminals):
        assert a.dtype == np.int64
        assert a.min() >= 0 and a.max() < inst.n_nodes
    assert inst.w.dtype == np.float64 and (inst.w >= 0).all()
    # first edge of the file is "E 2 3 150108": 0-based
    assert (inst.u[0], inst.v[0], inst.w[0]) == (1, 2, 150108.0)
    assert np.all(np.diff(inst.terminals) > 0)


def test_plain_and_gzip_read_the_same(tmp_path: Path) -> None:
    plain = _write(tmp_path, SMALL)
    gz = tmp_path / "x.gr.gz"
    gz.write_bytes(gzip.compress(SMALL.encode()))
    a, b = read_pace(plain), read_pace(gz)
    assert a.n_nodes == b.n_nodes == 4
    for x, y in zip(a[1:], b[1:], strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.u, [0, 1, 2, 0])
    np.testing.assert_array_equal(a.v, [1, 2, 3, 3])
    np.testing.assert_array_equal(a.w, [3, 4, 5, 0])
    np.testing.assert_array_equal(a.terminals, [0, 2])
    n, u, _, _, terms = a  # unpacks like a tuple
    assert n == 4 and len(u) == 4 and len(terms) == 2


def test_extra_sections_comments_and_duplicate_terminals(tmp_path: Path) -> None:
    text = SMALL.replace(
        "SECTION Terminals", 'SECTION Comment\nName "demo"\nEND\n\nSECTION Terminals'
    ).replace("Terminals 2\nT 1\nT 3", "Terminals 3\nT 1\nT 3\nT 3")
    text = text.replace("EOF", "SECTION Tree Decomposition\ns td 1 1 1\nb 1 1\nEND\nEOF")
    inst = read_pace(_write(tmp_path, text))
    np.testing.assert_array_equal(inst.terminals, [0, 2])


def test_missing_file() -> None:
    with pytest.raises(InputNotFoundError, match=r"nope\.gr"):
        read_pace("nope.gr")


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("SECTION Terminals\nTerminals 2\nT 1\nT 3\nEND\n", "", "no 'SECTION Terminals'"),
        ("Edges 4", "Edges 5", r"line 1: the Graph section declares 5 edges but lists 4"),
        ("Terminals 2", "Terminals 3", "declares 3 terminals but lists 2"),
        ("T 3", "T 9", r"line 13: terminal 9 is out of range 1\.\.4"),
        ("E 2 3 4", "E 2 0 4", r"line 5: edge end 0 is out of range"),
        ("E 2 3 4", "E 2 x 4", r"line 5: expected 'E u v w' with numbers"),
        ("E 2 3 4", "E 2 3", r"line 5: expected 'E u v w'"),
        ("E 2 3 4", "E 2 3 -4", r"line 5: edge weight '-4' is negative"),
        ("Nodes 4", "Nodes four", r"line 2: 'Nodes four' is not a whole number"),
        ("Nodes 4\n", "", "no 'Nodes <count>' line"),
        ("E 3 4 5\n", "X 3 4 5\n", r"line 6: expected 'E \.\.\.'"),
        ("T 3\nEND", "T 3", "has no END line"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, old: str, new: str, match: str) -> None:
    assert old in SMALL
    p = _write(tmp_path, SMALL.replace(old, new, 1), "bad.gr")
    with pytest.raises(InputError, match=match) as info:
        read_pace(p)
    assert "bad.gr" in str(info.value)


def test_not_text_and_broken_gzip(tmp_path: Path) -> None:
    p = tmp_path / "bin.gr"
    p.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(InputError, match="not a text file"):
        read_pace(p)
    q = tmp_path / "cut.gr.gz"
    q.write_bytes(gzip.compress(SMALL.encode())[:30])
    with pytest.raises(InputError, match="damaged gzip"):
        read_pace(q)


def test_garbage_outside_sections(tmp_path: Path) -> None:
    p = _write(tmp_path, SMALL.replace("\nSECTION Terminals", "\nhello\nSECTION Terminals"))
    with pytest.raises(InputError, match=r"line 10: expected 'SECTION <name>' or 'EOF'"):
        read_pace(p)
