"""A validation result on the terminal (`handbook validate`, `ingest`): Chinese lines, or the JSON."""

from __future__ import annotations

import json
import sys

from ... import messages as m

SHOWN_ERRORS = 200


def print_result(result, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    if result.unusable is not None:
        print(result.unusable.message, file=sys.stderr)
        return
    if result.valid:
        print(m.RecordValid.render(title=result.form.title, rows=result.rows))
    else:
        print(m.RecordInvalid.render(title=result.form.title, count=len(result.errors)))
        for issue in result.errors[:SHOWN_ERRORS]:
            print(f"  {issue.message}")
        if len(result.errors) > SHOWN_ERRORS:
            print("  " + m.RecordMoreErrors.render(count=len(result.errors) - SHOWN_ERRORS))
    if result.normalized:
        print(m.RecordNormalized.render())
        for entry in result.normalized:
            print(f"  {entry['message']}")
