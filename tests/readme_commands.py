#!/usr/bin/env python3
"""Runs every shell command that README.md shows with a `$` prompt and compares its output.

A command is a line `$ CMD` inside a ```sh block, with the lines after it while a line ends
in a backslash (sh reads the continuation itself). The output the README shows is the lines
after the command up to the next `$` line or the block's end; the command's standard output
must match it line for line, and the command must exit 0. Standard error is not compared (a
cold kernel build announces itself there) but is shown when a command fails.

The comparison is exact, except for these, and nothing else:
  - a line `...` alone matches any number of lines, none included;
  - a `device:` line (`device: NAME (PLATFORM, TYPE)`, or `device: rank K: ...`): NAME
    matches any name, since it is the machine's. `(PLATFORM, TYPE)` says which OpenCL
    implementation printed the block. On another one (CI runs PoCL and rusticl) the output
    is compared all the same, but a difference there (float32's last digits differ between
    implementations) skips the command, showing the difference, instead of failing it; the
    command must still exit 0;
  - on a `training time:` or `solve time:` line, each number directly before ` ms`;
  - `.../` at the start of a word stands for any path that ends in a `/`.

Commands run through `sh -c` in a scratch folder of their own, one for the whole README (so a
file a command writes by a relative name, as README's saved-model example does, is there for
the next command, and nothing lands in the repository), with `build/` at the start of a word
replaced by the build folder under test (and `build-mpi/` by --mpi-build's). A command
that names an absolute path that does not exist (a dataset not installed), a `build/` file
this build lacks, or a program that is not on PATH is skipped with the reason; with
--require (CMake's CLNUM_REQUIRE_ALL_TESTS) it fails instead. Commands of the MPI build (a
word starting with `build-mpi/`) run only with --mpi-build, which runs only them.

Exit status: 0 if every command ran and matched; 1 if one failed; 77 (CTest's
SKIP_RETURN_CODE) if none failed but some were skipped. --self-test checks the comparison
rules on made-up outputs instead (the `readme_commands_rules` test).
"""

import argparse
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
COMMAND_TIMEOUT_S = 600

# `device: [rank K: ]NAME (PLATFORM, TYPE)`: the last parentheses hold no parentheses.
DEVICE_LINE = re.compile(r"device: (rank [0-9]+: )?(.*) (\([^()]*, [A-Za-z]+\))")
TIMED_LINE = re.compile(r"(training|solve) time: ")
MS_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?= ms)")
ANY_PATH = re.compile(r"(?<!\S)\.\.\./")


class Command:
    def __init__(self, line_no, text, expected):
        self.line_no = line_no  # README's line of the `$`
        self.text = text  # as typed, continuation lines included
        self.expected = expected  # None: the README shows no output


