"""Entry point: `python3 scripts/chart_test SUBCOMMAND ARGS...` (or `python3 -m chart_test`
with scripts/ on the path). Dispatches the subcommands scripts/test-chart.sh calls; the
exit status is the check's result."""
import os
import sys

if not __package__:
    # Run as a folder: put scripts/ first on the path instead of this folder, so the
    # package imports as chart_test and none of its modules shadows a standard one.
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from chart_test.drift import cmd_drift, cmd_drift_catches  # noqa: E402
from chart_test.etcd_tls import cmd_etcd_tls  # noqa: E402
from chart_test.image_libs import cmd_ldd  # noqa: E402
from chart_test.monitoring import cmd_dashboard, cmd_extract_rules, cmd_monitoring  # noqa: E402
from chart_test.processes import free_port  # noqa: E402
from chart_test.upgrade import cmd_upgrade  # noqa: E402
from chart_test.values_docs import cmd_schema_covers, cmd_values_docs, cmd_values_table  # noqa: E402


def main():
    command, args = sys.argv[1], sys.argv[2:]
    handlers = {
        "values-table": cmd_values_table, "values-docs": cmd_values_docs, "schema-covers": cmd_schema_covers,
        "monitoring": cmd_monitoring, "extract-rules": cmd_extract_rules,
        "dashboard": cmd_dashboard, "ldd": cmd_ldd,
        "drift": lambda r, d, b, w, p, e, h, t, n: cmd_drift(r, d, b, w, p, int(e), int(h), t, n),
        "drift-catches": lambda r, b, w, e: cmd_drift_catches(r, b, w, int(e)),
        "etcd-tls": cmd_etcd_tls, "upgrade": cmd_upgrade, "free-port": lambda: print(free_port()) or 0,
    }
    sys.exit(handlers[command](*args))


if __name__ == "__main__":
    main()
