"""Start the real servers that kg builds into or through: the Oxigraph server (from the
``oxigraph`` wheel), Virtuoso (Debian's ``virtuoso-opensource-7-bin``) and a Dask scheduler
with workers, all bound to 127.0.0.1 on free ports.

Used by the scale-out tests, ``bench/corpus.py`` and CI::

    python bench/servers.py start DIR    # starts all three, prints KG_TEST_* exports, writes DIR/pids
    python bench/servers.py stop DIR     # stops what `start DIR` started
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from kg.build import dask_environment

BIN = Path(sys.executable).parent
VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DirsAllowed = .
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryExecutionTime = 600
"""
# The endpoint's user may update (SPARQL Update and the Graph Store Protocol); only on 127.0.0.1.
VIRTUOSO_GRANTS = "grant SPARQL_UPDATE to \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"


@dataclass
class Server:
    """A started server: its address and how to stop it."""

    address: str
    processes: list[subprocess.Popen] = field(default_factory=list)
    stop_command: list[str] | None = None

    def stop(self) -> None:
        if self.stop_command:
            subprocess.run(self.stop_command, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


def oxigraph_program() -> str | None:
    return shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")


def start_oxigraph(folder: Path) -> Server:
    port = free_port()
    process = subprocess.Popen([oxigraph_program(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/query?{urlencode({'query': 'ASK {}'})}")
    return Server(f"http://127.0.0.1:{port}", [process])


def virtuoso_installed() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def start_virtuoso(folder: Path) -> Server:
    """Virtuoso with its database in ``folder`` (first start takes 5–10 s)."""
    folder.mkdir(parents=True, exist_ok=True)
    sql, http = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=folder, sql=sql, http=http), encoding="utf-8")
    subprocess.run(["virtuoso-t", "+configfile", str(folder / "virtuoso.ini"), "+wait"], cwd=folder, check=True, timeout=300,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    isql = ["isql-vt", f"127.0.0.1:{sql}", "dba", "dba"]
    subprocess.run([*isql, f"exec={VIRTUOSO_GRANTS}"], check=True, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http}/sparql"
    wait_for(f"{url}?{urlencode({'query': 'ASK {}'})}")
    return Server(url, stop_command=[*isql, "exec=shutdown;"])


def dask_program() -> str | None:
    return shutil.which("dask", path=str(BIN))


def start_dask(workers: int = 2) -> Server:
    """A ``dask scheduler`` and ``workers`` single-threaded ``dask worker`` processes."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    server = Server(address, [subprocess.Popen([dask_program(), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)])
    for _ in range(workers):
        server.processes.append(subprocess.Popen([dask_program(), "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                                                 env=os.environ | dask_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from distributed import Client

    with Client(address, timeout="60s") as client:
        client.wait_for_workers(workers, timeout=180)
    return server


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[1]).resolve()
    pids = folder / "pids"
    if argv[0] == "stop":
        for line in pids.read_text().splitlines() if pids.exists() else []:
            kind, _, value = line.partition(" ")
            if kind == "pid":
                subprocess.run(["kill", value], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            else:
                subprocess.run(value.split(), timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    started = {"KG_TEST_OXIGRAPH_URL": start_oxigraph(folder / "oxigraph"), "KG_TEST_DASK_SCHEDULER": start_dask()}
    if virtuoso_installed():
        started["KG_TEST_VIRTUOSO_URL"] = start_virtuoso(folder / "virtuoso")
    with pids.open("w") as out:
        for server in started.values():
            out.writelines(f"pid {process.pid}\n" for process in server.processes)
            if server.stop_command:
                out.write(f"cmd {' '.join(server.stop_command)}\n")
    for name, server in started.items():
        print(f"export {name}={server.address}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
