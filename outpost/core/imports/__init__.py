"""Spreadsheet import (数据导入): one pipeline for every module (STYLE rule 8).

`readers` (xlsx via python-calamine, csv with encoding detection) → `headers` (find the
header row) → `mapping` (columns to fields, remembered choices) → `pipeline` (validate every
row, preview, commit in one transaction) → `error_report` (the error workbook). A module
declares its columns and row validator in its own ``imports.py`` (see `base.RowImporter`);
`services` keeps an ImportJob's state in requests; `steps` open the file, run by
`outpost.core.tasks` in the worker.
"""
