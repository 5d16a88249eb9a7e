"""Files written beside the pages: CSV/XLSX exports, datapackage.json and JSON-LD,
reproducible archives."""
