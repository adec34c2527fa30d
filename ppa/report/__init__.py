"""Stage 4, report: terminal/Markdown/LaTeX/CSV/JSON tables (`tables`) and paper-comparison documents with plots
(`documents`), every Jinja template in `templates/`. Imports any stage below it; never `cli`.
"""
