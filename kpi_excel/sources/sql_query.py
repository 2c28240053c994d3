"""Whether a query only reads: one SELECT, and no call that acts outside it.

A source's query is judged before any connection is made, with comments,
string literals and quoted names taken out (:func:`check_query`):

* one ``SELECT`` (or ``WITH ... SELECT``) statement, a trailing ``;`` at most,
  and none of the words that write, lock or run other code (``INSERT``,
  ``DELETE``, ``INTO``, ``CREATE``, ``COPY``, ``CALL``, ``FOR SHARE``, ...);
* no call of a function that acts outside the read-only transaction the query
  runs in, which the database's read-only mode cannot stop: another
  connection (PostgreSQL ``dblink*``, ``pg_background*``; SQL Server
  ``OPENROWSET``/``OPENDATASOURCE``/``OPENQUERY``; Oracle ``UTL_*``/``DBMS_*``),
  other sessions (``pg_terminate_backend``, ``pg_cancel_backend``, advisory
  locks, MySQL ``GET_LOCK``), the server's files and settings
  (``pg_read_file``-style, ``lo_*`` large objects, ``pg_stat_reset*``,
  ``set_config``, ``pg_reload_conf``, replication slots, MySQL ``LOAD_FILE``,
  SQLite ``load_extension``/``readfile``/``writefile``), or SQL written as text
  (``query_to_xml``). A quoted name counts as written (``"dblink_exec"(...)``);
  PostgreSQL's ``U&"..."`` names, which could spell one in escapes, are refused.

A list of names cannot know every function a database has (one written by its
administrator may do anything), so this is the first line only: the login must
be one that can only read (see :mod:`.sql_login` and the admin guide).
Quoting that databases read differently (a backslash before a quote, a
comment inside a comment, MySQL's ``/*!`` comments) is refused rather than
guessed at.
"""

from __future__ import annotations

import re

from kpi_excel.errors import UnreadableFileError

__all__ = ["check_query"]

