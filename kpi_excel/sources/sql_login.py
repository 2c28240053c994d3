"""Whether a PostgreSQL login can act outside a read-only transaction; refused if it can.

The query check (:mod:`.sql_query`) refuses the functions it knows by name,
and the read-only transaction stops writes through this connection. Neither
can stop a login that may do more than read through some other door: a view
or function its administrator wrote that calls ``dblink``, or a privilege no
read-only mode covers. So before a source's query runs, the login itself is
checked, and a source is refused (one line, saying what to revoke) when the
login, or the role it logged in as:

* is a **superuser** (it can do anything, whatever the transaction says);
* is a member of ``pg_read_server_files``, ``pg_write_server_files``,
  ``pg_execute_server_program`` (the server's files and programs) or
  ``pg_signal_backend`` (other logins' sessions);
* may **execute** a function that acts outside the transaction: ``dblink*``
  and ``pg_background*`` (a second connection, which the read-only mode does
  not cover), ``lo_import``/``lo_export``, ``pg_read_file``-style and adminpack
  ``pg_file_*`` functions, ``pg_stat_reset*``, ``pg_reload_conf``,
  ``pg_rotate_logfile``, ``pg_promote``. Installing ``dblink`` grants it to
  everyone (``PUBLIC``) by default: revoke that, or keep the extension out of
  the database the login reads.

Other databases are not checked here: the admin guide lists what their login
must lack.
"""

from __future__ import annotations

from kpi_excel.errors import UnreadableFileError

__all__ = ["check_login", "SERVER_ROLES"]

SERVER_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program", "pg_signal_backend")

_OUTSIDE_FUNCTIONS = (
    "p.proname LIKE 'dblink%%' OR p.proname LIKE 'pg\\_background%%' OR p.proname LIKE 'pg\\_stat\\_reset%%' "
    "OR p.proname LIKE 'pg\\_file\\_%%' OR p.proname IN ('lo_import', 'lo_export', 'pg_read_file', "
    "'pg_read_binary_file', 'pg_stat_file', 'pg_ls_dir', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_promote')"
)

# One read-only query: each problem as (what, detail), best first.
_CHECK = f"""
SELECT 'superuser', rolname FROM pg_roles
 WHERE rolname IN (current_user, session_user) AND rolsuper
UNION ALL
SELECT 'member', r.rolname FROM pg_roles r
 WHERE r.rolname IN ({", ".join(f"'{role}'" for role in SERVER_ROLES)})
   AND (pg_has_role(current_user, r.oid, 'MEMBER') OR pg_has_role(session_user, r.oid, 'MEMBER'))
UNION ALL
(SELECT 'function', p.oid::regprocedure::text FROM pg_proc p
  WHERE ({_OUTSIDE_FUNCTIONS}) AND has_function_privilege(current_user, p.oid, 'EXECUTE')
  ORDER BY 2 LIMIT 3)
"""


def check_login(connection, label: str) -> None:  # type: ignore[no-untyped-def]
    """Refuse a PostgreSQL login that can act outside the read-only transaction (see the module's notes)."""
    user = connection.exec_driver_sql("SELECT current_user").scalar()
    problems = connection.exec_driver_sql(_CHECK).fetchall()
    if not problems:
        return
    kind, detail = problems[0]
    if kind == "superuser":
        why = f"is a superuser ('{detail}'), so it can do anything whatever the transaction says"
    elif kind == "member":
        why = f"is a member of {detail}, which reaches the server's files, programs or other sessions"
    else:
        names = ", ".join(str(d) for k, d in problems if k == "function")
        why = (f"may run {names}, which act outside the read-only transaction: REVOKE EXECUTE on them "
               "(from PUBLIC too)")
    raise UnreadableFileError(f"the database login '{user}' {why}; a source needs a login that can only read "
                              "(see the admin guide's Security model)", source=label)