def parse_readme(path):
    """The `$` commands of the ```sh blocks, with the output shown after each."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    commands, in_sh, i = [], False, 0
    current = None
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            if in_sh:
                in_sh, current = False, None
            else:
                in_sh = line.strip() == "```sh"
            i += 1
            continue
        if in_sh and line.startswith("$ "):
            start = i
            text = [line[2:]]
            while text[-1].endswith("\\") and i + 1 < len(lines):
                i += 1
                text.append(lines[i])
            current = Command(start + 1, "\n".join(text), [])
            commands.append(current)
        elif in_sh and current is not None:
            current.expected.append(line)
        i += 1
    for c in commands:
        if not c.expected:
            c.expected = None
    return commands


def line_regex(expected):
    """The regular expression one expected line (not `...`, not a device line) stands for."""
    timed = TIMED_LINE.match(expected) is not None
    out, pos = [], 0
    tokens = []
    for m in ANY_PATH.finditer(expected):
        tokens.append((m.start(), m.end(), r"\S*/"))
    if timed:
        for m in MS_NUMBER.finditer(expected):
            tokens.append((m.start(), m.end(), r"[0-9]+(?:\.[0-9]+)?"))
    for start, end, rx in sorted(tokens):
        out.append(re.escape(expected[pos:start]))
        out.append(rx)
        pos = end
    out.append(re.escape(expected[pos:]))
    return re.compile("".join(out))


def line_matches(expected, actual, any_platform):
    e = DEVICE_LINE.fullmatch(expected)
    if e:
        a = DEVICE_LINE.fullmatch(actual)
        return bool(a) and a.group(1) == e.group(1) and (any_platform or a.group(3) == e.group(3))
    return line_regex(expected).fullmatch(actual) is not None


def lines_match(expected, actual, any_platform=False):
    """Whether the actual lines match the expected ones, `...` skipping any lines; with
    any_platform, a device line matches one of any platform."""
    memo = {}

    def match(i, j):
        key = (i, j)
        if key not in memo:
            if i == len(expected):
                memo[key] = j == len(actual)
            elif expected[i] == "...":
                memo[key] = any(match(i + 1, k) for k in range(j, len(actual) + 1))
            else:
                memo[key] = (j < len(actual)
                             and line_matches(expected[i], actual[j], any_platform)
                             and match(i + 1, j + 1))
        return memo[key]

    return match(0, 0)


def device_of(lines):
    """The `(PLATFORM, TYPE)` of the first device line, or None."""
    for line in lines:
        m = DEVICE_LINE.fullmatch(line)
        if m:
            return m.group(3)
    return None


def map_paths(text, build, mpi_build):
    text = re.sub(r"(?<![\w./-])build/", lambda m: build + "/", text)
    if mpi_build:
        text = re.sub(r"(?<![\w./-])build-mpi/", lambda m: mpi_build + "/", text)
    return text


def is_mpi_command(c):
    return re.search(r"(?<![\w./-])build-mpi/", c.text) is not None


def missing_need(c, words):
    """What the command needs and this machine or build lacks, or None."""
    for w in words:
        for path in re.findall(r"(?:^|=)(/\S+)", w):
            if not os.path.exists(path):
                return "%s is not there (not installed)" % path
    if words and "/" not in words[0] and "=" not in words[0] and not shutil.which(words[0]):
        return "the program %s is not on PATH" % words[0]
    return None


def run_command(c, args, scratch):
    """(status, message): status 'pass', 'fail' or 'skip'."""
    text = map_paths(c.text, args.build, args.mpi_build)
    try:
        words = shlex.split(text.replace("\\\n", " "), comments=True)
    except ValueError as e:
        return "fail", "cannot split the command into words: %s" % e
    mapped = [w for w in words if w.startswith(args.build + "/")
              or (args.mpi_build and w.startswith(args.mpi_build + "/"))]
    lacks = next(("%s is not in this build" % w for w in mapped if not os.path.exists(w)), None)
    lacks = lacks or missing_need(c, words)
    if lacks:
        return ("fail" if args.require else "skip"), "needs what is missing: " + lacks
    try:
        p = subprocess.run(["sh", "-c", text], cwd=scratch, capture_output=True, text=True,
                           timeout=COMMAND_TIMEOUT_S, env=dict(os.environ, **args.env))
    except subprocess.TimeoutExpired:
        return "fail", "still running after %d s" % COMMAND_TIMEOUT_S
    got = p.stdout.split("\n")
    if got and got[-1] == "":
        got.pop()
    shown = "standard output:\n%s\nstandard error:\n%s" % (p.stdout, p.stderr)
    if p.returncode != 0:
        return "fail", "exit status %d, expected 0\n%s" % (p.returncode, shown)
    if c.expected is None:
        return "pass", "exit 0 (the README shows no output)"
    want, have = device_of(c.expected), device_of(got)
    other = bool(want and have and want != have)
    if lines_match(c.expected, got, other):
        return "pass", "exit 0, output as shown" + (
            " (README's is from %s, the same here on %s)" % (want, have) if other else "")
    diff = "\n".join(difflib.unified_diff(c.expected, got, "README.md", "output", lineterm=""))
    if other:
        return "skip", ("exit 0; README shows the output of %s, and this run on %s differs, "
                        "which the rules allow:\n%s" % (want, have, diff))
    return "fail", "the output differs from README's:\n%s\nstandard error:\n%s" % (
        diff, p.stderr)


def self_test():
    """The rules, on made-up lines: what must match and what must not."""
    cases = [
        # (expected, actual, should match)
        (["a 1.25"], ["a 1.25"], True),
        (["a 1.25"], ["a 1.26"], False),
        (["a 1.25"], ["a 1.25 "], False),
        (["a"], ["a", "b"], False),
        (["a", "b"], ["a"], False),
        (["a", "...", "z"], ["a", "z"], True),
        (["a", "...", "z"], ["a", "b", "c", "z"], True),
        (["a", "...", "z"], ["a", "b", "c", "y"], False),
        (["...", "z"], ["z", "q"], False),
        (["a ..."], ["a b"], False),  # `...` inside a line is text
        (["device: pthread-x (Portable Computing Language, CPU)"],
         ["device: llvm-y 8 (Portable Computing Language, CPU)"], True),
        (["device: pthread-x (Portable Computing Language, CPU)"],
         ["device: pthread-x (Portable Computing Language, GPU)"], False),
        (["device: rank 0: x (P, CPU)"], ["device: rank 1: x (P, CPU)"], False),
        (["device: none (the exact solver runs on the host)"],
         ["device: none (the exact solver runs on the host)"], True),
        (["device: none (the exact solver runs on the host)"],
         ["device: gpu (the exact solver runs on the host)"], False),
        (["training time: 2.47 ms (50 epochs, 400 updates)"],
         ["training time: 1234.50 ms (50 epochs, 400 updates)"], True),
        (["training time: 2.47 ms (50 epochs, 400 updates)"],
         ["training time: 2.47 ms (51 epochs, 400 updates)"], False),
        (["training time: 5.50 ms (3 epochs; 2 ranks, rank 0 1.33 ms in allreduce)"],
         ["training time: 7 ms (3 epochs; 2 ranks, rank 0 0.2 ms in allreduce)"], True),
        (["solve time: 0.151 ms"], ["solve time: 9.9 ms"], True),
        (["epoch 1: loss 2.5 ms"], ["epoch 1: loss 2.6 ms"], False),  # only timed lines
        (["training time: 2.47 ms"], ["training time: fast ms"], False),
        (["data: .../iris.csv: 150 rows"], ["data: /usr/share/d/iris.csv: 150 rows"], True),
        (["data: .../iris.csv: 150 rows"], ["data: /usr/share/d/wine.csv: 150 rows"], False),
        (["data: .../iris.csv: 150 rows"], ["data: /usr/a b/iris.csv: 150 rows"], False),
        (["x: a.../b"], ["x: a/q/b"], False),  # only at the start of a word
    ]
    on_other = ["device: x (P, CPU)", "1.25"]  # another platform: its device line matches
    cases_other = [(on_other, ["device: y (Q, CPU)", "1.25"], True),
                   (on_other, ["device: y (Q, CPU)", "1.26"], False)]
    bad = 0
    for any_platform, group in ((False, cases), (True, cases_other)):
        for expected, actual, want in group:
            if lines_match(expected, actual, any_platform) != want:
                bad += 1
                print("rule broken: %r against %r should %smatch" % (
                    expected, actual, "" if want else "not "))
    # the README's parsing: commands, continuations, shown output, blocks without a `$`
    sample = ("text\n```sh\nmake\n```\n```sh\n$ a \\\n  b\nout 1\n$ c\n```\n"
              "```text\n$ not-run\n```\n```sh\n$ d\nout 2\n...\n```\n")
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "readme_commands_selftest.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(sample)
    got = [(c.line_no, c.text, c.expected) for c in parse_readme(path)]
    os.remove(path)
    want = [(6, "a \\\n  b", ["out 1"]), (9, "c", None), (15, "d", ["out 2", "..."])]
    if got != want:
        bad += 1
        print("parsing broken: %r, expected %r" % (got, want))
    if map_paths("build/x --o build/y ./build/z rebuild/w a=build/v", "/B", None) != \
            "/B/x --o /B/y ./build/z rebuild/w a=/B/v":
        bad += 1
        print("build/ mapping broken")
    runs, broken_runs = self_test_runs()
    bad += broken_runs
    print("readme_commands: %d rule checks, %d broken" % (
        len(cases) + len(cases_other) + 2 + runs, bad))
    return 1 if bad else 0


def self_test_runs():
    """Whole runs against a made-up build whose program prints what the test chooses: a
    match passes, a changed digit fails, another platform's difference skips, a failing
    command fails, a missing file skips (fails with --require). Returns (runs, broken)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        build = os.path.join(tmp, "build")
        os.mkdir(build)
        prog = os.path.join(build, "prog")
        with open(prog, "w", encoding="utf-8") as f:
            f.write('#!/bin/sh\nprintf "device: cpu 1 (%s, CPU)\\nloss %s\\n" "$1" "$2"\n'
                    'exit "${3:-0}"\n')
        os.chmod(prog, 0o755)
        shown = "device: any (P, CPU)\nloss 1.25"
        runs = [("build/prog P 1.25", "pass", False), ("build/prog P 1.26", "fail", False),
                ("build/prog Q 1.25", "pass", False), ("build/prog Q 1.26", "skip", False),
                ("build/prog P 1.25 3", "fail", False),
                ("build/prog P 1.25 /nowhere/data.csv", "skip", False),
                ("build/prog P 1.25 /nowhere/data.csv", "fail", True),
                ("build/missing P 1.25", "skip", False)]
        bad = 0
        for text, want, require in runs:
            args = argparse.Namespace(build=build, mpi_build=None, require=require, env={})
            got, message = run_command(Command(1, text, shown.split("\n")), args, tmp)
            if got != want:
                bad += 1
                print("run broken: $ %s gave %s, expected %s: %s" % (text, got, want, message))
        return len(runs), bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--readme", help="README.md (its folder is the repository's root)")
    ap.add_argument("--build", help="the build folder that `build/` stands for")
    ap.add_argument("--mpi-build", help="the -DCLNUM_MPI=ON build folder: run only its commands")
    ap.add_argument("--require", action="store_true",
                    help="a command whose needs are missing fails instead of being skipped")
    ap.add_argument("--self-test", action="store_true", help="check the comparison rules")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not args.readme or not (args.build or args.mpi_build):
        ap.error("--readme and --build (or --mpi-build) are needed")
    args.build = os.path.abspath(args.build or args.mpi_build)
    args.mpi_build = os.path.abspath(args.mpi_build) if args.mpi_build else None
    # Under mpirun, as CI's root and on few cores: Open MPI's own switches for what README
    # asks a root user to add on the command line (--allow-run-as-root, --oversubscribe).
    args.env = {}
    if args.mpi_build:
        args.env = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                    "OMPI_MCA_rmaps_base_oversubscribe": "1"}
    commands = parse_readme(args.readme)
    if not commands:
        print("readme_commands: %s shows no `$` command" % args.readme)
        return 1
    counts = {"pass": 0, "fail": 0, "skip": 0}
    with tempfile.TemporaryDirectory(prefix="clnum-readme-") as scratch:
        run_all(commands, args, scratch, counts)
    print("readme_commands: %d passed, %d failed, %d skipped" % (
        counts["pass"], counts["fail"], counts["skip"]))
    if counts["fail"]:
        return 1
    if counts["skip"]:
        return SKIP
    if not counts["pass"]:
        print("readme_commands: no command of this kind in the README")
        return 1
    return 0


def run_all(commands, args, scratch, counts):
    """Runs the commands of this build, in README's order, counting what came of each."""
    for c in commands:
        first = c.text.split("\n")[0]
        if bool(args.mpi_build) != is_mpi_command(c):
            print("README.md:%d: $ %s\n  left to %s" % (
                c.line_no, first, "readme_commands (the main build)" if args.mpi_build else
                "readme_commands_mpi (the -DCLNUM_MPI=ON build, .ci/mpi.sh)"))
            continue
        status, message = run_command(c, args, scratch)
        counts[status] += 1
        print("README.md:%d: $ %s\n  %s: %s" % (c.line_no, first, status.upper(),
                                                 message.replace("\n", "\n    ")))
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
