"""Stable anchors for checks, shared by every place that links to one.

The HTML report gives each check the element id :func:`check_anchor` returns; the Decision
list, the Markdown job summary and the GitHub annotations link to the same id, so a link
from CI lands on the check it names.
"""

from __future__ import annotations

import hashlib


def check_anchor(check_id: str) -> str:
    """The fragment id of a check in ``report.html``: ``check-`` and 12 hex digits.

    A hash keeps the id short, valid in HTML and URLs whatever the test id holds
    (brackets, spaces, quotes, non-ASCII), and the same for the same check in every run.
    """
    return "check-" + hashlib.sha1(check_id.encode("utf-8")).hexdigest()[:12]