# Words that write, lock, or run other code: none belongs in a query that reads.
_FORBIDDEN = (
    "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "INTO", "CREATE", "DROP", "ALTER", "TRUNCATE", "RENAME",
    "GRANT", "REVOKE", "COPY", "CALL", "EXEC", "EXECUTE", "PREPARE", "DEALLOCATE", "ATTACH", "DETACH", "PRAGMA",
    "VACUUM", "REINDEX", "CLUSTER", "LOCK", "SHARE", "NOTIFY", "LISTEN", "LOAD", "HANDLER", "OUTFILE",
    "DUMPFILE", "SHUTDOWN", "KILL",
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")

# Functions that act outside the read-only transaction, which the database's read-only mode
# does not stop: another connection, other sessions, the server's files, logs, settings and
# statistics, or SQL run from text. Matched against every part of a called name.
_OUTSIDE = re.compile(r"""(?ix)
    dblink\w* | pg_background\w*                                   # a second connection
  | pg_(?:terminate|cancel|signal)_backend | pg_(?:try_)?advisory\w* | pg_notify
  | pg_read_(?:binary_)?file | pg_ls_\w+ | pg_stat_file | pg_file_\w+ | pg_logdir_ls
  | lo_\w+ | lo(?:read|write|open|close|creat|unlink|import|export)  # large objects
  | pg_stat_reset\w* | pg_stat_statements_reset | set_config | pg_reload_conf | pg_rotate_logfile\w*
  | pg_switch_wal | pg_promote | pg_wal_replay_\w+ | pg_(?:create|drop|copy)_\w+ | pg_replication_\w+
  | pg_logical_\w+ | pg_log_backend_memory_contexts | pg_(?:start|stop)_backup | pg_backup_\w+
  | pg_import_system_collations | (?:query|cursor)_to_xml\w* | query_to_xmlschema
  | load_file | (?:get|release|release_all)_lock | sys_(?:exec|eval)   # MySQL
  | open(?:rowset|datasource|query) | xp_\w+                            # SQL Server
  | utl_\w+ | dbms_\w+                                                  # Oracle's packages
  | load_extension | readfile | writefile | fts3_tokenizer             # SQLite
""")
# A called name: parts (bare or quoted) joined by '.', then '('. In the blanked query a quoted
# part keeps its quotes around spaces, so its real text is read from the query itself.
_PART = r'(?:[A-Za-z_][A-Za-z0-9_$]*|"[^"]*"|`[^`]*`|\[[^\]]*\])'
_CALL = re.compile(rf"({_PART}(?:\s*\.\s*{_PART})*)\s*\(")
_SPLIT = re.compile(rf"{_PART}")
_UNICODE_NAME = re.compile(r'(?i)(?<![A-Za-z0-9_$])U&"')
_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")

# ---- judging a query ---------------------------------------------------------------------


class _Refused(Exception):
    """Why a query is not run (turned into one line by the caller)."""


def _scan_quoted(query: str, start: int, close: str, backslash_check: bool = True) -> int:
    """Index just past a quoted run opened at ``start``, the closing character doubled to escape."""
    i, n = start + 1, len(query)
    while i < n:
        ch = query[i]
        if ch == "\\" and backslash_check and i + 1 < n and query[i + 1] == close:
            raise _Refused(f"a backslash before {close} inside a quoted text is read differently by different "
                           f"databases; write the {close} twice instead")
        if ch == close:
            if i + 1 < n and query[i + 1] == close:
                i += 2
                continue
            return i + 1
        i += 1
    raise _Refused("the query has an unterminated quoted text or name")


def _code_only(query: str, dialect: str) -> str:
    """The query with comments, literals and quoted names blanked out.

    The result has the query's length, character for character (a blanked
    run keeps its quotes and becomes spaces inside), so a position in it is a
    position in the query.
    """
    pg = dialect == "postgresql"
    mysql = dialect in ("mysql", "mariadb")
    brackets = dialect in ("mssql", "sqlite", "sybase", "access")
    backticks = mysql or dialect == "sqlite"
    out: list[str] = []
    i, n = 0, len(query)

    def blank(start: int, end: int, keep_ends: bool) -> None:
        if keep_ends and end - start >= 2:
            out.append(query[start] + " " * (end - start - 2) + query[end - 1])
        else:
            out.append(" " * (end - start))

    while i < n:
        ch = query[i]
        if ch == "-" and query.startswith("--", i) or (mysql and ch == "#"):
            end = query.find("\n", i)
            end = n if end < 0 else end
            blank(i, end, False)
            i = end
        elif ch == "/" and query.startswith("/*", i):
            if query.startswith("/*!", i):
                raise _Refused("MySQL runs the text of /*! comments as SQL: remove them")
            end = query.find("*/", i + 2)
            if end < 0:
                raise _Refused("the query has an unterminated /* comment")
            if "/*" in query[i + 2:end]:
                raise _Refused("a comment inside a comment is read differently by different databases: remove it")
            blank(i, end + 2, False)
            i = end + 2
        elif ch in "'\"" or (ch == "`" and backticks) or (ch == "[" and brackets):
            end = _scan_quoted(query, i, "]" if ch == "[" else ch, backslash_check=ch != "[")
            blank(i, end, True)
            i = end
        elif ch == "$" and pg and (i == 0 or not (query[i - 1].isalnum() or query[i - 1] in "_$")) \
                and (match := _DOLLAR.match(query, i)):
            close = query.find(match.group(0), match.end())
            if close < 0:
                raise _Refused("the query has an unterminated $$ quoted text")
            end = close + len(match.group(0))
            blank(i, end, False)
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def check_query(query: str, dialect: str = "") -> str:
    """The statement to run if ``query`` only reads; raises :class:`UnreadableFileError` saying why not.

    One ``SELECT`` (or ``WITH ... SELECT``) statement, a trailing ``;`` at
    most, none of the words that write (see the module's notes). Returns the
    statement without its trailing ``;`` (and whatever follows it).
    """
    try:
        code = _code_only(query, dialect)
        end = len(code.rstrip())
        if end and code[end - 1] == ";":
            end -= 1
        statement, code = query[:end].strip(), code[:end]
        if ";" in code:
            raise _Refused("the query must be one statement: a ';' may only end it")
        words = [w.upper() for w in _WORD.findall(code)]
        if not words or words[0] not in ("SELECT", "WITH"):
            first = words[0] if words else "nothing"
            raise _Refused(f"a source runs one SELECT (or WITH ... SELECT) statement; this query starts with {first}")
        if "SELECT" not in words:
            raise _Refused("a source runs one SELECT (or WITH ... SELECT) statement; this query has no SELECT")
        forbidden = next((w for w in words if w in _FORBIDDEN), None)
        if forbidden is not None:
            raise _Refused(f"a source only reads: {forbidden} is not allowed in its query")
        _refuse_outside_calls(query, code, dialect)
    except _Refused as refusal:
        raise UnreadableFileError(f"query refused: {refusal}", source="sql:query") from None
    return statement


def _refuse_outside_calls(query: str, code: str, dialect: str) -> None:
    """Refuse a call of a function that acts outside the transaction (see ``_OUTSIDE``)."""
    if dialect in ("postgresql", "") and _UNICODE_NAME.search(code):
        raise _Refused('a U&"..." name may spell any function in escapes: write the name plainly')
    for call in _CALL.finditer(code):
        start, end = call.span(1)
        for part in _SPLIT.finditer(code, start, end):
            name = query[part.start():part.end()]
            if name[:1] in '"`[':
                name = name[1:-1].replace(name[0] * 2, name[0]) if name[0] != "[" else name[1:-1]
            if _OUTSIDE.fullmatch(name.strip()):
                called = "".join(query[start:end].split())
                raise _Refused(f"a source only reads: {called}() acts outside its read-only transaction "
                               "and is not allowed in its query")
