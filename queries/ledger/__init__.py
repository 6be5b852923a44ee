"""Printable ledgers (台账): one layout (``layout.py``) rendered to XLSX (``xlsx.py``) and PDF
(``pdf.py``); the ledgers of each export are built in ``books.py``."""
