"""Reused official phrasing: word sequences and near-identical sentences shared by documents.

Both functions compare *surface* words (``surface_words``: ``nqpf.chinese.normalize``, i.e.
``nqpf.clean.normalize`` and traditional characters folded to simplified, lower case,
punctuation and hyphens dropped; not lemmatised, stopwords kept), so a slogan is matched as it
is written, not as the tokeniser reduces it.

Chinese is compared character by character: each Han character is a unit of its own. On the
CPC congress reports (``benchmarks/chinese_reuse.py``) character n-grams found the shared
slogans in more reports than n-grams of jieba words, whose cut of one phrase varies with its
context (马克思列宁主义、毛泽东思想: 9 reports as characters, 5 as words).
"""

import itertools
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from tqdm.std import tqdm

from nqpf.checks import require_columns
from nqpf.chinese import normalize
from nqpf.language import CHARS_PER_WORD, HAN
from nqpf.segment import sentence_spans
from nqpf.tfidf import PROGRESS_SECONDS
from nqpf.tokens import default_stopwords

# A unit: one Han character, or a run of other letters and digits.
UNIT = re.compile(f"{HAN.pattern}|(?:(?!{HAN.pattern})[^\\W_])+")
NGRAM_COLUMNS = ["ngram", "n_words", "n_docs", "n_occurrences", "doc_ids", "passages"]
SHINGLE_CHARS = 5
CHUNK_PAIRS = 2**16  # similar_pairs: candidate pairs compared at a time


def surface_words(text: str) -> list[str]:
    """Lower-case words of ``text`` after ``normalize`` -> list[str] (n_words,); punctuation,
    hyphens and ``_`` split words and are dropped: ``"High-quality development."`` ->
    ``["high", "quality", "development"]``; each Han character is a word of its own:
    ``"新質生產力"`` -> ``["新", "质", "生", "产", "力"]``."""
    return UNIT.findall(normalize(text).lower())


def join_words(words: list[str] | tuple[str, ...]) -> str:
    """Surface words as text: a space between two words unless one is a Han character:
    ``["推", "动", "ai", "technology"]`` -> ``"推动ai technology"``."""
    if "".join(words).isascii():
        return " ".join(words)
    pieces = []
    for previous, word in zip([None, *words], words, strict=False):
        if previous is not None and not (HAN.match(previous) or HAN.match(word)):
            pieces.append(" ")
        pieces.append(word)
    return "".join(pieces)


def _size(words: list[str], n: int) -> int:
    """n-gram length for a passage's words: ``n``, or ``CHARS_PER_WORD * n`` (2n) if most of
    them are Han characters."""
    if "".join(words).isascii():
        return n
    han = sum(1 for word in words if HAN.fullmatch(word))
    return CHARS_PER_WORD * n if 2 * han > len(words) else n


