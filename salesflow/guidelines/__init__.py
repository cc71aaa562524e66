"""Guidelines and document control: versions, approval, the guideline document, flowchart, BPMN, training, audit pack.

Framework-free parts: `control` (who may do what to a version), `diff` (semantic diff), `layout`
(the swimlane layout), `svg`, `bpmn`, `document` (the guideline as sections in en/de) and the
renderers `render_html`, `render_md`, `render_pdf`. Django parts: `services` (transactional
actions writing the event log), `training` (the acknowledgement matrix), `audit_pack`, `views`.
"""
