"""A throw-away PostgreSQL database for a benchmark script (its own, never the test one)."""

from urllib.parse import urlparse


def recreate_database(url: str) -> None:
    """Drop and create the database that ``url`` names, through the server's "postgres"."""
    import psycopg2  # noqa: PLC0415 -- only when a benchmark runs

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    conn = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
