"""Acknowledgments in X12 for one linted input: a 999 (with a TA1 when due) and a 277CA.

Data flows one way: the lint result's findings and the split's claim verdicts, plus a fresh read of
the input's envelopes and claims (inbound.py), become X12 text (ack999.py, ack277ca.py), written
atomically. Nothing here reads the clock or a random source: control numbers and dates come from the
input (or from Options), so the same input and options give byte-identical acknowledgments.
"""

from __future__ import annotations

from edi_lint.findings import FileResult, Severity

__all__ = ["AckOptions", "Options", "write"]


def __getattr__(name: str):
    """Options (exported as AckOptions) on first use: rule files import acks.codes, and a run that
    writes no acknowledgment need not build the options class."""
    if name in ("Options", "AckOptions"):
        from edi_lint.acks.x12out import Options

        return Options
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def write(source, result: FileResult, fail_on: Severity | None, infos: dict, *, ack_999=None, ack_277ca=None,
          options: Options | None = None) -> None:
    """Write the requested acknowledgments for `source`, already linted into `result` with final verdicts.

    Claims without a verdict (the claim cut off by a truncated file) are rejected, as the split does.
    Both files are rendered before either is written, and each is written to a temporary file renamed
    into place, so a failure leaves no half-written acknowledgment.
    """
    from edi_lint.acks import ack277ca, ack999, inbound
    from edi_lint.acks.x12out import Options
    from edi_lint.preflight import _AtomicText, line_break

    options = options or Options()
    wanted = {f.segment_index for f in result.findings if f.segment_index is not None}
    interchanges, segments = inbound.read(source, wanted)
    accepted_at = {v.segment_index: v.accepted for v in result.verdicts}
    eol = line_break(source) or "\n"
    texts = []
    if ack_999 is not None:
        texts.append((ack_999, ack999.build(interchanges, result.findings, accepted_at, fail_on, options, segments,
                                            eol)))
    if ack_277ca is not None:
        texts.append((ack_277ca, ack277ca.build(interchanges, result.findings, accepted_at, fail_on, options, infos,
                                                eol)))
    for path, text in texts:
        with _AtomicText(path) as stream:
            stream.write(text)
