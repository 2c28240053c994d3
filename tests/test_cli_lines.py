"""The commands' plain lines are written as rich wrote them (before click.echo took over)."""

from kpi_excel.cli import stderr, stdout


def test_plain_lines_drop_the_control_characters_rich_dropped(capsys):
    # A cell's text quoted in a problem line must not move the cursor over another line.
    stdout.print("Saved\r\x07\x08\x0b\x0c report.xlsx\n  next")
    stderr.print("note: a\rb")
    captured = capsys.readouterr()
    assert captured.out == "Saved report.xlsx\n  next\n"
    assert captured.err == "note: ab\n"


def test_plain_lines_keep_other_text_as_it_is_when_piped(capsys):
    stdout.print("\x1b[31mred\x1b[0m [bold]x[/] :warning: \t£…")
    assert capsys.readouterr().out == "\x1b[31mred\x1b[0m [bold]x[/] :warning: \t£…\n"
