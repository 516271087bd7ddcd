#!/usr/bin/env python3
"""A person at Nuthatch's console, scripted: QEMU with the serial line on
stdin/stdout, keys sent at a typist's pace, output matched as it comes.

Session(cmd).expect(regex, timeout) waits until the output since the last
match matches; send(text) types it one key at a time (the UART is a
16-byte FIFO: a person never types faster).  Used by tools/testsuite.py's
console suites; run alone it boots a shell and types the arguments:
    tools/consolesession.py build/Image 'echo hi' 'ps -e'
"""
import os
import re
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

KEY_GAP = 0.004         # seconds between keys
ANSI = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])")


def screen(raw):
    """What a VT100 shows for @raw, line by line: CR, backspace, and the
    escapes the shell's editor uses (ESC[nD, ESC[nC, ESC[K) applied."""
    lines, line, col, i = [], [], 0, 0
    text = raw.decode("utf-8", "replace")
    while i < len(text):
        ch, m = text[i], ANSI.match(text, i)
        if m:
            n = int(m.group(1) or 1) if m.group(1).isdigit() else 1
            if m.group(2) == "D":
                col = max(0, col - n)
            elif m.group(2) == "C":
                col = min(len(line), col + n)
            elif m.group(2) == "K":
                del line[col:]
            i = m.end()
            continue
        if ch == "\r":
            col = 0
        elif ch == "\b":
            col = max(0, col - 1)
        elif ch == "\n":
            lines.append("".join(line))
            line, col = [], 0
        elif ch >= " " or ch == "\t":
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
        i += 1
    return "\n".join(lines + ["".join(line)])


class Session:
    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.out = b""          # everything so far
        self.mark = 0           # where the next expect starts looking
        self.start = time.monotonic()

    def _read(self, wait):
        ready, _, _ = select.select([self.proc.stdout], [], [], wait)
        if not ready:
            return self.proc.poll() is None
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        self.out += chunk
        return bool(chunk)

    def text(self, since=None):
        """Output since @since (default: the last match), as a screen shows it."""
        return screen(self.out[self.mark if since is None else since:])

    def expect(self, pattern, timeout):
        """The match object once the output since the last match matches, or None."""
        rx = re.compile(pattern, re.M)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.text())
            if m:
                self.mark = len(self.out)
                return m
            left = end - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.2)):
                return None

    def send(self, keys):
        for ch in keys.encode():
            self.proc.stdin.write(bytes([ch]))
            self.proc.stdin.flush()
            self._read(KEY_GAP)

    def run(self, line, pattern, timeout=10):
        """Type @line and Enter; the match of @pattern before the next prompt."""
        self.mark = len(self.out)
        self.send(line + "\r")
        if not self.expect(r"(?s)" + pattern + r".*^/[^\n]* # $", timeout):
            return None
        return True

    def exit_status(self, timeout):
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            self._read(0.2)
        return self.proc.poll()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def main():
    image = sys.argv[1]
    s = Session(qemu.qemu_command(image, 2, "256M"))
    if not s.expect(r"^/ # $", 120):
        print(s.text(0))
        return 1
    for line in sys.argv[2:]:
        s.run(line, "", 30)
    print(s.text(0))
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
