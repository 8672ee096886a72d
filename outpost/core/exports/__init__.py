"""Exports (数据导出): one path for every workbook and PDF Outpost writes.

`xlsx` is the one writer (text stays text, control characters cannot break a file);
`base` holds the export definitions apps register in their ``AppConfig.ready()``
(`register_export`) and the one service that checks, writes, logs and stores an export;
`tasks` runs it in the background; `views` shows its status and serves its file to the
user who asked, and to nobody else.
"""
