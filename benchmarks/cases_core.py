"""Foundation figures: start-up and a plain read on the big book."""

from harness import Case

CASES = [
    Case("crm --help", ["--help"], baseline="typer", limit=1.3, goal=None, uses_book=False),
    Case("crm user list", ["user", "list"], baseline="sqlite"),
    Case("crm user list --json", ["user", "list", "--json"], baseline="sqlite"),
    Case("crm history -n 20", ["history", "-n", "20"], baseline="sqlite"),
]
