"""The one error a project raises: what is wrong with it, said so a user can fix it."""


class ProjectError(Exception):
    """An MLproject, its parameters or its environment cannot be used as given."""
