#!/bin/bash
# Fails when the daemon-side Swift targets (Sources/WickCore, WickDaemon, WickSystem, WickControl)
# contain a construct that can trap at run time: `try!`, `as!`, force unwraps (`x!`, `f()!`,
# `a[i]!`), implicitly unwrapped declarations (`var x: Int!`), `fatalError(`, `precondition(` and
# `preconditionFailure(`. `assert(` and `assertionFailure(` are not flagged (not in release builds).
#
# A construct is accepted only if Tests/scripts/no-traps.allow lists it, with a reason why outside
# input (unit files, notify datagrams, control requests, /proc, /etc/passwd, peers, environment,
# command line) cannot reach it. Entries are matched by file and code fragment, not by line number;
# an entry that matches nothing any more is an error too, so the list stays honest.
#
# usage: no-traps.sh [--allow FILE] [ROOT]     (ROOT: default the repository root)
# Output: `path:line: construct: line` per violation, then a summary. Exit 1 on any violation,
# stale or malformed allow-list entry, 0 otherwise, 2 on a usage error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
allow=""
root=""
while [ $# -gt 0 ]; do
    case "$1" in
        --allow) allow=${2:?--allow needs a file}; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "no-traps.sh: unknown option $1" >&2; exit 2 ;;
        *) [ -z "$root" ] || { echo "no-traps.sh: one ROOT only" >&2; exit 2; }; root=$1; shift ;;
    esac
done
root=${root:-$(cd "$here/../.." && pwd)}
[ -d "$root" ] || { echo "no-traps.sh: $root is not a directory" >&2; exit 2; }
allow=${allow:-$root/Tests/scripts/no-traps.allow}

exec python3 - "$root" "$allow" <<'PYTHON'
import os, re, sys

root, allow_path = sys.argv[1], sys.argv[2]
TARGETS = ["Sources/WickCore", "Sources/WickDaemon", "Sources/WickSystem", "Sources/WickControl"]

# --- lexing: mark every character as code ('c'), string ('s') or comment ('m') -----------------
STRING_OPEN = re.compile(r'(#*)("""|")')

def classify(text):
    """Per character of text: 'c' code, 's' string literal (delimiters included), 'm' comment.
    Handles nested block comments, doc comments, escapes, raw strings (#"..."#), multi-line strings
    and interpolation (the code inside \\( ... ) is code again, strings in it are strings)."""
    n = len(text)
    kind = ['c'] * n
    stack = []          # ['str', hashes, multiline] or ['interp', paren depth]; empty = code
    i = 0
    def mark(a, b, k):
        for j in range(a, b):
            if text[j] != '\n':
                kind[j] = k
    while i < n:
        top = stack[-1] if stack else None
        if top is None or top[0] == 'interp':
            if text.startswith('//', i):
                j = text.find('\n', i)
                j = n if j < 0 else j
                mark(i, j, 'm'); i = j; continue
            if text.startswith('/*', i):
                depth, j = 0, i
                while j < n:
                    if text.startswith('/*', j):
                        depth += 1; j += 2
                    elif text.startswith('*/', j):
                        depth -= 1; j += 2
                        if depth == 0:
                            break
                    else:
                        j += 1
                mark(i, j, 'm'); i = j; continue
            m = STRING_OPEN.match(text, i)
            if m:
                mark(i, m.end(), 's')
                stack.append(['str', len(m.group(1)), m.group(2) == '"""'])
                i = m.end(); continue
            if top is not None:             # inside an interpolation: find its closing paren
                ch = text[i]
                if ch == '(':
                    top[1] += 1
                elif ch == ')':
                    top[1] -= 1
                    if top[1] == 0:
                        kind[i] = 's'; stack.pop(); i += 1; continue
            i += 1; continue
        # inside a string literal
        _, hashes, multiline = top
        close = ('"""' if multiline else '"') + '#' * hashes
        if text.startswith(close, i):
            mark(i, i + len(close), 's'); stack.pop(); i += len(close); continue
        escape = '\\' + '#' * hashes
        if text.startswith(escape, i):
            j = i + len(escape)
            if j < n and text[j] == '(':
                mark(i, j + 1, 's'); stack.append(['interp', 1]); i = j + 1; continue
            mark(i, min(j + 1, n), 's'); i = j + 1; continue
        if text[i] == '\n':
            if not multiline:               # unterminated single-line string: recover
                stack.pop()
            i += 1; continue
        kind[i] = 's'; i += 1
    return kind

# --- detection on one line of code (strings and comments blanked to spaces) ---------------------
KEYWORD_BANG = re.compile(r'\b(try|as)!')
CALLS = re.compile(r'\b(fatalError|preconditionFailure|precondition)\s*\(')
# `!` right after an identifier character, `)`, `]`, `}` (trailing closure), `>` (generic type) or
# a backtick, followed by one of . ) ] , whitespace ? ; : } [ ( ! or the end of the line: never
# `!=` or `!==`.
BANG = re.compile(r'(?<=[A-Za-z0-9_)\]}>`])!(?=[.)\],\s?;:}\[(!]|$)')
IUO_CONTEXT = re.compile(r'(\b(var|let)\s+[A-Za-z_`][\w`]*\s*:|->)\s*[\w.<>\[\]:, ?]*[\w>\]]$')

