"""The trainee import: ``reader`` (parse and check a workbook or CSV), ``service`` (match against the
database and write through the trainees services), ``store`` (the previewed upload between two requests),
``template`` (the downloadable template), ``forms`` and ``views`` (the upload, preview and confirm pages)."""
