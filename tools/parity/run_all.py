"""Run every parity script in this folder and print one summary line per script.

    /opt/tfref/bin/python tools/parity/run_all.py          # summaries
    /opt/tfref/bin/python tools/parity/run_all.py -v       # every mismatch too
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ["check_math_array.py", "check_nn.py", "check_graph_session.py", "check_train.py",
           "check_losses_layers.py", "check_rnn.py", "check_init.py", "check_errors.py",
           "check_keras.py", "check_api_signatures.py"]


def main():
    verbose = "-v" in sys.argv
    failed = 0
    for script in SCRIPTS:
        proc = subprocess.run([sys.executable, os.path.join(HERE, script)], cwd=HERE,
                              capture_output=True, text=True)
        lines = proc.stdout.splitlines()
        summary = [ln for ln in lines if ln.startswith("== ")]
        if verbose:
            print("\n".join(ln for ln in lines if ln.strip()))
        print(summary[-1] if summary else "== %s: crashed\n%s" % (script, proc.stderr[-2000:]))
        failed += proc.returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