def _phrase_seeds(words: list[list[str]], sizes: list[int], docs: np.ndarray,
                  min_docs: int) -> tuple["Occurrences", list[tuple]]:
    """Steps 1 and 2 of ``shared_ngrams`` and the skip of step 3: each n-gram (``sizes[row]``
    words, within one passage) that occurs in at least ``min_docs`` documents (``docs``: a
    code per passage row), unless preceded everywhere by the same word and by an n-gram of
    as many occurrences: ``(words, seeds)``, the words as ``Occurrences`` and for each seed
    ``(rows, positions, size)``, its occurrences' passage rows and flat positions in order,
    seeds in the order of their first occurrence. Grouped exactly by sorting the n-grams'
    word codes (numpy), not in a Python dict of every n-gram."""
    lengths = np.fromiter(map(len, words), np.int64, len(words))
    codes, _ = pd.factorize(pd.Series(itertools.chain.from_iterable(words), dtype=object))
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    sizes = np.asarray(sizes, dtype=np.int64)
    found = []  # (first position, size, occurrences) of each seed
    for size in np.unique(sizes):
        rows = np.flatnonzero((sizes == size) & (lengths >= size))
        if not len(rows):
            continue
        counts = lengths[rows] - size + 1
        row_of = np.repeat(rows, counts)
        starts = (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
                  + offsets[row_of])  # flat position of each n-gram's first word
        order = np.lexsort([codes[starts + k] for k in reversed(range(size))])  # stable
        starts, row_of = starts[order], row_of[order]
        new = np.zeros(len(order), dtype=bool)  # where a new n-gram starts, sorted
        new[0] = True
        for k in range(size):
            column = codes[starts + k]
            new[1:] |= column[1:] != column[:-1]
        group = np.cumsum(new) - 1
        heads = np.flatnonzero(new)
        n_occ = np.diff(np.append(heads, len(order)))
        doc = docs[row_of]
        by_doc = np.lexsort((doc, group))
        new_doc = np.ones(len(order), dtype=bool)  # first occurrence of a (group, doc) pair
        new_doc[1:] = ((group[by_doc][1:] != group[by_doc][:-1])
                       | (doc[by_doc][1:] != doc[by_doc][:-1]))
        shared = np.bincount(group[by_doc][new_doc], minlength=len(heads)) >= min_docs
        at = np.full(len(codes), -1)  # the group of the n-gram starting at a flat position
        at[starts] = group
        before = np.where(starts > offsets[row_of], at[starts - 1], -1)
        lowest = np.minimum.reduceat(before, heads)
        same = (lowest == np.maximum.reduceat(before, heads)) & (lowest >= 0)
        previous = np.where(same, lowest, 0)
        seeds = shared & ~(same & shared[previous] & (n_occ[previous] == n_occ))
        chosen = seeds[group]
        if not chosen.any():
            continue
        positions, rows_of = starts[chosen], row_of[chosen]
        cuts = [0, *(np.flatnonzero(np.diff(group[chosen])) + 1).tolist(), len(positions)]
        found += [(int(positions[i]), rows_of[i:j], positions[i:j], size)
                  for i, j in itertools.pairwise(cuts)]
    found.sort(key=lambda seed: seed[0])
    return Occurrences(codes, offsets), [seed[1:] for seed in found]


@dataclass(frozen=True)
class Occurrences:
    """The passages' words as one array of word ``codes`` (passage ``row`` starts at
    ``offsets[row]``, ends before ``offsets[row + 1]``)."""

    codes: np.ndarray
    offsets: np.ndarray

    def grow(self, rows: np.ndarray, positions: np.ndarray, n: int) -> tuple[int, int]:
        """How many words every occurrence of an n-gram (first words at flat ``positions``,
        in passages ``rows``) can be extended by to the left and to the right while all
        occurrences agree on the added word: ``(left, right)``."""
        room_left = int((positions - self.offsets[rows]).min())
        room_right = int((self.offsets[rows + 1] - positions).min()) - n
        return (self._agreeing(positions, -1, room_left),
                self._agreeing(positions + n - 1, 1, room_right))

    def _agreeing(self, positions: np.ndarray, step: int, room: int) -> int:
        """How many words, stepping by ``step`` from each of ``positions`` (at most ``room``),
        are the same at every position; windows of doubling width."""
        done, width = 0, 4
        while done < room:
            width = min(width, room - done)
            offsets = step * np.arange(done + 1, done + width + 1)
            found = self.codes[positions[:, None] + offsets]
            agree = (found == found[0]).all(axis=0)
            if not agree.all():
                return done + int(np.argmin(agree))
            done, width = done + width, 2 * width
        return done


def content_words(words: list[str]) -> int:
    """Number of ``words`` that are not project stopwords (``nqpf.tokens.default_stopwords``):
    ``["at", "the", "same", "time"]`` -> 1."""
    stopwords = default_stopwords()
    return sum(word not in stopwords for word in words)


