"""Load a corpus from a folder of text files, a CSV or a JSON Lines file.

``load_corpus(source)`` returns a ``Corpus`` with two DataFrames:

- ``docs``: one row per loaded document: ``doc_id``, metadata columns, ``text`` (the raw
  decoded text, exactly as in the file), ``language`` (``zh``, ``en``, ``mixed`` or ``other``:
  ``nqpf.language``), ``n_chars``, ``n_words`` (Chinese: characters) and the flags
  ``ends_mid_sentence``, ``is_short``, ``is_duplicate``.
- ``report``: one row per file (or record) seen: ``path, status, reason, encoding,
  size_bytes, language``; ``status`` is ``loaded``, ``skipped``, ``failed`` or ``metadata``.
  Nothing is dropped silently: a file that cannot be read (permission denied, vanished, a
  symbolic link loop) gets a row and the rest loads; so does a ``metadata.csv`` that is empty
  or unreadable (the texts load without metadata), each of its lines that cannot be used (wrong
  number of fields, a line break in the id, a repeated id: ``metadata.csv#line N``) and each id
  without a document (with a hint when it differs from one only in case or extension). The
  ``metadata`` row counts the documents without metadata.
- ``spans``: {doc_id: its boilerplate spans} (``nqpf.boilerplate.find_boilerplate``, found
  once per document here and handed on to ``nqpf.pipeline.prepare``, plus the blocks that open
  or close many documents verbatim, ``nqpf.boilerplate.recurring_blocks``).

Encodings: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030 (GBK and GB2312 files are
reported as ``gb18030``, their superset), Big5 and cp1252; charset-normalizer is the last resort.

A JSON Lines file whose every line is one JSON object is read in one call (msgspec, which
reads what ``json.loads`` reads, the same way, or fails); any other is read line by line, and
each line that is not a JSON object is a ``failed`` row that names its line number.
"""

import codecs
import csv
import errno
import gc
import io
import json
import re
import unicodedata
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from itertools import chain, compress, repeat
from pathlib import Path
from typing import NamedTuple

import msgspec
import numpy as np
import pandas as pd
from charset_normalizer import from_bytes
from isal import igzip
from joblib import effective_n_jobs

from nqpf import parallel, sources
from nqpf.boilerplate import Span, body_end, recurring_blocks, set_aside
from nqpf.checks import read_csv_table
from nqpf.language import LANGUAGES, check_language, size_factor
from nqpf.measure import measure
from nqpf.paths import relative

BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16")]
CANDIDATES = ["gb18030", "big5", "cp1252"]  # tried strictly after UTF-8, scored by plausibility
CJK_CODECS = {"gb18030", "big5"}
IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_PUNCTUATION = re.compile("[\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201d\u2026\u00b7]")
TYPOGRAPHIC = set("\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u2022\u20ac\u2122"
                  "\u00a0\u00a9\u00ae\u00b0\u00b1\u00a7\u00b7\u00ab\u00bb\u00a1\u00bf")
NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
SENTENCE_END = set(".!?\u3002\uff01\uff1f\u201d\"')\u2019\u300d\u300f\uff09\u2026\u00bb]")
TEXT_SUFFIXES = {".txt", ".md"}
TABLE_SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz")
METADATA_FILE = "metadata.csv"
FLAGS = ["ends_mid_sentence", "is_short", "is_duplicate"]
DOC_COLUMNS = ["text", "n_chars", "n_words", *FLAGS]
REPORT_COLUMNS = ["path", "status", "reason", "encoding", "size_bytes", "language"]
CHUNK_SIZE = 2000  # texts per task in ``load_corpus(..., n_jobs>1)``
SAMPLED_OUT = "left out by max_docs"  # how the reason of a document left out of a sample starts
CHECK_BYTES = 1 << 20  # bytes of a JSON Lines file checked at once (``_object_lines``)
SURROGATE = re.compile("[\ud800-\udfff]")  # half a UTF-16 pair: JSON may hold one, no codec
SURROGATE_ESCAPE = re.compile(r"\\u[dD]")  # ... writes it; it is written \udXXX in JSON
SAMPLES = ("random", "first")  # how ``load_corpus(..., max_docs=N)`` picks its N documents
_JSON = json.JSONDecoder()
_JSON_LINES = msgspec.json.Decoder()  # agrees with ``json.loads`` wherever it reads a line
CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r\f\v\x1b")
_Row = tuple[str, str, str, str, int]  # a report row, in REPORT_COLUMNS order but language
# (a plain tuple, quicker to make than a dict or a named tuple: there is one per table row)


class _Records(NamedTuple):
    """The records read, one list per field: item ``i`` of each is record ``i``'s."""

    doc_ids: list[str]
    texts: list[str]
    paths: list[str]
    encodings: list[str]
    sizes: list[int]

    @classmethod
    def of(cls, records: list[tuple[str, str, str, str, int]]) -> "_Records":
        """From one ``(doc_id, text, path, encoding, size)`` tuple per record."""
        return cls(*map(list, zip(*records, strict=True))) if records else cls([], [], [], [],
                                                                              [])

    def take(self, index: list[int]) -> "_Records":
        """Records ``index``, in that order."""
        return _Records(*([field[i] for i in index] for field in self))


@dataclass(frozen=True, eq=False, repr=False)
class Corpus:
    """Loaded documents (``docs``, one row per document) and what happened to every file
    (``report``, one row per file or record seen)."""

    docs: pd.DataFrame
    report: pd.DataFrame
    source: Path
    spans: dict[str, list[Span]] | None = None

    def summary(self) -> str:
        """One line: documents, words, file statuses and flags."""
        statuses = ", ".join(f"{n} {s}" for s, n in self.report["status"].value_counts().items())
        flags = ", ".join(f"{int(self.docs[f].sum())} {f}" for f in FLAGS)
        return (f"Corpus from {relative(self.source)}: {len(self.docs)} documents, "
                f"{int(self.docs['n_words'].sum()):,} words ({statuses}; {flags})")

    def __repr__(self) -> str:
        return self.summary()


