"""The one error a notebook user sees from the connectors."""


class ConnectorError(RuntimeError):
    """What is missing or refused, in a sentence that says what to do; IPython shows it without a stack trace."""

    def _render_traceback_(self):
        # IPython calls this instead of printing the traceback: the message is the whole story.
        return [f"{type(self).__name__}: {self}"]
