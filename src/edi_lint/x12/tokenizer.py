"""Bytes to segments: delimiters from each ISA, positions for every segment, streamed in chunks.

The text is decoded as latin-1 so that one character is one byte: a segment's offset in the string is
its byte offset in the file, and no input byte can fail to decode.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO, Iterator

CHUNK_SIZE = 1 << 20
# Longer than any 837P segment by orders of magnitude. A missing or wrong terminator makes the rest
# of the file one segment: past this the tokenizer stops, instead of holding a gigabyte and
# re-splitting it at every chunk (quadratic time).
MAX_SEGMENT_LENGTH = 1 << 20
ISA_LENGTH = 106
BATCH = 256  # segments per list handed out: few enough that a batch's element lists stay small
# Segment texts whose element split is remembered (emptied when full). Two segments in three repeat a
# text seen shortly before (DTP, SV1, LX, REF, PRV, the payer's and providers' NM1, N3, N4). The lookup
# pays for the text's hash, which the IG validator's memo of clean texts needs anyway: on the 10k
# benchmark (2026-12-03) reading alone costs about 107 M instructions more with the memo than splitting
# every text, a default run about 15 M less. Bounded.
SPLIT_MEMO = 4096
# Only texts up to this long are remembered: the texts that repeat are short, and a memo of 4,096 long
# segments (junk with a rare terminator) would hold megabytes past their chunk.
SPLIT_MEMO_TEXT = 256
# 0-based positions of the 16 element separators in a fixed-width ISA.
ISA_SEPARATOR_POSITIONS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
BOM = "\xef\xbb\xbf"  # UTF-8 byte-order mark, as latin-1 characters
LEADING_JUNK = " \t\r\n" + BOM  # blank lines, indentation, and a BOM where files were concatenated


class X12Error(Exception):
    """An input that cannot be linted at all. The message is one line, fit for a user."""


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str
    repetition: str
    component: str
    segment: str


# Where segments sit: (line, line start, ST02), shared by every segment on one line of one transaction:
# the 1-based line number, the byte offset where that line begins (a segment's column comes from its
# own offset) and the control number of the enclosing transaction. A file without line breaks has
# one per transaction, not one per segment. A plain tuple: one is made per segment in files with a
# line break after every segment, and a tuple costs a fraction of an object.
Place = tuple[int, int, "str | None"]


class Segment:
    """One segment: its elements (elements[0] is the segment id) and where it sits in the file."""

    __slots__ = ("elements", "index", "offset", "place", "delimiters", "loop", "text")

    def __init__(self, elements, index, offset, place, delimiters, text=None):
        self.elements: list[str] = elements
        self.index: int = index  # 1-based ordinal in the file
        self.offset: int = offset  # byte offset of the segment id
        self.place: Place = place
        self.delimiters: Delimiters = delimiters
        self.loop: str | None = None  # set by the loop walker
        # The text the tokenizer split into `elements` (so exactly them joined on the element
        # separator), or None: the IG checks' memo key, which they would otherwise join again.
        self.text: str | None = text

    @property
    def line(self) -> int:
        """1-based physical line."""
        return self.place[0]

    @property
    def column(self) -> int:
        """1-based column."""
        return self.offset - self.place[1] + 1

    @property
    def st02(self) -> str | None:
        """Control number of the enclosing transaction."""
        return self.place[2]

    @property
    def id(self) -> str:
        return self.elements[0]

    def get(self, position: int) -> str:
        """Element `position` (1-based, as in NM109 -> 9); empty when absent."""
        elements = self.elements
        return elements[position] if position < len(elements) else ""

    def component(self, position: int, sub: int) -> str:
        """Component `sub` (1-based) of element `position`: SV101-3 -> component(1, 3)."""
        value = self.get(position)
        if not value:
            return ""
        parts = value.split(self.delimiters.component)
        return parts[sub - 1] if sub <= len(parts) else ""

    def components(self, position: int) -> list[str]:
        value = self.get(position)
        return value.split(self.delimiters.component) if value else []

    def __repr__(self) -> str:
        return f"<Segment #{self.index} {self.elements[0]} line {self.line}>"


class _Tokenized(Segment):
    """The tokenizer's segments: a Segment made with no arguments and filled in by the loop that splits
    it. Calling a class whose __init__ is object's skips both Segment.__init__'s frame and the checks of
    `object.__new__(Segment)`: about 290 instructions a segment, 66 M on the 10k benchmark."""

    __slots__ = ()
    __init__ = object.__init__


class Unterminated(_Tokenized):
    """The last segment of an input that ends without a terminator after it. Unless it is the IEA, the
    input was cut off and so probably was this segment: it is read, kept and split like any other, and
    the engine leaves it unchecked (ENV001 reports the truncation). Set when the input ends, once the
    reader has walked it."""

    __slots__ = ()


def read_delimiters(isa: str) -> Delimiters:
    """Delimiters from a 106-character ISA, checking that every field sits at its fixed position."""
    if len(isa) < ISA_LENGTH:
        raise X12Error(
            f"broken ISA: the file ends after {len(isa)} characters, "
            f"but an ISA segment is {ISA_LENGTH} characters long"
        )
    element = isa[3]
    if element.isalnum() or element in " \r\n":
        raise X12Error(f"broken ISA: {element!r} cannot be an element separator")
    for number, position in enumerate(ISA_SEPARATOR_POSITIONS, start=1):
        if isa[position] != element:
            found = isa.find(element, ISA_SEPARATOR_POSITIONS[number - 2] + 1 if number > 1 else 4)
            raise X12Error(
                f"broken ISA: ISA{number - 1:02d} is not padded to its fixed width "
                f"(separator expected at column {position + 1}, found at column {found + 1}); "
                "the delimiters cannot be read"
            )
    component, segment = isa[104], isa[105]
    repetition = isa[82]
    if len({element, component, segment}) < 3:
        raise X12Error("broken ISA: element, component and segment delimiters must all differ")
    if component.isalnum() or component in " \r\n":
        raise X12Error(f"broken ISA: {component!r} cannot be a component separator (ISA16)")
    if isa[84:89] < "00501" or repetition.isalnum() or repetition == " ":
        repetition = ""  # 4010 and older: ISA11 is a standards identifier, not a separator
    elif repetition in (element, component, segment) or repetition in "\r\n":
        raise X12Error(f"broken ISA: the repetition separator (ISA11) {repetition!r} is also another delimiter "
                       "or a line break")
    return Delimiters(element, repetition, component, segment)


def iter_segments(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[Segment]:
    """Yield every segment of every interchange in `stream`, holding one chunk at a time.

    Raises X12Error before the first segment when the input is empty or not X12 at all.
    """
    return chain.from_iterable(_split(stream, chunk_size))


def iter_batches(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[list[Segment]]:
    """The segments of `iter_segments` in lists of at most BATCH, in order: a reader that loops over
    a list per batch pays no generator switch per segment. A batch is handed out before the stream
    is read again, so a read error finds every segment before it delivered."""
    return _split(stream, chunk_size)


def _start(stream: BinaryIO, chunk_size: int) -> tuple[str, int, Delimiters]:
    """The first text read, the offset of its ISA and the ISA's delimiters; X12Error when there is none."""
    # A stream may return fewer bytes than asked (a pipe, a socket): read until the BOM test and
    # a whole ISA after any leading blank lines are in the buffer, or the input ends.
    text = ""
    while len(text) < len(BOM):
        more = stream.read(chunk_size)
        if not more:
            break
        text += more.decode("latin-1")
    start = len(BOM) if text.startswith(BOM) else 0
    while True:
        while start < len(text) and text[start] in LEADING_JUNK:
            start += 1
        if start > MAX_SEGMENT_LENGTH:
            raise X12Error(f"not X12: more than {MAX_SEGMENT_LENGTH:,} bytes of blank space before any ISA")
        if len(text) - start >= ISA_LENGTH:
            break
        more = stream.read(chunk_size)
        if not more:
            break
        text += more.decode("latin-1")
    if not text[start:].strip("\x00 \t\r\n"):
        if "\x00" in text:  # a disk image's zeroes, a file preallocated and never written: not empty
            raise X12Error("not X12: the file starts with NUL bytes, not an ISA segment")
        raise X12Error("empty file: no X12 data")
    if not text.startswith("ISA", start):
        if text.startswith(("GS", "ST"), start) and text[start + 2 : start + 3] in "*|^~!":
            raise X12Error("not a complete X12 interchange: the file starts at a GS/ST segment, no ISA")
        raise X12Error("not X12: the file does not start with an ISA segment")
    return text, start, read_delimiters(text[start : start + ISA_LENGTH])


