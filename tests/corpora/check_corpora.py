#!/usr/bin/env python3
"""Runs `faultlab check` on every history of the checker corpora and asserts
the verdict their authors' own tests expect (tests/corpora/README.md).

    check_corpora.py FAULTLAB CORPORA_DIR knossos|porcupine
    check_corpora.py --reconvert CONVERTER CORPORA_DIR

--reconvert runs scripts/corpora/convert_porcupine.py on the committed
Porcupine originals and checks that it writes exactly the committed EDN files
and expected.tsv: the files under test are what the documented conversion
makes.

knossos: the directory says the verdict (good/ linearizable, bad/ not), as in
Knossos's core_test.clj. cas-register files run twice, with --knossos (the
register starts at 0 and a read of nil tells nothing, as Knossos's tests
check them) and with faultlab's default semantics (absent, nil = absent):
both must give the verdict. multi-register runs with --knossos (Knossos's
test starts it at {:x 0 :y 0}), mutex as is.
porcupine: porcupine/edn/expected.tsv, written by
scripts/corpora/convert_porcupine.py from Porcupine's porcupine_test.go.

Every check has --budget-s 20; running out of it (exit 3) is a failure, as is
any verdict other than the expected one. Prints one line per failure and a
summary; exits 1 if anything failed.
"""
import filecmp
import os
import subprocess
import tempfile
import sys
import time

EXIT = {0: "linearizable", 1: "not-linearizable", 2: "bad input", 3: "unknown (budget ran out)"}


def knossos_cases(root):
    cases = []
    for dirpath, _, files in os.walk(os.path.join(root, "knossos")):
        for name in sorted(files):
            if not name.endswith(".edn"):
                continue
            path = os.path.join(dirpath, name)
            parts = os.path.relpath(path, os.path.join(root, "knossos")).split(os.sep)
            model, kind = parts[0], parts[1]
            verdict = {"good": "linearizable", "bad": "not-linearizable"}[kind]
            if model == "cas-register":
                cases.append((path, ["--model", "cas-register", "--knossos"], verdict))
                cases.append((path, ["--model", "cas-register"], verdict))
            elif model == "multi-register":
                cases.append((path, ["--model", "multi-register", "--knossos"], verdict))
            elif model == "mutex":
                cases.append((path, ["--model", "mutex"], verdict))
            else:
                raise SystemExit(f"{path}: no rule for the model {model}")
    return sorted(cases)


def porcupine_cases(root):
    base = os.path.join(root, "porcupine", "edn")
    cases = []
    with open(os.path.join(base, "expected.tsv"), encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            name, model, verdict = line.rstrip("\n").split("\t")
            cases.append((os.path.join(base, name), ["--model", model], verdict))
    return cases


def reconvert(converter, root):
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([sys.executable, converter, "tree", os.path.join(root, "porcupine"), out],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(f"the converter failed: {run.stdout}{run.stderr}")
            return 1
        committed = os.path.join(root, "porcupine", "edn")
        differ = []

        def walk(cmp, rel):
            differ.extend(os.path.join(rel, n) for n in cmp.left_only + cmp.right_only + cmp.diff_files + cmp.funny_files)
            for name, sub in cmp.subdirs.items():
                walk(sub, os.path.join(rel, name))

        # filecmp.dircmp compares by os.stat signature first; shallow=False below.
        cmp = filecmp.dircmp(committed, out)
        walk(cmp, "")
        for dirpath, _, files in os.walk(committed):
            for name in files:
                rel = os.path.relpath(os.path.join(dirpath, name), committed)
                other = os.path.join(out, rel)
                if os.path.exists(other) and not filecmp.cmp(os.path.join(committed, rel), other, shallow=False):
                    differ.append(rel)
        differ = sorted(set(differ))
        for rel in differ:
            print(f"differs from a fresh conversion: porcupine/edn/{rel}")
        files = sum(len(f) for _, _, f in os.walk(committed))
        print(f"reconverted: {files} files, {len(differ)} differ")
        return 1 if differ else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "--reconvert":
        return reconvert(argv[2], argv[3])
    if len(argv) != 4 or argv[3] not in ("knossos", "porcupine"):
        sys.stderr.write("usage: check_corpora.py FAULTLAB CORPORA_DIR knossos|porcupine\n")
        return 2
    binary, root, corpus = argv[1], argv[2], argv[3]
    cases = knossos_cases(root) if corpus == "knossos" else porcupine_cases(root)
    if not cases:
        print(f"no histories found under {root}")
        return 1
    failures = 0
    counts = {}
    start = time.monotonic()
    for path, options, expected in cases:
        cmd = [binary, "check", path, *options, "--budget-s", "20"]
        run = subprocess.run(cmd, capture_output=True, text=True)
        got = EXIT.get(run.returncode, f"exit {run.returncode}")
        counts[expected] = counts.get(expected, 0) + 1
        if got != expected:
            failures += 1
            print(f"FAIL {' '.join(cmd)}: expected {expected}, got {got}")
            print("  " + (run.stdout + run.stderr).strip().replace("\n", "\n  "))
    took = time.monotonic() - start
    summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    print(f"{corpus}: {len(cases)} checks ({summary}), {failures} failed, {took:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
