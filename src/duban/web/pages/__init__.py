"""The HTML pages (Chinese UI): login, board, plans, duty, upload, public view."""
