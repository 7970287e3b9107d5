#!/usr/bin/env python3
"""Side-by-side timing of hmaml against its peers (a development tool; hmaml never runs Python).

Each program runs as a whole process: one warm-up, then N timed runs; the median wall time and
the median user+sys CPU time are reported, with peak RSS. Every run's first output line must
equal the peer's (the check value). Ratios are hm / peer: below 1.0 means hm is faster.
"""
import argparse, os, resource, shutil, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PEERS = os.path.join(os.path.dirname(REPO), "shared", "bench", "interp")
PROGRAMS = ["fib", "loop_sum", "list_sum", "strcat", "strjoin", "map", "closure"]


def run(argv, cwd):
    t0 = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out = p.stdout.decode(errors="replace").strip().splitlines()
    return wall, cpu, p.returncode, (out[0] if out else "")


def measure(argv, cwd, n):
    run(argv, cwd)
    walls, cpus, first = [], [], None
    for _ in range(n):
        w, c, rc, out = run(argv, cwd)
        if rc != 0:
            return None
        walls.append(w); cpus.append(c); first = out
    return statistics.median(walls), statistics.median(cpus), first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hmaml", required=True, type=os.path.abspath)
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    python = os.path.realpath(sys.executable)
    lua = shutil.which("lua5.4")
    print(f"interpreter benchmarks: median of {args.n} runs (wall s, cpu s); ratio = hm / peer (cpu)")
    print(f"{'program':10s} {'hm wall':>8s} {'hm cpu':>7s} {'cpython':>8s} {'lua5.4':>7s} {'vs py':>6s} {'vs lua':>7s}  check")
    ok = True
    for prog in args.only or PROGRAMS:
        hm = measure([args.hmaml, os.path.join(HERE, "interp", prog + ".hm")], HERE, args.n)
        py = measure([python, prog + ".py"], PEERS, args.n)
        lu = measure([lua, prog + ".lua"], PEERS, args.n) if lua else None
        if hm is None or py is None:
            print(f"{prog:10s} failed"); ok = False; continue
        same = hm[2].split() == py[2].split()[:len(hm[2].split())] or hm[2] == py[2]
        ok &= same
        lua_cpu = f"{lu[1]:7.3f}" if lu else "    n/a"
        vs_lua = f"{hm[1] / lu[1]:7.2f}" if lu and lu[1] > 0 else "    n/a"
        print(f"{prog:10s} {hm[0]:8.3f} {hm[1]:7.3f} {py[1]:8.3f} {lua_cpu} {hm[1] / max(py[1], 1e-9):6.2f} {vs_lua}  "
              f"{hm[2]}{'' if same else '  MISMATCH with ' + py[2]}")
    # Start-up: hmaml -e '1' against lua5.4 -e '' and python3 -c ''.
    su = [("hmaml -e '1'", [args.hmaml, "-e", "1"]), ("python3 -c ''", [python, "-c", ""])]
    if lua:
        su.append(("lua5.4 -e ''", [lua, "-e", ""]))
    # Interleaved (one run of each, round after round), so that the machine's drift during the
    # measurement weighs on every program alike; the median of 100 runs each.
    rounds = max(100, args.n * 4)
    print("\nstart-up (median wall s of %d interleaved runs each)" % rounds)
    walls = {name: [] for name, _ in su}
    for name, argv in su:
        run(argv, HERE)
    for _ in range(rounds):
        for name, argv in su:
            w, _, rc, _ = run(argv, HERE)
            walls[name].append(w if rc == 0 else float("nan"))
    times = {}
    for name, _ in su:
        times[name] = statistics.median(walls[name])
        print(f"  {name:16s} {times[name]:.4f}")
    if lua:
        print(f"  hmaml / lua5.4 = {times[su[0][0]] / times['lua5.4 -e ' + chr(39) * 2]:.2f}")
    print(f"  hmaml / python3 = {times[su[0][0]] / times[su[1][0]]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
