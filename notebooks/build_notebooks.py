#!/usr/bin/python3
"""Builds the notebooks from their sources in src/ (Jupytext's "percent" format).

    python3 notebooks/build_notebooks.py          # rewrite notebooks/*.ipynb
    python3 notebooks/build_notebooks.py --check  # exit 1 if a notebook is out of date

A source is a Python file: "# %%" starts a code cell, "# %% [markdown]" a text
cell whose lines start with "# ". Edit the source, not the .ipynb, then run this.
The notebooks are written without outputs and with stable cell ids, so they diff
well. Only the standard library, so any python3 can run it.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cells_of(source):
    """Splits a percent-format file into (kind, text) cells."""
    cells, kind, lines = [], None, []
    for line in source.splitlines():
        if line.startswith("# %%"):
            if kind:
                cells.append((kind, lines))
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind == "markdown":
            lines.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
        elif kind:
            lines.append(line)
    if kind:
        cells.append((kind, lines))
    return [(k, "\n".join(l).strip("\n")) for k, l in cells]


def notebook_of(path):
    """The notebook (nbformat 4.5) as text, laid out the way Jupyter saves it."""
    cells = []
    for i, (kind, text) in enumerate(cells_of(path.read_text()), 1):
        cell = {"cell_type": kind, "id": f"{path.stem}-{i:02d}", "metadata": {},
                "source": text.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for src in sorted((HERE / "src").glob("*.py")):
        out = HERE / f"{src.stem}.ipynb"
        text = notebook_of(src)
        if out.exists() and out.read_text() == text:
            continue
        if check:
            stale.append(out.name)
        else:
            out.write_text(text)
            print(f"wrote {out.relative_to(HERE.parent)}")
    if stale:
        print(f"out of date (run python3 notebooks/build_notebooks.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
