"""Reports, one line per check, what a sandboxed service sees from inside (issue 12 tests).

Usage: sandbox-probe.py OUT CHECK...; each CHECK writes "CHECK=RESULT" to OUT:
  netns        this process's network namespace link
  interfaces   the interfaces of its network namespace (/proc/net/dev)
  write:PATH   "ok" or the errno name of creating PATH
  list:PATH    the entries of PATH, comma-separated, or the errno name
  inet         "ok" or the errno name of socket(AF_INET, SOCK_STREAM)
  mount        "ok" or the errno name of mount("none", "/mnt", "tmpfs")
  wx           "ok" or the errno name of a PROT_WRITE|PROT_EXEC mapping
  userns       "ok" or the errno name of unshare(CLONE_NEWUSER)
  exec:PATH    "ok" or the errno name of executing PATH
  suid:PATH    "ok" or the errno name of creating PATH and making it set-user-ID
  nnp          the NoNewPrivs value of /proc/self/status
  pty          "ok" or the errno name of allocating a pseudo-terminal (openpty)
"""
import ctypes
import errno
import mmap
import os
import socket
import sys

libc = ctypes.CDLL(None, use_errno=True)


def failure(call):
    try:
        result = call()
        if result is not None and result is not True and isinstance(result, int) and result < 0:
            return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
        return "ok"
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))


def check(name):
    if name == "netns":
        return os.readlink("/proc/self/ns/net")
    if name == "interfaces":
        with open("/proc/net/dev") as table:
            return ",".join(sorted(line.split(":")[0].strip() for line in table.readlines()[2:]))
    if name.startswith("write:"):
        return failure(lambda: open(name[6:], "w").close())
    if name.startswith("list:"):
        try:
            return ",".join(sorted(os.listdir(name[5:])))
        except OSError as error:
            return errno.errorcode.get(error.errno, str(error.errno))
    if name == "inet":
        return failure(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close())
    if name == "mount":
        return failure(lambda: libc.mount(b"none", b"/mnt", b"tmpfs", 0, None))
    if name == "wx":
        return failure(lambda: mmap.mmap(-1, 4096, prot=mmap.PROT_WRITE | mmap.PROT_EXEC).close())
    if name.startswith("exec:"):
        path = name[5:]
        def run():
            pid = os.fork()
            if pid == 0:
                try:
                    os.execv(path, [path])
                except OSError as error:
                    os._exit(100 + error.errno)
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            if code >= 100:
                raise OSError(code - 100, "exec")
        return failure(run)
    if name.startswith("suid:"):
        def make():
            open(name[5:], "w").close()
            os.chmod(name[5:], 0o4755)
        return failure(make)
    if name == "pty":
        def allocate():
            first, second = os.openpty()
            os.close(first)
            os.close(second)
        return failure(allocate)
    if name == "nnp":
        with open("/proc/self/status") as status:
            return next((line.split()[1] for line in status if line.startswith("NoNewPrivs:")), "?")
    if name == "userns":
        return failure(lambda: libc.unshare(0x10000000))
    return "unknown check"


with open(sys.argv[1], "w") as out:
    for name in sys.argv[2:]:
        out.write(f"{name}={check(name)}\n")
