# A FUSE server speaking the kernel's protocol on /dev/fuse (no libfuse bindings needed): one
# read-only file "img" served from an image file. After SIGUSR1 it stops answering READs, so
# whatever reads the file (a loop device over it, then blkid on the loop) sleeps in the
# kernel in D state, as on a dying disk or a hung NFS server. After SIGUSR2 it answers nothing
# at all (a stat() of its file hangs too, as on a server that died). Killing it aborts the connection:
# the stuck reads then fail and their processes end.
# Usage (root): python3 hanging-fuse-server.py IMAGE MOUNTPOINT
import ctypes, os, signal, stat, struct, sys

image, target = sys.argv[1], sys.argv[2]
data = open(image, 'rb')
size = os.path.getsize(image)
fd = os.open('/dev/fuse', os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
options = f'fd={fd},rootmode=40755,user_id=0,group_id=0,allow_other'.encode()
if libc.mount(b'licorn-test-fuse', target.encode(), b'fuse', 0, options) != 0:
    print('mount failed', os.strerror(ctypes.get_errno()), flush=True)
    sys.exit(1)
hanging = False
silent = False

def on_hang(_signum, _frame):
    global hanging
    hanging = True
    print('hanging', flush=True)

def on_silence(_signum, _frame):
    global hanging, silent
    hanging = silent = True
    print('silent', flush=True)

signal.signal(signal.SIGUSR1, on_hang)
signal.signal(signal.SIGUSR2, on_silence)
print('mounted', flush=True)

def attr(ino, mode, length):
    blocks = (length + 511) // 512
    return struct.pack('<QQQQQQIIIIIIIIII', ino, length, blocks, 0, 0, 0, 0, 0, 0, mode, 1, 0, 0, 0, 4096, 0)

def reply(unique, error=0, payload=b''):
    os.write(fd, struct.pack('<IiQ', 16 + len(payload), -error, unique) + payload)

FOPEN_DIRECT_IO = 1  # no page cache for the file: every read reaches this server
while True:
    try:
        buf = os.read(fd, 1 << 20)  # at least max_write + 80 bytes, or read() fails
    except OSError:
        break
    length, opcode, unique, nodeid = struct.unpack_from('<IIQQ', buf, 0)
    body = buf[40:length]
    if silent:
        continue
    if opcode == 26:  # INIT: protocol 7.31, max_write 131072
        reply(unique, 0, struct.pack('<IIIIHHIIHHII', 7, 31, 0, 0, 16, 12, 131072, 1, 0, 0, 0, 0) + b'\0' * 24)
    elif opcode == 1:  # LOOKUP
        if nodeid == 1 and body.split(b'\0')[0] == b'img':
            reply(unique, 0, struct.pack('<QQQQII', 2, 0, 0, 0, 0, 0) + attr(2, stat.S_IFREG | 0o644, size))
        else:
            reply(unique, 2)
    elif opcode == 3:  # GETATTR
        a = attr(1, stat.S_IFDIR | 0o755, 0) if nodeid == 1 else attr(2, stat.S_IFREG | 0o644, size)
        reply(unique, 0, struct.pack('<QII', 0, 0, 0) + a)
    elif opcode in (14, 27):  # OPEN, OPENDIR
        reply(unique, 0, struct.pack('<QII', 1, FOPEN_DIRECT_IO if opcode == 14 else 0, 0))
    elif opcode == 15:  # READ: never answered once hanging
        if hanging:
            continue
        offset, count = struct.unpack_from('<QQI', body, 0)[1:]
        data.seek(offset)
        reply(unique, 0, data.read(count))
    elif opcode in (18, 20, 25, 29, 34):  # RELEASE, FSYNC, FLUSH, RELEASEDIR, ACCESS
        reply(unique, 0)
    elif opcode == 16:  # WRITE
        reply(unique, 30)  # EROFS
    elif opcode == 42:  # INTERRUPT: ignored, the READ stays unanswered
        pass
    else:
        reply(unique, 38)  # ENOSYS
