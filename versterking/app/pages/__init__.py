"""The pages of the web app, one module each: its layout and its callbacks."""
