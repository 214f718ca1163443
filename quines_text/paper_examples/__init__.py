"""Mahoney 2008's examples that need the harness: Example 6 (C) and Example 2 on metered machines."""
