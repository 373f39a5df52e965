"""Forms: one definition per record, form or checklist (forms/<id>.yaml)."""
