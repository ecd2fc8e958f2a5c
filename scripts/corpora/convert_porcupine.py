#!/usr/bin/env python3
"""Convert Porcupine's test histories (github.com/anishathalye/porcupine,
test_data/) into Jepsen EDN histories that `faultlab check` reads.

    convert_porcupine.py etcd IN.log OUT.edn
    convert_porcupine.py kv   IN.txt OUT.edn
    convert_porcupine.py tree PORCUPINE_DIR OUT_DIR   # every etcd and kv file

`tree` also writes OUT_DIR/expected.tsv: for each converted file, the model
to check it with and the verdict Porcupine's own tests expect, read from
PORCUPINE_DIR/porcupine_test.go (checkJepsen(t, N, true|false) in
TestEtcdJepsenNNN, checkKv(t, "c01-ok", true|false, true) in TestKv*).

Python 3 standard library only. Every input line must be one this script
knows; anything else is an error (Porcupine's own parser skips lines it does
not recognise, so an unknown line here means the reading below may be wrong).

Output: one EDN map per line, {:process P, :type T, :f F, :value V, :time NS,
:index I}. Neither log has a clock: only the order of its lines matters to
linearizability, so :time is the event's position in the log times 1 ms, and
:index its position.

etcd logs (test_data/jepsen/etcd_NNN.log, from Jepsen's etcd test via
github.com/ahorn/linearizability-checker): one line per event,
"INFO  jepsen.util - P <tab> TYPE <tab> F <tab> VALUE".

    :invoke :read nil          -> {:type :invoke, :f :read, :value nil}
    :invoke :write N           -> {:type :invoke, :f :write, :value N}
    :invoke :cas [A B]         -> {:type :invoke, :f :cas, :value [A B]}
    :ok :read nil|N            -> {:type :ok, :f :read, :value nil|N}
    :ok :write N               -> {:type :ok, :f :write, :value N}
    :ok|:fail :cas [A B]       -> {:type :ok|:fail, :f :cas, :value [A B]}
    :info :write|:cas :timed-out
                               -> {:type :info, ..., :value <the invoke's>, :error :timed-out}
    :fail :read :timed-out     -> {:type :fail, :f :read, :value nil, :error :timed-out}

Porcupine's etcd model is a cas register that starts absent (its -1000000)
where a read of nil means "absent", which is faultlab's default register
semantics: check with `faultlab check --model cas-register` and no --knossos.
What Porcupine does with the timeouts, and why the EDN means the same:
  - it ignores ":info ... :timed-out" lines, so the op stays open and gets an
    "unknown" return after the last event; a Jepsen :info op likewise may
    take effect at any time after its invoke, or never. (Jepsen never reuses
    a process after :info; this script checks that.)
  - it gives a ":fail :read :timed-out" an unknown output at that point, a
    read that can be placed anywhere in its interval without changing the
    state, so it constrains nothing; a :fail read is left out by faultlab.
  - an invoke with no completion gets an unknown return at the end, as in
    EDN an op with no completion is :info.

kv logs (test_data/kv/cNN-ok.txt, cNN-bad.txt): already EDN maps, with the
key in :key and string values: :get returns the key's string ("" if never
set), :put sets it, :append appends to it. faultlab has no string or append
model; its kv model is one integer cas register per key. The conversion is an
exact reduction onto that model, which rests on two facts the script checks
(and refuses the file otherwise): every value written (put or appended) to a
key is a token "x A B y" written only once for that key, and every string is
a concatenation of such tokens, so a string splits into tokens one way only.

  - A key's state is then a sequence of tokens. Each distinct string becomes
    an integer (numbered in order of first appearance, per file); "" (the
    initial state) becomes nil, faultlab's absent register.
  - :put V               -> :write id(V)
  - :get returning S     -> :read returning id(S) (nil for "")
  - :append T, when some :get returned a string containing T:
                         -> :cas [id(P) id(P T)], P the part of the first
                            such string before T.
  - :append T that no :get ever saw
                         -> :write of a fresh integer no read returns.
  Why this is exact: a token is appended once, and only a put removes
  tokens, so a read that contains T shows the state T was appended to (the
  part before T) in every order that explains that read; the append
  therefore acted on that state in every valid order, and there it does
  exactly what the cas does. An append whose token no read shows leaves a
  state no read can see and no later append can extend (that append's
  token would show T before it), so until the next put nothing can observe
  the difference between the true state and the fresh value. Hence the
  reduced history is linearizable (kv model) exactly when the original is
  (Porcupine's kv model). If two reads disagree on what came before T, the
  original is not linearizable, and neither is the reduced history: the
  second read's value can then come from no op.
  Values are written as faultlab's kv tuples, :value [key value]; check with
  `faultlab check --model kv`.
  Only c01-ok and c01-bad (one client) meet the first condition: in the
  c10 and c50 files a token such as "x 2 0 y" is appended to the same key
  more than once, so a read no longer says which append came first, and the
  reduction would not be exact. `tree` skips those files and says why; they
  need an append model in faultlab, which it does not have.
"""
import os
import re
import sys

