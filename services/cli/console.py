from rich.console import Console

# Messages for people go to stderr; stdout carries only what scripts read (a token, a table).
console = Console(stderr=True)
