"""The CPT 97026 (infrared modality) ruleset: GP modifier, office place of service, PT taxonomy."""

from __future__ import annotations

from edi_lint.claims import PHYSICAL_THERAPIST
from edi_lint.rules.api import Problem, line_rule

INFRARED = "97026"
OTHER_DISCIPLINES = {"GO": "occupational therapy", "GN": "speech-language pathology"}
LOOP_NAMES = {
    "2420A": "line rendering provider (2420A)",
    "2310B": "claim rendering provider (2310B)",
    "2000A": "billing provider (2000A PRV*BI)",
}


@line_rule(
    "PT001",
    "missing-gp-modifier",
    procedures=[INFRARED],
    summary="A 97026 line does not carry the GP therapy modifier.",
    source="CMS Pub. 100-04 ch. 5 §20.1; CR 10176 (always-therapy codes carry GP, GO or GN); "
    "reference rules-837p-97026.md §2.2",
    tags=("physical-therapy", "modifier"),
    example_bad="SV1*HC:97026*25*UN*1***1~",
    example_good="SV1*HC:97026:GP*25*UN*1***1~",
)
def missing_gp_modifier(line):
    """Infrared (97026) furnished under a physical therapy plan of care is billed with GP.

    Medicare requires a therapy discipline modifier on always-therapy codes; GP is the one that
    matches a physical therapist's plan of care. GO (occupational) or GN (speech-language) in its
    place is still wrong for a PT line. Only SV101-3 to SV101-6 are modifiers; a GP written in the
    description (SV101-7) does not count.
    """
    modifiers = line.modifiers
    if "GP" in modifiers:
        return
    others = [m for m in modifiers if m in OTHER_DISCIPLINES]
    if others:
        named = ", ".join(f"{m} ({OTHER_DISCIPLINES[m]})" for m in others)
        message = f"97026 carries {named} instead of GP (physical therapy plan of care)"
    elif modifiers:
        message = f"97026 has modifiers {':'.join(modifiers)} but not GP (physical therapy plan of care)"
    else:
        message = "97026 has no GP modifier (physical therapy plan of care)"
    position = f"SV101-{3 + len(modifiers)}" if len(modifiers) < 4 else "SV101-3"
    yield Problem(message, line.sv1, position, expected="GP", actual=":".join(modifiers) or None)


@line_rule(
    "PT002",
    "place-of-service-not-office",
    procedures=[INFRARED],
    summary="The effective place of service of a 97026 line is not 11 (office).",
    source="Ruleset policy (office-based PT); precedence SV105 else CLM05-1, reference §1.7.1",
    tags=("physical-therapy", "place-of-service"),
    example_bad="CLM*PCN1*25***22:B:1*Y*A*Y*Y~ (no SV105 on the line)",
    example_good="CLM*PCN1*25***11:B:1*Y*A*Y*Y~",
)
def place_of_service_not_office(line):
    """The ruleset expects 97026 to be furnished in the office (place of service 11).

    A line's place of service is its SV105 when present; otherwise the claim's CLM05-1 applies.
    The finding names the value and which of the two it came from, so the biller knows which
    segment to correct.
    """
    pos = line.place_of_service
    if pos.value == "11":
        return
    where = "SV105 on the line" if pos.element == "SV105" else "CLM05-1 of the claim"
    if pos.value is None:
        message = "97026 has no place of service (SV105 and CLM05-1 are empty); expected 11 (office)"
    else:
        message = f"97026 place of service is {pos.value} (from {where}); expected 11 (office)"
    yield Problem(message, pos.segment, pos.element, loop=pos.loop, expected="11", actual=pos.value)


@line_rule(
    "PT003",
    "rendering-taxonomy-not-pt",
    procedures=[INFRARED],
    summary="The rendering provider of a 97026 line is not a physical therapist (225100000X), "
    "or its taxonomy cannot be determined.",
    source="NUCC taxonomy 225100000X; precedence 2420A, else 2310B, else 2000A, reference §1.7.3",
    tags=("physical-therapy", "taxonomy"),
    example_bad="PRV*PE*PXC*207Q00000X~",
    example_good="PRV*PE*PXC*225100000X~",
)
def rendering_taxonomy_not_pt(line):
    """97026 should be rendered by a physical therapist, taxonomy 225100000X.

    The rendering taxonomy is the line's 2420A PRV03 when the line names its own rendering
    provider; otherwise the claim's 2310B PRV03; otherwise, when the billing provider renders,
    the 2000A PRV*BI taxonomy. A taxonomy that cannot be found is reported, never passed.
    """
    taxonomy = line.rendering_taxonomy
    if taxonomy.value == PHYSICAL_THERAPIST:
        return
    where = LOOP_NAMES.get(taxonomy.loop or "", taxonomy.loop or "unknown loop")
    if taxonomy.value is None:
        if taxonomy.loop == "2000A":
            message = (
                "97026 rendering taxonomy cannot be determined: no 2420A or 2310B rendering provider "
                f"and no 2000A PRV*BI taxonomy; expected {PHYSICAL_THERAPIST}"
            )
        else:
            message = (
                f"97026 rendering taxonomy cannot be determined: the {where} has no PRV*PE taxonomy; "
                f"expected {PHYSICAL_THERAPIST}"
            )
    else:
        message = f"97026 rendering taxonomy is {taxonomy.value} (from the {where}); expected {PHYSICAL_THERAPIST}"
    yield Problem(message, taxonomy.segment, "PRV03", loop=taxonomy.loop,
                  expected=PHYSICAL_THERAPIST, actual=taxonomy.value)