def traps(code):
    """[(start, end, construct)] for one blanked line; (start, end) is the span a fragment must cover."""
    found, keyword_bangs = [], set()
    for m in KEYWORD_BANG.finditer(code):
        found.append((m.start(), m.end(), m.group(1) + '!'))
        keyword_bangs.add(m.end() - 1)
    for m in CALLS.finditer(code):
        found.append((m.start(), m.end(), m.group(1) + '('))
    for m in BANG.finditer(code):
        p = m.start()
        if p in keyword_bangs:
            continue
        construct = 'implicitly unwrapped optional' if IUO_CONTEXT.search(code[:p]) else 'force unwrap'
        found.append((p - 1, p + 1, construct))
    return sorted(found)

# --- scan ----------------------------------------------------------------------------------------
violations = []     # dicts: path, line, constructs, spans, code, text
files = 0
for target in TARGETS:
    base = os.path.join(root, target)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith('.swift'):
                continue
            files += 1
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, '/')
            with open(full, encoding='utf-8', errors='replace') as f:
                text = f.read()
            kind = classify(text)
            offset = 0
            for number, line in enumerate(text.split('\n'), 1):
                k = kind[offset:offset + len(line)]
                offset += len(line) + 1
                code = ''.join(ch if kk == 'c' else ' ' for ch, kk in zip(line, k))
                found = traps(code)
                if not found:
                    continue
                violations.append({
                    'path': rel, 'line': number,
                    'constructs': [c for _, _, c in found], 'spans': [(a, b) for a, b, _ in found],
                    # what allow-list fragments are matched against: the line without comments
                    'code': ''.join(ch if kk != 'm' else ' ' for ch, kk in zip(line, k)),
                    'text': line.strip(),
                })

# --- allow-list ----------------------------------------------------------------------------------
# One entry per line:  path | code fragment | reason
# The fragment is a piece of the source line (comments excluded) that contains every trap on that
# line. An entry allows one line; list it N times to allow N lines with the same fragment.
errors = []         # allow-list problems: malformed, stale, ambiguous
groups = {}         # (path, fragment) -> [allow-list line numbers]
allow_rel = os.path.relpath(allow_path, root) if os.path.abspath(allow_path).startswith(os.path.abspath(root) + os.sep) else allow_path
if os.path.exists(allow_path):
    with open(allow_path, encoding='utf-8') as f:
        for number, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith('#'):
                continue
            first, last = line.find(' | '), line.rfind(' | ')
            if first < 0 or last == first:
                errors.append(f'{allow_rel}:{number}: malformed entry (want "path | code fragment | reason"): {line}')
                continue
            path, fragment, reason = line[:first].strip(), line[first + 3:last].strip(), line[last + 3:].strip()
            if not path or not fragment or not reason:
                errors.append(f'{allow_rel}:{number}: entry needs a path, a code fragment and a reason: {line}')
                continue
            groups.setdefault((path, fragment), []).append(number)

def covers(v, fragment):
    start = v['code'].find(fragment)
    while start >= 0:
        end = start + len(fragment)
        if all(start <= a and b <= end for a, b in v['spans']):
            return True
        start = v['code'].find(fragment, start + 1)
    return False

allowed_by = {}     # violation index -> allow-list line number
for (path, fragment), numbers in sorted(groups.items(), key=lambda kv: kv[1][0]):
    matches = [i for i, v in enumerate(violations) if v['path'] == path and covers(v, fragment)]
    if len(matches) > len(numbers):
        lines = ', '.join(str(violations[i]['line']) for i in matches)
        errors.append(f'{allow_rel}:{numbers[0]}: ambiguous: "{fragment}" matches {len(matches)} lines of {path} '
                      f'({lines}) but is listed {len(numbers)} time(s); make the fragment longer or list it once per line')
        continue
    for number in numbers[len(matches):]:
        errors.append(f'{allow_rel}:{number}: stale: no trap in {path} matches "{fragment}" any more; remove the entry')
    for i, number in zip(matches, numbers):
        if i in allowed_by:
            errors.append(f'{allow_rel}:{number}: overlaps entry on line {allowed_by[i]} ({path}:{violations[i]["line"]})')
        else:
            allowed_by[i] = number

# --- report --------------------------------------------------------------------------------------
reported = [v for i, v in enumerate(violations) if i not in allowed_by]
def label(constructs):
    names = list(dict.fromkeys(constructs))
    return ', '.join(n if constructs.count(n) == 1 else f'{n} (x{constructs.count(n)})' for n in names)
for v in reported:
    print(f"{v['path']}:{v['line']}: {label(v['constructs'])}: {v['text']}")
for e in errors:
    print(e)
status = 'FAIL' if reported or errors else 'ok'
print(f'no-traps: {status}: {len(reported)} violation(s), {len(errors)} allow-list problem(s), '
      f'{len(allowed_by)} allowed, {files} files scanned')
sys.exit(1 if reported or errors else 0)
PYTHON
