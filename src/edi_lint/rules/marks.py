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


# One string per level code (HlTable.levels holds one per HL).
_LEVELS = {code: code for code in ("19", "20", "21", "22", "23", "")}


class HlTable(HlRows):
    """The HLs of one transaction, read by the hierarchy rules of a file (HL002, SIT003, SIT005).

    Each of those rules reads an HL it is fed as `table.hl` when `table.last` is its element list
    (another of the rules took it), else as `table.take(seg)`, which reads it and adds its row: the
    table is then the same whichever of the rules run, and an HL is read once however many do.
    HL01 "" has a row like any number.
    """

    __slots__ = ("opener", "last", "hl", "levels")

    def __init__(self, opener=None):
        super().__init__()
        self.opener = opener  # the element list of the ST (or SE) this table starts at: HlFeed.table_from
        self.last = None  # the element list of the HL taken last (its list, not its segment)
        self.hl: tuple = ()  # what take returned for it
        self.levels: list = []  # row -> HL03 of the last HL with that HL01

    def take(self, seg: Segment) -> tuple:
        """Read the HL `seg` and add its row. Returns (HL02, HL02's row and that row's level, both as
        they were before this HL (None when no earlier HL has that number), HL01's row, whether that
        row is new, HL03, HL04), stripped. One tuple, not an attribute each: the rules read all of it."""
        elements = seg.elements
        self.last = elements
        if len(elements) > 4:
            number, parent, level, code = (elements[1].strip(), elements[2].strip(), elements[3].strip(),
                                           elements[4].strip())
        else:
            number, parent, level, code = (elements[n].strip() if n < len(elements) else "" for n in (1, 2, 3, 4))
        level = _LEVELS.get(level, level)
        levels = self.levels
        # HL02 is nearly always the HL just added or the one asked for last (a billing provider's):
        # both are numbers of the run 1, 2, 3 ..., never in `_others`, so `get` would find them so too
        if parent == self._added:
            parent_row = self.count - 1
        elif parent == self._seen:
            parent_row = self._seen_row
        else:
            parent_row = self.get(parent)
        parent_level = levels[parent_row] if parent_row is not None else None
        if number == self._next and number not in self._others:  # the run goes on: a new HL, as add_new finds
            row = self.add(number)
        else:
            row = self.add_new(number)
        if row is None:  # an HL01 used twice: its row, which takes this HL's level
            row = self.get(number)
            levels[row] = level
            new = False
        else:
            levels.append(level)
            new = True
        hl = self.hl = (parent, parent_row, parent_level, row, new, level, code)
        return hl


class HlFeed:
    """The HlTable the hierarchy rules of one file are at: one per transaction (and one after an SE,
    for stray HLs), shared by whichever of those rules run. The engine gives the checkers of a file
    one dictionary to share through (`join_file`); a checker made alone has a feed of its own."""

    __slots__ = ("table",)

    def __init__(self):
        self.table = HlTable()

    @staticmethod
    def of(shared: dict) -> "HlFeed":
        """The feed of the file whose checkers share `shared`."""
        feed = shared.get("hl")
        if feed is None:
            feed = shared["hl"] = HlFeed()
        return feed

    def table_from(self, opener: Segment) -> HlTable:
        """The table that starts at `opener` (an ST or SE): the current one when another rule has
        already asked for it, else a new one."""
        table = self.table
        elements = opener.elements  # its list, not the segment: no tracker keeps a segment alive
        if table.opener is not elements:
            table = self.table = HlTable(elements)
        return table


class HlReader:
    """A hierarchy rule's checker, reading the HL table of its file's HlFeed. The engine calls `join_file`
    with the dictionary the checkers of a file share; a checker made alone reads a feed of its own."""

    def __init__(self):
        self.join_file({})

    def join_file(self, shared: dict) -> None:
        """Read the HL table the other hierarchy rules of the file read."""
        self.feed = HlFeed.of(shared)
        self.start(self.feed.table)

    def start(self, table: HlTable) -> None:
        """Read `table` from here on (a new transaction's, or stray HLs after an SE)."""
        self.table = table