def _split(stream: BinaryIO, chunk_size: int) -> Iterator[list[Segment]]:
    """The hot loop: split chunks on the segment terminator, segments on the element separator.

    `buffer[base:]` is unread, and buffer[0] sits at byte offset `bstart` of the file. A chunk is
    split in one go; but once an interchange has been seen, the split stops at the end of the next
    IEA, because the interchange after it may name other delimiters. Each byte is split once (no
    re-splitting the rest of a chunk when delimiters change): time stays linear.
    """
    text, start, delimiters = _start(stream, chunk_size)
    index = 0
    line = 1 + text.count("\n", 0, start)
    line_start = text.rfind("\n", 0, start) + 1  # absolute offset where the current line begins
    st02 = None
    place = (line, line_start, st02)
    pos = start  # absolute offset of the next unread character
    buffer, base, bstart = text, start, 0
    final = False  # the stream has ended: buffer holds the rest of the file
    unterminated = False  # the file's last piece, with no terminator after it, is being split
    # text -> its elements: the splits of the short loops below, on `elem` (see SPLIT_MEMO). Each segment
    # gets a list of its own, since a plugin may change seg.elements. Tuples of strings, which the garbage
    # collector stops tracking: a memo of lists would be walked by its collections.
    splits: dict[str, tuple[str, ...]] = {}
    recall = splits.get
    split_on = delimiters.element
    made = _Tokenized
    memo_size, memo_text = SPLIT_MEMO, SPLIT_MEMO_TEXT
    while True:
        term, elem = delimiters.segment, delimiters.element
        if elem != split_on:  # another interchange, another element separator: the splits remembered are stale
            splits.clear()
            split_on = elem
        end = _interchange_end(buffer, base, delimiters)
        if end is not None:  # up to and with the next IEA
            window = buffer[base:end]
            pieces = window.split(term)
            pieces.pop()  # empty: the window ends with the IEA's terminator
            tail = None
        else:
            window = buffer[base:] if base else buffer
            pieces = window.split(term)
            tail = pieces.pop()  # may be cut in the middle: it waits for the next chunk
            if final and tail.strip(LEADING_JUNK + "\x00"):
                pieces.append(tail)  # an unterminated last segment still counts
                tail = ""
                unterminated = True
        if len(window) > MAX_SEGMENT_LENGTH and pieces:  # a terminated segment as long as an unterminated one refused below
            # Only the first piece (begun in the chunk before) or the last (an unterminated end) can be that
            # long when the pieces between fit in one chunk, as they do at the default chunk size: a scan of
            # every piece (1% of a run) only when they do not.
            first, last = len(pieces[0]), len(pieces[-1])
            if first > MAX_SEGMENT_LENGTH or last > MAX_SEGMENT_LENGTH or (
                    len(window) - first - last > MAX_SEGMENT_LENGTH and max(map(len, pieces)) > MAX_SEGMENT_LENGTH):
                _refuse_long(pieces, term, pos)
        restart = False
        newline_term = term == "\n"
        counting = newline_term or "\n" in window
        if not counting and _clean(window, term):
            # The common case, one line of clean segments: no junk to strip, no line to count, one
            # shared place. It stops before an IEA (the last piece, or a bare 'IEA'), which the
            # general loop below handles, and before a piece that is empty or led by blank space.
            if place[0] != line or place[1] != line_start:
                place = (line, line_start, st02)
            stop = pieces.index("IEA") if "IEA" in pieces else len(pieces)
            if stop == len(pieces) and stop and pieces[-1].startswith("IEA" + elem):
                stop -= 1
            run = pieces[:stop] if stop < len(pieces) else pieces
            taken = stop  # pieces this loop takes: fewer when it meets junk, which the general loop takes
            for first in range(0, len(run), BATCH):
                batch = []
                for piece in run[first : first + BATCH] if len(run) > BATCH else run:
                    seen = recall(piece)
                    if seen is None:  # an ST is never remembered: so only a text split here can be one
                        if piece < "!":  # empty, or led by a blank, tab or control character: see _clean
                            taken = first + len(batch)
                            break
                        elements = piece.split(elem)
                        if elements[0] == "ST":
                            st02 = elements[2] if len(elements) > 2 else ""
                            place = (line, line_start, st02)
                        elif len(piece) <= memo_text:
                            if len(splits) >= memo_size:
                                splits.clear()
                            splits[piece] = tuple(elements)
                    else:
                        elements = [*seen]  # a list of its own
                    index += 1
                    seg = made()  # Segment's __init__, inline: a call costs as much as the rest
                    seg.elements = elements
                    seg.index = index
                    seg.offset = pos
                    seg.place = place
                    seg.delimiters = delimiters
                    seg.loop = None
                    seg.text = piece
                    batch.append(seg)
                    pos += len(piece) + 1
                if batch:
                    yield batch
                if taken < stop:
                    break
            pieces = pieces[taken:]
        elif counting and not newline_term and (eol := _lined(window, term)):
            # A line break after every segment (and nowhere else): each piece is a segment, after the
            # line break that ends the one before (the window's first piece has none). One line each.
            first_char, skip = eol[0], len(eol)
            bare = eol + "IEA"
            stop = len(pieces)
            for marker in (bare, "IEA"):  # an IEA with no elements, anywhere
                if marker in pieces:
                    stop = min(stop, pieces.index(marker))
            if stop == len(pieces) and stop and pieces[-1].startswith((bare + elem, "IEA" + elem)):
                stop -= 1  # the IEA ends the window: the general loop reads it, and what follows it
            run = pieces[:stop] if stop < len(pieces) else pieces
            taken = stop  # pieces this loop takes: fewer when it meets junk, which the general loop takes
            for first in range(0, len(run), BATCH):
                batch = []
                for piece in run[first : first + BATCH] if len(run) > BATCH else run:
                    text = piece[skip:] if piece[:1] == first_char else piece
                    seen = recall(text)  # as in the loop above
                    if seen is None:
                        if text[:1] in LEADING_JUNK:  # empty, or led by a blank, tab or BOM (`~ CLM`): the
                            taken = first + len(batch)  # general loop strips it, from this piece on
                            break
                        elements = text.split(elem)
                        if elements[0] == "ST":
                            st02 = elements[2] if len(elements) > 2 else ""
                        elif len(text) <= memo_text:  # only clean texts are remembered (see _clean)
                            if len(splits) >= memo_size:
                                splits.clear()
                            splits[text] = tuple(elements)
                    else:
                        elements = [*seen]
                    if text is not piece:
                        pos += skip
                        line += 1
                        line_start = pos
                        piece = text
                    index += 1
                    seg = made()
                    seg.elements = elements
                    seg.index = index
                    seg.offset = pos
                    seg.place = place = (line, line_start, st02)
                    seg.delimiters = delimiters
                    seg.loop = None
                    seg.text = piece
                    batch.append(seg)
                    pos += len(piece) + 1
                if batch:
                    yield batch
                if taken < stop:
                    break
            pieces = pieces[taken:]
        batch = []
        append = batch.append
        for piece in pieces:
            piece_start = pos
            pos += len(piece) + 1
            if piece[:1] in LEADING_JUNK:  # also true for an empty piece
                stripped = piece.lstrip(LEADING_JUNK)
                if not stripped:
                    if counting and "\n" in piece:
                        line += piece.count("\n")
                        line_start = piece_start + piece.rfind("\n") + 1
                    if newline_term:
                        line += 1
                        line_start = pos
                    continue
                lead = len(piece) - len(stripped)
                if counting:
                    newlines = piece.count("\n", 0, lead)
                    if newlines:
                        line += newlines
                        line_start = piece_start + piece.rfind("\n", 0, lead) + 1
            else:
                stripped, lead = piece, 0
            if stripped[-1] in "\r\n":
                stripped = stripped.rstrip("\r\n")
            offset = piece_start + lead
            elements = stripped.split(elem)
            sid = elements[0]
            index += 1
            if sid == "ST":
                st02 = elements[2] if len(elements) > 2 else ""
                place = (line, line_start, st02)
            elif counting or place[1] != line_start:
                place = (line, line_start, st02)
            seg = made()  # as in the loops above: every segment of a run one class, so attribute reads stay specialized
            seg.elements = elements
            seg.index = index
            seg.offset = offset
            seg.place = place
            seg.delimiters = delimiters
            seg.loop = None
            seg.text = stripped
            append(seg)
            if counting:
                inner = piece.count("\n", lead)
                if inner:  # newlines inside a segment or trailing it
                    line += inner
                    line_start = piece_start + piece.rfind("\n") + 1
                if newline_term:
                    line += 1
                    line_start = pos
            if sid == "IEA":
                # A whole ISA's worth after this IEA (a chunk may end just after it) tells whether the
                # next interchange changes delimiters; then the split goes on from here.
                if pos > bstart + len(buffer):  # the IEA was the unterminated last segment
                    yield batch
                    return
                off = pos - bstart
                skip = _JUNK.match(buffer, off).end()
                if not final and len(buffer) - skip < ISA_LENGTH:
                    yield batch  # before the stream is read again
                    batch = []
                    append = batch.append
                    line, line_start = _skip_blank(buffer[off:skip], pos, line, line_start)
                    pos += skip - off
                    rest = buffer[skip:]
                    while len(rest) < ISA_LENGTH:
                        more = stream.read(chunk_size)
                        if not more:
                            final = True
                            break
                        rest += more.decode("latin-1")
                        blank = _JUNK.match(rest).end()
                        if blank:  # only blank space so far: count its lines, let it go
                            line, line_start = _skip_blank(rest[:blank], pos, line, line_start)
                            pos += blank
                            rest = rest[blank:]
                    buffer, bstart = rest, pos
                    off = skip = 0
                    restart = True  # the pieces split so far are stale
                found = _next_interchange(buffer, skip, delimiters)
                if found is not None:
                    delimiters = found
                    restart = True
                if restart:
                    base = off
                    break
            elif len(batch) >= BATCH:
                yield batch
                batch = []
                append = batch.append
        if batch:
            yield batch
        if restart:
            continue
        if tail is None:
            base = end
            continue
        if final:
            if unterminated:  # the last piece made the last segment (it is not blank); the reader has walked it
                seg.__class__ = Unterminated
            return
        more = stream.read(chunk_size)
        if not more:
            final = True
        elif len(tail) > MAX_SEGMENT_LENGTH and len(tail.lstrip(LEADING_JUNK)) > MAX_SEGMENT_LENGTH:
            raise X12Error(
                f"no segment terminator {term!r} (the one the ISA names) in {len(tail):,} bytes from byte "
                f"offset {pos}: a segment longer than {MAX_SEGMENT_LENGTH:,} bytes, the ISA names the wrong "
                "terminator, or this is not X12"
            )
        buffer, base, bstart = tail + more.decode("latin-1"), 0, pos
        if buffer[:1] in LEADING_JUNK:
            # Blank space waiting for the next chunk is let go here (lines counted), so that megabytes
            # of it are not carried and re-split chunk after chunk.
            blank = _JUNK.match(buffer).end()
            if blank and (blank < len(buffer) or not final):
                line, line_start = _skip_blank(buffer[:blank], pos, line, line_start)
                pos += blank
                buffer, bstart = buffer[blank:], pos


