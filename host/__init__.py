"""Board-side code: imports only numpy (and the standard library), never `generator`."""
