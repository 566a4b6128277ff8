# Runs lade under a pseudo-terminal (lade is the session leader, as in a terminal window), resizes
# the terminal while the container runs, and prints what the container saw.
import fcntl, os, pty, struct, sys, termios, time

argv = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

def resize(rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))

def read_until(marker, deadline):
    out = b''
    while marker not in out and time.time() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out

resize(30, 100)
deadline = time.time() + 30
out = read_until(b'ready', deadline)
# The kernel signals lade (the terminal's foreground group), which passes it on to the monitor.
resize(40, 120)
out += read_until(b'done', deadline)
os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
