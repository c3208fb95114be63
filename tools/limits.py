"""Size limits of what people send, written once: the API schemas, the runner and the tool
registry read them from here."""

from __future__ import annotations

MESSAGE_MAX = 4000  # characters in one chat message
TITLE_MAX = 200  # characters in a ticket title
DESCRIPTION_MAX = 4000  # characters in a ticket description
COMMENT_MAX = 2000  # characters in a ticket comment
REASON_MAX = 1000  # characters in the reason given for a status change