ETCD_LINE = re.compile(r"^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$")
KV_LINE = re.compile(r'^\{:process (\d+), :type :(invoke|ok), :f :(get|put|append), :key "([^"\\]*)", :value (nil|"[^"\\]*")\}$')
TOKEN = re.compile(r"x -?\d+ -?\d+ y")


class ConvertError(Exception):
    pass


def fmt_op(process, type_, f, value, position, error=None):
    extra = f", :error {error}" if error else ""
    return (f"{{:process {process}, :type :{type_}, :f :{f}, :value {value}, "
            f":time {position * 1_000_000}, :index {position}{extra}}}")


def convert_etcd(lines, name):
    out = []
    open_value = {}   # process -> the invoke's :value, while in progress
    retired = set()   # processes that ended with :info
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        m = ETCD_LINE.match(line)
        if not m:
            raise ConvertError(f"{name}:{lineno}: not a line this converter knows: {line!r}")
        process, type_, f, arg = int(m.group(1)), m.group(2), m.group(3), m.group(4)
        if process in retired:
            raise ConvertError(f"{name}:{lineno}: process {process} is used again after an :info")
        if type_ == "invoke":
            if process in open_value:
                raise ConvertError(f"{name}:{lineno}: process {process} invokes with an op in progress")
            if f == "read":
                if arg != "nil":
                    raise ConvertError(f"{name}:{lineno}: a read invoke with a value: {line!r}")
                value = "nil"
            elif f == "write":
                if not re.fullmatch(r"-?\d+", arg):
                    raise ConvertError(f"{name}:{lineno}: a write of {arg!r}")
                value = arg
            else:
                cas = re.fullmatch(r"\[(-?\d+)\s+(-?\d+)\]", arg)
                if not cas:
                    raise ConvertError(f"{name}:{lineno}: a cas of {arg!r}")
                value = f"[{cas.group(1)} {cas.group(2)}]"
            open_value[process] = value
            out.append(fmt_op(process, "invoke", f, value, len(out)))
            continue
        if process not in open_value:
            raise ConvertError(f"{name}:{lineno}: a completion with no invoke: {line!r}")
        invoked = open_value.pop(process)
        if arg == ":timed-out":
            if type_ == "info" and f in ("write", "cas"):
                retired.add(process)
                out.append(fmt_op(process, "info", f, invoked, len(out), ":timed-out"))
            elif type_ == "fail" and f == "read":
                out.append(fmt_op(process, "fail", f, "nil", len(out), ":timed-out"))
            else:
                raise ConvertError(f"{name}:{lineno}: a timeout this converter does not know: {line!r}")
            continue
        if type_ == "ok" and f == "read":
            if not re.fullmatch(r"nil|-?\d+", arg):
                raise ConvertError(f"{name}:{lineno}: a read of {arg!r}")
            out.append(fmt_op(process, "ok", f, arg, len(out)))
        elif type_ == "ok" and f == "write":
            if arg != invoked:
                raise ConvertError(f"{name}:{lineno}: the write's value differs from its invoke's")
            out.append(fmt_op(process, "ok", f, arg, len(out)))
        elif type_ in ("ok", "fail") and f == "cas":
            cas = re.fullmatch(r"\[(-?\d+)\s+(-?\d+)\]", arg)
            if not cas or f"[{cas.group(1)} {cas.group(2)}]" != invoked:
                raise ConvertError(f"{name}:{lineno}: the cas's value differs from its invoke's")
            out.append(fmt_op(process, type_, f, invoked, len(out)))
        else:
            raise ConvertError(f"{name}:{lineno}: a completion this converter does not know: {line!r}")
    return out


def tokens(text, what):
    parts = TOKEN.findall(text)
    if "".join(parts) != text:
        raise ConvertError(f"{what}: {text!r} is not a concatenation of \"x A B y\" tokens")
    return parts


