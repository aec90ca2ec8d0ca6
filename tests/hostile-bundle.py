#!/usr/bin/env python3
"""Write a bundle with a properly signed manifest but hostile members.

    hostile-bundle.py KEY KEYID OUT CASE [SERIAL]

KEY is a PEM Ed25519 private key (signed with `openssl pkeyutl -rawin`),
KEYID its id.  The manifest lists what CASE puts in the stream, so that
only the tools' own checks on paths, types, sizes and ratios stand
between the bundle and the mirror.  Cases: dotdot, absolute, symlink,
hardlink, fifo, device, duplicate, nosig, bomb, bigclaim, dirmember.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time

key, keyid, out, case = sys.argv[1:5]
serial = int(sys.argv[5]) if len(sys.argv) > 5 else int(time.time())
now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400 * 30))

plain = b"plain member\n"
members = []        # (TarInfo, bytes or None)
listed = []         # (path, size, sha256)


def add(name, data=b"", kind=tarfile.REGTYPE, linkname="", listed_as=None):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = 0o644
    ti.mtime = 0
    ti.linkname = linkname
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
    if kind == tarfile.CHRTYPE:
        ti.devmajor, ti.devminor = 1, 3
    members.append((ti, data if kind == tarfile.REGTYPE else None))
    if listed_as is not None:
        listed.append(listed_as)


def listing(path, data):
    return (path, len(data), hashlib.sha256(data).hexdigest())


if case == "dotdot":
    add("../escaped", plain, listed_as=listing("../escaped", plain))
elif case == "absolute":
    add("/tmp/diver-absolute-member", plain, listed_as=listing("/tmp/diver-absolute-member", plain))
elif case == "symlink":
    add("pkg/link", kind=tarfile.SYMTYPE, linkname="/etc/passwd", listed_as=listing("pkg/link", b""))
elif case == "hardlink":
    add("pkg/a", plain, listed_as=listing("pkg/a", plain))
    add("pkg/b", kind=tarfile.LNKTYPE, linkname="pkg/a", listed_as=listing("pkg/b", b""))
elif case == "fifo":
    add("pkg/fifo", kind=tarfile.FIFOTYPE, listed_as=listing("pkg/fifo", b""))
elif case == "device":
    add("pkg/null", kind=tarfile.CHRTYPE, listed_as=listing("pkg/null", b""))
elif case == "dirmember":
    add("pkg/dir", kind=tarfile.DIRTYPE, listed_as=listing("pkg/dir", b""))
elif case == "duplicate":
    add("pkg/a", plain, listed_as=listing("pkg/a", plain))
    add("pkg/a", plain)
elif case == "bomb":
    zeros = bytes(64 << 20)     # 64 MiB of zeros: zstd makes it ~2 KiB
    add("pkg/bomb", zeros, listed_as=listing("pkg/bomb", zeros))
elif case == "bigclaim":
    add("pkg/a", plain, listed_as=("pkg/a", 2 << 40, hashlib.sha256(plain).hexdigest()))
elif case == "nosig":
    add("pkg/a", plain, listed_as=listing("pkg/a", plain))
else:
    sys.exit("unknown case " + case)

manifest = {
    "format": 1, "serial": serial, "created": now, "expires": later,
    "key": keyid, "refs": [], "all": True,
    "members": [{"path": p, "size": s, "sha256": h} for p, s, h in listed],
}
mbytes = (json.dumps(manifest, indent=2) + "\n").encode()
with open(out + ".manifest", "wb") as f:
    f.write(mbytes)
sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key,
                      "-in", out + ".manifest"], capture_output=True,
                     check=True).stdout
os.unlink(out + ".manifest")

buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("BUNDLE.json", mbytes), ("BUNDLE.json.sig", sig)):
        if case == "nosig" and name == "BUNDLE.json.sig":
            continue
        ti = tarfile.TarInfo(name)
        ti.size, ti.mode, ti.mtime = len(data), 0o644, 0
        t.addfile(ti, io.BytesIO(data))
    for ti, data in members:
        t.addfile(ti, io.BytesIO(data) if data is not None else None)
with open(out, "wb") as f:
    f.write(subprocess.run(["zstd", "-q", "-c", "-19"], input=buf.getvalue(),
                           capture_output=True, check=True).stdout)
