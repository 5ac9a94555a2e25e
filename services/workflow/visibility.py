"""What of a log row the applicant may read, decided once, when the row is written.

A transition log row is shown to the enterprise (and to industry officers) when its
``for_applicant`` flag is set; its free text (``reason``) is a second decision, stored per row in
``reason_for_applicant`` and **hidden unless a rule below says otherwise**. Staff words (review
and approval opinions, expert consultation and hearing notes, suspension and termination
reasons, reassignment notes) stay with staff; the stage view hides them the same way.

Visible free text is the applicant's own words and what the applicant must answer:
the withdrawal reason, the note on a supplement / missing-items / rectification request, the
answer to one (and the row listing its documents), the reason of an extension (the stage view
shows it) and the system's own text on a skipped stage, a deemed acceptance or a lapse refusal.
"""

from __future__ import annotations

from review.models.enums import APPLICANT_SIDE_REASONS

REASON_SHOWN_TO_APPLICANT = frozenset(
    # deemed_accepted and refuse_lapsed carry the system's own statement of a legal fact (accepted
    # as of receipt, Licensing Law Art. 32; refused for a lapsed supplement, Order 47 Art. 54).
    {"withdraw", "documents", "extend", "stage_skip", "deemed_accepted", "refuse_lapsed"}
    | {f"pause_{r}" for r in APPLICANT_SIDE_REASONS}
    | {f"resume_{r}" for r in APPLICANT_SIDE_REASONS}
)


def reason_for_applicant(action: str) -> bool:
    """Whether the free text of a row with this action may be shown to the applicant."""
    return str(action) in REASON_SHOWN_TO_APPLICANT
