"""newsmon: scheduled news crawls into a SQL database you can query."""

__version__ = "0.1.0"
