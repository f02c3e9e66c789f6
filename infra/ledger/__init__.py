"""Importing a ward's existing case ledger (台帳, XLSX or CSV) as commands through the domain.

- :mod:`infra.ledger.reading`: the file's header and rows (CSV in UTF-8 or Shift_JIS/CP932, XLSX);
- :mod:`infra.ledger.dates`: 和暦 and 西暦 dates as ledgers write them;
- :mod:`infra.ledger.mapping`: the mapping file (columns → command fields, value maps), checked;
- :mod:`infra.ledger.rows`: one row → the commands of its story, back-dated by the ledger's dates;
- :mod:`infra.ledger.rehearsal`: a row's commands run through ``Tsunagu.execute`` on a scratch copy;
- :mod:`infra.ledger.run`: the run — one row, one transaction; idempotent; dry run (why: its docstring).
"""
