"""A CPTS's members' register, its projet de santé and its fiches action (issue 20).

Nested in `missions` like `federation.governance` in `federation`: its own Django app (label "projet") and
migration history. Sub-packages: `register/` (who is a member, expressly), `health_project/` (the projet de santé,
versioned and acknowledged), `fiches/` (fiches action and the federation's library).
"""
