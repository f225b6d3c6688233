"""Errors about the user's input: the CLI prints them as one line and exits with status 2."""


class InputError(Exception):
    """Bad input (scenario file, address file, output folder); the message names file and key."""