def edn_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def convert_kv(lines, name):
    events = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        m = KV_LINE.match(line)
        if not m:
            raise ConvertError(f"{name}:{lineno}: not a line this converter knows: {line!r}")
        value = None if m.group(5) == "nil" else m.group(5)[1:-1]
        events.append((lineno, int(m.group(1)), m.group(2), m.group(3), m.group(4), value))

    written = {}  # (key, token) -> line that wrote it
    before = {}   # (key, token) -> the string before it in the first read that shows it
    for lineno, process, type_, f, key, value in events:
        where = f"{name}:{lineno}"
        if type_ == "invoke" and f in ("put", "append"):
            if value is None or value == "":
                raise ConvertError(f"{where}: a {f} of nothing")
            parts = tokens(value, where)
            if f == "append" and len(parts) != 1:
                raise ConvertError(f"{where}: an append of several tokens")
            for t in parts:
                if (key, t) in written:
                    raise ConvertError(f"{where}: {t!r} written to key {key!r} again "
                                       f"(first at line {written[(key, t)]}): the reduction needs unique tokens")
                written[(key, t)] = lineno
        if type_ == "ok" and f == "get":
            parts = tokens(value, where)
            for i, t in enumerate(parts):
                before.setdefault((key, t), "".join(parts[:i]))

    ids = {}      # (key, string) -> integer
    fresh = [0]

    def id_of(key, text):
        if text == "":
            return "nil"
        if (key, text) not in ids:
            ids[(key, text)] = len(ids) + 1
        return str(ids[(key, text)])

    def fresh_id():
        fresh[0] += 1
        return str(-fresh[0])  # negative: no read ever returns one

    out = []
    open_op = {}  # process -> (f, key, :value of the invoke)
    for lineno, process, type_, f, key, value in events:
        k = edn_string(key)
        if type_ == "invoke":
            if process in open_op:
                raise ConvertError(f"{name}:{lineno}: process {process} invokes with an op in progress")
            if f == "get":
                op = ("read", f"[{k} nil]")
            elif f == "put":
                op = ("write", f"[{k} {id_of(key, value)}]")
            elif (key, value) in before:
                p = before[(key, value)]
                op = ("cas", f"[{k} [{id_of(key, p)} {id_of(key, p + value)}]]")
            else:
                op = ("write", f"[{k} {fresh_id()}]")
            open_op[process] = (f, key, op)
            out.append(fmt_op(process, "invoke", op[0], op[1], len(out)))
            continue
        if process not in open_op or open_op[process][:2] != (f, key):
            raise ConvertError(f"{name}:{lineno}: a completion that matches no invoke")
        _, _, op = open_op.pop(process)
        if f == "get":
            out.append(fmt_op(process, "ok", "read", f"[{k} {id_of(key, value)}]", len(out)))
        else:
            out.append(fmt_op(process, "ok", op[0], op[1], len(out)))
    return out


def convert_file(kind, src, dst):
    with open(src, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    ops = (convert_etcd if kind == "etcd" else convert_kv)(lines, os.path.basename(src))
    if not ops:
        return False
    with open(dst, "w", encoding="utf-8") as fh:
        fh.write(f";; Converted from Porcupine's test_data/{'jepsen' if kind == 'etcd' else 'kv'}/"
                 f"{os.path.basename(src)} by scripts/corpora/convert_porcupine.py ({kind}).\n")
        fh.write("\n".join(ops) + "\n")
    return True


def expected_verdicts(test_go):
    """(kind, stem) -> True (linearizable) / False, from porcupine_test.go's tests."""
    with open(test_go, encoding="utf-8") as fh:
        src = fh.read()
    verdicts = {}
    for m in re.finditer(r"func Test\w+\(t \*testing\.T\) \{(.*?)\n\}", src, re.S):
        for n, v in re.findall(r"checkJepsen\(t, (\d+), (true|false)\)", m.group(1)):
            verdicts[("etcd", f"etcd_{int(n):03d}")] = v == "true"
        for name, v in re.findall(r'checkKv\(t, "([\w-]+)", (true|false), true\)', m.group(1)):
            verdicts[("kv", name)] = v == "true"
    return verdicts


def main(argv):
    if len(argv) != 4 or argv[1] not in ("etcd", "kv", "tree"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        if argv[1] != "tree":
            if not convert_file(argv[1], argv[2], argv[3]):
                sys.stderr.write(f"{argv[2]}: empty, nothing written\n")
            return 0
        src, dst = argv[2], argv[3]
        verdicts = expected_verdicts(os.path.join(src, "porcupine_test.go"))
        rows = []
        for kind, sub in (("etcd", "jepsen"), ("kv", "kv")):
            os.makedirs(os.path.join(dst, kind), exist_ok=True)
            for entry in sorted(os.listdir(os.path.join(src, "test_data", sub))):
                stem = os.path.splitext(entry)[0]
                try:
                    if not convert_file(kind, os.path.join(src, "test_data", sub, entry),
                                        os.path.join(dst, kind, stem + ".edn")):
                        print(f"skipped {sub}/{entry}: empty")
                        continue
                    if (kind, stem) not in verdicts:
                        raise ConvertError(f"porcupine_test.go gives no verdict for {sub}/{entry}")
                    rows.append(f"{kind}/{stem}.edn\t{'cas-register' if kind == 'etcd' else 'kv'}\t"
                                f"{'linearizable' if verdicts[(kind, stem)] else 'not-linearizable'}")
                except ConvertError as e:
                    if kind == "etcd":
                        raise
                    print(f"skipped {sub}/{entry}: {e}")
        with open(os.path.join(dst, "expected.tsv"), "w", encoding="utf-8") as fh:
            fh.write("# file\tmodel\tverdict Porcupine's tests expect (written by convert_porcupine.py tree)\n")
            fh.write("\n".join(rows) + "\n")
        return 0
    except ConvertError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