def shared_ngrams(passages: pd.DataFrame, *, n: int = 5, min_docs: int = 2,
                  min_content_words: int = 0) -> pd.DataFrame:
    """Word sequences of at least ``n`` surface words used in at least ``min_docs`` documents,
    each listed once as its longest shared form. In passages whose surface words are mostly
    Han characters, sequences of at least ``CHARS_PER_WORD * n`` characters.

    Algorithm (sorting word codes; about n log n in the number of words):

    1. group every word n-gram of every passage with its occurrences ``(passage row,
       position)`` (n-grams never cross passages) by sorting their word codes;
    2. keep n-grams whose occurrences span at least ``min_docs`` documents;
    3. grow each kept n-gram into a maximal phrase: add the word before (after) it while
       *all* of its occurrences have the same word there. Overlapping n-grams of one
       formula share their occurrences, so they all grow into the same phrase, which is
       listed once. (An n-gram preceded everywhere by the same n-gram with the same number
       of occurrences lies inside a phrase already grown from that one, and is skipped.)
    4. drop a phrase that lies inside a longer listed phrase cited in exactly the same
       passages (it would only add a few extra occurrences within those passages).

    5. with ``min_content_words``, drop phrases with fewer non-stopwords (``content_words``):
       connective boilerplate such as "at the same time it is also necessary to".

    A formula sometimes quoted with an extension gives two rows: the common core (more
    documents or passages) and the longer variant (fewer).

    Returns DataFrame (n_phrases, 6), columns ``ngram`` (the phrase, ``join_words``),
    ``n_words`` (surface words; Chinese: characters), ``n_docs``,
    ``n_occurrences`` (of the phrase itself), ``doc_ids`` (sorted, ``"; "``-joined),
    ``passages`` (``"doc_id:passage_id"``, ``"; "``-joined, in table order).
    Sorted by ``n_docs``, then ``n_words``, descending.
    """
    require_columns(passages, ["doc_id", "passage_id", "text"], "passages")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if min_docs < 2:
        raise ValueError(f"min_docs must be at least 2 (shared by two documents), got {min_docs}")
    if min_content_words < 0:
        raise ValueError(f"min_content_words must be 0 or more, got {min_content_words}")
    words = [surface_words(text) for text in passages["text"]]
    doc_ids = passages["doc_id"].astype(str).tolist()
    passage_ids = passages["passage_id"].tolist()
    found, seeds = _phrase_seeds(words, [_size(passage_words, n) for passage_words in words],
                                 pd.factorize(pd.Series(doc_ids))[0], min_docs)

    phrases = {}  # phrase -> the passage rows of its occurrences
    for occ_rows, positions, size in seeds:
        left, right = found.grow(occ_rows, positions, size)
        row, i = int(occ_rows[0]), int(positions[0] - found.offsets[occ_rows[0]])
        phrases.setdefault(tuple(words[row][i - left:i + size + right]), occ_rows)

    rows, kept = [], defaultdict(list)
    for phrase, occ in sorted(phrases.items(), key=lambda item: -len(item[0])):
        occ_rows = np.unique(occ).tolist()
        cited = "; ".join(f"{doc_ids[row]}:{passage_ids[row]}" for row in occ_rows)
        key = "\0" + "\0".join(phrase) + "\0"  # contained in a longer key: a sub-phrase
        if min_content_words and content_words(list(phrase)) < min_content_words:
            continue
        if any(key in longer for longer in kept[cited]):
            continue
        kept[cited].append(key)
        docs = sorted({doc_ids[row] for row in occ_rows})
        rows.append((join_words(phrase), len(phrase), len(docs), len(occ), "; ".join(docs),
                     cited))
    table = pd.DataFrame(rows, columns=NGRAM_COLUMNS)
    table = table.sort_values(["n_docs", "n_words", "ngram"], ascending=[False, False, True])
    return table.reset_index(drop=True)


