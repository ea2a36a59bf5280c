"""The refusals a family can meet on the pages, marked so that the catalogues translate them: the error page shows a
refusal's detail through gettext, so these come out in the person's language and any other in the API's English."""

from __future__ import annotations

from app.web.words import N_

FAMILY_REFUSALS = (
    N_("You may not read this student's record of disclosures."),
    N_("No such student."),
    N_("Only the parent or eligible student receives a copy."),
    N_("No such disclosure in this record."),
    N_("Nothing was disclosed under a consent in this request."),
    N_("The form was out of date or came from another site. Nothing was done; try again."),
)
