#!/usr/bin/env python3
"""Runs every command that README.md and WORKSHOP.md give for copying.

A command for copying is a line of a fenced code block, or an inline code
span, that starts with `./faultlab`, `./faultlab-viz`, `./scripts/`, `make `
or `tar `. Templates with a placeholder in capitals (TRACE, NAME) are not
runnable and are skipped; so are `make test`, which is what runs this test, `make test-asan`, `make bench`, which measures speed
for minutes, and `make fuzz`, which builds with clang and fuzzes for minutes (CI runs it).
`make demo` and `make handout` are run as what they do after building:
scripts/demo.sh and scripts/handout.sh.

The commands run from a scratch folder laid out like the checkout (links to
its scenarios, notebooks, scripts, docs, wrappers and build), so they write
there and not into the source tree. Viewer commands that would open a
window get `--screenshot` and run under xvfb-run.

Usage: test_doc_commands.py SOURCE_DIR BUILD_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

PREFIXES = ("./faultlab ", "./faultlab-viz ", "./scripts/", "make ", "tar ")
PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]{2,}(\.[a-z]+)?$")


def commands_in(markdown):
    found = []
    in_fence = False
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence and line.strip().startswith(PREFIXES):
            found.append(line.split("  #")[0].strip())  # a trailing comment is not part of it
    # Inline spans may wrap across lines in the source.
    text = re.sub(r"```.*?```", "", markdown, flags=re.S)
    for span in re.findall(r"`([^`]+)`", text):
        span = " ".join(span.split())
        if span.startswith(PREFIXES):
            found.append(span)
    return found


def runnable(command, source):
    words = command.split()
    if words[0] == "make" and words[1] == "test":
        return False, "make test runs this test"
    if words[0] == "make" and words[1] == "test-asan":
        return False, "make test-asan builds everything again with sanitizers and runs this test there"
    if words[0] == "make" and words[1] == "bench":
        return False, "the benchmarks take minutes and measure speed; they are run by hand"
    if words[0] == "make" and words[1] == "fuzz":
        return False, "a clang build and minutes of fuzzing; CI runs it after make test"
    # A word in capitals that names no file of the checkout (TRACE, NAME,
    # BROKEN.jsonl) is a placeholder; WORKSHOP.md is a file.
    for word in words:
        if PLACEHOLDER.match(word) and not os.path.exists(os.path.join(source, word)):
            return False, "a template with a placeholder"
    return True, ""


def main():
    source, build = sys.argv[1], sys.argv[2]
    scratch = tempfile.mkdtemp(prefix="faultlab-doc-commands-")
    for name in ("scenarios", "notebooks", "scripts", "README.md", "WORKSHOP.md", "faultlab", "faultlab-viz"):
        os.symlink(os.path.join(source, name), os.path.join(scratch, name))
    os.symlink(build, os.path.join(scratch, "build"))
    have_viewer = shutil.which("xvfb-run") and os.path.exists(os.path.join(build, "viz", "faultlab-viz"))

    seen = []
    for doc in ("README.md", "WORKSHOP.md"):
        with open(os.path.join(source, doc), encoding="utf-8") as f:
            for command in commands_in(f.read()):
                if command not in [c for _, c in seen]:
                    seen.append((doc, command))
    # make demo first: later commands use what it writes.
    seen.sort(key=lambda item: 0 if item[1].startswith("make demo") else 1)

    passed = failed = skipped = 0
    for number, (doc, command) in enumerate(seen, 1):
        ok, why = runnable(command, source)
        if not ok:
            print(f"skip  {doc}: {command}  ({why})")
            skipped += 1
            continue
        shell = command
        if command.startswith("make demo"):
            shell = "bash scripts/demo.sh build"
        elif command.startswith("make handout"):
            shell = "bash scripts/handout.sh build"
        elif command.startswith("./faultlab-viz "):
            if not have_viewer:
                print(f"skip  {doc}: {command}  (no viewer or xvfb-run here)")
                skipped += 1
                continue
            if "--screenshot" not in command:
                shell += f" --screenshot out/doc-command-{number}.png"
            shell = 'xvfb-run -a -s "-screen 0 1920x1080x24" ' + shell
        os.makedirs(os.path.join(scratch, "out"), exist_ok=True)
        try:
            result = subprocess.run(shell, shell=True, cwd=scratch, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            # A failure like any other, so the scratch directory (up to a GB
            # of traces) is still removed below.
            print(f"FAIL  {doc}: {command}  (still running after 600 s)")
            failed += 1
            continue
        if result.returncode == 0:
            print(f"ok    {doc}: {command}")
            passed += 1
        else:
            print(f"FAIL  {doc}: {command}  (exit {result.returncode})")
            print("      " + (result.stderr or result.stdout).strip().replace("\n", "\n      ")[-2000:])
            failed += 1
    shutil.rmtree(scratch, ignore_errors=True)
    if passed == 0:
        print("no command ran: the extraction found nothing, which proves nothing")
        failed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
