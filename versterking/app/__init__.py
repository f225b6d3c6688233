"""The web app (`versterking app`): a Dash app over the package's API for planners and policy advisers."""