def similar_pairs(sets: sparse.csr_array, threshold: float, groups: np.ndarray, *,
                  max_pairs: int | None = None, block_rows: int = 256,
                  progress: Callable | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs of rows of the binary ``sets`` matrix (n_rows, n_features) with Jaccard
    similarity >= ``threshold`` whose ``groups`` (n_rows,) differ: ``(first, second,
    jaccard)``, arrays (n_pairs,) with ``first < second``.

    Exact, without comparing all pairs (prefix filtering, Chaudhuri et al. 2006): order
    features from rarest to most common; two sets with Jaccard >= t share at least
    ``ceil(t * |x|)`` features, so each shares one of its ``|x| - ceil(t * |x|) + 1`` rarest
    features with the other (prefix features held by rows of one group only are dropped:
    they pair no rows of different groups). Candidates are the pairs sharing such a prefix
    feature (a sparse product of the prefix matrix, whose rare columns are short),
    ``block_rows`` rows at a time, and their exact overlap decides. Pairs come in row order
    (``first``, then ``second``); with ``max_pairs`` the search stops once that many are found
    (the first ``max_pairs`` pairs in row order), so memory and time stay bounded even when
    thousands of rows are identical. ``progress``: called with the number of rows done after
    each block."""
    sets = sparse.csr_array(sets)
    sets.sum_duplicates()
    n_rows, n_features = sets.shape
    index = sets.indptr.dtype  # int32 while the matrix allows: arrays of length nnz stay small
    rank = np.empty(n_features, dtype=index)
    rank[np.argsort(np.bincount(sets.indices, minlength=n_features), kind="stable")] = (
        np.arange(n_features, dtype=index))
    # Features renumbered from rarest to most common and sorted in each row: a row's prefix is
    # its first features.
    sets = sparse.csr_array((np.ones(sets.nnz, dtype=np.int32), rank[sets.indices],
                             sets.indptr), shape=sets.shape)
    sets.has_sorted_indices = False
    sets.sort_indices()
    sizes = np.diff(sets.indptr)
    prefix_sizes = np.minimum(sizes - np.ceil(threshold * sizes - 1e-9).astype(index) + 1, sizes)
    in_prefix = np.arange(sets.nnz, dtype=index) < np.repeat(sets.indptr[:-1] + prefix_sizes,
                                                              sizes)
    features = sets.indices[in_prefix]
    rows = np.repeat(np.arange(n_rows, dtype=index), prefix_sizes)
    del in_prefix
    # A prefix feature that only rows of one group have gives no pair of interest: drop it
    # (a long document's sentences would otherwise all be candidates of one another).
    codes = pd.factorize(np.asarray(groups))[0]
    lowest = np.full(n_features, len(codes))
    highest = np.full(n_features, -1)
    np.minimum.at(lowest, features, codes[rows])
    np.maximum.at(highest, features, codes[rows])
    keep = (lowest < highest)[features]
    prefix = sparse.csr_array((np.ones(int(keep.sum()), dtype=np.int32), features[keep],
                               np.concatenate([[0], np.cumsum(np.bincount(
                                   rows[keep], minlength=n_rows))]).astype(index)),
                              shape=sets.shape)
    transposed = prefix.T.tocsr()
    found, n_found = [], 0
    for start in range(0, n_rows, block_rows):
        candidates = (prefix[start:start + block_rows] @ transposed).tocoo()
        first, second = candidates.row + start, candidates.col
        keep = (second > first) & (groups[first] != groups[second])
        first, second = first[keep], second[keep]
        order = np.lexsort((second, first))
        first, second = first[order], second[order]
        for chunk in range(0, len(first), CHUNK_PAIRS):
            a, b = first[chunk:chunk + CHUNK_PAIRS], second[chunk:chunk + CHUNK_PAIRS]
            overlap = np.asarray((sets[a] * sets[b]).sum(axis=1), dtype=float)
            jaccard = overlap / (sizes[a] + sizes[b] - overlap)
            hit = jaccard >= threshold
            found.append((a[hit], b[hit], jaccard[hit]))
            n_found += int(hit.sum())
            if max_pairs is not None and n_found >= max_pairs:
                break
        if progress is not None:
            progress(min(block_rows, n_rows - start))
        if max_pairs is not None and n_found >= max_pairs:
            break
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    first, second, jaccard = (np.concatenate(parts) for parts in zip(*found, strict=True))
    return first[:max_pairs], second[:max_pairs], jaccard[:max_pairs]


def _sentences(units: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """Sentences of a passages table (split with ``nqpf.segment.sentence_spans``, offsets into
    the document), or a sentences table as given: DataFrame (n_sentences, 5), columns
    ``doc_id, <id_column>, start, end, text``."""
    if id_column == "sentence_id":
        return units[["doc_id", id_column, "start", "end", "text"]].reset_index(drop=True)
    rows = []
    for doc_id, unit_id, start, text in zip(units["doc_id"], units[id_column], units["start"],
                                            units["text"], strict=True):
        rows += [(doc_id, unit_id, start + s, start + e, text[s:e])
                 for s, e in sentence_spans(text)]
    return pd.DataFrame(rows, columns=["doc_id", id_column, "start", "end", "text"])


def shared_sentences(sentences_or_passages: pd.DataFrame, *, threshold: float = 0.8,
                     min_sentence_words: int = 8, max_pairs: int | None = None,
                     progress: bool = False) -> pd.DataFrame:
    """Pairs of near-identical sentences in different documents.

    Input: a passages table (``doc_id, passage_id, start, end, text``; each passage is split
    into sentences) or a sentences table (``doc_id, sentence_id, start, end, text``, e.g.
    ``nqpf.segment.sentences_table``). Sentences with fewer than ``min_sentence_words`` surface
    words (headings, datelines) are skipped.

    Similarity is the Jaccard index of the sets of character 5-grams of the sentences'
    surface words (``surface_words``, ``join_words``); pairs with similarity >= ``threshold``
    are kept. Changing one word in a 25-word sentence gives about 0.85; identical wording 1.0.
    Candidate pairs come from ``similar_pairs`` (prefix filtering), so only sentences that
    share one of their rarest shingles are compared; the result is exact. ``max_pairs``: stop
    after the first ``max_pairs`` pairs in sentence order (a large corpus of repeated
    boilerplate has millions); ``progress``: a tqdm bar over the sentences.

    Returns DataFrame (n_pairs, 11), columns ``doc_id_a, <id>_a, start_a, end_a, doc_id_b,
    <id>_b, start_b, end_b, similarity, text_a, text_b``, where ``<id>`` is ``passage_id`` or
    ``sentence_id`` and offsets are into the raw document text; sorted by similarity,
    descending.
    """
    require_columns(sentences_or_passages, ["doc_id", "start", "end", "text"],
                    "sentences_or_passages")
    id_column = "sentence_id" if "sentence_id" in sentences_or_passages.columns else "passage_id"
    require_columns(sentences_or_passages, [id_column], "sentences_or_passages")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    columns = [f"{c}_{side}" for side in "ab" for c in ("doc_id", id_column, "start", "end")]
    columns += ["similarity", "text_a", "text_b"]

    sentences = _sentences(sentences_or_passages, id_column)
    keep = np.zeros(len(sentences), dtype=bool)
    joined = []
    for i, text in enumerate(sentences["text"]):
        words = surface_words(text)
        if len(words) >= min_sentence_words:
            keep[i] = True
            joined.append(join_words(words))
    sentences = sentences[keep].reset_index(drop=True)
    if sentences["doc_id"].nunique() < 2:  # pairs are across documents
        return pd.DataFrame(columns=columns)
    shingles = CountVectorizer(
        analyzer="char", ngram_range=(SHINGLE_CHARS, SHINGLE_CHARS), binary=True,
        dtype=np.int32).fit_transform(joined)
    del joined
    doc_codes = pd.factorize(sentences["doc_id"])[0]
    with tqdm(total=len(sentences), desc="shared sentences", disable=not progress,
              file=sys.stdout, mininterval=PROGRESS_SECONDS) as bar:
        first, second, jaccard = similar_pairs(sparse.csr_array(shingles), threshold, doc_codes,
                                               max_pairs=max_pairs, progress=bar.update)
    a = sentences.iloc[first].reset_index(drop=True)
    b = sentences.iloc[second].reset_index(drop=True)
    fields = ["doc_id", id_column, "start", "end"]
    table = pd.concat([a[fields].add_suffix("_a"), b[fields].add_suffix("_b")], axis=1)
    table["similarity"] = jaccard
    table["text_a"] = a["text"]
    table["text_b"] = b["text"]
    table = table.sort_values(["similarity", "doc_id_a", "start_a"],
                              ascending=[False, True, True], kind="stable")
    return table.reset_index(drop=True)[columns]
