"""Write operations of the exercises feature. Services take models and plain values, ``flush()``
and never commit; a broken rule raises ``ServiceError`` (message + field) and nothing is written.

* ``library`` — scenarios and their objectives, modules, injects, questions, attachments
* ``runs`` — creating a run (a copy), placeholders, teams, staff, status transitions
* ``play`` — releasing and skipping injects, ad-hoc injects, team responses
* ``evaluation`` — observations, ratings, hot-wash notes, improvement-plan items
"""
