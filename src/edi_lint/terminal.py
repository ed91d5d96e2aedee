"""Whether to colour a stream: `--color auto|always|never`, then the NO_COLOR and FORCE_COLOR
conventions (no-color.org, force-color.org), then whether the stream is a terminal."""

from __future__ import annotations

import os


def use_colour(stream, choice: str = "auto") -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