@contextmanager
def _gc_paused():
    """Python's cycle collector paused: loading a table makes a few small objects per
    document (none in a reference cycle), which set it off hundreds of times, for a tenth of
    the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _is_bad_char(char: str) -> bool:
    """Control (except white space), private-use, unassigned or replacement character."""
    return char == "\ufffd" or (char not in "\t\n\r\f\v"
                                and unicodedata.category(char) in {"Cc", "Co", "Cn", "Cs"})


def _is_common_hanzi(char: str) -> bool:
    """In GB2312 level 1 (3,755 common simplified) or Big5's frequent block (5,401 traditional)."""
    for codec, low, high in (("gb2312", 0xB0A1, 0xD7FE), ("big5", 0xA440, 0xC67E)):
        try:
            if low <= int.from_bytes(char.encode(codec)) <= high:
                return True
        except UnicodeEncodeError:
            continue
    return False


def _plausibility(text: str, codec: str) -> float:
    """How much ``text`` looks like a correct decoding with ``codec`` (0 = garbage).

    CJK codecs: share of non-ASCII characters that are ideographs (not glued to Latin letters)
    or CJK punctuation, times (1 + share of common hanzi among the ideographs) / 2.
    Others: share of non-ASCII characters that are Latin letters or typographic signs standing
    alone or in pairs inside ASCII text (mis-decoded CJK gives long non-ASCII runs)."""
    if any(_is_bad_char(c) for c in text):
        return 0.0
    odd = [c for c in text if ord(c) > 0x7F]
    if not odd:
        return 1.0
    if codec in CJK_CODECS:
        glued = len(re.findall(r"[A-Za-z][\u4e00-\u9fff]|[\u4e00-\u9fff][A-Za-z]", text))
        ideographs = [c for c in odd if IDEOGRAPH.match(c)]
        good = len(ideographs) - glued + sum(bool(CJK_PUNCTUATION.match(c)) for c in odd)
        common = sum(map(_is_common_hanzi, ideographs)) / max(len(ideographs), 1)
        return max(good, 0) / len(odd) * (1 + common) / 2
    good = sum(len(run) for run in NON_ASCII_RUN.findall(text) if len(run) <= 2
               and all(c in TYPOGRAPHIC or (c.isalpha() and ord(c) < 0x250) for c in run))
    return good / len(odd)