_JUNK = re.compile("[" + re.escape(LEADING_JUNK) + "]*")


def _refuse_long(pieces: list[str], term: str, pos: int) -> None:
    """X12Error for the first of `pieces` (a window split on `term`, starting at byte offset `pos`) that
    is longer than MAX_SEGMENT_LENGTH once blank space before it is set aside; nothing when none is."""
    for piece in pieces:
        stripped = piece.lstrip(LEADING_JUNK)
        if len(stripped) > MAX_SEGMENT_LENGTH:
            raise X12Error(
                f"a segment of {len(stripped):,} bytes at byte offset {pos + len(piece) - len(stripped)}, longer "
                f"than the {MAX_SEGMENT_LENGTH:,} a segment may have: a missing or wrong segment terminator "
                f"(the ISA names {term!r}), or this is not X12"
            )
        pos += len(piece) + 1


def _clean(window: str, term: str) -> bool:
    """True when no segment in `window` ends in a line break or starts with a byte-order mark: then each
    piece between terminators that is not empty and starts above a space ("!" <= piece) is exactly one
    segment, from its first byte. The short path tests that of each piece it has not seen before, and
    remembers only such pieces; a test of the whole window for empty or blank-led segments (`~~`, `~ `)
    cost more (two-character searches: 46 M instructions on the 10k benchmark) than that per piece."""
    if not window or window[0] in LEADING_JUNK or window[0] == term or term in LEADING_JUNK or "\r" in window:
        return False
    return not any(c in window and term + c in window for c in BOM)  # one-character tests are fast


