"""Per-HL facts a file rule keeps until its transaction ends, in flat arrays.

A rule that judges the hierarchy at SE (HL04, SBR02 against the patient loops) must remember every
HL of the transaction, and one transaction may hold 200,000 claims. Keeping the Segments (each with
its list of element strings) cost about a kilobyte per claim; here an HL costs a few machine words:
its position for a finding (ordinal, byte offset, line, column, loop, transaction) and what the rule
reads, no object per HL. HL01 numbers are looked up without a dictionary when they run 1, 2, 3 ...
as the guide requires; any other number falls back to one.
"""

from __future__ import annotations

from array import array

from edi_lint.x12.tokenizer import Segment


class Marks:
    """Positions of kept segments, by row: enough to report a finding at one later (its id only)."""

    __slots__ = ("_positions", "_loops", "_ids", "_st02s", "_shared")

    def __init__(self):
        # index, offset, line, line start per row; unsigned ("Q"): all four are never negative, and
        # array appends of a signed type go through PyArg_Parse, which takes about twice as long
        self._positions = array("Q")
        self._loops: list = []
        self._ids: list = []
        self._st02s: list = []
        self._shared: dict = {}  # one string object per distinct id/transaction, not one per segment

    def __len__(self) -> int:
        return len(self._loops)

    def add(self, seg: Segment) -> int:
        """Keep where `seg` is; returns its row."""
        shared = self._shared
        sid, (line, line_start, st02) = seg.elements[0], seg.place
        append = self._positions.append  # four appends: array.extend of a tuple takes twice as long
        append(seg.index)
        append(seg.offset)
        append(line)
        append(line_start)
        self._loops.append(seg.loop)
        self._ids.append(shared.setdefault(sid, sid))
        self._st02s.append(shared.setdefault(st02, st02) if st02 is not None else None)
        return len(self._loops) - 1

    def segment(self, row: int) -> Segment:
        """A Segment standing for the kept one: its id, position, transaction and loop (no elements)."""
        index, offset, line, line_start = self._positions[4 * row:4 * row + 4]
        seg = Segment([self._ids[row]], index, offset, (line, line_start, self._st02s[row]), None)
        seg.loop = self._loops[row]
        return seg


def mark(seg: Segment) -> Segment:
    """A Segment standing for `seg` where a finding needs only its id and position: kept in place of
    the segment itself, it lets that segment's elements go."""
    kept = Segment([seg.elements[0]], seg.index, seg.offset, seg.place, None)
    kept.loop = seg.loop
    return kept


class HlRows:
    """HL01 number -> row (0, 1, 2 ... in the order first seen), for one transaction."""

    __slots__ = ("count", "_sequential", "_others", "_next", "_seen", "_seen_row", "_added")

    def __init__(self):
        self.count = 0
        # 1 when row r was HL01 = r + 1, found without the dictionary (a bytearray: appends to it take
        # half the time of an array("b"))
        self._sequential = bytearray()
        self._others: dict[str, int] = {}
        self._next = "1"  # str(count + 1): the number that continues the run 1, 2, 3 ...
        # the last number of the run found, and its row, and the last one added (its row is count - 1):
        # an HL's parent is nearly always the billing provider's or the previous HL, asked for by each
        # HL rule
        self._seen: str | None = None
        self._seen_row = -1
        self._added: str | None = None

    def add(self, number: str) -> int:
        row = self.count
        if number == self._next:
            self._sequential.append(1)
            self._added = number
        else:
            self._sequential.append(0)
            self._others[number] = row
            self._added = None
        self.count = row + 1
        self._next = str(row + 2)
        return row

    def row(self, number: str) -> int:
        """The row of `number`, added when first seen."""
        if number == self._next and number not in self._others:  # the run goes on: a new HL, as nearly always
            return self.add(number)
        row = self.get(number)
        return self.add(number) if row is None else row

    def add_new(self, number: str) -> int | None:
        """The row of `number`, added; None when it is already there (an HL01 used twice)."""
        if number == self._next and number not in self._others:  # the run goes on: nothing to look up
            return self.add(number)
        return self.add(number) if self.get(number) is None else None

    def number(self, row: int) -> str:
        if self._sequential[row]:
            return str(row + 1)
        return next(number for number, at in self._others.items() if at == row)

    def get(self, number: str) -> int | None:
        row = self._others.get(number)
        if row is not None:
            return row
        if number == self._seen:
            return self._seen_row
        if number == self._added:
            return self.count - 1
        if number == self._next:  # the next number of the run is not there yet
            return None
        if number.isascii() and number.isdigit() and len(number) < 19:
            row = int(number) - 1
            if 0 <= row < self.count and self._sequential[row] and str(row + 1) == number:
                self._seen, self._seen_row = number, row
                return row
        return None


# The element list hl_values read last, and its values (the list, not its segment, is kept: an HL's
# values are a few strings, and no tracker may keep a segment alive).
_last_hl: list = [None, ()]


def hl_values(seg: Segment) -> tuple[str, str, str, str]:
    """HL01 to HL04, stripped (empty when absent). Three file rules read every HL: the last HL's
    values are kept, so it is split up once."""
    elements = seg.elements
    if _last_hl[0] is elements:
        return _last_hl[1]
    size = len(elements)
    if size > 4:
        values = (elements[1].strip(), elements[2].strip(), elements[3].strip(), elements[4].strip())
    else:
        values = tuple(elements[n].strip() if n < size else "" for n in (1, 2, 3, 4))
    _last_hl[0], _last_hl[1] = elements, values
    return values
