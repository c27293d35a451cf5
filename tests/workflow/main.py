#!/usr/bin/python3
"""Runs the construction-workflow suite against a throwaway fibertrackd.

    main.py [MODULE ...]     default: every module, in the order below

Prints one line per test; the counts go to $WF_RESULT ("passed failed") and,
when WF_RESULT is not set, as the last line "N passed, N failed".
"""
import importlib
import os
import signal
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wf  # noqa: E402

MODULES = ["test_progress", "test_planning", "test_summary", "test_authz", "test_gis",
           "test_resilience"]


def main(argv):
    wanted = argv[1:] or MODULES
    runner = wf.ftlib.Suite("workflow", verbose=True)
    t0 = time.monotonic()
    srv = wf.Server("main")
    try:
        try:
            srv.setup(demo=True)
            srv.start()
            fx = wf.Fixture(srv)
            print("    server %s:%d, data dir %s (set up in %.1f s)" % (srv.base + (srv.data_dir,
                                                                          time.monotonic() - t0)),
                  flush=True)
        except Exception:
            runner.record("setup", False, [traceback.format_exc().strip()])
            print(srv.log_tail(), flush=True)
            return runner
        for name in wanted:
            mod = importlib.import_module(name)
            print("== %s" % name, flush=True)
            for title, fn in mod.TESTS:
                runner.run_test(title, fn, srv, fx)
        runner.openapi_test()
        if srv.proc and srv.proc.poll() is not None:
            runner.run_test("server still running at the end", lambda: wf.check(
                False, "fibertrackd exited with %s: %s" % (srv.proc.returncode, srv.log_tail())))
    finally:
        rc = srv.stop()
        if rc not in (0, None):
            print("    note: fibertrackd exit status %s after SIGTERM" % rc)
        srv.cleanup()
        print("    total %.1f s" % (time.monotonic() - t0), flush=True)
    return runner


if __name__ == "__main__":
    # SIGTERM (run-workflow.sh interrupted): unwind, so the servers are stopped
    def on_term(*_):
        wf.emergency_cleanup()
        os._exit(143)

    signal.signal(signal.SIGTERM, on_term)
    r = main(sys.argv)
    res = os.environ.get("WF_RESULT")
    if not res:
        r.finish()
    if r.failures:
        print("failed: " + ", ".join(r.failures))
    with open(res, "w") as f:
        f.write("%d %d\n" % (r.passed, r.failed))
    sys.exit(1 if r.failed else 0)
