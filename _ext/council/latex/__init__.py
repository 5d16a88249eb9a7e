"""LaTeX output: the documents (volumes and case PDFs) and the printed record."""