def _detect(data: bytes) -> tuple[str | None, str | None]:
    """``(encoding, text)``: the codec name as ``detect_encoding`` gives it, and ``data``
    decoded with it if detection had to decode it (else None)."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return name, None
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best, best_score, best_text = None, -1.0, None
    for codec in CANDIDATES:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text, codec)
        if score > best_score:  # ties go to the earlier candidate
            best, best_score, best_text = codec, score, text
    if best_score >= 0.5:
        return best, best_text
    guess = from_bytes(data).best()
    if guess is None or any(_is_bad_char(c) for c in str(guess)):
        return None, None
    return codecs.lookup(guess.encoding).name, None


def detect_encoding(data: bytes) -> str | None:
    """Codec name for ``data`` (``utf-8``, ``utf-8-sig``, ``utf-16``, ``gb18030``, ``big5``,
    ``cp1252``, or charset-normalizer's guess), or None if no codec gives plausible text.
    GBK text is reported as ``gb18030``."""
    return _detect(data)[0]


def decode_bytes(data: bytes) -> tuple[str, str]:
    """``(text, encoding)``; a BOM is stripped, nothing else changes.
    Raises ValueError "binary file (not text)" or "could not decode: tried ..."."""
    controls = len(data) - len(data.translate(None, CONTROL_BYTES))
    is_utf16_32 = any(data.startswith(bom) for bom, name in BOMS if name != "utf-8-sig")
    if not is_utf16_32 and (b"\x00" in data or controls > 0.1 * len(data)):
        raise ValueError("binary file (not text)")
    encoding, text = _detect(data)
    if encoding is None:
        raise ValueError(f"could not decode: tried utf-8, {', '.join(CANDIDATES)}, "
                         "charset-normalizer")
    return data.decode(encoding) if text is None else text, encoding


def read_text(path: Path) -> tuple[str, str]:
    """``(text, encoding)`` of a text file, see ``decode_bytes``."""
    return decode_bytes(Path(path).read_bytes())


def _ends_mid_sentence(text: str, body_end: int) -> bool:
    """Does the body (ending at ``body_end``: trailing bylines, timestamps, navigation
    ignored) stop mid-sentence?"""
    return body_end > 0 and text[body_end - 1] not in SENTENCE_END


def _duplicates(texts: list[str], spaced: list[bool]) -> np.ndarray:
    """Whether an earlier text has the same words (case ignored); ``spaced``: whether each
    text is ``single_spaced`` (its words as they are)."""
    folded = [(text if is_spaced else " ".join(text.split())).casefold()
              for text, is_spaced in zip(texts, spaced, strict=True)]
    return pd.Series(folded, dtype=object).duplicated().to_numpy()


def _row(path: str, status: str, reason: str = "", encoding: str = "", size: int = 0) -> _Row:
    return path, status, reason, encoding, size


def _add_documents(records: _Records, rows: list[_Row], empty: str) -> tuple[_Records, list[int]]:
    """Keep the records whose text is non-empty, new and under a new doc_id; log each in
    ``rows``. Returns the kept records and the index of each one's row."""
    n_records = len(records.texts)
    keys = {text.strip() for text in records.texts}
    if "" not in keys and len(keys) == n_records == len(set(records.doc_ids)):
        rows += zip(records.paths, repeat("loaded"), repeat(""), records.encodings,
                    records.sizes)  # _row(...), made quicker
        return records, list(range(len(rows) - n_records, len(rows)))
    seen_text, seen_id, kept, row_index = {}, set(), [], []
    for i, (doc_id, text, path, encoding, size) in enumerate(zip(*records, strict=True)):
        key = text.strip()
        reason = (empty if not key else f"duplicate of {seen_text[key]}"
                  if key in seen_text else f"duplicate doc_id {doc_id}" if doc_id in seen_id
                  else "")
        rows.append(_row(path, "skipped" if reason else "loaded", reason, encoding, size))
        if not reason:
            seen_text[key] = path
            seen_id.add(doc_id)
            kept.append(i)
            row_index.append(len(rows) - 1)
    return records.take(kept), row_index


def _sample(kept: _Records, row_index: list[int], rows: list[_Row], *, max_docs: int | None,
            sample: str, random_state: int) -> tuple[_Records, list[int]]:
    """At most ``max_docs`` of the ``kept`` records, in input order: a seeded random sample
    or the first ones (``sample``); the report row of each one left out says so."""
    n_kept = len(kept.texts)
    if max_docs is None or n_kept <= max_docs:
        return kept, row_index
    if sample == "first":
        chosen, how = range(max_docs), f"the first {max_docs:,}"
    else:
        rng = np.random.default_rng(random_state)
        chosen = np.sort(rng.choice(n_kept, max_docs, replace=False)).tolist()
        how = f"a random sample of {max_docs:,} (random_state={random_state})"
    reason = f"{SAMPLED_OUT}={max_docs}: {how} of {n_kept:,} documents kept"
    left_out = set(range(n_kept)).difference(chosen)
    for i in left_out:
        rows[row_index[i]] = rows[row_index[i]][:1] + ("skipped", reason) + rows[row_index[i]][3:]
    return kept.take(chosen), [row_index[i] for i in chosen]


def _check_sample(max_docs, sample: str) -> None:
    if max_docs is not None and (isinstance(max_docs, bool) or not isinstance(max_docs, int)
                                 or max_docs < 1):
        raise ValueError(f"max_docs must be a whole number >= 1 (or None), got {max_docs!r}")
    if sample not in SAMPLES:
        raise ValueError(f"sample must be one of {list(SAMPLES)}, got {sample!r}")


def _given_languages(metadata: pd.DataFrame | None, path: Path) -> dict[str, str]:
    """{doc_id: language} from a ``language`` metadata column (empty cells left out); raises
    ValueError naming ``path`` for a value that is not one of ``nqpf.language.LANGUAGES``."""
    if metadata is None or "language" not in metadata or "doc_id" not in metadata:
        return {}
    given = metadata.dropna(subset="language")
    values = given["language"].astype(str).str.strip()
    bad = sorted(set(values) - set(LANGUAGES))
    if bad:
        raise ValueError(f"{path}: column 'language' has {bad}; use one of {list(LANGUAGES)} "
                         "(or leave the cell empty to detect the language)")
    return dict(zip(given["doc_id"].astype(str), values, strict=True))


def _file_problem(error: OSError) -> str:
    """Why a file could not be read, in words."""
    if error.errno == errno.ELOOP:
        return "symbolic link loop (not read)"
    if isinstance(error, FileNotFoundError):
        return "vanished while loading (or a broken symbolic link)"
    if isinstance(error, PermissionError):
        return "permission denied (not readable)"
    return f"could not be read: {error.strerror or error}"


def _read_folder(folder: Path, rows: list[_Row],
                 found: dict[str, sources.Source]) -> tuple[_Records, pd.DataFrame | None]:
    """The folder's text records and metadata; what each PDF, Word or HTML file gave goes to
    ``found`` ({file name: ``nqpf.sources.Source``})."""
    records, metadata = [], None
    for path in sorted(folder.iterdir()):
        name = path.name
        try:
            info = path.stat()
        except OSError as error:
            rows.append(_row(name, "failed", _file_problem(error)))
            continue
        is_dir, size = path.is_dir(), info.st_size
        if is_dir:
            rows.append(_row(name, "skipped", "folder (not read)"))
        elif name.startswith("."):
            rows.append(_row(name, "skipped", "hidden file", size=size))
        elif name == METADATA_FILE:
            metadata = _read_metadata(path, size, rows)
        elif path.suffix.lower() not in TEXT_SUFFIXES | sources.SUFFIXES.keys():
            rows.append(_row(name, "skipped", f"unsupported file type {path.suffix}", size=size))
        elif size == 0:
            rows.append(_row(name, "skipped", "empty file", size=size))
        else:
            try:
                if path.suffix.lower() in TEXT_SUFFIXES:
                    text, encoding = read_text(path)
                else:
                    found[name] = sources.read_source(path, decode=decode_bytes)
                    text, encoding = found[name].text, found[name].encoding
            except OSError as error:
                rows.append(_row(name, "failed", _file_problem(error), size=size))
                continue
            except ValueError as error:
                rows.append(_row(name, "failed", str(error), size=size))
                continue
            records.append((path.stem, text, name, encoding, size))
    return _Records.of(records), metadata


def _read_metadata(path: Path, size: int, rows: list[_Row]) -> pd.DataFrame | None:
    """The usable rows of a folder's ``metadata.csv`` (None if there are none); the file's
    row, and one for each line that cannot be used, go to ``rows``."""
    name, without = path.name, "; the documents are loaded without metadata"
    try:
        text, encoding = decode_bytes(path.read_bytes()) if size else ("", "")
    except OSError as error:
        rows.append(_row(name, "failed", _file_problem(error) + without, size=size))
        return None
    except ValueError as error:
        rows.append(_row(name, "failed", f"{error}{without}", size=size))
        return None
    header, records = _csv_records(text)
    if not header:
        rows.append(_row(name, "failed", f"empty metadata file{without}", encoding, size))
        return None
    if "doc_id" not in header:
        rows.append(_row(name, "failed", f"no 'doc_id' column (columns are {header}){without}",
                         encoding, size))
        return None
    header, renamed = _unique_names(header)
    id_at, clashes = header.index("doc_id"), [c for c in header if c in DOC_COLUMNS]
    notes = ([f"columns {clashes} ignored: they clash with computed ones"] if clashes else []) + (
        [f"unnamed or repeated columns renamed to {renamed}"] if renamed else [])
    rows.append(_row(name, "metadata", "; ".join(notes), encoding, size))
    kept, lines, seen = [], [], {}
    for first, last, fields in records:
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        doc_id = fields[id_at] if len(fields) > id_at else ""
        problem = (f"{len(fields)} fields where the header has {len(header)} (check the quoting)"
                   if len(fields) != len(header)
                   else "the doc_id contains a line break (an unclosed quote?)"
                   if "\n" in doc_id or "\r" in doc_id
                   else "empty doc_id" if not doc_id.strip()
                   else f"repeated doc_id {doc_id} (first on line {seen[doc_id]})"
                   if doc_id in seen
                   else _swallowed_row(header, fields) if first < last else "")
        if problem:
            rows.append(_row(f"{name}#line {first}", "skipped", f"metadata {where}: {problem}"))
            continue
        seen[doc_id] = first
        kept.append(fields)
        lines.append(first)
    table = pd.DataFrame(kept, columns=header, dtype=str).drop(columns=clashes)
    return table.assign(_line=lines) if len(table) else None


def _unique_names(header: list[str]) -> tuple[list[str], list[str]]:
    """Column names made unique as pandas does (an empty one becomes ``column_N``, a repeated
    one ``name.1``, ``name.2``, …), and the names that were changed."""
    names, renamed = [], []
    for i, column in enumerate(header, start=1):
        unique, k = column or f"column_{i}", 0
        while unique in names:
            k += 1
            unique = f"{column or f'column_{i}'}.{k}"
        if unique != column:
            renamed.append(unique)
        names.append(unique)
    return names, renamed


def _swallowed_row(header: list[str], fields: list[str]) -> str:
    """Why a field that spans lines looks like an unclosed quote that took in the next rows
    (a continuation line with commas), or ""."""
    for column, field in zip(header, fields, strict=True):
        later = field.splitlines()[1:]
        if any("," in line for line in later):
            shown = next(line for line in later if "," in line)[:40]
            return (f"the {column!r} field runs over into {shown!r}, which looks like another "
                    "row (an unclosed quote?)")
    return ""


def _csv_records(text: str) -> tuple[list[str], list[tuple[int, int, list[str]]]]:
    """Header and records of CSV ``text``: (first line, last line, fields) for each non-blank
    record; a record whose quoted field spans lines has ``last > first``."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header, records, line = [], [], 0
    for fields in reader:
        first, line = line + 1, reader.line_num
        if not any(field.strip() for field in fields):
            continue
        if header:
            records.append((first, line, fields))
        else:
            header = [field.strip() for field in fields]
    return header, records


def _read_csv(text: str, path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ValueError(f"{path}: not a readable CSV file ({error})") from None


def _parse_json(line: str):
    """``json.loads(line)``, or None if it is not JSON; a line that starts with its value and
    has nothing after it is read by one ``raw_decode`` call (what ``loads`` does with it)."""
    try:
        value, end = _JSON.raw_decode(line)
        if end == len(line):
            return value
    except json.JSONDecodeError:
        pass
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def _lone_surrogate(value) -> str | None:
    """The first lone surrogate (half of a UTF-16 pair, not a character) in the strings of the
    JSON ``value``, as its escape ``\\udXXX``; None if there is none."""
    if isinstance(value, str):
        found = SURROGATE.search(value)
        return f"\\u{ord(found.group()):04x}" if found else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        return next(filter(None, map(_lone_surrogate, value)), None)
    return None


def _object_lines(body: bytes) -> int:
    """How many lines UTF-8 ``body`` has if each one starts with ``{`` and ends with ``}``
    and ``str.splitlines`` breaks them only at ``\\n`` (no ``\\r``, U+0085, U+2028 or U+2029,
    which a JSON string may hold as they are), else 0. Then no line is blank and no JSON
    value read from ``body`` spans lines (it would leave a line that starts or ends
    otherwise)."""
    data = np.frombuffer(body, dtype=np.uint8)
    if not len(data) or data[0] != ord("{") or data[-1] != ord("}") or b"\r" in body:
        return 0
    n_breaks = 0
    for start in range(0, len(data), CHECK_BYTES):  # in parts: no temporary array as large
        part = data[start:start + CHECK_BYTES]
        breaks = np.flatnonzero(part == ord("\n")) + start
        ends = np.flatnonzero((part == 0x85) | ((part & 0xFE) == 0xA8)) + start  # U+0085 ...
        if ((data[breaks - 1] != ord("}")).any() or (data[breaks + 1] != ord("{")).any()
                or ((data[ends] == 0x85) & (data[ends - 1] == 0xC2)).any()
                or ((data[ends] != 0x85) & (data[ends - 1] == 0x80)
                    & (data[ends - 2] == 0xE2)).any()):  # ... and U+2028, U+2029
            return 0
        n_breaks += len(breaks)
    return n_breaks + 1


def _surrogate_escapes(body: bytes) -> bool:
    """Whether JSON ``body`` may escape half of a surrogate pair: a backslash, ``u``, then
    ``d`` or ``D`` (a whole pair is two such escapes; an escaped backslash may precede)."""
    data = np.frombuffer(body, dtype=np.uint8)
    for start in range(0, len(data), CHECK_BYTES):  # in parts, as in ``_object_lines``
        at = np.flatnonzero(data[start:start + CHECK_BYTES] == ord("\\")) + start
        at = at[at + 2 < len(data)]
        if ((data[at + 1] == ord("u")) & ((data[at + 2] | 0x20) == ord("d"))).any():
            return True
    return False


def _jsonl_objects(data: bytes) -> list[dict] | None:
    """The objects of UTF-8 JSON Lines ``data``, read in one call, object ``i`` from line
    ``i``; None unless each line holds one JSON object (``_object_lines``, and as many values
    as lines). Read without error, ``data`` is valid UTF-8 without control bytes (JSON allows
    neither)."""
    body = data.removesuffix(b"\n")
    n_lines = _object_lines(body)
    if not n_lines:
        return None
    try:
        objects = _JSON_LINES.decode_lines(body)
    except (ValueError, RecursionError):  # msgspec.DecodeError, UnicodeDecodeError
        return None
    if len(objects) != n_lines or not all(type(value) is dict for value in objects):
        return None
    if _surrogate_escapes(body) and any(map(_lone_surrogate, objects)):
        return None  # read line by line, which reports the lines
    return objects


def _read_jsonl(text: str, path: Path, rows: list[_Row]) -> tuple[list[dict], list[int]]:
    """The JSON objects on the lines of ``text`` and their line numbers; each other line is
    a ``failed`` row."""
    objects, numbers = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line or line.isspace():
            continue
        value = _parse_json(line)
        if not isinstance(value, dict):
            rows.append(_row(f"{path.name}#row {number}", "failed",
                             f"invalid JSON on line {number}", size=len(line.encode())))
            continue
        if SURROGATE_ESCAPE.search(line) and (escape := _lone_surrogate(value)):
            rows.append(_row(f"{path.name}#row {number}", "failed",
                             f"invalid JSON on line {number}: {escape} is half of a UTF-16 "
                             "surrogate pair, not a character", size=len(line.encode())))
            continue
        objects.append(value)
        numbers.append(number)
    return objects, numbers


def _objects_table(objects: list[dict], numbers: list[int], text_column: str) -> pd.DataFrame:
    """One row per JSON object, its line number in ``_row`` (unless it has a ``_row`` of its
    own), columns in order of appearance. A text column of strings only is kept as Python
    objects (they are read as a list next)."""
    texts = [value.get(text_column) for value in objects]
    strings = bool(objects) and all(type(value) is str for value in texts)
    if any("_row" in value for value in objects):
        objects = [{"_row": number, **value} for number, value in zip(numbers, objects,
                                                                      strict=True)]
    if strings:
        for value in objects:
            value[text_column] = None
    table = pd.DataFrame.from_records(objects)
    if "_row" not in table and len(table):
        table.insert(0, "_row", numbers)
    if strings:
        table[text_column] = pd.Series(texts, dtype=object, index=table.index)
    return table


def _string_columns(objects: list[dict], path: Path, text_column: str, id_column: str | None,
                    encoding: str, rows: list[_Row]) -> tuple[_Records, pd.DataFrame] | None:
    """``_read_table`` of JSON ``objects`` (object ``i`` from line ``i``), read column by
    column: straight from the objects when every text and id is a string, no object has a
    ``_row`` and no other column is named ``doc_id``; else None (their table converts such
    values, ``_objects_table``)."""
    columns = list(dict.fromkeys(chain.from_iterable(objects)))  # as a table orders them
    id_column = id_column or next((c for c in ("doc_id", "id") if c in columns), None)
    if ("_row" in columns or text_column not in columns or id_column == text_column
            or id_column is not None and id_column not in columns
            or "doc_id" in columns and id_column != "doc_id"):
        return None
    texts = [value.get(text_column) for value in objects]
    ids = ([value.get(id_column) for value in objects] if id_column
           else [f"row_{n:05d}" for n in range(1, len(objects) + 1)])
    if set(map(type, chain(texts, ids))) != {str}:
        return None
    others = [c for c in columns if c != text_column]
    metadata = (pd.DataFrame.from_records(objects, columns=[c for c in others if c != id_column])
                if len(others) > (id_column is not None) else pd.DataFrame(index=range(len(ids))))
    metadata.insert(others.index(id_column) if id_column else 0, "doc_id", ids)
    numbers = range(1, len(objects) + 1)
    no_id = [number for number, doc_id in zip(numbers, ids, strict=True) if not doc_id.strip()]
    if no_id:  # (a made-up id is never empty)
        rows += _empty_ids(path, no_id, id_column, encoding)
        keep = np.ones(len(ids), dtype=bool)
        keep[np.array(no_id) - 1] = False
        metadata = metadata[keep]
        numbers, ids, texts = (list(compress(column, keep)) for column in (numbers, ids, texts))
    return _table_records(path, numbers, ids, texts, encoding, metadata)


def _empty_ids(path: Path, numbers, id_column: str, encoding: str) -> list[_Row]:
    """A ``failed`` report row for each row of table ``path`` (``numbers``) without an id."""
    return [_row(f"{path.name}#row {number}", "failed", f"empty id (column {id_column!r})",
                 encoding) for number in numbers]


def _table_records(path: Path, numbers, ids: list[str], texts: list[str], encoding: str,
                   metadata: pd.DataFrame) -> tuple[_Records, pd.DataFrame]:
    """The records of a table's rows (``numbers``: their line or row numbers) and its
    ``metadata`` (``doc_id`` and the other columns; one row per record) with empty cells
    missing, only each id's first row."""
    prefix = f"{path.name}#row "
    paths = [f"{prefix}{number}" for number in numbers]
    sizes = [len(text) if text.isascii() else len(text.encode()) for text in texts]
    return (_Records(ids, texts, paths, [encoding] * len(texts), sizes),
            metadata.replace("", pd.NA).drop_duplicates("doc_id"))


def _read_table(path: Path, text_column: str, id_column: str | None,
                rows: list[_Row]) -> tuple[_Records, pd.DataFrame | None]:
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            data = igzip.decompress(data)  # what gzip.decompress gives, faster
        except (OSError, EOFError) as error:
            raise ValueError(f"{path}: not a valid gzip file ({error})") from None
    is_jsonl = ".jsonl" in path.name.lower()
    has_bom = data.startswith(codecs.BOM_UTF8)
    objects = _jsonl_objects(data[len(codecs.BOM_UTF8):] if has_bom else data) \
        if is_jsonl and not any(data.startswith(bom) for bom, _ in BOMS[1:]) else None
    if objects is not None:
        encoding = "utf-8-sig" if has_bom else "utf-8"
        read = _string_columns(objects, path, text_column, id_column, encoding, rows)
        if read is not None:
            return read
        table = _objects_table(objects, list(range(1, len(objects) + 1)), text_column)
    else:
        text, encoding = decode_bytes(data)
        table = (_objects_table(*_read_jsonl(text, path, rows), text_column) if is_jsonl
                 else _read_csv(text, path))
    if is_jsonl and table.empty:
        return _Records.of([]), None
    if "_row" not in table:
        table.insert(0, "_row", range(1, len(table) + 1))
    if text_column not in table:
        columns = [c for c in table.columns if c != "_row"]
        raise ValueError(f"{path}: no text column {text_column!r}; columns are {columns}")
    id_column = id_column or next((c for c in ("doc_id", "id") if c in table), None)
    if id_column is not None and id_column not in table:
        columns = [c for c in table.columns if c != "_row"]
        raise ValueError(f"{path}: no id column {id_column!r}; columns are {columns}")
    if id_column not in (None, "doc_id") and "doc_id" in table:
        raise ValueError(f"{path}: a 'doc_id' column beside the id column {id_column!r}: rename "
                         "one of them, or use 'doc_id' as the id column")
    if id_column is not None:
        no_id = table[id_column].isna() | (table[id_column].astype(str).str.strip() == "")
        rows += _empty_ids(path, table.loc[no_id, "_row"], id_column, encoding)
        table = table[~no_id] if no_id.any() else table
    numbers = table["_row"].tolist()  # whole columns to lists: much faster than iterating
    ids = ([str(i) for i in table[id_column].tolist()] if id_column
           else [f"row_{n:05d}" for n in numbers])
    texts = [value if type(value) is str else "" if pd.isna(value) else str(value)
             for value in table[text_column].tolist()]
    metadata = table.drop(columns=[c for c in ("_row", text_column) if c in table])
    if id_column:  # the ids as the documents have them (a JSON number 3 is "3")
        metadata = metadata.rename(columns={id_column: "doc_id"}).assign(doc_id=ids)
    else:
        metadata.insert(0, "doc_id", ids)
    return _table_records(path, numbers, ids, texts, encoding, metadata)


def _in_order(metadata: pd.DataFrame | None, doc_ids: list[str]) -> bool:
    """Whether ``metadata`` is None or a table's (not a folder's ``metadata.csv``) whose row
    ``i`` is document ``i``'s (``doc_ids``)."""
    return metadata is None or "_line" not in metadata and metadata["doc_id"].tolist() == doc_ids


def _check_clashes(metadata: pd.DataFrame, path: Path) -> None:
    """Raise ValueError naming ``path`` if a column of a table's ``metadata`` is one of
    ``DOC_COLUMNS``."""
    clashes = [c for c in metadata.columns if c in DOC_COLUMNS]
    if clashes:
        raise ValueError(f"{path}: columns {clashes} clash with computed ones")


def _table_columns(metadata: pd.DataFrame | None, path: Path) -> dict[str, pd.Series]:
    """{name: column} of a table's ``metadata`` but ``doc_id`` (none if None), indexed
    ``0..n-1`` (``_check_clashes`` first)."""
    if metadata is None:
        return {}
    _check_clashes(metadata, path)
    return dict(metadata.drop(columns="doc_id").reset_index(drop=True).items())


def _join_metadata(docs: pd.DataFrame, metadata: pd.DataFrame | None, path: Path,
                   rows: list[_Row]) -> pd.DataFrame:
    """Left join on doc_id. For a folder's ``metadata.csv`` (``metadata`` has a ``_line``
    column) its rows without a document are logged in ``rows``, with a hint when an id differs
    from a document's only in case or extension, and its row in ``rows`` counts the documents
    without metadata."""
    if metadata is None:
        return docs
    if "_line" not in metadata:  # the other columns of a CSV/JSONL corpus
        _check_clashes(metadata, path)
        return docs.merge(metadata, on="doc_id", how="left")
    metadata = metadata.replace("", pd.NA)
    known = docs["doc_id"].tolist()
    known_set = set(known)
    folded = {_id_key(doc_id): doc_id for doc_id in known}
    listed = set(metadata["doc_id"].tolist())
    for line, doc_id in zip(metadata["_line"].tolist(), metadata["doc_id"].tolist(),
                            strict=True):
        if doc_id not in known_set:
            match = folded.get(_id_key(doc_id))
            hint = (f"; did you mean {match!r}? (a doc_id is the file name without extension, "
                    "case counts)" if match is not None and match not in listed else "")
            rows.append(_row(f"{path.name}#line {line}", "skipped",
                             f"metadata row without a document (doc_id {doc_id}){hint}"))
    missing = [doc_id for doc_id in known if doc_id not in listed]
    at = next(i for i, row in enumerate(rows) if row[0] == path.name and row[1] == "metadata")
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        note = f"{len(missing)} of {len(known)} documents have no metadata row ({shown})"
        rows[at] = rows[at][:2] + ("; ".join(filter(None, [rows[at][2], note])),) + rows[at][3:]
    return docs.merge(metadata.drop(columns="_line"), on="doc_id", how="left")


def _join_file(docs: pd.DataFrame, path: Path, rows: list[_Row]) -> pd.DataFrame:
    """The columns of the CSV file ``path`` joined to ``docs`` on the columns both have (e.g.
    ``congress``), compared as text; a ``metadata`` row in ``rows`` says how many documents
    found a row. Raises ``ValueError`` naming the file if there is nothing to join on, a key
    repeats or a column clashes with one the documents have."""
    table = read_csv_table(path, "metadata", dtype=str, keep_default_na=False)
    keys = [c for c in table.columns if c in docs.columns and c not in DOC_COLUMNS]
    if not keys:
        raise ValueError(f"{path}: no column to join on: its columns are {list(table.columns)}, "
                         f"the documents' are {[c for c in docs if c not in DOC_COLUMNS]}")
    repeated = table[table.duplicated(keys, keep=False)][keys].drop_duplicates()
    if len(repeated):
        raise ValueError(f"{path}: {keys} repeat: {repeated.head(5).to_dict('records')}")
    if "language" in table:
        raise ValueError(f"{path}: a 'language' column must be given with the corpus itself")

    def as_text(column: pd.Series) -> pd.Series:  # 1 and 1.0 (a JSON number) read as "1"
        if pd.api.types.is_float_dtype(column) and (column.dropna() % 1 == 0).all():
            column = column.astype("Int64")
        return column.astype("string").str.strip()

    joined = docs.assign(**{f"_{key}": as_text(docs[key]) for key in keys}).merge(
        table.replace("", pd.NA).rename(columns={key: f"_{key}" for key in keys})
        .astype({f"_{key}": "string" for key in keys}), on=[f"_{key}" for key in keys],
        how="left", indicator=True)
    n_matched = int((joined["_merge"] == "both").sum())
    rows.append(_row(path.name, "metadata", f"joined on {keys}: {n_matched} of {len(docs)} "
                     "documents have a row", size=path.stat().st_size))
    return joined.drop(columns=["_merge", *[f"_{key}" for key in keys]])


def _id_key(doc_id: str) -> str:
    """``doc_id`` without a text file extension, case folded: ids equal up to these match."""
    suffix = Path(doc_id).suffix.lower()
    stem = doc_id[: -len(suffix)] if suffix in TEXT_SUFFIXES | sources.SUFFIXES.keys() \
        else doc_id
    return stem.casefold()


def _sort_report(report: pd.DataFrame, row_prefix: str) -> pd.DataFrame:
    """``report`` sorted by path, numbers in it by value (row 2 before row 10). The rows of
    one table that are in line order already (every path ``row_prefix`` and a number, the
    numbers rising) stay as they are."""
    paths = report["path"]
    if paths.str.startswith(row_prefix).all():
        numbers = paths.str.slice(len(row_prefix))
        if (numbers.str.fullmatch("[0-9]{1,12}").all()
                and numbers.astype("int64").diff().iloc[1:].gt(0).all()):
            return report.reset_index(drop=True)
    return report.sort_values("path", ignore_index=True, key=lambda paths: paths.str.replace(
        r"\d+", lambda number: number.group().zfill(12), regex=True))


def _why_empty(rows: list[_Row], noun: str) -> str:
    """E.g. "3 files seen: 2 skipped (2 empty file), 1 failed (1 binary file (not text))"."""
    seen = [(row[1], row[2]) for row in rows if row[1] != "metadata"]
    parts = []
    for status in ("skipped", "failed"):
        reasons = Counter(reason for row_status, reason in seen if row_status == status)
        detail = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        parts += [f"{reasons.total()} {status} ({detail})"] if reasons else []
    return f"{len(seen)} {noun} seen" + (": " + ", ".join(parts) if parts else "")


def load_corpus(source, *, text_column: str = "text", id_column: str | None = None,
                language: str | None = None, short_words: int = 50, n_jobs: int = 1,
                metadata_file=None, max_docs: int | None = None, sample: str = "random",
                random_state: int = 0, scheduler: str | None = None, client=None) -> Corpus:
    """Load a folder of ``.txt``/``.md`` files (plus an optional ``metadata.csv`` joined on
    ``doc_id``) or a ``.csv``/``.jsonl`` file (optionally gzipped) with a ``text_column``.

    Table ids come from ``id_column``, else a ``doc_id`` or ``id`` column, else ``row_00001``...;
    other columns become metadata. Empty, binary, undecodable and duplicate files are reported,
    not loaded. Raises FileNotFoundError for a missing source, ValueError if nothing loads.

    ``language``: ``zh``, ``en``, ``mixed`` or ``other`` for every document, or None: a
    ``language`` metadata column where it has a value, else detected (``nqpf.language.detect``).
    ``is_short``: fewer than ``short_words`` words (for Chinese, ``short_words`` times
    ``nqpf.language.CHARS_PER_WORD`` characters: stub records).

    ``metadata_file``: a CSV whose columns are added to the documents, joined on the columns
    both have (e.g. a ``congress`` number mapped to a ``year``); the report says how many
    documents found a row.

    ``max_docs``: keep at most this many documents (after empty and duplicate ones are dropped):
    a random sample drawn with ``random_state`` (``sample="random"``) or the first ones in
    input order (``sample="first"``); each one left out is a ``skipped`` report row that says
    so.

    Each document is measured once (language, words, boilerplate spans: ``nqpf.measure``;
    the spans are kept in ``Corpus.spans``); ``n_jobs > 1`` (``-1``: all cores) measures in
    this process and ``n_jobs - 1`` worker processes, started for it; with a Dask ``client``
    (or the ``scheduler`` address of one), on the cluster's workers."""
    check_language(language)
    _check_sample(max_docs, sample)
    source = Path(source).expanduser()
    if not source.exists():
        raise FileNotFoundError(f"corpus source not found: {source}")
    if source.is_file() and not source.name.lower().endswith(TABLE_SUFFIXES):
        raise ValueError(f"{source}: unsupported corpus file type; use a folder of .txt/.md "
                         f"(or .pdf/.docx/.html) files or a file ending in "
                         f"{', '.join(TABLE_SUFFIXES)}")
    with nullcontext() if source.is_dir() else _gc_paused():  # PDF readers leave cycles
        return _load(source, text_column=text_column, id_column=id_column, language=language,
                     short_words=short_words, n_jobs=n_jobs, metadata_file=metadata_file,
                     max_docs=max_docs, sample=sample, random_state=random_state,
                     scheduler=scheduler, client=client)


def _measure_all(texts: list[str], languages: list[str | None], *, n_jobs: int,
                 scheduler: str | None, client) -> tuple[list, list, list, list]:
    """``nqpf.measure.measure`` of every text, in chunks (see ``load_corpus``): its languages,
    word counts, spacing and boilerplate spans, one list each (the per-document tuples are
    gone when it returns)."""
    pairs = list(zip(texts, languages, strict=True))
    if client is not None or scheduler is not None:
        from nqpf.cluster import connect, map_chunks

        with connect(scheduler, client) as dask_client:
            measured = map_chunks(dask_client, measure, pairs, chunk_size=CHUNK_SIZE)
    else:
        workers = effective_n_jobs(n_jobs) - 1  # none: one chunk (its searches set up once)
        measured = parallel.map_chunks(pairs, measure, measure, workers=workers,
                                       chunk_size=CHUNK_SIZE if workers else len(pairs))
    del pairs
    return tuple(map(list, zip(*measured, strict=True)))


def _load(source: Path, *, text_column: str, id_column: str | None, language: str | None,
          short_words: int, n_jobs: int, metadata_file, max_docs: int | None, sample: str,
          random_state: int, scheduler: str | None, client) -> Corpus:
    """``load_corpus`` of an existing ``source``, its options checked."""
    rows: list[_Row] = []
    extracted: dict[str, sources.Source] = {}
    if source.is_dir():
        records, metadata = _read_folder(source, rows, extracted)
        kept, row_index = _add_documents(records, rows, "empty file")
        noun, meta_path, meta_rows = "files", source / METADATA_FILE, rows
    else:
        records, metadata = _read_table(source, text_column, id_column, rows)
        kept, row_index = _add_documents(records, rows, "empty text")
        noun, meta_path, meta_rows = "records", source, []
    if not kept.texts:
        raise ValueError(f"no documents loaded from {source}: {_why_empty(rows, noun)}")
    sampled, row_index = _sample(kept, row_index, rows, max_docs=max_docs, sample=sample,
                                 random_state=random_state)
    if metadata is not None and len(sampled.texts) < len(kept.texts):  # not unmatched rows
        left_out = set(kept.doc_ids).difference(sampled.doc_ids)
        metadata = metadata[~metadata["doc_id"].isin(left_out)]
    kept = sampled
    doc_ids, texts = kept.doc_ids, kept.texts
    given = _given_languages(metadata, meta_path)
    languages, n_words, spaced, spans = _measure_all(
        texts, [language] * len(texts) if language else list(map(given.get, doc_ids)) if given
        else [None] * len(texts), n_jobs=n_jobs, scheduler=scheduler, client=client)
    spans = [set_aside(found, blocks) if blocks else found  # footers across documents
             for found, blocks in zip(spans, recurring_blocks(texts), strict=True)]
    found = {doc_id: extracted[path] for doc_id, path in zip(doc_ids, kept.paths, strict=True)
             if path in extracted} if extracted else {}  # {doc_id: its PDF, Word, HTML Source}
    if extracted:  # headers, footers and page numbers of PDF and Word files
        spans = [sources.with_layout(doc_spans, found[doc_id].spans if doc_id in found else [])
                 for doc_id, doc_spans in zip(doc_ids, spans, strict=True)]
    n_words = np.array(n_words, dtype=np.int64)  # columns as arrays: quicker to frame
    factors = np.fromiter(map(size_factor, languages), dtype=np.int64, count=len(texts))
    measures = {"text": texts,  # DOC_COLUMNS
                "n_chars": np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)),
                "n_words": n_words,
                "ends_mid_sentence": np.array(list(map(_ends_mid_sentence, texts,
                                                       map(body_end, texts, spans))), dtype=bool),
                "is_short": n_words < short_words * factors,
                "is_duplicate": _duplicates(texts, spaced)}
    # the language in the metadata's place if it has the column, else after it
    if metadata_file is None and not extracted and _in_order(metadata, doc_ids):
        docs = pd.DataFrame({"doc_id": doc_ids, **_table_columns(metadata, meta_path),
                             "language": languages, **measures})
    else:
        docs = _join_metadata(pd.DataFrame({"doc_id": doc_ids, **measures}), metadata,
                              meta_path, meta_rows)
        if extracted:
            docs = sources.fill_metadata(docs, {doc_id: source.metadata
                                                for doc_id, source in found.items()})
        if metadata_file is not None:
            docs = _join_file(docs, Path(metadata_file).expanduser(), rows)
        docs["language"] = languages
        docs = docs[["doc_id", *[c for c in docs.columns if c not in ["doc_id", *DOC_COLUMNS]],
                     *DOC_COLUMNS]]
    docs = (docs.reset_index(drop=True) if docs["doc_id"].is_monotonic_increasing
            else docs.sort_values("doc_id", ignore_index=True))
    row_languages = [""] * len(rows)
    for i, language_found in zip(row_index, languages, strict=True):
        row_languages[i] = language_found
    report = pd.DataFrame(rows, columns=REPORT_COLUMNS[:-1]).assign(language=row_languages)
    if source.is_dir():  # format, pages and characters, if it holds PDF, Word or HTML files
        report = sources.describe_files(report, extracted,
                                        dict(zip(records.paths, records.texts, strict=True)))
    return Corpus(docs=docs, report=_sort_report(report, f"{source.name}#row "), source=source,
                  spans=dict(zip(doc_ids, spans, strict=True)))