def _lined(window: str, term: str) -> str | None:
    """The line break ("\n" or "\r\n") when every one in `window` directly follows a terminator (or
    starts the window): then each piece between terminators is one segment, led by that line break (but
    maybe the first), unless it is empty or led by LEADING_JUNK after it — which the short path tests
    of each piece it has not seen before, and leaves to the general loop. None otherwise."""
    eol = "\r\n" if "\r" in window else "\n"
    after = term + eol
    lead = len(eol) if window.startswith(eol) else 0
    if len(window) <= lead or window[lead] in LEADING_JUNK or window[lead] == term or term in LEADING_JUNK:
        return None
    breaks = window.count("\n")
    if breaks - (lead > 0) != window.count(after) or eol == "\r\n" and window.count("\r") != breaks:
        return None
    return eol


def _interchange_end(buffer: str, base: int, delimiters: Delimiters) -> int | None:
    """The offset just after the terminator that ends the next IEA in `buffer[base:]`, if there is one.
    An 'IEA*' inside element data only ends the window early, at a segment boundary: still correct."""
    at = buffer.find("IEA" + delimiters.element, base)
    if at < 0:
        return None
    end = buffer.find(delimiters.segment, at)
    return end + 1 if end >= 0 else None


def _skip_blank(blank: str, pos: int, line: int, line_start: int) -> tuple[int, int]:
    """The line and line start after `blank` (only LEADING_JUNK characters), which starts at `pos`."""
    newlines = blank.count("\n")
    if newlines:
        return line + newlines, pos + blank.rfind("\n") + 1
    return line, line_start


def _next_interchange(buffer: str, at: int, current: Delimiters) -> Delimiters | None:
    """After an IEA: the next interchange's delimiters when its ISA (at `at`) names other ones."""
    head = buffer[at : at + ISA_LENGTH]
    if not head.startswith("ISA") or len(head) < ISA_LENGTH:
        return None
    try:
        found = read_delimiters(head)
    except X12Error:
        return None
    return None if found == current else found


def segments_from_bytes(data: bytes) -> Iterator[Segment]:
    return iter_segments(io.BytesIO(data))
